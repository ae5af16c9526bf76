package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestDataVersionMovesForOthersOnly: this DB's own writes leave the data
// version alone; a commit through another DB on the same file moves it.
func TestDataVersionMovesForOthersOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "halosync.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v0, err := db.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddLog(ctx, LogEntry{Time: time.Now(), Level: Info, Operation: OpSync, Message: "own write"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.DataVersion(ctx); v != v0 {
		t.Fatalf("own write moved the data version: %d -> %d", v0, v)
	}
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.AddLog(ctx, LogEntry{Time: time.Now(), Level: Info, Operation: OpSync, Message: "another process"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.DataVersion(ctx); v == v0 {
		t.Fatalf("another connection's commit left the data version at %d", v)
	}
}
