package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Status is a HaloPSA ticket status with HaloSync's grouping of it.
type Status struct {
	ID         int64
	Name       string
	LocalState string // new, open, waiting or closed
	UserSet    bool   // the user chose LocalState; imports keep it
	Sequence   int
}

// LocalStates are HaloSync's own ticket states.
var LocalStates = []string{"new", "open", "waiting", "closed"}

// SaveStatuses stores HaloPSA's statuses in one transaction. A status whose
// local state the user set keeps it; statuses HaloPSA no longer lists stay,
// since tickets may still refer to them.
func (db *DB) SaveStatuses(ctx context.Context, ss []Status) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO statuses (id, name, local_state, sequence) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, sequence = excluded.sequence,
				local_state = CASE WHEN statuses.user_set = 1 THEN statuses.local_state ELSE excluded.local_state END`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, s := range ss {
			if _, err := stmt.ExecContext(ctx, s.ID, s.Name, s.LocalState, s.Sequence); err != nil {
				return fmt.Errorf("status %d: %w", s.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save statuses: %w", err)
	}
	return nil
}

// Statuses returns the statuses in HaloPSA's order.
func (db *DB) Statuses(ctx context.Context) ([]Status, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, local_state, user_set, sequence FROM statuses ORDER BY sequence, id`)
	if err != nil {
		return nil, fmt.Errorf("store: statuses: %w", err)
	}
	defer rows.Close()
	var out []Status
	for rows.Next() {
		var s Status
		if err := rows.Scan(&s.ID, &s.Name, &s.LocalState, &s.UserSet, &s.Sequence); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetStatusLocalState lets the user regroup a status; imports keep it.
func (db *DB) SetStatusLocalState(ctx context.Context, id int64, state string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE statuses SET local_state = ?, user_set = 1 WHERE id = ?`, state, id)
		return affectedOne(res, err)
	})
}
