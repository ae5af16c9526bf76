package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// TicketVersions returns, for those of haloIDs that HaloSync holds, the
// HaloPSA change time of the version applied last. Polling uses it to skip
// tickets it has already applied without touching the inbox.
func (db *DB) TicketVersions(ctx context.Context, haloIDs []int64) (map[int64]time.Time, error) {
	out := make(map[int64]time.Time, len(haloIDs))
	// SQLite's default limit on bound parameters is well above a page of
	// 100, but chunk anyway so that any caller's slice works.
	const chunk = 500
	for lo := 0; lo < len(haloIDs); lo += chunk {
		ids := haloIDs[lo:min(lo+chunk, len(haloIDs))]
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		q := `SELECT halo_id, halo_updated_at FROM tickets WHERE halo_id IN (?` + strings.Repeat(",?", len(ids)-1) + `)`
		if err := db.scanVersions(ctx, out, q, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OpenTicketVersions returns the HaloPSA ids and applied versions of every
// ticket HaloSync holds as not closed (by its status's local state). A poll
// that cannot ask HaloPSA what changed compares HaloPSA's open list with it.
func (db *DB) OpenTicketVersions(ctx context.Context) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	err := db.scanVersions(ctx, out, `SELECT t.halo_id, t.halo_updated_at FROM tickets t
		LEFT JOIN statuses s ON s.id = t.status_id
		WHERE t.halo_id IS NOT NULL AND COALESCE(s.local_state, 'open') != 'closed'`)
	return out, err
}

func (db *DB) scanVersions(ctx context.Context, out map[int64]time.Time, q string, args ...any) error {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: ticket versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var at sql.NullString
		if err := rows.Scan(&id, &at); err != nil {
			return fmt.Errorf("store: ticket versions: %w", err)
		}
		if out[id], err = parseTime(at); err != nil {
			return err
		}
	}
	return rows.Err()
}
