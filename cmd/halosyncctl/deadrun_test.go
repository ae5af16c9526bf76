package main

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/store"
)

// TestStatusClosesARunWhoseProcessDied leaves an import "running" under a
// process that has exited, as a SIGKILL does, and checks that status says
// interrupted and counts the run's error row, in text and JSON.
func TestStatusClosesARunWhoseProcessDied(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.must("", "status") // creates the database
	gone := exec.Command(os.Args[0], "-test.run=^$")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(filepath.Join(e.dir, "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.BeginRun(ctx, store.KindImport)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", filepath.Join(e.dir, "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// This test process is alive: hand the run to the dead one.
	if _, err := raw.ExecContext(ctx, `UPDATE runs SET summary = ? WHERE id = ?`, "process "+strconv.Itoa(gone.Process.Pid), run); err != nil {
		t.Fatal(err)
	}

	s := e.status()
	if s.LastRunStatus != store.StatusInterrupted || s.Errors != 1 {
		t.Fatalf("status --json: last_run_status %q, errors %d; want interrupted, 1", s.LastRunStatus, s.Errors)
	}
	out := e.must("", "status").stdout
	wantContains(t, "status", out, "Errors in log: 1", "Last import: interrupted")
	logs := e.must("", "log", "--level", "error").stdout
	if n := strings.Count(logs, "did not finish"); n != 1 {
		t.Errorf("log shows the dead run %d times, want once:\n%s", n, logs)
	}
}
