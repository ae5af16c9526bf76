package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ownerPrefix starts a running run's summary: the process that runs it.
// It lives in the summary, which FinishRun replaces, so that another
// process (halosyncctl status) can tell a run in progress from one whose
// process was killed, without a schema change.
const ownerPrefix = "process "

// ownerSummary is the summary of a run this process begins.
func ownerSummary() string { return ownerPrefix + strconv.Itoa(os.Getpid()) }

// RunOwner returns the id of the process that began a running run, and
// false when the run does not record one (runs of older builds).
func RunOwner(r Run) (pid int, ok bool) {
	s, found := strings.CutPrefix(r.Summary, ownerPrefix)
	if !found || r.Status != StatusRunning {
		return 0, false
	}
	pid, err := strconv.Atoi(s)
	return pid, err == nil && pid > 0
}

// RunDead reports whether a running run's process is known to be gone: it
// recorded its process and no such process runs. A run of this process, of
// a live process, or of an older build that did not record its process is
// not known dead.
func RunDead(r Run) bool {
	pid, ok := RunOwner(r)
	if !ok || pid == os.Getpid() {
		return false
	}
	return !processAlive(pid)
}

// deadRunMessage is the error row written for a run whose process died.
func deadRunMessage(r Run) string {
	who := "the process that ran it"
	if pid, ok := RunOwner(r); ok {
		who = fmt.Sprintf("the process that ran it (%d)", pid)
	}
	return fmt.Sprintf("Run %d (%s) did not finish: %s ended without finishing it "+
		"(killed, crashed or the computer stopped); the next import imports everything again", r.ID, r.Kind, who)
}

// CloseDeadRuns finishes, as StatusInterrupted, every run still marked
// running whose process is gone (see RunDead), each with an error row in
// the sync log, and returns those rows (Run names the run). With unrecorded true it also closes runs
// that recorded no process: only right for a caller about to start a run
// of its own, which is how older builds closed them.
func (db *DB) CloseDeadRuns(ctx context.Context, unrecorded bool) ([]LogEntry, error) {
	running, err := db.InterruptedRuns(ctx)
	if err != nil {
		return nil, err
	}
	var closed []LogEntry
	for _, r := range running {
		_, recorded := RunOwner(r)
		if !RunDead(r) && (recorded || !unrecorded) {
			continue
		}
		e := LogEntry{Time: time.Now().UTC(), Level: Error, Operation: Operation(r.Kind), Message: deadRunMessage(r), Run: r.ID}
		err := db.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `
				UPDATE runs SET status = ?, summary = ?, finished_at = ?
				WHERE id = ? AND status = ?`,
				StatusInterrupted, "the process stopped before the run finished", db.stamp(), r.ID, StatusRunning)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return err // someone else closed it meanwhile
			}
			e.ID, err = db.insertLog(ctx, tx, e)
			return err
		})
		if err != nil {
			return closed, fmt.Errorf("store: close run %d: %w", r.ID, err)
		}
		if e.ID != 0 {
			closed = append(closed, e)
		}
	}
	return closed, nil
}
