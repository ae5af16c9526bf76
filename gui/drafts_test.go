package gui

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/store"
)

// Decisions are drafts as soon as they are made: a window closed at once
// and a new one opened on the same backend shows them again, unsaved.
func TestUnsavedDecisionsSurviveClosingTheWindow(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u, m := mappingWindow(t, f)
	tap(u, m.acceptHigh)                  // acme ltd and Bright Dental
	tap(u, cell(m, 2, colActions).ignore) // Cole & Sons
	tap(u, cell(m, 3, colActions).ignore) // Delta Mfg: ignored...
	tap(u, cell(m, 3, colActions).undo)   // ...and undone again
	u.Close()                             // no wait before: Close must let the writes finish

	drafts := f.draftsNow()
	if len(drafts) != 3 || drafts[1].Action != store.Accept || drafts[1].HaloID != 101 || drafts[3].Action != store.Ignore {
		t.Fatalf("drafts after closing = %+v", drafts)
	}
	f.locked(func() {
		if len(f.saved) != 0 {
			t.Error("a decision was saved without Save All")
		}
	})

	u2, m2 := mappingWindow(t, f)
	if len(m2.pending) != 3 || m2.save.Text != "Save All Mappings (3)" {
		t.Fatalf("a new window has %d pending decisions, button %q", len(m2.pending), m2.save.Text)
	}
	for row, want := range map[int]string{0: "Unsaved: accept", 1: "Unsaved: accept", 2: "Unsaved: ignore", 3: "Suggested"} {
		if got := cell(m2, row, colStatus).label.Text; got != want {
			t.Errorf("row %d reads %q after reopening, want %q", row, got, want)
		}
	}
	if got := cell(m2, 0, colHalo).label.Text; got != "Acme Limited" {
		t.Errorf("the reloaded decision shows HaloPSA client %q", got)
	}
	tap(u2, m2.save)
	u2.work.wait()
	if len(f.draftsNow()) != 0 || len(m2.pending) != 0 {
		t.Fatalf("after Save All: drafts %v, pending %d", f.draftsNow(), len(m2.pending))
	}
}

// A draft still being written when the window closes is written all the
// same: closing cancels the window's work, but not that.
func TestDraftWriteOutlivesClose(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u, m := mappingWindow(t, f)
	gate := make(chan struct{})
	f.locked(func() { f.fh.gate = gate })
	tap(u, cell(m, 2, colActions).ignore)
	closed := make(chan struct{})
	go func() {
		u.Close()
		close(closed)
	}()
	for u.ctx.Err() == nil { // Close has cancelled the window's context...
		runtime.Gosched()
	}
	close(gate) // ...before the write goes on
	<-closed
	if d := f.draftsNow(); d[3].Action != store.Ignore {
		t.Fatalf("drafts = %+v: the decision made just before closing was lost", d)
	}
}

// A decision for a client deleted meanwhile (its draft went with it) is
// not kept in the window, where Save All would fail on it forever.
func TestDecisionOfADeletedClientGoes(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u, m := mappingWindow(t, f)
	tap(u, cell(m, 2, colActions).ignore) // Cole & Sons
	u.work.wait()
	f.locked(func() {
		f.rows = append(f.rows[:2], f.rows[3:]...)
		delete(f.fh.drafts, 3)
	})
	ui(u, m.reload)
	u.work.wait()
	if len(m.pending) != 0 || !m.save.Disabled() {
		t.Fatalf("pending after the client was deleted: %+v", m.pending)
	}
}

// A decision drafted elsewhere (halyncctl map accept) shows on the next load.
func TestDraftFromTheCLIShows(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	f.fh.drafts = map[int64]store.Decision{5: {LocalID: 5, Action: store.Ignore}}
	_, m := mappingWindow(t, f)
	if p, ok := m.pending[5]; !ok || p.Action != store.Ignore {
		t.Fatalf("pending = %+v", m.pending)
	}
}

// A draft that cannot be written stays in the window, says so, and is
// not lost by the next load.
func TestDraftWriteFailureKeepsTheDecision(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	f.fh.draftErr = errors.New("disk full")
	u, m := mappingWindow(t, f)
	tap(u, cell(m, 2, colActions).ignore)
	u.work.wait()
	if !strings.Contains(m.message.Text, "could not be kept") {
		t.Errorf("message %q", m.message.Text)
	}
	ui(u, m.reload)
	u.work.wait()
	if _, ok := m.pending[3]; !ok {
		t.Fatal("a reload lost a decision whose draft could not be written")
	}
	f.locked(func() { f.fh.draftErr = nil })
	tap(u, cell(m, 0, colActions).ignore) // the next write retries the failed one
	u.work.wait()
	if d := f.draftsNow(); len(d) != 2 {
		t.Fatalf("drafts after the retry: %+v", d)
	}
}

// quitCount replaces the app's Quit so tests see it.
func quitCount(u *Window) *int {
	n := 0
	u.quitApp = func() { n++ }
	return &n
}

func TestQuitGuard(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u, m := mappingWindow(t, f)
	quits := quitCount(u)

	// Nothing unsaved: quit at once, no question.
	ui(u, u.quit)
	if *quits != 1 || u.guard != nil {
		t.Fatalf("quit without decisions: %d quits, guard %v", *quits, u.guard)
	}

	tap(u, m.acceptHigh)
	u.work.wait()
	ui(u, u.quit)
	if *quits != 1 || u.guard == nil || u.win.Canvas().Overlays().Top() == nil {
		t.Fatalf("quit with 2 unsaved decisions: %d quits, no question asked", *quits)
	}
	if u.guard.save.Text != "Save 2 decisions" || u.guard.keep.Text != "Keep them for later" || u.guard.stay.Text != "Cancel" {
		t.Errorf("buttons %q, %q, %q", u.guard.save.Text, u.guard.keep.Text, u.guard.stay.Text)
	}
	tapDialogButton(t, u, "Cancel")
	if *quits != 1 || len(m.pending) != 2 {
		t.Fatalf("Cancel: %d quits, %d pending", *quits, len(m.pending))
	}

	ui(u, u.quit)
	tapDialogButton(t, u, "Keep them for later")
	if *quits != 2 || len(f.draftsNow()) != 2 {
		t.Fatalf("Keep: %d quits, drafts %v", *quits, f.draftsNow())
	}

	ui(u, u.quit)
	tapDialogButton(t, u, "Save 2 decisions")
	u.work.wait()
	f.locked(func() {
		if len(f.saved) != 1 || len(f.saved[0]) != 2 {
			t.Errorf("Save: SaveMappings calls %+v", f.saved)
		}
	})
	if *quits != 3 {
		t.Fatalf("Save: %d quits, want one after saving", *quits)
	}

	// A failed save does not quit.
	f.locked(func() { f.saveErr = errors.New("disk full") })
	tap(u, cell(m, 2, colActions).ignore)
	ui(u, u.quit)
	tapDialogButton(t, u, "Save 1 decision")
	u.work.wait()
	if *quits != 3 || !strings.Contains(m.message.Text, "Nothing was saved") {
		t.Fatalf("failed save: %d quits, message %q", *quits, m.message.Text)
	}
}

// The tray's Quit with the window hidden still asks (the window is shown
// for it; Fyne's test window cannot tell, so only the question is checked).
func TestQuitGuardFromTheTray(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u, m := mappingWindow(t, f)
	quits := quitCount(u)
	tap(u, cell(m, 2, colActions).ignore)
	ui(u, func() {
		u.win.Hide()
		u.quit()
	})
	if *quits != 0 || u.guard == nil || u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("quitting from the tray with an unsaved decision asked nothing")
	}
	if u.guard.save.Text != "Save 1 decision" {
		t.Errorf("save button %q", u.guard.save.Text)
	}
}
