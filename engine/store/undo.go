package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// UndoBatch undoes every change of batch id that still stands, in one
// transaction, and returns the undo's own batch. It refuses, changing
// nothing, when any of those clients' mapping changed since (wrapping
// ErrChangedSince and naming the client), when a client was deleted
// (ErrNotFound), or when the whole batch was undone already
// (ErrAlreadyUndone).
func (db *DB) UndoBatch(ctx context.Context, id int64) (Batch, error) {
	var out Batch
	err := db.write(ctx, func(tx *sql.Tx) error {
		bs, err := db.batches(ctx, tx, `WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if len(bs) == 0 {
			return fmt.Errorf("batch %d: %w", id, ErrNotFound)
		}
		var todo []Change
		for _, c := range bs[0].Changes {
			if c.UndoneBy == 0 {
				todo = append(todo, c)
			}
		}
		if len(todo) == 0 {
			return fmt.Errorf("batch %d: %w", id, ErrAlreadyUndone)
		}
		out, err = db.undo(ctx, tx, fmt.Sprintf("batch %d", id), todo)
		return err
	})
	if err != nil {
		return Batch{}, fmt.Errorf("store: undo: %w", err)
	}
	return out, nil
}

// UndoChange undoes one recorded decision, as UndoBatch undoes a batch.
func (db *DB) UndoChange(ctx context.Context, id int64) (Batch, error) {
	var out Batch
	err := db.write(ctx, func(tx *sql.Tx) error {
		cs, err := changes(ctx, tx, `WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return fmt.Errorf("decision %d: %w", id, ErrNotFound)
		}
		if cs[0].UndoneBy != 0 {
			return fmt.Errorf("decision %d was %w (by batch %d)", id, ErrAlreadyUndone, cs[0].UndoneBy)
		}
		out, err = db.undo(ctx, tx, fmt.Sprintf("decision %d", id), cs)
		return err
	})
	if err != nil {
		return Batch{}, fmt.Errorf("store: undo: %w", err)
	}
	return out, nil
}

// undo checks that every change is still what the mapping shows, then puts
// each client's mapping back as it was before and records the undo.
func (db *DB) undo(ctx context.Context, tx *sql.Tx, what string, cs []Change) (Batch, error) {
	var rec []Change
	for _, c := range cs {
		name, cur, err := mappingSide(ctx, tx, c.LocalID)
		if errors.Is(err, ErrNotFound) {
			return Batch{}, fmt.Errorf("%q was deleted after that save, so its mapping cannot be put back: %w", c.LocalName, ErrNotFound)
		}
		if err != nil {
			return Batch{}, err
		}
		if !stillStands(cur, c.After) {
			return Batch{}, changedSince(ctx, tx, c, name, cur)
		}
		rec = append(rec, Change{LocalID: c.LocalID, LocalName: name, Before: cur, After: c.Before})
	}
	now := db.stamp()
	for i, c := range rec {
		if err := restoreMapping(ctx, tx, c.LocalID, c.After, now); err != nil {
			return Batch{}, err
		}
		if err := resetReview(ctx, tx, c.LocalID); err != nil {
			return Batch{}, err
		}
		// Record the name the HaloPSA client has now, not the one it had.
		if _, rec[i].After, _ = mappingSide(ctx, tx, c.LocalID); rec[i].After.HaloName == "" {
			rec[i].After.HaloName = c.After.HaloName
		}
	}
	b, err := db.recordBatch(ctx, tx, BatchUndo, what, rec)
	if err != nil {
		return Batch{}, err
	}
	for _, c := range cs {
		if _, err := tx.ExecContext(ctx, `UPDATE mapping_changes SET undone_by = ? WHERE id = ?`, b.ID, c.ID); err != nil {
			return Batch{}, err
		}
	}
	return b, nil
}

// stillStands reports whether a client's mapping is still what a change
// made it. An open mapping and a suggestion count as the same: neither is a
// decision, so putting back what was before overwrites no one's work.
func stillStands(cur, after MappingSide) bool {
	undecided := func(s MappingState) bool { return s == MapOpen || s == MapSuggested }
	return cur.same(after) || (undecided(cur.State) && undecided(after.State))
}

// changedSince explains a refused undo: which later change to undo first,
// when the history knows it, else what the mapping is now.
func changedSince(ctx context.Context, tx *sql.Tx, c Change, name string, cur MappingSide) error {
	later, err := changes(ctx, tx, `WHERE local_id = ? AND id > ? AND undone_by IS NULL ORDER BY id DESC LIMIT 1`, c.LocalID, c.ID)
	if err == nil && len(later) == 1 {
		return fmt.Errorf("%q was %w (decision %d, saved in batch %d); undo that change first",
			name, ErrChangedSince, later[0].ID, later[0].BatchID)
	}
	return fmt.Errorf("%q was %w (it is now %s); change it back first, or leave it",
		name, ErrChangedSince, describeSide(cur))
}

// describeSide says a mapping in words, for messages.
func describeSide(s MappingSide) string {
	switch s.State {
	case MapOpen:
		return "unmapped"
	case MapIgnored:
		return "ignored"
	case MapSuggested:
		return fmt.Sprintf("suggested %q", s.HaloName)
	}
	return fmt.Sprintf("mapped to %q", s.HaloName)
}

// restoreMapping makes a local client's mapping what s says.
func restoreMapping(ctx context.Context, tx *sql.Tx, localID int64, s MappingSide, now string) error {
	if s.State == MapOpen {
		_, err := tx.ExecContext(ctx, `DELETE FROM mappings WHERE local_id = ?`, localID)
		return err
	}
	return upsertMapping(ctx, tx, localID, Mapping{HaloID: s.HaloID, State: s.State, Score: s.Score,
		Confidence: s.Confidence, Reason: s.Reason}, now)
}
