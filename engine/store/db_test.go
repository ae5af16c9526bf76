package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// openTest opens a fresh database in a temporary directory and closes it when
// the test ends.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// rawVersion reads PRAGMA user_version with a plain connection, bypassing Open.
func rawVersion(t *testing.T, path string) int {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var v int
	if err := raw.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenFreshAndReopen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nested", "dir")
	path := filepath.Join(dir, "halosync.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	newest := ms[len(ms)-1].version
	if v, err := db.SchemaVersion(ctx); err != nil || v != newest {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, newest)
	}
	var mode string
	if err := db.r.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	for _, check := range []struct{ pragma, want string }{
		{"foreign_keys", "1"}, {"synchronous", "1"}, {"busy_timeout", "10000"},
		{"wal_autocheckpoint", strconv.Itoa(walCheckpointPages)},
	} {
		var got string
		if err := db.w.QueryRowContext(ctx, "PRAGMA "+check.pragma).Scan(&got); err != nil || got != check.want {
			t.Errorf("writer PRAGMA %s = %q, %v; want %q", check.pragma, got, err, check.want)
		}
	}
	// The read pool must refuse writes, so nothing can bypass the one writer.
	if _, err := db.r.ExecContext(ctx, "DELETE FROM log"); err == nil {
		t.Error("a write through the read pool succeeded")
	}
	run, err := db.BeginRun(ctx, KindImport)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertClients(ctx, run, []Client{{ID: 1, Name: "Acme"}}); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600} {
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
				t.Errorf("mode of %s = %v, %v; want %v", p, fi.Mode().Perm(), err, want)
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	db, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if v, _ := db.SchemaVersion(ctx); v != newest {
		t.Errorf("version after reopen = %d, want %d", v, newest)
	}
	if got, err := db.Clients(ctx, ClientQuery{}); err != nil || len(got) != 1 {
		t.Errorf("clients after reopen = %v, %v; want Acme", got, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "halosync.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	_, err = Open(path)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "99") || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file's version", err)
	}
	if v := rawVersion(t, path); v != 99 {
		t.Errorf("refused open changed the version to %d", v)
	}
}

func TestOpenRefusesForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	junk := []byte(strings.Repeat("not a database\n", 100))
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	if db, err := Open(path); err == nil {
		db.Close()
		t.Fatal("Open of a text file succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != string(junk) {
		t.Error("a refused Open changed the file")
	}
}

func TestMigrationIsOneTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	good := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
	}
	db, err := open(context.Background(), path, good)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	bad := fstest.MapFS{
		"migrations/0001_a.sql": good["migrations/0001_a.sql"],
		"migrations/0002_b.sql": {Data: []byte("CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);")},
	}
	if _, err := open(context.Background(), path, bad); err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("open with a failing migration = %v, want an error naming it", err)
	}
	if v := rawVersion(t, path); v != 1 {
		t.Errorf("version after failed migration = %d, want 1", v)
	}
	raw, _ := sql.Open("sqlite", path)
	defer raw.Close()
	var n int
	raw.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'b'").Scan(&n)
	if n != 0 {
		t.Error("the failed migration left table b behind")
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no num":  {"migrations/init.sql": {}},
		"repeat":  {"migrations/0001_a.sql": {}, "migrations/0001_b.sql": {}},
		"missing": {},
	} {
		if _, err := loadMigrations(fsys); err == nil {
			t.Errorf("%s: loadMigrations succeeded", name)
		}
	}
}

func TestOpenOddPath(t *testing.T) {
	// '?' and '#' would be taken for URI syntax if the path were not escaped.
	path := filepath.Join(t.TempDir(), "we ird?#%dir", "db?x=1.db")
	if runtime.GOOS == "windows" {
		path = filepath.Join(t.TempDir(), "we ird %dir", "db.db")
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the given path: %v", err)
	}
}

// TestConcurrentWriters runs upserts, logs and reads from many goroutines at
// once: the single writer must queue them, never fail with SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	run, err := db.BeginRun(ctx, KindImport)
	if err != nil {
		t.Fatal(err)
	}
	// Small pages: under -race every SQLite call is ~50x slower, and the point
	// is the interleaving, not the volume.
	const workers, pages, size = 8, 6, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*pages*3)
	for w := range workers {
		wg.Go(func() {
			for p := range pages {
				base := int64(p * size) // workers overlap on purpose: same ids, same pages
				var err error
				switch w % 4 {
				case 0:
					_, err = db.UpsertClients(ctx, run, clientPage(base, size))
				case 1:
					_, err = db.UpsertSites(ctx, run, sitePage(base, size))
				case 2:
					_, err = db.UpsertContacts(ctx, run, contactPage(base, size))
				case 3:
					_, err = db.UpsertAssets(ctx, run, assetPage(base, size))
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d page %d: %w", w, p, err)
				}
				if _, err := db.AddLog(ctx, LogEntry{Operation: "import", Message: fmt.Sprint(w, p)}); err != nil {
					errs <- err
				}
				if _, err := db.Counts(ctx); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{Clients: pages * size, Sites: pages * size, Contacts: pages * size,
		PrimaryContacts: pages * size / 10, Assets: pages * size}
	if c != want {
		t.Errorf("Counts = %+v, want %+v", c, want)
	}
	if logs, _ := db.Logs(ctx, LogQuery{Limit: 1000}); len(logs) != workers*pages {
		t.Errorf("%d log rows, want %d", len(logs), workers*pages)
	}
}

// TestCrashCopyIsIntact copies the database and its WAL while a run is still
// going (as a crash or a power cut would leave them) and checks the copy opens,
// passes the integrity check, holds every committed page and shows the run
// as interrupted.
func TestCrashCopyIsIntact(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	run, err := db.BeginRun(ctx, KindImport)
	if err != nil {
		t.Fatal(err)
	}
	for p := range 10 {
		if _, err := db.UpsertContacts(ctx, run, contactPage(int64(p*100), 100)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.UpsertClients(ctx, run, clientPage(0, 1000)); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	copyPath := filepath.Join(dir, "copy.db")
	for _, suffix := range []string{"", "-wal"} {
		copyFile(t, db.Path()+suffix, copyPath+suffix)
	}

	cp, err := Open(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if err := cp.Check(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := cp.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Contacts != 1000 || c.Clients != 1000 {
		t.Errorf("copy holds %d contacts and %d clients, want 1000 each", c.Contacts, c.Clients)
	}
	runs, err := cp.InterruptedRuns(ctx)
	if err != nil || len(runs) != 1 || runs[0].ID != run {
		t.Fatalf("InterruptedRuns = %v, %v; want run %d", runs, err, run)
	}
	if err := cp.FinishRun(ctx, run, StatusInterrupted, "process died"); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckReportsCanceledContext(t *testing.T) {
	db := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Check(ctx); err == nil {
		t.Error("Check with a canceled context succeeded")
	}
	if _, err := db.BeginRun(ctx, KindImport); !errors.Is(err, context.Canceled) {
		t.Errorf("BeginRun with a canceled context = %v, want context.Canceled", err)
	}
}

func TestTimeRoundTrip(t *testing.T) {
	loc := time.FixedZone("X", 5*3600)
	in := time.Date(2025, 3, 4, 5, 6, 7, 123456789, loc)
	s := dbTime(in).(string)
	if s != "2025-03-04T00:06:07.123456789Z" {
		t.Errorf("dbTime = %q", s)
	}
	out, err := parseTime(sql.NullString{String: s, Valid: true})
	if err != nil || !out.Equal(in) || out.Location() != time.UTC {
		t.Errorf("parseTime = %v, %v; want %v in UTC", out, err, in)
	}
	if dbTime(time.Time{}) != nil {
		t.Error("zero time is not stored as NULL")
	}
}
