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
	Name      string
	Domain    string // website or e-mail domain, optional
	Phone     string
	Notes     string
	CreatedAt time.Time // output only
	UpdatedAt time.Time // output only
}

// ErrEmptyName is returned for a local client without a name.
var ErrEmptyName = errors.New("store: a client needs a name")

func (c *LocalClient) clean() error {
	c.Name, c.Domain, c.Phone = strings.TrimSpace(c.Name), strings.TrimSpace(c.Domain), strings.TrimSpace(c.Phone)
	if c.Name == "" {
		return ErrEmptyName
	}
	return nil
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
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO local_clients (name, domain, phone, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		now := db.stamp()
		for _, c := range cs {
			res, err := stmt.ExecContext(ctx, c.Name, c.Domain, c.Phone, c.Notes, now, now)
			if err != nil {
				return err
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
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

// AddLocalClient adds one client and returns its id.
func (db *DB) AddLocalClient(ctx context.Context, c LocalClient) (int64, error) {
	ids, err := db.AddLocalClients(ctx, []LocalClient{c})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// UpdateLocalClient changes a client's fields; ErrNotFound when it is gone.
func (db *DB) UpdateLocalClient(ctx context.Context, c LocalClient) error {
	if err := c.clean(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE local_clients SET name = ?, domain = ?, phone = ?, notes = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.Domain, c.Phone, c.Notes, db.stamp(), c.ID)
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
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, domain, phone, notes, created_at, updated_at FROM local_clients `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: local clients: %w", err)
	}
	defer rows.Close()
	var out []LocalClient
	for rows.Next() {
		var c LocalClient
		var created, updated sql.NullString
		if err := rows.Scan(&c.ID, &c.Name, &c.Domain, &c.Phone, &c.Notes, &created, &updated); err != nil {
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
