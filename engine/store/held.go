package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Held deliveries: ticket changes of HaloPSA clients no local client is
// mapped to. They wait in the inbox, with their client, until the user maps
// the client, releases them to a local client of their choice, or drops them.

// HeldItem is a held delivery and the HaloPSA client it waits for.
type HeldItem struct {
	InboxItem
	HaloClientID int64 // 0 when not known (held by an old version and unreadable)
}

// maxHeld bounds HeldItems: beyond it the list would not be read anyway,
// and the rest waits for the next look.
const maxHeld = 10000

// HeldItems returns the held deliveries, oldest first.
func (db *DB) HeldItems(ctx context.Context) ([]HeldItem, error) {
	return queryAll(ctx, db, "held inbox", `
		SELECT id, delivery_id, received_at, event, object_id, status, body, error, attempts, halo_client_id
		FROM inbox WHERE status = 'held' ORDER BY id LIMIT ?`, []any{maxHeld},
		func(rs *sql.Rows, h *HeldItem) error {
			it := &h.InboxItem
			var at sql.NullString
			var status string
			if err := rs.Scan(&it.ID, &it.DeliveryID, &at, &it.Event, &it.ObjectID, &status,
				&it.Body, &it.Error, &it.Attempts, &h.HaloClientID); err != nil {
				return err
			}
			it.Status = InboxStatus(status)
			var err error
			it.ReceivedAt, err = parseTime(at)
			return err
		})
}

// HoldInbox holds item id for HaloPSA client haloClientID, with why as its
// error text, counting one more attempt, like SetInboxStatus(id, InboxHeld,
// why) but remembering the client.
func (db *DB) HoldInbox(ctx context.Context, id, haloClientID int64, why string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE inbox SET status = 'held', error = ?, halo_client_id = ?,
			attempts = attempts + 1, updated_at = ? WHERE id = ?`, why, haloClientID, db.stamp(), id)
		return affectedOne(res, err)
	})
	if err != nil {
		return fmt.Errorf("store: hold inbox item %d: %w", id, err)
	}
	return nil
}

// ReleaseHeldTo queues the given held deliveries again, to be applied to
// local client localID whatever the mapping of their HaloPSA client says.
// Items no longer held are skipped. It returns how many were released.
func (db *DB) ReleaseHeldTo(ctx context.Context, ids []int64, localID int64) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM local_clients WHERE id = ?`, localID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("local client %d: %w", localID, ErrNotFound)
		}
		res, err := tx.ExecContext(ctx, `UPDATE inbox SET status = 'pending', apply_to_local = ?, updated_at = ?
			WHERE status = 'held' AND id IN (SELECT value FROM json_each(?))`, localID, db.stamp(), jsonIDs(ids))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: release held tickets: %w", err)
	}
	return int(n), nil
}

// DropHeld gives up the given held deliveries: they are never applied. They
// stay in the inbox, marked applied with note as their error text, so that
// HaloPSA re-sending one does not bring it back. It returns how many.
func (db *DB) DropHeld(ctx context.Context, ids []int64, note string) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE inbox SET status = 'applied', error = ?, updated_at = ?
			WHERE status = 'held' AND id IN (SELECT value FROM json_each(?))`, note, db.stamp(), jsonIDs(ids))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: drop held tickets: %w", err)
	}
	return int(n), nil
}

// InboxApplyTo returns the local client the user released item id to, or 0
// when it follows its HaloPSA client's mapping.
func (db *DB) InboxApplyTo(ctx context.Context, id int64) (int64, error) {
	var to sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT apply_to_local FROM inbox WHERE id = ?`, id).Scan(&to); err != nil {
		return 0, fmt.Errorf("store: inbox item %d: %w", id, err)
	}
	return to.Int64, nil
}
