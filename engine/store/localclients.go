package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// LocalClient is a client in the MSP's own client book.
type LocalClient struct {
	ID        int64
	Ref       string // the owner's own id for it, exactly as given ("CUST-0042"); optional, unique
	Name      string
	Domain    string // website or e-mail domain, optional
	Phone     string
	Notes     string
	Origin    Origin    // output only: where it came from
	CreatedAt time.Time // output only
	UpdatedAt time.Time // output only
}

// Origin says where a local client came from.
type Origin string

// The origins of a local client.
const (
	OriginBook Origin = "book" // the owner's book: added, imported, or joined by a row of theirs
	OriginHalo Origin = "halo" // created from a HaloPSA client; no row of the owner's book has joined it
)

// ErrEmptyName is returned for a local client without a name.
var ErrEmptyName = errors.New("store: a client needs a name")

// ErrRefTaken is returned when a client's id (Ref) is another client's.
var ErrRefTaken = errors.New("store: the id is taken")

func (c *LocalClient) clean() error {
	c.Name, c.Domain, c.Phone = strings.TrimSpace(c.Name), strings.TrimSpace(c.Domain), strings.TrimSpace(c.Phone)
	c.Ref = strings.TrimSpace(c.Ref)
	if c.Name == "" {
		return ErrEmptyName
	}
	return nil
}

// claimRef checks that no client but id has ref, and drops ref as the
// alias of a merged client: the user's explicit id wins over the memory of
// a merge.
func claimRef(ctx context.Context, tx *sql.Tx, ref string, id int64) error {
	if ref == "" {
		return nil
	}
	var other int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM local_clients WHERE ref = ? AND id != ?`, ref, id).Scan(&other)
	if err == nil {
		return fmt.Errorf("%w: id %q is client %d's", ErrRefTaken, ref, other)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM local_client_aliases WHERE kind = 'ref' AND key = ?`, ref)
	return err
}

// AddLocalClients adds clients to the book in one transaction, all or none,
// and returns their new ids in order.
func (db *DB) AddLocalClients(ctx context.Context, cs []LocalClient) ([]int64, error) {
	for i := range cs {
		if err := cs[i].clean(); err != nil {
			return nil, fmt.Errorf("client %d: %w", i+1, err)
		}
	}
	ids := make([]int64, 0, len(cs))
	err := db.write(ctx, func(tx *sql.Tx) error {
		now := db.stamp()
		for i, c := range cs {
			id, err := insertLocal(ctx, tx, c, now)
			if err != nil {
				return fmt.Errorf("client %d: %w", i+1, err)
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: add local clients: %w", err)
	}
	return ids, nil
}

// insertLocal adds one cleaned client of the owner's book.
func insertLocal(ctx context.Context, tx *sql.Tx, c LocalClient, now string) (int64, error) {
	if err := claimRef(ctx, tx, c.Ref, 0); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO local_clients (ref, name, domain, phone, notes, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'book', ?, ?)`,
		c.Ref, c.Name, c.Domain, c.Phone, c.Notes, now, now)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// AddLocalClient adds one client and returns its id.
func (db *DB) AddLocalClient(ctx context.Context, c LocalClient) (int64, error) {
	ids, err := db.AddLocalClients(ctx, []LocalClient{c})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// UpdateLocalClient changes a client's fields (not its origin);
// ErrNotFound when it is gone, ErrRefTaken when its Ref is another's.
func (db *DB) UpdateLocalClient(ctx context.Context, c LocalClient) error {
	if err := c.clean(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := claimRef(ctx, tx, c.Ref, c.ID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE local_clients SET ref = ?, name = ?, domain = ?, phone = ?, notes = ?, updated_at = ? WHERE id = ?`,
			c.Ref, c.Name, c.Domain, c.Phone, c.Notes, db.stamp(), c.ID)
		return affectedOne(res, err)
	})
}

// DeleteLocalClient removes a client with its mapping; ErrNotFound when it is gone.
func (db *DB) DeleteLocalClient(ctx context.Context, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM local_clients WHERE id = ?`, id)
		return affectedOne(res, err)
	})
}

func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// LocalClient returns one client of the book, or ErrNotFound.
func (db *DB) LocalClient(ctx context.Context, id int64) (LocalClient, error) {
	cs, err := db.localClients(ctx, `WHERE id = ?`, id)
	if err != nil {
		return LocalClient{}, err
	}
	if len(cs) == 0 {
		return LocalClient{}, ErrNotFound
	}
	return cs[0], nil
}

// LocalClients returns the book ordered by name, optionally only names
// containing search (ASCII case ignored).
func (db *DB) LocalClients(ctx context.Context, search string) ([]LocalClient, error) {
	if search == "" {
		return db.localClients(ctx, `ORDER BY name COLLATE NOCASE, id`)
	}
	return db.localClients(ctx, `WHERE name LIKE ? ESCAPE '\' ORDER BY name COLLATE NOCASE, id`, likePattern(search))
}

func (db *DB) localClients(ctx context.Context, where string, args ...any) ([]LocalClient, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, ref, name, domain, phone, notes, origin, created_at, updated_at FROM local_clients `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: local clients: %w", err)
	}
	defer rows.Close()
	var out []LocalClient
	for rows.Next() {
		var c LocalClient
		var created, updated sql.NullString
		if err := rows.Scan(&c.ID, &c.Ref, &c.Name, &c.Domain, &c.Phone, &c.Notes, &c.Origin, &created, &updated); err != nil {
			return nil, fmt.Errorf("store: local clients: %w", err)
		}
		if c.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		if c.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
