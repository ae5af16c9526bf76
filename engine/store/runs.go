package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Run kinds the store itself knows about; other kinds are free-form.
const (
	// KindImport is the client import; Counts.LastSync is the finish time of
	// the newest import run with StatusOK.
	KindImport = "import"
)

// Run statuses. A run is StatusRunning from BeginRun until FinishRun gives it
// one of the others; FinishRun accepts only these, so that a misspelt status
// cannot quietly hide a successful import from Counts.LastSync.
const (
	StatusRunning     = "running"
	StatusOK          = "ok"          // finished successfully
	StatusFailed      = "failed"      // stopped by an error
	StatusCanceled    = "canceled"    // stopped on request (context canceled, app quit)
	StatusInterrupted = "interrupted" // found still running after a restart: the process died
)

// Run is one sync run: an import, a poll, an outbox push...
type Run struct {
	ID         int64
	Kind       string
	Status     string
	Summary    string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
}

// BeginRun records the start of a run of the given kind and returns its id.
// Ids only grow, never reused, and serve as the run argument of the upserts.
// Until FinishRun the run's summary names this process (see RunDead).
func (db *DB) BeginRun(ctx context.Context, kind string) (int64, error) {
	if kind == "" {
		return 0, errors.New("store: begin run: empty kind")
	}
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx,
			`INSERT INTO runs (kind, status, summary, started_at) VALUES (?, ?, ?, ?) RETURNING id`,
			kind, StatusRunning, ownerSummary(), db.stamp()).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: begin run: %w", err)
	}
	return id, nil
}

// FinishRun records the end of a running run with its final status (one of
// the Status constants other than StatusRunning) and a one-line summary. It
// returns ErrNotFound for an unknown run and an error for one already finished.
func (db *DB) FinishRun(ctx context.Context, run int64, status string, summary string) error {
	switch status {
	case StatusOK, StatusFailed, StatusCanceled, StatusInterrupted:
	default:
		return fmt.Errorf("store: finish run %d: invalid status %q", run, status)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE runs SET status = ?, summary = ?, finished_at = ?
			WHERE id = ? AND status = ?`,
			status, summary, db.stamp(), run, StatusRunning)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var cur string
		err = tx.QueryRowContext(ctx, `SELECT status FROM runs WHERE id = ?`, run).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("already finished (%s)", cur)
	})
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: finish run %d: %w", run, err)
	}
	if status == StatusOK {
		// There was room for a whole run: put back any reserve a full
		// disk used up.
		db.keepReserve()
	}
	return nil
}

const runCols = "id, kind, status, summary, started_at, finished_at"

func scanRun(rs *sql.Rows, r *Run) error {
	var started, finished sql.NullString
	if err := rs.Scan(&r.ID, &r.Kind, &r.Status, &r.Summary, &started, &finished); err != nil {
		return err
	}
	var err error
	if r.StartedAt, err = parseTime(started); err != nil {
		return err
	}
	r.FinishedAt, err = parseTime(finished)
	return err
}

// LastRun returns the newest run of the given kind, whatever its status
// (it may still be running), or ErrNotFound when there is none.
func (db *DB) LastRun(ctx context.Context, kind string) (Run, error) {
	return db.oneRun(ctx, "last run",
		"SELECT "+runCols+" FROM runs WHERE kind = ? ORDER BY id DESC LIMIT 1", kind)
}

// LastSuccessfulRun returns the newest run of the given kind that finished
// with StatusOK, or ErrNotFound when there is none. An incremental import
// starts from it.
func (db *DB) LastSuccessfulRun(ctx context.Context, kind string) (Run, error) {
	return db.oneRun(ctx, "last successful run",
		"SELECT "+runCols+" FROM runs WHERE kind = ? AND status = ? ORDER BY id DESC LIMIT 1",
		kind, StatusOK)
}

func (db *DB) oneRun(ctx context.Context, what, query string, args ...any) (Run, error) {
	runs, err := queryAll(ctx, db, what, query, args, scanRun)
	if err != nil {
		return Run{}, err
	}
	if len(runs) == 0 {
		return Run{}, ErrNotFound
	}
	return runs[0], nil
}

// InterruptedRuns returns the runs still marked running, oldest first. Called
// at start-up, before any new run begins, these are runs whose process died;
// the caller finishes them with StatusInterrupted.
func (db *DB) InterruptedRuns(ctx context.Context) ([]Run, error) {
	return queryAll(ctx, db, "interrupted runs",
		"SELECT "+runCols+" FROM runs WHERE status = ? ORDER BY id", []any{StatusRunning}, scanRun)
}

// SyncState is the import state of one resource.
type SyncState struct {
	Resource    Resource
	LastRun     int64     // the last run that imported the resource
	LastSuccess time.Time // when it last imported completely
	LastError   string    // the last run's error; "" when it succeeded
	Rows        int       // rows the last complete import saw
}

// SetSyncState stores s, replacing the state stored for s.Resource. Any
// non-empty resource name is accepted so later syncs (tickets) can use it.
func (db *DB) SetSyncState(ctx context.Context, s SyncState) error {
	if s.Resource == "" {
		return errors.New("store: set sync state: empty resource")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO sync_state (resource, last_run, last_success, last_error, rows)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (resource) DO UPDATE SET
				last_run = excluded.last_run, last_success = excluded.last_success,
				last_error = excluded.last_error, rows = excluded.rows`,
			string(s.Resource), s.LastRun, dbTime(s.LastSuccess), s.LastError, s.Rows)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set sync state of %s: %w", s.Resource, err)
	}
	return nil
}

// SyncStates returns the stored sync state of every resource, by resource name.
func (db *DB) SyncStates(ctx context.Context) ([]SyncState, error) {
	return queryAll(ctx, db, "sync states", `
		SELECT resource, last_run, last_success, last_error, rows
		FROM sync_state ORDER BY resource`, nil,
		func(rs *sql.Rows, s *SyncState) error {
			var (
				res     string
				success sql.NullString
				err     error
			)
			if err = rs.Scan(&res, &s.LastRun, &success, &s.LastError, &s.Rows); err != nil {
				return err
			}
			s.Resource = Resource(res)
			s.LastSuccess, err = parseTime(success)
			return err
		})
}
