package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Connection is the saved HaloPSA connection. It deliberately has no field for
// the client secret: secrets live only in the OS keychain, never in SQLite.
type Connection struct {
	BaseURL     string    // the HaloPSA instance, e.g. https://acme.halopsa.com
	AuthURL     string    // the authorisation server, when not derived from BaseURL
	Tenant      string    // optional tenant for hosted authorisation
	ClientID    string    // the API application's client ID (not a secret)
	Scopes      []string  // the scopes HaloPSA granted
	ConnectedAt time.Time // when the connection was last authorised
}

// SaveConnection stores c, replacing any saved connection: HaloSync talks to
// one HaloPSA instance at a time.
func (db *DB) SaveConnection(ctx context.Context, c Connection) error {
	if strings.TrimSpace(c.BaseURL) == "" {
		return errors.New("store: save connection: empty base URL")
	}
	for _, s := range c.Scopes {
		// Scopes are stored space-separated, as OAuth 2 writes them.
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return fmt.Errorf("store: save connection: invalid scope %q", s)
		}
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO connection (id, base_url, auth_url, tenant, client_id, scopes, connected_at)
			VALUES (1, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET
				base_url = excluded.base_url, auth_url = excluded.auth_url,
				tenant = excluded.tenant, client_id = excluded.client_id,
				scopes = excluded.scopes, connected_at = excluded.connected_at`,
			c.BaseURL, c.AuthURL, c.Tenant, c.ClientID, strings.Join(c.Scopes, " "), dbTime(c.ConnectedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save connection: %w", err)
	}
	return nil
}

// Connection returns the saved connection, or ErrNotFound when there is none.
func (db *DB) Connection(ctx context.Context) (Connection, error) {
	var (
		c      Connection
		scopes string
		at     sql.NullString
	)
	err := db.r.QueryRowContext(ctx, `
		SELECT base_url, auth_url, tenant, client_id, scopes, connected_at
		FROM connection WHERE id = 1`).
		Scan(&c.BaseURL, &c.AuthURL, &c.Tenant, &c.ClientID, &scopes, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Connection{}, ErrNotFound
	}
	if err != nil {
		return Connection{}, fmt.Errorf("store: connection: %w", err)
	}
	if scopes != "" {
		c.Scopes = strings.Fields(scopes)
	}
	if c.ConnectedAt, err = parseTime(at); err != nil {
		return Connection{}, err
	}
	return c, nil
}

// DeleteConnection forgets the saved connection (disconnect). Imported records
// stay. Deleting when there is none is not an error.
func (db *DB) DeleteConnection(ctx context.Context) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM connection`)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete connection: %w", err)
	}
	return nil
}
