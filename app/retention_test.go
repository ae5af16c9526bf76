package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

func TestSyncLogRetention(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	old := time.Now().AddDate(0, 0, -100)
	for i := range 3 {
		if _, err := a.db.AddLog(ctx, store.LogEntry{Time: old, Level: store.Info, Message: fmt.Sprint("old ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 8 {
		if _, err := a.db.AddLog(ctx, store.LogEntry{Time: time.Now(), Level: store.Info, Message: fmt.Sprint("new ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	// The defaults: the 100-day-old rows go, the rest stay.
	if n, err := a.pruneLog(ctx); err != nil || n != 3 {
		t.Fatalf("pruneLog = %d, %v; want the 3 rows older than 90 days", n, err)
	}
	// A smaller row limit set by the user.
	if err := a.db.SetSetting(ctx, "log.keep_rows", "5"); err != nil {
		t.Fatal(err)
	}
	if n, err := a.pruneLog(ctx); err != nil || n != 3 {
		t.Fatalf("pruneLog = %d, %v; want 3 over the limit of 5", n, err)
	}
	rows, _ := a.db.Logs(ctx, store.LogQuery{})
	if len(rows) != 5 || rows[0].Message != "new 7" {
		t.Errorf("kept %d rows, newest %q", len(rows), rows[0].Message)
	}
}
