package store

import (
	"context"
	"database/sql"
	"fmt"
)

// UpdateDrafts records and forgets draft decisions in one transaction: each
// of put replaces any draft of its local client, and the drafts of drop
// are removed. The window writes every decision here as the user makes it,
// so that an unsaved decision survives a quit. A local client deleted
// meanwhile is skipped: its drafts went with it.
func (db *DB) UpdateDrafts(ctx context.Context, put []Decision, drop []int64) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		now := db.stamp()
		for _, d := range put {
			var halo any
			if d.Action == Accept {
				halo = d.HaloID
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO mapping_drafts (local_id, action, halo_client_id, created_at)
				SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM local_clients WHERE id = ?)
				ON CONFLICT (local_id) DO UPDATE SET action = excluded.action, halo_client_id = excluded.halo_client_id, created_at = excluded.created_at`,
				d.LocalID, string(d.Action), halo, now, d.LocalID)
			if err != nil {
				return fmt.Errorf("local client %d: %w", d.LocalID, err)
			}
		}
		for _, id := range drop {
			if _, err := tx.ExecContext(ctx, `DELETE FROM mapping_drafts WHERE local_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: draft decisions: %w", err)
	}
	return nil
}
