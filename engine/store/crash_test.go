package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// crashEnv names the database the crash helper writes to; the helper runs
// only in the child process TestKilledWriter starts.
const crashEnv = "HALOSYNC_STORE_CRASH_DB"

// TestKilledWriter kills a process in the middle of an import (SIGKILL on
// Unix: no deferred Close, no Finish) and checks what it leaves behind: an
// intact database holding only whole pages, and the run reported as
// interrupted.
func TestKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "halosync.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	pages := 0
	for pages < 5 && sc.Scan() {
		if strings.HasPrefix(sc.Text(), "page ") {
			pages++
		}
	}
	if pages < 5 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper stopped after %d pages", pages)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait() // reports the kill; the point is that it happened mid-import

	ctx := context.Background()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 5*pageSize || n%pageSize != 0 {
		t.Errorf("%d contacts survived, want at least %d and whole pages only", n, 5*pageSize)
	}
	runs, err := db.InterruptedRuns(ctx)
	if err != nil || len(runs) != 1 || runs[0].Kind != KindImport {
		t.Fatalf("InterruptedRuns = %+v, %v; want the killed import", runs, err)
	}
	// Another process (here the test) sees that the run's process is gone
	// and closes it with an error row, as `halosyncctl status` does.
	if pid, ok := RunOwner(runs[0]); !ok || pid != cmd.Process.Pid || !RunDead(runs[0]) {
		t.Errorf("RunOwner = %d, %v; RunDead = %v; want the killed helper %d, dead", pid, ok, RunDead(runs[0]), cmd.Process.Pid)
	}
	rows, err := db.CloseDeadRuns(ctx, false)
	if err != nil || len(rows) != 1 || rows[0].Level != Error || rows[0].Run != runs[0].ID ||
		!strings.Contains(rows[0].Message, "did not finish") {
		t.Fatalf("CloseDeadRuns = %+v, %v; want one error row for run %d", rows, err, runs[0].ID)
	}
	last, err := db.LastRun(ctx, KindImport)
	if err != nil || last.Status != StatusInterrupted {
		t.Errorf("LastRun after CloseDeadRuns = %+v, %v; want interrupted", last, err)
	}
	if n, err := db.Counts(ctx); err != nil || n.Errors != 1 {
		t.Errorf("Counts.Errors = %d, %v; want the one error row", n.Errors, err)
	}
}

// TestCrashHelper is the child side of TestKilledWriter: it imports pages of
// contacts until it is killed, announcing each committed page.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("runs only as TestKilledWriter's child")
	}
	ctx := context.Background()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.BeginRun(ctx, KindImport)
	if err != nil {
		t.Fatal(err)
	}
	for p := 0; ; p++ {
		if _, err := db.UpsertContacts(ctx, run, contactPage(int64(p*pageSize), pageSize)); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("page %d\n", p)
	}
}
