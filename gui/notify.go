package gui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

// Notification timing.
const (
	// NotifyWindow is how long the notifier waits after a notification
	// before it sends another one: errors in between are counted and
	// summed up in one notification at the end of the window.
	NotifyWindow = 5 * time.Minute
	// LongImport is how long an import must run before its end is worth a
	// notification: the user has probably switched to something else.
	LongImport = 30 * time.Second
)

// interactiveOps are the operations whose errors the window already shows
// where the user acted (the Connection tab, a dialog); a desktop
// notification for them would only repeat it.
var interactiveOps = map[store.Operation]bool{
	store.OpConnect: true, store.OpDisconnect: true, store.OpSaveMappings: true, store.OpBulkMap: true,
	store.OpClientBook: true, store.OpWebhookTest: true, store.OpUndoMappings: true,
}

// notifiable reports whether a sync-log row should raise a notification:
// errors of the background work, not of something the user just did.
func notifiable(e store.LogEntry) bool {
	return e.Level == store.Error && !interactiveOps[e.Operation]
}

// notifier raises desktop notifications for sync errors without flooding
// the desktop when a server keeps failing: the first error at once, then at
// most one summary ("5 more sync errors; see the Sync Log") per window.
// Its methods run on the Fyne goroutine.
type notifier struct {
	app    fyne.App
	window time.Duration
	now    func() time.Time
	// after runs f on the Fyne goroutine once d has passed.
	after func(d time.Duration, f func())

	lastSent  time.Time // when the last notification went out
	held      int       // errors since then not notified yet
	scheduled bool      // a summary is due at lastSent+window
}

func newNotifier(a fyne.App, do func(func())) *notifier {
	return &notifier{
		app:    a,
		window: NotifyWindow,
		now:    time.Now,
		after: func(d time.Duration, f func()) {
			time.AfterFunc(d, func() { do(f) })
		},
	}
}

// syncError notifies about an error from the background sync, or holds it
// for the next summary.
func (n *notifier) syncError(e store.LogEntry) {
	now := n.now()
	if n.held == 0 && !n.scheduled && (n.lastSent.IsZero() || now.Sub(n.lastSent) >= n.window) {
		n.send("HaloSync: sync error", notifyText(e))
		n.lastSent = now
		return
	}
	n.held++
	if !n.scheduled {
		n.scheduled = true
		n.after(n.lastSent.Add(n.window).Sub(now), n.flush)
	}
}

// flush sends the summary of the errors held since the last notification.
func (n *notifier) flush() {
	n.scheduled = false
	if n.held == 0 {
		return
	}
	what := "1 more sync error"
	if n.held > 1 {
		what = fmt.Sprintf("%d more sync errors", n.held)
	}
	n.send("HaloSync: sync errors", what+"; see the Sync Log.")
	n.held, n.lastSent = 0, n.now()
}

// importFinished notifies about a successful import that took long
// enough for the user to have looked away; sum is what it did.
func (n *notifier) importFinished(sum sync.Summary, took time.Duration) {
	if took < LongImport {
		return
	}
	n.send("HaloSync: import finished", fmt.Sprintf("After %s. %s", took.Round(time.Second), clip("Import finished: "+sum.String(), 180)))
}

func (n *notifier) send(title, content string) {
	n.app.SendNotification(fyne.NewNotification(title, content))
}

// notifyText says what went wrong in plain words when the row's error is
// one of HaloPSA's failures, else shortens the message.
func notifyText(e store.LogEntry) string {
	if e.Operation == store.OpConnection && e.Level == store.Error {
		// The one error row of an outage: the address worked before, so
		// the advice to check it would mislead; HaloSync retries by itself.
		return "HaloPSA cannot be reached right now. HaloSync keeps retrying and notes in the Sync Log when it answers again."
	}
	for _, sentinel := range haloFailures {
		if errors.Is(e.Err, sentinel) {
			text := plainError(sentinel)
			if !strings.HasSuffix(text, seeLog) {
				text += seeLog
			}
			return text
		}
	}
	text := clip(e.Message, 180)
	if !strings.HasSuffix(text, ".") && !strings.HasSuffix(text, "…") {
		text += "."
	}
	return text + seeLog
}

// haloFailures are the failures a notification explains, found in a
// row's error with errors.Is.
var haloFailures = []error{
	halo.ErrUnreachable, halo.ErrNotHalo, halo.ErrBadCredentials, halo.ErrMissingScope,
	halo.ErrPermission, halo.ErrRateLimited, halo.ErrServer,
}

// clip shortens s to at most max runes, ending in "…" when cut.
func clip(s string, max int) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return strings.TrimSpace(string(r[:max-1])) + "…"
}
