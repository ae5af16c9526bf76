package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// tables lists the user tables of the database at path, bypassing Open.
func tables(t *testing.T, path string) map[string]bool {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[n] = true
	}
	return out
}

func migrationFS(names ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, n := range names {
		fsys["migrations/"+n+".sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE t" + n[:4] + " (x INTEGER);")}
	}
	return fsys
}

// A migration number may be reserved for a branch that lands later: the
// database skips it, then gets it when it arrives, although its own version
// is higher already.
func TestMigrationGapFilledLater(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gap.db")
	db, err := open(ctx, path, migrationFS("0001_a", "0003_c"))
	if err != nil {
		t.Fatalf("open with a gap: %v", err)
	}
	db.Close()
	if v := rawVersion(t, path); v != 3 {
		t.Fatalf("version = %d, want 3", v)
	}
	if got := tables(t, path); !got["t0001"] || got["t0002"] || !got["t0003"] {
		t.Fatalf("tables after 1 and 3: %v", got)
	}

	db, err = open(ctx, path, migrationFS("0001_a", "0002_b", "0003_c"))
	if err != nil {
		t.Fatalf("open once 2 landed: %v", err)
	}
	db.Close()
	if got := tables(t, path); !got["t0002"] {
		t.Fatalf("the late migration 2 was skipped: %v", got)
	}
	if v := rawVersion(t, path); v != 3 {
		t.Errorf("version = %d, want 3 still", v)
	}
	// Opening again applies nothing twice (CREATE TABLE would fail).
	db, err = open(ctx, path, migrationFS("0001_a", "0002_b", "0003_c"))
	if err != nil {
		t.Fatalf("third open: %v", err)
	}
	db.Close()
	// A build without migration 2 (an older branch) refuses the file.
	if _, err := open(ctx, path, migrationFS("0001_a", "0003_c")); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("open by a build that lacks migration 2 = %v, want ErrSchemaTooNew", err)
	}
}

// A database migrated before the ledger existed had every version up to its
// user_version; only the newer ones run.
func TestMigrationLedgerBackfill(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE TABLE t0001 (x INTEGER)", "CREATE TABLE t0002 (x INTEGER)", "PRAGMA user_version = 2"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := open(ctx, path, migrationFS("0001_a", "0002_b", "0004_d"))
	if err != nil {
		t.Fatalf("open of a pre-ledger database: %v", err)
	}
	db.Close()
	if got := tables(t, path); !got["t0004"] || !got["schema_migrations"] {
		t.Fatalf("tables: %v", got)
	}
	if v := rawVersion(t, path); v != 4 {
		t.Errorf("version = %d, want 4", v)
	}
}

func TestLoadMigrationsRejectsOutOfOrder(t *testing.T) {
	if _, err := loadMigrations(fstest.MapFS{"migrations/0002_b.sql": {}, "migrations/02_a.sql": {}}); err == nil {
		t.Error("two files numbered 2 were accepted")
	}
	if _, err := loadMigrations(migrationFiles); err != nil {
		t.Fatalf("embedded migrations: %v", err)
	}
}

// Rows held before migration 7 said their client only in the error text;
// the migration reads it from there.
func TestMigration7ReadsHeldClients(t *testing.T) {
	ctx := context.Background()
	old := fstest.MapFS{}
	for _, n := range []string{"0001_init", "0002_mapping", "0003_inbox", "0004_tickets", "0005_settings"} {
		b, err := migrationFiles.ReadFile("migrations/" + n + ".sql")
		if err != nil {
			t.Fatal(err)
		}
		old["migrations/"+n+".sql"] = &fstest.MapFile{Data: b}
	}
	path := filepath.Join(t.TempDir(), "v5.db")
	db, err := open(ctx, path, old)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range []struct{ status, err string }{
		{"held", "HaloPSA client 4711 is not mapped"}, {"held", "something else"}, {"applied", "HaloPSA client 9 is not mapped"},
	} {
		_, err := db.w.ExecContext(ctx, `INSERT INTO inbox (delivery_id, received_at, status, body, error, updated_at)
			VALUES (?, '2026-01-01T00:00:00.000000000Z', ?, x'7b7d', ?, '2026-01-01T00:00:00.000000000Z')`, fmt.Sprint("d", i), e.status, e.err)
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	held, err := db.HeldItems(ctx)
	if err != nil || len(held) != 2 {
		t.Fatalf("held = %+v, %v", held, err)
	}
	if held[0].HaloClientID != 4711 || held[1].HaloClientID != 0 {
		t.Fatalf("held clients = %d, %d; want 4711 and 0 (unknown)", held[0].HaloClientID, held[1].HaloClientID)
	}
}
