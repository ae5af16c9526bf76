package gui

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
	engsync "github.com/brainstormmsp/halosync/engine/sync"
)

func errEntry(id int64, op store.Operation, msg string) store.LogEntry {
	return store.LogEntry{ID: id, Level: store.Error, Operation: op, Message: msg}
}

func TestErrorEventSendsNotification(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{})
	_ = u
	e := errEntry(1, "import clients", `import clients: HaloPSA cannot be reached: Get "https://acme.halopsa.com/api/Client": dial tcp: i/o timeout`)
	e.Err = fmt.Errorf(`import clients: %w: Get "https://acme.halopsa.com/api/Client": dial tcp: i/o timeout`, halo.ErrUnreachable)
	test.AssertNotificationSent(t, &fyne.Notification{Title: "HaloSync: sync error",
		Content: "HaloPSA can't be reached at that address. Check the address and your internet connection, then try again. The details are in the Sync Log."}, func() {
		f.emit(app.Event{Log: &e})
	})
	// Words in a message are not an error: without a typed one the
	// notification only shortens the message.
	worded := errEntry(4, "import sites", "a note that mentions HaloPSA had a server error")
	test.AssertNotificationSent(t, nil, func() { f.emit(app.Event{Log: &worded}) }) // held: within the window
	if got := notifyText(worded); got != "a note that mentions HaloPSA had a server error. The details are in the Sync Log." {
		t.Errorf("notifyText matched message text: %q", got)
	}
	// What the user just did and sees in place raises none.
	c := errEntry(2, "connect", "HaloPSA rejected the client ID or secret")
	w := store.LogEntry{ID: 3, Level: store.Warn, Operation: "import sites", Message: "2 rows skipped"}
	test.AssertNotificationSent(t, nil, func() {
		f.emit(app.Event{Log: &c})
		f.emit(app.Event{Log: &w})
	})
}

// fakeTimer stands in for time.AfterFunc.
type fakeTimer struct {
	at []time.Duration
	fn []func()
}

func (ft *fakeTimer) after(d time.Duration, f func()) {
	ft.at, ft.fn = append(ft.at, d), append(ft.fn, f)
}

// fire runs the oldest scheduled function.
func (ft *fakeTimer) fire() {
	f := ft.fn[0]
	ft.at, ft.fn = ft.at[1:], ft.fn[1:]
	f()
}

func TestNotificationsCoalesced(t *testing.T) {
	a := test.NewTempApp(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ft := &fakeTimer{}
	n := &notifier{app: a, window: 5 * time.Minute, now: func() time.Time { return now }, after: ft.after}
	boom := errEntry(1, "import clients", "save clients: database is locked")

	test.AssertNotificationSent(t, &fyne.Notification{Title: "HaloSync: sync error", Content: "save clients: database is locked. The details are in the Sync Log."},
		func() { n.syncError(boom) })
	test.AssertNotificationSent(t, nil, func() {
		for range 5 {
			now = now.Add(10 * time.Second)
			n.syncError(boom)
		}
	})
	if len(ft.at) != 1 || ft.at[0] != 5*time.Minute-10*time.Second {
		t.Fatalf("summaries scheduled: %v; want one, at the end of the window", ft.at)
	}
	now = now.Add(5 * time.Minute)
	test.AssertNotificationSent(t, &fyne.Notification{Title: "HaloSync: sync errors", Content: "5 more sync errors; see the Sync Log."}, ft.fire)

	// Within the next window an error waits for the next summary...
	now = now.Add(time.Minute)
	test.AssertNotificationSent(t, nil, func() { n.syncError(boom) })
	now = now.Add(4 * time.Minute)
	test.AssertNotificationSent(t, &fyne.Notification{Title: "HaloSync: sync errors", Content: "1 more sync error; see the Sync Log."}, ft.fire)
	// ...and after a quiet window the next one goes out at once.
	now = now.Add(10 * time.Minute)
	test.AssertNotificationSent(t, &fyne.Notification{Title: "HaloSync: sync error", Content: "save clients: database is locked. The details are in the Sync Log."},
		func() { n.syncError(boom) })
	if len(ft.fn) != 0 {
		t.Errorf("%d summaries still scheduled", len(ft.fn))
	}
}

func TestLongImportNotifies(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{})
	test.AssertNotificationSent(t, nil, func() { // a quick one is not worth it
		f.emit(importStarted(1))
		f.emit(importFinished(clients400(), nil))
	})
	u.work.wait()
	f.emit(importStarted(2))
	u.do(func() { u.importStart = time.Now().Add(-95 * time.Second) })
	test.AssertNotificationSent(t, &fyne.Notification{Title: "HaloSync: import finished",
		Content: "After 1m35s. Import finished: clients 400 (400 new, 0 changed); 0 requests, 0 rate-limited, 0s"}, func() {
		f.emit(importFinished(clients400(), nil))
	})
	u.work.wait()
	// A failed import, however long, is not announced as finished: its
	// error row was notified as a sync error.
	f.emit(importStarted(3))
	u.do(func() { u.importStart = time.Now().Add(-95 * time.Second) })
	test.AssertNotificationSent(t, nil, func() {
		f.emit(importFinished(engsync.Summary{Run: 3}, errors.New("import clients: boom")))
	})
	u.work.wait()
}
