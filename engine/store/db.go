// Package store is HaloSync's local SQLite database: connection settings,
// imported HaloPSA records, sync runs and the sync log.
//
// A DB is safe for concurrent use by many goroutines. Every write goes through
// one SQLite connection, so writers queue in Go instead of failing with
// SQLITE_BUSY; reads use a separate pool and, thanks to WAL, never wait for
// writers.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ErrNotFound is returned when the requested row does not exist.
var ErrNotFound = errors.New("store: not found")

// busyTimeout bounds how long a connection waits for a lock held by another
// process (halosyncctl next to the GUI, say); inside one DB writers never
// contend because they share a single connection.
const busyTimeout = 10 * time.Second

// DB is HaloSync's open database. Create it with Open and Close it when done.
type DB struct {
	path string
	w    *sql.DB // exactly one connection: every write goes through it
	r    *sql.DB // read-only pool for queries

	// now is the clock for the times the store stamps itself; tests replace it.
	now func() time.Time

	inbox inboxWriter // group-commits AddInbox calls (inboxwrite.go)

	closeOnce sync.Once
	closeErr  error
}

// Open opens the database at path, creating it and its parent directory when
// missing, and brings its schema up to date. The directory is created 0700 and
// the file 0600 because the database holds the MSP's client list. A database
// written by a newer HaloSync fails with an error wrapping ErrSchemaTooNew and
// is not migrated.
func Open(path string) (*DB, error) {
	return open(context.Background(), path, migrationFiles)
}

func open(ctx context.Context, path string, migrations fs.FS) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: create database directory: %w", err)
	}
	// Create the file ourselves: SQLite would create it 0644 (less the umask).
	// SQLite gives the -wal and -shm files the mode of the database file.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("store: create database file: %w", err)
	}

	db := &DB{path: abs, now: time.Now}
	ms := strconv.FormatInt(busyTimeout.Milliseconds(), 10)
	db.w, err = sql.Open("sqlite", dsn(abs, url.Values{
		"_busy_timeout": {ms},
		"_foreign_keys": {"1"},
		"_journal_mode": {"WAL"},
		// NORMAL is durable against application crashes in WAL mode and loses
		// at most the last commits on power loss, which a re-import restores;
		// FULL would fsync every page of an import. Webhook deliveries cannot
		// be restored that way: AddInbox syncs the WAL itself before a
		// delivery is answered (inboxwrite.go).
		"_synchronous": {"NORMAL"},
		// Take the write lock at BEGIN, so a transaction that reads before it
		// writes cannot fail halfway with SQLITE_BUSY against another process.
		"_txlock": {"immediate"},
		"_pragma": {fmt.Sprintf("wal_autocheckpoint(%d)", walCheckpointPages)},
	}))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)

	if err := db.setUp(ctx, migrations); err != nil {
		db.w.Close()
		if errors.Is(err, ErrSchemaTooNew) {
			return nil, fmt.Errorf("%s: %w", abs, err) // already says "store:"
		}
		return nil, fmt.Errorf("store: open %s: %w", abs, db.diskFull(err))
	}

	db.r, err = sql.Open("sqlite", dsn(abs, url.Values{
		"_busy_timeout": {ms},
		"_foreign_keys": {"1"},
		// The read pool must never write: a write here would bypass the single
		// writer and could meet SQLITE_BUSY.
		"_query_only": {"1"},
	}))
	if err != nil {
		db.w.Close()
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	db.r.SetMaxOpenConns(readers)
	db.r.SetMaxIdleConns(readers)
	if err := db.r.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	db.keepReserve()
	return db, nil
}

// setUp checks the writer connection is usable and in WAL mode, then migrates.
func (db *DB) setUp(ctx context.Context, migrations fs.FS) error {
	var mode string
	if err := db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	// Some file systems (network shares) cannot do WAL and SQLite silently keeps
	// the old mode; the single-writer design relies on readers not blocking it.
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, want wal (is the database on a network share?)", mode)
	}
	return migrate(ctx, db.w, migrations)
}

// dsn builds a file: URI for path, so that characters such as '?' or '#' in
// the path are escaped instead of being taken for parameters.
func dsn(path string, params url.Values) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:///C:/Users/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: params.Encode()}
	return u.String()
}

// walCheckpointPages is how many pages the WAL may hold before the commit
// that passes it copies them into the database file (SQLite's default is
// 1000). That checkpoint syncs the database file, and every commit queued
// behind it waits, webhook deliveries included; rewritten pages are copied
// once per checkpoint however often they changed. At 4000 (a WAL of up to
// 16 MB, rewritten in place after each checkpoint) checkpoints come a
// quarter as often: in make bench-ingest, webhook intake with 8 senders rose
// from a median of 4,930 to 5,480 deliveries/s (8 interleaved runs each).
const walCheckpointPages = 4000

// Close closes the database. It is safe to call more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		// The inbox writer first: it finishes its commit on the open writer.
		db.inbox.stop()
		// Readers first, so that the writer is the last connection: SQLite then
		// checkpoints the WAL into the main file and removes it.
		var rerr error
		if db.r != nil {
			rerr = db.r.Close()
		}
		db.closeErr = errors.Join(rerr, db.w.Close())
	})
	return db.closeErr
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// Check runs SQLite's integrity check and returns an error describing the
// first problems found, or nil when the database is intact.
func (db *DB) Check(ctx context.Context) error {
	rows, err := db.r.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("store: integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("store: integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

// write runs fn in one write transaction on the single writer connection and
// commits it when fn returns nil.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.diskFull(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error from fn is the one worth reporting
		return db.diskFull(err)
	}
	return db.diskFull(tx.Commit())
}

// timeLayout is how times are stored: UTC with a fixed-width fraction, so that
// text order is time order and nanoseconds survive the round trip.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// dbTime converts t for storage; the zero time is stored as NULL.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// parseTime reads a stored time; NULL reads as the zero time.
func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: stored time %q: %w", s.String, err)
	}
	return t.UTC(), nil
}

// stamp is the current time in storage form.
func (db *DB) stamp() string { return db.now().UTC().Format(timeLayout) }

// likePattern turns a search string into a LIKE pattern matching it as a
// substring, with LIKE's wildcards escaped by '\'. SQLite's LIKE folds ASCII
// letters only, so searches ignore case for ASCII.
func likePattern(s string) string {
	return "%" + likeEscaper.Replace(s) + "%"
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// b2i stores a bool as SQLite's 0 or 1.
func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
