package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestSyncWAL syncs an open database's WAL file and, once the database is
// closed and its WAL gone, the database file instead.
func TestSyncWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "halosync.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddInbox(context.Background(), []InboxItem{inboxItem("a", 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no WAL file while open: %v", err)
	}
	if err := syncWAL(path); err != nil {
		t.Errorf("sync with a WAL: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Skipf("the WAL outlived Close (%v); the fallback is not reached", err)
	}
	if err := syncWAL(path); err != nil {
		t.Errorf("sync without a WAL: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "gone")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "halosync.db-wal"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syncWAL(filepath.Join(dir, "halosync.db")); err == nil {
		t.Error("a WAL that cannot be opened for writing: no error")
	}
}
