package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
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

// loadMigrations reads migrations/*.sql from fsys and checks they are numbered
// 1, 2, 3... without gaps or repeats, so a misnamed file fails every test
// rather than silently skipping a step.
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
		if v != len(ms)+1 {
			return nil, fmt.Errorf("migration %s: want version %d next", base, len(ms)+1)
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

// migrate brings the schema of the database behind w up to the newest
// migration in fsys, one transaction per migration, so a failing step leaves
// the database at the previous version rather than half changed.
func migrate(ctx context.Context, w *sql.DB, fsys fs.FS) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	cur, err := userVersion(ctx, w)
	if err != nil {
		return err
	}
	if cur > len(ms) {
		return schemaTooNew(cur, len(ms))
	}
	for _, m := range ms[cur:] {
		if err := applyMigration(ctx, w, m, len(ms)); err != nil {
			return err
		}
	}
	return nil
}

func schemaTooNew(have, known int) error {
	return fmt.Errorf("%w (the file has schema version %d, this build knows up to %d): update HaloSync to open it",
		ErrSchemaTooNew, have, known)
}

// applyMigration runs m in one transaction. It reads the version again inside
// the transaction because another process (halosyncctl next to the GUI) may
// have migrated the file since the caller looked.
func applyMigration(ctx context.Context, w *sql.DB, m migration, known int) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	var cur int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	switch {
	case cur > known:
		return schemaTooNew(cur, known)
	case cur >= m.version:
		return nil // already applied by someone else
	case cur != m.version-1:
		return fmt.Errorf("migration %s: database is at version %d", m.name, cur)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	// user_version lives in the file header, which SQLite writes as part of the
	// transaction, so the version moves if and only if the step committed.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(m.version)); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	return nil
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
