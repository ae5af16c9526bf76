package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RequestWindow is what a RequestLedger holds for one HaloPSA: the requests
// of the last window, from every process using this database, and what
// 429s taught. Its fields match halo.LedgerState's, so the app converts
// one into the other without copying.
type RequestWindow struct {
	Done      []time.Time   // completion times within the window, oldest first
	InFlight  int           // requests started within the window, not answered yet
	Blocked   time.Time     // no request starts before this
	Backoff   time.Duration // the next 429's pause
	Learned   int           // a lower limit learned from a 429, 0 when none
	LearnedAt time.Time     // when it was learned
}

// RequestLedger is the request budget of one HaloPSA shared by every
// process that opens this database: the app, `halosyncctl` next to it or
// right after it. It lives in the database, rather than in a file beside
// it under an OS lock, because SQLite already gives what is needed: one
// write transaction at a time across processes (BEGIN IMMEDIATE), crash
// safety, and no platform-specific locking code. A request costs two small
// write transactions, its start and its end (see BenchmarkRequestLedger).
//
// The ledger belongs to the data folder, not the machine: two data folders
// connected to the same HaloPSA each keep their own, since a folder is
// where the database lives and one per HaloPSA is the normal case.
//
// A RequestLedger is safe for concurrent use.
type RequestLedger struct {
	db  *DB
	key string
}

// RequestLedger returns the ledger of the HaloPSA that key names (its
// address and client id).
func (db *DB) RequestLedger(key string) *RequestLedger {
	return &RequestLedger{db: db, key: key}
}

// Reserve reads the window as of now, dropping what left it (a slot never
// finished, its process having died, leaves a window and a twentieth
// after its start), and
// calls take. When take says yes it records an in-flight slot started at
// now and returns its id; otherwise 0. It all happens in one write
// transaction, so two processes never both take the last slot.
func (l *RequestLedger) Reserve(ctx context.Context, now time.Time, window time.Duration, take func(*RequestWindow) bool) (int64, error) {
	var slot int64
	err := l.db.write(ctx, func(tx *sql.Tx) error {
		w, err := l.load(ctx, tx, now, window)
		if err != nil || !take(w) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO request_slots (halo, started) VALUES (?, ?)`, l.key, now.UnixNano())
		if err != nil {
			return err
		}
		slot, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: reserve a request slot: %w", err)
	}
	return slot, nil
}

// Finish records that slot completed at at. A slot already dropped (its
// request took longer than a window) is no error.
func (l *RequestLedger) Finish(ctx context.Context, slot int64, at time.Time) error {
	err := l.db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE request_slots SET ended = ? WHERE id = ?`, at.UnixNano(), slot)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish a request slot: %w", err)
	}
	return nil
}

// Update reads the window as of now, lets fn change what 429s taught
// (Blocked, Backoff, Learned, LearnedAt) and stores that, in one write
// transaction.
func (l *RequestLedger) Update(ctx context.Context, now time.Time, window time.Duration, fn func(*RequestWindow)) error {
	err := l.db.write(ctx, func(tx *sql.Tx) error {
		w, err := l.load(ctx, tx, now, window)
		if err != nil {
			return err
		}
		fn(w)
		_, err = tx.ExecContext(ctx, `INSERT INTO request_penalty (halo, blocked, backoff, learned, learned_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (halo) DO UPDATE SET blocked = excluded.blocked, backoff = excluded.backoff,
				learned = excluded.learned, learned_at = excluded.learned_at`,
			l.key, nanos(w.Blocked), int64(w.Backoff), w.Learned, nanos(w.LearnedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record a 429: %w", err)
	}
	return nil
}

// load drops the slots that left the window and reads the rest with the
// penalty, inside tx.
func (l *RequestLedger) load(ctx context.Context, tx *sql.Tx, now time.Time, window time.Duration) (*RequestWindow, error) {
	cut := now.Add(-window).UnixNano()
	// An unfinished slot counts a twentieth of a window longer: see
	// halo.InFlightHorizon, which this package cannot import.
	dead := now.Add(-window - window/20).UnixNano()
	if _, err := tx.ExecContext(ctx, `DELETE FROM request_slots
		WHERE halo = ? AND (ended <= ? OR (ended IS NULL AND started <= ?))`, l.key, cut, dead); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT ended FROM request_slots WHERE halo = ? ORDER BY ended`, l.key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	w := &RequestWindow{}
	for rows.Next() {
		var ended sql.NullInt64
		if err := rows.Scan(&ended); err != nil {
			return nil, err
		}
		if ended.Valid {
			w.Done = append(w.Done, fromNanos(ended.Int64))
		} else {
			w.InFlight++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var blocked, backoff, learnedAt int64
	err = tx.QueryRowContext(ctx, `SELECT blocked, backoff, learned, learned_at FROM request_penalty WHERE halo = ?`, l.key).
		Scan(&blocked, &backoff, &w.Learned, &learnedAt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	w.Blocked, w.Backoff, w.LearnedAt = fromNanos(blocked), time.Duration(backoff), fromNanos(learnedAt)
	return w, nil
}

// nanos stores t as Unix nanoseconds, the zero time as 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos reads what nanos stored.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
