package app

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"github.com/brainstormmsp/halosync/engine/backoff"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// waitTracker turns the request budget's wait notices into a health state
// and at most one sync-log row per wait period. It is safe for concurrent
// use.
type waitTracker struct {
	now func() time.Time
	// A wait that starts within coalesce of the previous one's end
	// continues it: a full window frees one slot at a time, and each
	// freed slot is not worth a row of its own.
	coalesce time.Duration

	mu     gosync.Mutex
	until  time.Time // zero while requests flow
	reason halo.WaitReason
	since  time.Time
	ended  time.Time
}

func newWaitTracker(now func() time.Time) *waitTracker {
	return &waitTracker{now: now, coalesce: time.Minute}
}

// note records one notice from the budget (a zero until: requests flow
// again). It returns the row to write, "" for none, and whether the
// health changed.
func (w *waitTracker) note(until time.Time, reason halo.WaitReason) (row string, changed bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	if until.IsZero() {
		if w.until.IsZero() {
			return "", false
		}
		w.until, w.ended = time.Time{}, now
		return "", true
	}
	fresh := w.until.IsZero()
	w.until, w.reason = until, reason
	if !fresh {
		return "", true // the same wait, grown
	}
	w.since = now
	if !w.ended.IsZero() && now.Sub(w.ended) < w.coalesce {
		return "", true
	}
	return fmt.Sprintf("Waiting for HaloPSA's request limit, resuming in %s (%s)", spell(until.Sub(now)), reason), true
}

// health returns the wait as a Health, and false while requests flow.
func (w *waitTracker) health() (Health, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.until.IsZero() {
		return Health{}, false
	}
	return Health{State: HealthWaiting, Since: w.since, Until: w.until, Reason: w.reason.String()}, true
}

// publishHealth tells subscribers the current health. The lock keeps two
// changes from overtaking each other on their way out.
func (a *App) publishHealth() {
	a.healthMu.Lock()
	defer a.healthMu.Unlock()
	h := a.health()
	a.publish(Event{Health: &h})
}

// budgetWait is the HaloPSA client's OnWait: a row when a wait starts and
// a health event whenever it changes.
func (a *App) budgetWait(until time.Time, reason halo.WaitReason) {
	row, changed := a.waits.note(until, reason)
	if row != "" {
		a.log(context.Background(), store.Info, store.OpRateLimit, "", row)
	}
	if changed {
		a.publishHealth()
	}
}

// haloAnswered is the HaloPSA client's OnSuccess: any answer ends an
// outage, whichever loop or user action asked.
func (a *App) haloAnswered() {
	a.credentialsAccepted()
	a.tell(context.Background(), "", a.outage.answered())
}

// noteFailure tells the health state about a loop's failed attempt. An
// outage is handled here completely (its rows, its health); for other
// failures the caller decides what to log (see logOnce). It returns when
// to try again during an outage, and whether err was one.
func (a *App) noteFailure(ctx context.Context, loop string, err error) (retryAt time.Time, outage bool) {
	a.noteRejected(err)
	switch {
	case isOutage(err):
		news, at := a.outage.failed(err)
		a.tell(ctx, loop, news)
		return at, true
	case answeredByHalo(err):
		a.tell(ctx, loop, a.outage.answered()) // a refusal is an answer: HaloPSA is up
	}
	return time.Time{}, false
}

// ticketsFailed reports a failed ticket cycle and returns how long the
// ticket loop waits: until the shared retry during an outage, else its own
// back-off, with the error logged once per failure streak.
func (a *App) ticketsFailed(ctx context.Context, retry *backoff.Backoff, err error) time.Duration {
	if at, outage := a.noteFailure(ctx, loopTickets, err); outage {
		return time.Until(at)
	}
	a.logOnce(ctx, loopTickets, store.OpTickets, err)
	return retry.Next()
}

// noteSuccess ends loop's failure streak.
func (a *App) noteSuccess(loop string) { a.outage.endStreak(loop) }

// logOnce writes a failure that is not an outage as an error row, unless
// loop logged the same text already in its current failure streak.
func (a *App) logOnce(ctx context.Context, loop string, op store.Operation, err error) {
	if a.outage.firstInStreak(loop, err.Error()) {
		a.logError(ctx, op, "", err)
	}
}

// tell writes and publishes what an outage report changed, and on
// recovery restarts what the outage held up. from is the loop that
// reported it ("" for the client), which needs no waking.
func (a *App) tell(ctx context.Context, from string, n outageNews) {
	if n.msg != "" {
		a.log(ctx, n.level, store.OpConnection, "", n.msg)
	}
	if n.changed {
		a.publishHealth()
	}
	if !n.recovered {
		return
	}
	if a.run.owed.Swap(false) {
		a.SyncNow() // the import that failed because of the outage, now rather than after its back-off
	}
	if from != loopTickets {
		a.wakeTickets()
	}
}

// The loops, as the health state knows them.
const (
	loopImport  = "import"
	loopTickets = "tickets"
)
