package store

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// TestCloseDeadRunsLeavesLiveRuns checks that only runs whose process is
// gone are closed: this process's own run and a live process's stay
// running, and a run of an older build only with unrecorded set.
func TestCloseDeadRunsLeavesLiveRuns(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	mine, err := db.BeginRun(ctx, KindImport)
	if err != nil {
		t.Fatal(err)
	}
	// A process that has exited and been reaped: its id is free.
	gone := exec.Command(os.Args[0], "-test.run=^$")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	// A live process other than this one.
	live := exec.Command("sleep", "30")
	if err := live.Start(); err != nil {
		t.Skipf("cannot start a live process: %v", err)
	}
	t.Cleanup(func() { live.Process.Kill(); live.Wait() })

	setOwner := func(summary string) int64 {
		t.Helper()
		id, err := db.BeginRun(ctx, "tickets")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, `UPDATE runs SET summary = ? WHERE id = ?`, summary, id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	dead := setOwner("process " + strconv.Itoa(gone.Process.Pid))
	alive := setOwner("process " + strconv.Itoa(live.Process.Pid))
	old := setOwner("")

	rows, err := db.CloseDeadRuns(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Run != dead || rows[0].Level != Error {
		t.Fatalf("closed %+v, want only run %d with an error row", rows, dead)
	}
	stillRunning := map[int64]bool{}
	runs, _ := db.InterruptedRuns(ctx)
	for _, r := range runs {
		stillRunning[r.ID] = true
	}
	if !stillRunning[mine] || !stillRunning[alive] || !stillRunning[old] || stillRunning[dead] {
		t.Errorf("running after CloseDeadRuns(false): %v; want %d, %d and %d", stillRunning, mine, alive, old)
	}
	rows, err = db.CloseDeadRuns(ctx, true)
	if err != nil || len(rows) != 1 || rows[0].Run != old {
		t.Errorf("CloseDeadRuns(true) = %+v, %v; want the older build's run %d", rows, err, old)
	}
}
