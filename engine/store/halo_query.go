package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ClientQuery selects imported clients.
type ClientQuery struct {
	State  State  // only clients in this state; "" for all
	Search string // substring of the name, ignoring ASCII case; "" for all
	Limit  int    // at most this many; 0 (or less) for all
}

const clientCols = "id, name, website, phone, top_level, inactive, halo_updated_at, state"

// Clients returns the imported clients that match q, ordered by name
// (ignoring ASCII case) and then id.
func (db *DB) Clients(ctx context.Context, q ClientQuery) ([]Client, error) {
	var (
		where []string
		args  []any
	)
	if q.State != "" {
		if !q.State.valid() {
			return nil, fmt.Errorf("store: clients: unknown state %q", q.State)
		}
		where = append(where, "state = ?")
		args = append(args, string(q.State))
	}
	if q.Search != "" {
		where = append(where, `name LIKE ? ESCAPE '\'`)
		args = append(args, likePattern(q.Search))
	}
	query := "SELECT " + clientCols + " FROM clients"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY name COLLATE NOCASE, id"
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}
	return queryAll(ctx, db, "clients", query, args, scanClient)
}

// Client returns the imported client with HaloPSA id id, or ErrNotFound.
func (db *DB) Client(ctx context.Context, id int64) (Client, error) {
	cs, err := queryAll(ctx, db, "client", "SELECT "+clientCols+" FROM clients WHERE id = ?",
		[]any{id}, scanClient)
	if err != nil {
		return Client{}, err
	}
	if len(cs) == 0 {
		return Client{}, ErrNotFound
	}
	return cs[0], nil
}

// Sites returns every stored site of the client, deleted ones included (State
// says which), ordered by name and id.
func (db *DB) Sites(ctx context.Context, clientID int64) ([]Site, error) {
	return queryAll(ctx, db, "sites", `
		SELECT id, client_id, name, phone, address, inactive, halo_updated_at, state
		FROM sites WHERE client_id = ? ORDER BY name COLLATE NOCASE, id`,
		[]any{clientID}, func(rs *sql.Rows, s *Site) error {
			return scanRecord(rs, &s.UpdatedAt, &s.State, &s.Inactive,
				&s.ID, &s.ClientID, &s.Name, &s.Phone, &s.Address)
		})
}

// Contacts returns every stored contact of the client, deleted ones included,
// primary contacts first, then by name and id.
func (db *DB) Contacts(ctx context.Context, clientID int64) ([]Contact, error) {
	return queryAll(ctx, db, "contacts", `
		SELECT id, client_id, site_id, name, email, phone, is_primary, inactive, halo_updated_at, state
		FROM contacts WHERE client_id = ? ORDER BY is_primary DESC, name COLLATE NOCASE, id`,
		[]any{clientID}, func(rs *sql.Rows, c *Contact) error {
			return scanRecord(rs, &c.UpdatedAt, &c.State, &c.Inactive,
				&c.ID, &c.ClientID, &c.SiteID, &c.Name, &c.Email, &c.Phone, &c.Primary)
		})
}

// Assets returns every stored asset of the client, deleted ones included,
// ordered by name, tag and id.
func (db *DB) Assets(ctx context.Context, clientID int64) ([]Asset, error) {
	return queryAll(ctx, db, "assets", `
		SELECT id, client_id, site_id, tag, name, type, inactive, halo_updated_at, state
		FROM assets WHERE client_id = ? ORDER BY name COLLATE NOCASE, tag, id`,
		[]any{clientID}, func(rs *sql.Rows, a *Asset) error {
			return scanRecord(rs, &a.UpdatedAt, &a.State, &a.Inactive,
				&a.ID, &a.ClientID, &a.SiteID, &a.Tag, &a.Name, &a.Type)
		})
}

func scanClient(rs *sql.Rows, c *Client) error {
	return scanRecord(rs, &c.UpdatedAt, &c.State, &c.Inactive,
		&c.ID, &c.Name, &c.Website, &c.Phone, &c.TopLevel)
}

// scanRecord scans a row whose last three columns are inactive,
// halo_updated_at and state, after the columns that go into fields.
// database/sql converts SQLite's 0/1 into *bool fields.
func scanRecord(rs *sql.Rows, updated *time.Time, state *State, inactive *bool, fields ...any) error {
	var (
		at sql.NullString
		st string
	)
	dest := append(fields, inactive, &at, &st)
	if err := rs.Scan(dest...); err != nil {
		return err
	}
	t, err := parseTime(at)
	if err != nil {
		return err
	}
	*updated, *state = t, State(st)
	return nil
}

// queryAll runs a read query and scans every row into a T.
func queryAll[T any](ctx context.Context, db *DB, what, query string, args []any,
	scan func(*sql.Rows, *T) error) ([]T, error) {
	rs, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rs.Close()
	var out []T
	for rs.Next() {
		var v T
		if err := scan(rs, &v); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
