package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Level is the severity of a sync log entry.
type Level string

// The log levels, from least to most severe.
const (
	Debug Level = "debug"
	Info  Level = "info"
	Warn  Level = "warn"
	Error Level = "error"
)

// levels lists the levels by severity: a level's index is its severity, and
// that number is what the log table stores, so "at least Warn" is a range.
var levels = [...]Level{Debug, Info, Warn, Error}

// ParseLevel parses a level name, ignoring case; "warning" is accepted for Warn.
func ParseLevel(s string) (Level, error) {
	switch l := Level(strings.ToLower(strings.TrimSpace(s))); l {
	case Debug, Info, Warn, Error:
		return l, nil
	case "warning":
		return Warn, nil
	}
	return "", fmt.Errorf("store: unknown log level %q", s)
}

// Severity orders the levels: Debug 0 < Info 1 < Warn 2 < Error 3. It is -1
// for anything else.
func (l Level) Severity() int {
	for i, v := range levels {
		if v == l {
			return i
		}
	}
	return -1
}

// AtLeast reports whether l is as severe as min or more.
func (l Level) AtLeast(min Level) bool { return l.Severity() >= min.Severity() }

// LogEntry is one row of the sync log.
type LogEntry struct {
	ID        int64     // assigned by AddLog; ids grow with insertion order
	Time      time.Time // when it happened; AddLog uses now when zero
	Level     Level     // AddLog uses Info when empty
	Operation Operation // what HaloSync was doing, e.g. OpImportOf(Clients); see ops.go
	Object    string    // what it was doing it to, e.g. "client 42"
	Message   string
	Run       int64 // the run it belongs to; 0 for none
	// Err is the error the row reports, for subscribers in the process
	// that wrote it to branch on with errors.Is; it is never stored (the
	// message has its text), so rows read back have none.
	Err error
}

// AddLog appends e to the sync log and returns its id. Callers must keep
// secrets out of the entry: the log is shown in the GUI and the CLI.
func (db *DB) AddLog(ctx context.Context, e LogEntry) (int64, error) {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = db.insertLog(ctx, tx, e)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: add log: %w", err)
	}
	return id, nil
}

// insertLog writes e inside tx, so other writes can log in their own
// transaction.
func (db *DB) insertLog(ctx context.Context, tx *sql.Tx, e LogEntry) (int64, error) {
	if e.Level == "" {
		e.Level = Info
	}
	sev := e.Level.Severity()
	if sev < 0 {
		return 0, fmt.Errorf("unknown level %q", e.Level)
	}
	at := db.stamp()
	if !e.Time.IsZero() {
		at = e.Time.UTC().Format(timeLayout)
	}
	var run any
	if e.Run != 0 {
		run = e.Run
	}
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO log (time, level, operation, object, message, run)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		at, sev, e.Operation, e.Object, e.Message, run).Scan(&id)
	return id, err
}

// LogQuery selects sync log entries.
type LogQuery struct {
	MinLevel Level  // only entries at least this severe; "" for all
	Search   string // substring of operation, object or message, ignoring ASCII case
	Limit    int    // at most this many; 0 (or less) means 100
	Before   int64  // only entries with an id below this, for paging; 0 for the newest
}

// defaultLogLimit keeps an unbounded query from loading a year of logs.
const defaultLogLimit = 100

// Logs returns the entries matching q, newest (highest id) first. To page,
// pass the ID of the last entry returned as the next query's Before.
func (db *DB) Logs(ctx context.Context, q LogQuery) ([]LogEntry, error) {
	var (
		where []string
		args  []any
	)
	if q.MinLevel != "" {
		sev := q.MinLevel.Severity()
		if sev < 0 {
			return nil, fmt.Errorf("store: logs: unknown level %q", q.MinLevel)
		}
		where = append(where, "level >= ?")
		args = append(args, sev)
	}
	if q.Search != "" {
		where = append(where, `(operation LIKE ? ESCAPE '\' OR object LIKE ? ESCAPE '\' OR message LIKE ? ESCAPE '\')`)
		p := likePattern(q.Search)
		args = append(args, p, p, p)
	}
	if q.Before > 0 {
		where = append(where, "id < ?")
		args = append(args, q.Before)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLogLimit
	}
	query := "SELECT id, time, level, operation, object, message, run FROM log"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	return queryAll(ctx, db, "logs", query, args, scanLog)
}

func scanLog(rs *sql.Rows, e *LogEntry) error {
	var (
		at  sql.NullString
		sev int
		run sql.NullInt64
		err error
	)
	if err = rs.Scan(&e.ID, &at, &sev, &e.Operation, &e.Object, &e.Message, &run); err != nil {
		return err
	}
	if sev < 0 || sev >= len(levels) {
		return fmt.Errorf("log entry %d: stored level %d", e.ID, sev)
	}
	e.Level, e.Run = levels[sev], run.Int64
	e.Time, err = parseTime(at)
	return err
}

// PruneLogs deletes log entries older than before and returns how many went,
// so a long-running install does not keep every entry forever.
func (db *DB) PruneLogs(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneLogs(ctx, `DELETE FROM log WHERE time < ?`, before.UTC().Format(timeLayout))
}

// TrimLogs deletes all but the newest keep log entries and returns how
// many went: a burst of errors must not grow the file without bound
// inside the retention period either.
func (db *DB) TrimLogs(ctx context.Context, keep int) (int64, error) {
	return db.pruneLogs(ctx, `DELETE FROM log WHERE id <= (SELECT id FROM log ORDER BY id DESC LIMIT 1 OFFSET ?)`, max(keep, 0))
}

func (db *DB) pruneLogs(ctx context.Context, q string, arg any) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, arg)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune logs: %w", err)
	}
	return n, nil
}
