package gui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
	engsync "github.com/brainstormmsp/halosync/engine/sync"
)

// wantState checks the status bar's state label.
func wantState(t *testing.T, u *Window, step, text string, imp widget.Importance) {
	t.Helper()
	ui(u, func() {
		if got := u.status.state; got.Text != text || got.Importance != imp {
			t.Errorf("%s: the status bar says %q (importance %v); want %q (%v)", step, got.Text, got.Importance, text, imp)
		}
	})
}

// inSync is the status bar's line for f's healthy connection.
func inSync(f *fakeBackend) string {
	return "● Connected · in sync (last " + when(f.status.Counts.LastSync) + ")"
}

func TestStatusBarShowsHealth(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{})
	wantState(t, u, "at start", inSync(f), widget.SuccessImportance)

	since, retry := time.Now().Add(-2*time.Minute), time.Now().Add(3*time.Minute)
	f.emit(app.Event{Health: &app.Health{State: app.HealthUnreachable, Since: since, RetryAt: retry, Attempts: 4}})
	wantState(t, u, "HaloPSA down", "● HaloPSA unreachable since "+when(since)+" · retrying "+when(retry), widget.DangerImportance)
	// A status read (a refresh after the event) does not turn it green again.
	ui(u, func() { u.refreshStatus() })
	u.work.wait()
	wantState(t, u, "after a refresh", "● HaloPSA unreachable since "+when(since)+" · retrying "+when(retry), widget.DangerImportance)

	// An import runs, then the request budget makes it wait: the bars
	// give way to when it resumes.
	f.emit(app.Event{Health: &app.Health{State: app.HealthOK}})
	f.emit(importStarted(1))
	f.emit(importProgress(store.Clients, 100, 400))
	if u.status.running.Hidden {
		t.Fatal("no progress bars during the import")
	}
	until := time.Now().Add(4*time.Minute + 50*time.Second)
	f.emit(app.Event{Health: &app.Health{State: app.HealthWaiting, Since: time.Now(), Until: until, Reason: "the requests allowed per window are used up"}})
	wantState(t, u, "waiting", "● Waiting for HaloPSA's request limit until "+when(until), widget.WarningImportance)
	if !u.status.running.Hidden {
		t.Error("the progress bars stand still on screen while requests wait")
	}

	f.emit(app.Event{Health: &app.Health{State: app.HealthOK}})
	wantState(t, u, "requests flow again", inSync(f), widget.SuccessImportance)
	if u.status.running.Hidden || u.status.bars[store.Clients].bar.Value != 100 {
		t.Error("the progress bars did not come back when requests flowed again")
	}
	f.emit(importFinished(clients400(), nil))
	u.work.wait()
	if !u.status.running.Hidden {
		t.Error("the bars stay after the import")
	}
}

// TestStatusBarStartsFromTheStatusHealth opens the window while HaloPSA is
// down: the first status read says so before any event.
func TestStatusBarStartsFromTheStatusHealth(t *testing.T) {
	st := connectedStatus()
	since, retry := time.Now().Add(-time.Hour), time.Now().Add(time.Minute)
	st.Health = app.Health{State: app.HealthUnreachable, Since: since, RetryAt: retry}
	u := newTestWindow(t, &fakeBackend{status: st}, Options{})
	wantState(t, u, "opened during an outage", "● HaloPSA unreachable since "+when(since)+" · retrying "+when(retry), widget.DangerImportance)
}

// TestOutageNotifiesOnce checks what an outage's rows raise on the
// desktop: the error row one notification in plain words; the recovery
// row, and an import that failed quietly because of the outage, none.
func TestOutageNotifiesOnce(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{})
	down := store.LogEntry{ID: 1, Level: store.Error, Operation: "connection",
		Message: "HaloPSA cannot be reached: dial tcp: connection refused (GET /api/Tickets). HaloSync keeps retrying."}
	test.AssertNotificationSent(t, &fyne.Notification{Title: "HaloSync: sync error",
		Content: "HaloPSA cannot be reached right now. HaloSync keeps retrying and notes in the Sync Log when it answers again."}, func() {
		f.emit(app.Event{Log: &down})
	})
	failed := store.LogEntry{ID: 3, Level: store.Warn, Operation: "import", Message: "Import failed: clients 0 (0 new, 0 changed)"}
	back := store.LogEntry{ID: 4, Level: store.Info, Operation: "connection", Message: "HaloPSA answers again after 5 min (7 failed attempts)"}
	f.emit(importStarted(2))
	u.do(func() { u.importStart = time.Now().Add(-2 * time.Minute) }) // long enough to notify, were it a success
	test.AssertNotificationSent(t, nil, func() {
		f.emit(app.Event{Log: &failed})
		f.emit(importFinished(engsync.Summary{Run: 2}, fmt.Errorf("import clients: %w", halo.ErrUnreachable)))
		f.emit(app.Event{Log: &back})
	})
	u.work.wait()
}
