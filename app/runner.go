package app

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/brainstormmsp/halosync/engine/store"
)

// DefaultSyncInterval is how often the background loop imports.
const DefaultSyncInterval = 15 * time.Minute

// runner is the background sync loop's state, guarded by App.mu.
type runner struct {
	cancel   context.CancelFunc
	done     chan struct{}
	now      chan struct{} // 1-buffered: a pending "sync now" request
	wake     chan struct{} // 1-buffered: settings changed, recompute the timer
	paused   bool
	interval time.Duration
	syncing  bool
	owed     bool // an import failed because HaloPSA could not be reached: run it when it answers
}

// Start runs the background loops until Stop: the import loop (an import
// at start when the last one is older than the interval, then one every
// interval with a little jitter, one on SyncNow, after a failure a retry
// that backs off from one minute up to the interval, and while HaloPSA
// cannot be reached the retries both loops share, then an import as soon
// as it answers) and the ticket loop with the saved settings. It returns
// at once.
func (a *App) Start(ctx context.Context) { a.startLoops(ctx, a.serveOptions(ctx)) }

func (a *App) startLoops(ctx context.Context, o ServeOptions) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.run.done != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	a.run.cancel, a.run.done = cancel, make(chan struct{})
	a.run.now, a.run.wake = make(chan struct{}, 1), make(chan struct{}, 1)
	if a.run.interval == 0 {
		a.run.interval = DefaultSyncInterval
	}
	imports, tickets := make(chan struct{}), make(chan struct{})
	go a.loop(ctx, imports)
	go func() {
		defer close(tickets)
		if err := a.runTickets(ctx, o); err != nil {
			a.log(ctx, store.Error, store.OpTickets, "", "The ticket sync stopped: "+err.Error())
		}
	}()
	go func(done chan struct{}) {
		<-imports
		<-tickets
		close(done)
	}(a.run.done)
}

// Stop ends the loops and waits for a running import to stop.
func (a *App) Stop() {
	a.mu.Lock()
	cancel, done := a.run.cancel, a.run.done
	a.run.cancel, a.run.done = nil, nil
	a.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// SyncNow asks the loop for an import as soon as possible. Requests made
// while one is pending coalesce into it. It never blocks.
func (a *App) SyncNow() { a.signal(func(r *runner) chan struct{} { return r.now }) }

// SetPaused pauses or resumes the background loop (SyncNow still works).
func (a *App) SetPaused(p bool) {
	a.mu.Lock()
	a.run.paused = p
	a.mu.Unlock()
	a.publishHealth()
	a.signal(func(r *runner) chan struct{} { return r.wake })
}

// Paused reports whether the loop is paused.
func (a *App) Paused() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.run.paused
}

// SetSyncInterval changes how often the loop imports (at least a minute).
func (a *App) SetSyncInterval(d time.Duration) {
	a.mu.Lock()
	a.run.interval = max(d, time.Minute)
	a.mu.Unlock()
	a.signal(func(r *runner) chan struct{} { return r.wake })
}

// SyncInterval returns the loop's interval.
func (a *App) SyncInterval() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.run.interval == 0 {
		return DefaultSyncInterval
	}
	return a.run.interval
}

// Syncing reports whether an import is running now.
func (a *App) Syncing() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.run.syncing
}

func (a *App) signal(pick func(*runner) chan struct{}) {
	a.mu.Lock()
	ch := pick(&a.run)
	a.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- struct{}{}:
	default: // one is pending already
	}
}

func (a *App) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	a.mu.Lock()
	now, wake := a.run.now, a.run.wake
	a.mu.Unlock()
	retry := backoff{min: time.Minute, jitter: 0.2} // after failures other than an outage
	next := a.firstSync(ctx)
	for {
		a.mu.Lock()
		paused := a.run.paused
		a.mu.Unlock()
		switch waitFor(ctx, paused, next, now, wake) {
		case stop:
			return
		case recompute:
			continue
		}
		select {
		case <-now: // a request that came while waiting: this import serves it
		default:
		}
		err := a.backgroundSync(ctx)
		if ctx.Err() != nil {
			return
		}
		_, _ = a.pruneLog(ctx) // retention must never stop the sync loop
		interval := a.SyncInterval()
		switch {
		case err == nil || errors.Is(err, ErrNotConnected):
			retry.reset()
			next = time.Now().Add(jitter(interval))
		case isOutage(err):
			next = a.outageRetry() // the schedule both loops share
		default:
			retry.max = interval
			next = time.Now().Add(retry.next())
		}
	}
}

// outageRetry is when the loops try HaloPSA again: the outage's next
// retry, or now when it has just ended.
func (a *App) outageRetry() time.Time {
	if h, ok := a.outage.health(); ok {
		return h.RetryAt
	}
	return time.Now()
}

type wakeReason int

const (
	fire wakeReason = iota
	recompute
	stop
)

// waitFor waits until next (forever when paused), a sync-now request, a
// settings change or the end of ctx.
func waitFor(ctx context.Context, paused bool, next time.Time, now, wake <-chan struct{}) wakeReason {
	var timer <-chan time.Time
	if !paused {
		t := time.NewTimer(max(time.Until(next), 0))
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return stop
	case <-wake:
		return recompute
	case <-now:
		return fire
	case <-timer:
		return fire
	}
}

// firstSync is when the loop's first import is due: now, unless the last
// successful one is more recent than the interval.
func (a *App) firstSync(ctx context.Context) time.Time {
	run, err := a.db.LastSuccessfulRun(ctx, store.KindImport)
	if err != nil {
		return time.Now()
	}
	return run.FinishedAt.Add(a.SyncInterval())
}

// backgroundSync is one import of the loop. It asks HaloPSA for one row
// first: while HaloPSA cannot be reached (or refuses the credentials), an
// import would only add an "Import started" and an "Import failed" row to
// the log at every retry. Failures are logged once per outage or streak.
func (a *App) backgroundSync(ctx context.Context) error {
	if st, err := a.Status(ctx); err != nil || !st.Connected {
		return ErrNotConnected
	}
	c, err := a.haloClient(ctx)
	if err != nil {
		a.logOnce(ctx, loopImport, store.OpSync, err)
		return err
	}
	a.setOwed(false) // the import runs now; set before the request, whose answer may end an outage
	if err := c.Ping(ctx); err != nil {
		if ctx.Err() == nil {
			a.importFailed(ctx, err, true)
		}
		return err
	}
	a.mu.Lock()
	a.run.syncing = true
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.run.syncing = false
		a.mu.Unlock()
	}()
	_, err = a.importWith(ctx, c, nil, func(err error) bool {
		// Outages get their own row; other errors one row per streak.
		return !isOutage(err) && a.outage.firstInStreak(loopImport, err.Error())
	})
	switch {
	case err == nil:
		a.noteSuccess(loopImport)
	case ctx.Err() == nil:
		a.importFailed(ctx, err, false)
	}
	return err
}

// importFailed reports a failed background import to the health state;
// logIt says the import did not log err itself (the probe failed).
func (a *App) importFailed(ctx context.Context, err error, logIt bool) {
	if isOutage(err) {
		a.setOwed(true) // before the report: HaloPSA may answer any moment after it
	}
	if _, outage := a.noteFailure(ctx, loopImport, err); !outage && logIt {
		a.logOnce(ctx, loopImport, store.OpSync, err)
	}
}

// setOwed notes whether an import waits for HaloPSA to answer again.
func (a *App) setOwed(owed bool) {
	a.mu.Lock()
	a.run.owed = owed
	a.mu.Unlock()
}

// jitter spreads d by up to ±10% so that many installs do not sync in step.
func jitter(d time.Duration) time.Duration {
	return d - d/10 + time.Duration(rand.Int64N(int64(d/5)+1))
}
