package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The mapping history: every SaveMappings and SaveDrafts is a batch that
// records, per local client it changed, the mapping before and after. A
// batch, or one change of it, can be undone; the undo is a batch too.

// BatchKind says what made a history batch.
type BatchKind string

// The kinds of batch.
const (
	BatchSave BatchKind = "save" // Save All Mappings, `map save`
	BatchUndo BatchKind = "undo" // an undo of a batch or of one decision
)

// MappingSide is a local client's mapping on one side of a recorded change.
type MappingSide struct {
	State      MappingState // MapOpen when there was no mapping
	HaloID     int64
	HaloName   string // the HaloPSA client's name at the time
	Score      float64
	Confidence string
	Reason     string
}

// same reports whether two sides are one mapping (state and client).
func (s MappingSide) same(o MappingSide) bool { return s.State == o.State && s.HaloID == o.HaloID }

// Change is one decision as the history recorded it.
type Change struct {
	ID            int64
	BatchID       int64
	LocalID       int64
	LocalName     string // the local client's name then; kept after it is deleted
	Before, After MappingSide
	UndoneBy      int64 // the batch that undid this change; 0 while it stands
}

// Batch is one Save All, or one undo, with its changes.
type Batch struct {
	ID      int64
	At      time.Time
	Actor   string // the OS user name of whoever saved
	Kind    BatchKind
	Undoes  string // for an undo: "batch N" or "decision N"
	Changes []Change
}

// Undone reports whether every change of the batch has been undone.
func (b Batch) Undone() bool {
	for _, c := range b.Changes {
		if c.UndoneBy == 0 {
			return false
		}
	}
	return len(b.Changes) > 0
}

// Errors of an undo.
var (
	// ErrChangedSince refuses an undo that would overwrite a newer change.
	ErrChangedSince = errors.New("changed after that save")
	// ErrAlreadyUndone refuses undoing a change twice.
	ErrAlreadyUndone = errors.New("undone already")
	// ErrNothingToUndo says no saved batch is left to undo.
	ErrNothingToUndo = errors.New("no saved mapping change to undo")
)

type actorKey struct{}

// WithActor returns a context whose mapping saves and undos the history
// attributes to actor (the OS user name).
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

func actorOf(ctx context.Context) string {
	s, _ := ctx.Value(actorKey{}).(string)
	return s
}

// applyRecorded applies decisions like applyDecisions, then records in the
// same transaction a save batch of what really changed, and resets the drift
// watch of every client decided (a decision confirms what it maps to).
func (db *DB) applyRecorded(ctx context.Context, tx *sql.Tx, ds []Decision) (MappingSummary, error) {
	ids := make([]int64, 0, len(ds))
	for _, d := range ds {
		if !slices.Contains(ids, d.LocalID) {
			ids = append(ids, d.LocalID)
		}
	}
	before := make([]MappingSide, len(ids))
	for i, id := range ids {
		var err error
		if _, before[i], err = mappingSide(ctx, tx, id); err != nil && !errors.Is(err, ErrNotFound) {
			return MappingSummary{}, err
		}
	}
	sum, err := db.applyDecisions(ctx, tx, ds)
	if err != nil {
		return sum, err
	}
	var changes []Change
	for i, id := range ids {
		name, after, err := mappingSide(ctx, tx, id)
		if err != nil {
			return sum, err
		}
		if err := resetReview(ctx, tx, id); err != nil {
			return sum, err
		}
		if !after.same(before[i]) {
			changes = append(changes, Change{LocalID: id, LocalName: name, Before: before[i], After: after})
		}
	}
	if len(changes) > 0 {
		if _, err := db.recordBatch(ctx, tx, BatchSave, "", changes); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// mappingSide reads a local client's name and current mapping.
func mappingSide(ctx context.Context, tx *sql.Tx, localID int64) (string, MappingSide, error) {
	var (
		name  string
		s     MappingSide
		state sql.NullString
	)
	err := tx.QueryRowContext(ctx, `SELECT l.name, m.state, COALESCE(m.halo_client_id, 0), COALESCE(c.name, ''),
			COALESCE(m.score, 0), COALESCE(m.confidence, ''), COALESCE(m.reason, '')
		FROM local_clients l LEFT JOIN mappings m ON m.local_id = l.id LEFT JOIN clients c ON c.id = m.halo_client_id
		WHERE l.id = ?`, localID).Scan(&name, &state, &s.HaloID, &s.HaloName, &s.Score, &s.Confidence, &s.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return "", s, fmt.Errorf("local client %d: %w", localID, ErrNotFound)
	}
	s.State = MappingState(state.String)
	return name, s, err
}

// recordBatch writes a batch with its changes and returns it.
func (db *DB) recordBatch(ctx context.Context, tx *sql.Tx, kind BatchKind, undoes string, changes []Change) (Batch, error) {
	b := Batch{At: db.now().UTC(), Actor: actorOf(ctx), Kind: kind, Undoes: undoes}
	res, err := tx.ExecContext(ctx, `INSERT INTO mapping_batches (at, actor, kind, undoes) VALUES (?, ?, ?, ?)`,
		b.At.Format(timeLayout), b.Actor, string(kind), undoes)
	if err != nil {
		return b, err
	}
	if b.ID, err = res.LastInsertId(); err != nil {
		return b, err
	}
	for _, c := range changes {
		c.BatchID = b.ID
		res, err := tx.ExecContext(ctx, `INSERT INTO mapping_changes (batch_id, local_id, local_name,
				before_state, before_halo_id, before_halo_name, before_score, before_confidence, before_reason,
				after_state, after_halo_id, after_halo_name, after_score, after_confidence, after_reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, c.LocalID, c.LocalName,
			string(c.Before.State), c.Before.HaloID, c.Before.HaloName, c.Before.Score, c.Before.Confidence, c.Before.Reason,
			string(c.After.State), c.After.HaloID, c.After.HaloName, c.After.Score, c.After.Confidence, c.After.Reason)
		if err != nil {
			return b, err
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return b, err
		}
		b.Changes = append(b.Changes, c)
	}
	return b, nil
}

// History returns the newest batches first, up to limit (50 when limit <= 0),
// each with its changes.
func (db *DB) History(ctx context.Context, limit int) ([]Batch, error) {
	if limit <= 0 {
		limit = 50
	}
	return db.batches(ctx, db.r, `ORDER BY id DESC LIMIT ?`, limit)
}

// HistoryBatch returns one batch, or ErrNotFound.
func (db *DB) HistoryBatch(ctx context.Context, id int64) (Batch, error) {
	bs, err := db.batches(ctx, db.r, `WHERE id = ?`, id)
	if err != nil {
		return Batch{}, err
	}
	if len(bs) == 0 {
		return Batch{}, fmt.Errorf("store: mapping history batch %d: %w", id, ErrNotFound)
	}
	return bs[0], nil
}

type rowsQuerier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

func (db *DB) batches(ctx context.Context, q rowsQuerier, where string, args ...any) ([]Batch, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor, kind, undoes FROM mapping_batches `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: mapping history: %w", err)
	}
	var out []Batch
	index := map[int64]int{}
	for rows.Next() {
		var b Batch
		var at sql.NullString
		if err := rows.Scan(&b.ID, &at, &b.Actor, &b.Kind, &b.Undoes); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: mapping history: %w", err)
		}
		if b.At, err = parseTime(at); err != nil {
			rows.Close()
			return nil, err
		}
		index[b.ID] = len(out)
		out = append(out, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, b := range out {
		ids[i] = b.ID
	}
	cs, err := changes(ctx, q, `WHERE batch_id IN (SELECT value FROM json_each(?)) ORDER BY id`, jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		b := &out[index[c.BatchID]]
		b.Changes = append(b.Changes, c)
	}
	return out, nil
}

func changes(ctx context.Context, q rowsQuerier, where string, args ...any) ([]Change, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, batch_id, local_id, local_name,
			before_state, before_halo_id, before_halo_name, before_score, before_confidence, before_reason,
			after_state, after_halo_id, after_halo_name, after_score, after_confidence, after_reason,
			COALESCE(undone_by, 0)
		FROM mapping_changes `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: mapping changes: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		b, a := &c.Before, &c.After
		if err := rows.Scan(&c.ID, &c.BatchID, &c.LocalID, &c.LocalName,
			&b.State, &b.HaloID, &b.HaloName, &b.Score, &b.Confidence, &b.Reason,
			&a.State, &a.HaloID, &a.HaloName, &a.Score, &a.Confidence, &a.Reason, &c.UndoneBy); err != nil {
			return nil, fmt.Errorf("store: mapping changes: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LastSaveBatch returns the id of the newest save batch with a change that
// still stands: what "Undo last save" undoes. Undo batches are skipped, so
// undoing again walks further back rather than redoing.
func (db *DB) LastSaveBatch(ctx context.Context) (int64, error) {
	var id int64
	err := db.r.QueryRowContext(ctx, `SELECT b.id FROM mapping_batches b
		WHERE b.kind = 'save' AND EXISTS (SELECT 1 FROM mapping_changes c WHERE c.batch_id = b.id AND c.undone_by IS NULL)
		ORDER BY b.id DESC LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNothingToUndo
	}
	if err != nil {
		return 0, fmt.Errorf("store: mapping history: %w", err)
	}
	return id, nil
}
