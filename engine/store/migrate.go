package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// ErrSchemaTooNew is wrapped by Open's error when the database was written by
// a newer HaloSync than this one: its schema may hold things this build would
// misread or destroy, so the store refuses to touch it.
var ErrSchemaTooNew = errors.New("store: database schema is newer than this HaloSync")

// migrationFiles holds the schema migrations, named NNNN_what.sql. Migration N
// takes the schema from version N-1 to N; the version is PRAGMA user_version.
// A released migration is never edited, only followed by a new one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads migrations/*.sql from fsys and checks their numbers
// rise without repeats, so a misnamed file fails every test rather than
// silently skipping a step. A gap is allowed: a number may be reserved for
// work on another branch that has not landed yet. When it lands, databases
// that skipped it get it then (see migrate).
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names { // Glob returns names sorted
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", base)
		}
		if len(ms) > 0 && v <= ms[len(ms)-1].version {
			return nil, fmt.Errorf("migration %s: version %d is used already", base, v)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	if len(ms) == 0 {
		return nil, errors.New("no migrations found")
	}
	return ms, nil
}

// migrate brings the schema of the database behind w up to date: every
// migration in fsys that the database has not had yet, in order, one
// transaction each, so a failing step leaves the database as it was before
// that step rather than half changed.
//
// PRAGMA user_version holds the highest version applied, and refuses files
// of a newer build. Which versions were applied is kept in the table
// schema_migrations, since with gaps in the numbering a lower migration may
// arrive after a higher one (a branch that landed later). A database from
// before that table had every version up to its user_version.
func migrate(ctx context.Context, w *sql.DB, fsys fs.FS) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	known := ms[len(ms)-1].version
	cur, err := userVersion(ctx, w)
	if err != nil {
		return err
	}
	if cur > known {
		return schemaTooNew(cur, known)
	}
	have, err := appliedVersions(ctx, w, cur)
	if err != nil {
		return err
	}
	// A version this build does not know, below its newest, came from a
	// branch it lacks: the file may hold what this build would misread.
	for v := range have {
		if !slices.ContainsFunc(ms, func(m migration) bool { return m.version == v }) {
			return fmt.Errorf("%w (the file has migration %d, which this build does not know): update HaloSync to open it",
				ErrSchemaTooNew, v)
		}
	}
	for _, m := range ms {
		if have[m.version] {
			continue // the usual case: no write transaction on every Open
		}
		if err := applyMigration(ctx, w, m, known); err != nil {
			return err
		}
	}
	return nil
}

// appliedVersions reads which migrations the database has had, outside a
// transaction: applyMigration checks again inside its own.
func appliedVersions(ctx context.Context, w *sql.DB, cur int) (map[int]bool, error) {
	have := map[int]bool{}
	rows, err := w.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		// No ledger yet: a database from before it had 1..cur.
		for v := 1; v <= cur; v++ {
			have[v] = true
		}
		return have, nil
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read applied migrations: %w", err)
		}
		have[v] = true
	}
	return have, rows.Err()
}

func schemaTooNew(have, known int) error {
	return fmt.Errorf("%w (the file has schema version %d, this build knows up to %d): update HaloSync to open it",
		ErrSchemaTooNew, have, known)
}

// applyMigration runs m in one transaction unless the database has it. It
// reads the version and the ledger inside the transaction because another
// process (halosyncctl next to the GUI) may have migrated the file since.
func applyMigration(ctx context.Context, w *sql.DB, m migration, known int) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	cur, err := userVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if cur > known {
		return schemaTooNew(cur, known)
	}
	done, err := appliedMigration(ctx, tx, m.version, cur)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if done {
		return nil // applied before, or by someone else just now
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, m.version); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	// user_version lives in the file header, which SQLite writes as part of the
	// transaction, so the version moves if and only if the step committed.
	if m.version > cur {
		if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(m.version)); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	return nil
}

// appliedMigration reports whether the database has had migration version,
// creating the ledger first when it is missing: a database migrated before
// the ledger existed had every version from 1 to cur, without gaps.
func appliedMigration(ctx context.Context, tx *sql.Tx, version, cur int) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return false, err
	}
	if n == 0 {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY) STRICT`); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `WITH RECURSIVE v(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM v WHERE n < ?)
			INSERT INTO schema_migrations (version) SELECT n FROM v WHERE n <= ?`, cur, cur); err != nil {
			return false, err
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

func userVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// SchemaVersion reports the database's schema version (its PRAGMA
// user_version), for diagnostics.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	v, err := userVersion(ctx, db.r)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return v, nil
}
