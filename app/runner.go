package app

import (
	"context"
	"errors"
	"math/rand/v2"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/brainstormmsp/halosync/engine/backoff"
	"github.com/brainstormmsp/halosync/engine/store"
)

// DefaultSyncInterval is how often the background loop imports.
const DefaultSyncInterval = 15 * time.Minute

// runner is the state of the background loops. The settings and flags
// are atomics and the signals 1-buffered channels made once, so the
// methods the GUI calls on its own goroutine (Paused, SyncInterval,
// Syncing, SyncNow, SetPaused, SetSyncInterval) never take a lock that
// I/O holds: they return at once whatever the loops are doing.
type runner struct {
	clock      clock
	importNow  chan struct{} // SyncNow: import as soon as possible
	importWake chan struct{} // paused or interval changed: recompute the wait
	ticketNow  chan struct{} // a delivery, a connect, a local change: run a ticket cycle
	ticketWake chan struct{} // webhook settings changed: the ticket loop applies them

	paused      atomic.Bool
	interval    atomic.Int64 // a time.Duration; 0 means DefaultSyncInterval
	syncing     atomic.Bool
	owed        atomic.Bool // an import failed because HaloPSA could not be reached: run it when it answers
	hookChanged atomic.Bool // the webhook receiver and tunnel are to restart with the saved settings

	mu     gosync.Mutex // guards cancel and done only; never held across a wait
	cancel context.CancelFunc
	done   chan struct{}
}

// init makes the runner's signals; Open calls it.
func (r *runner) init(c clock) {
	r.clock = c
	r.importNow, r.importWake = newSignal(), newSignal()
	r.ticketNow, r.ticketWake = newSignal(), newSignal()
}

// Start runs the background loops until Stop: the import loop (an import
// at start when the last one is older than the interval, then one every
// interval with a little jitter, one on SyncNow, after a failure a retry
// that backs off from one minute up to the interval, and while HaloPSA
// cannot be reached the retries both loops share, then an import as soon
// as it answers) and the ticket loop with the saved settings. It returns
// at once.
func (a *App) Start(ctx context.Context) { a.startLoops(ctx, a.serveOptions(ctx), true) }

// startLoops starts both loops with o; fromSettings says o came from the
// saved settings, so a settings change re-reads them.
func (a *App) startLoops(ctx context.Context, o ServeOptions, fromSettings bool) {
	r := &a.run
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	r.cancel, r.done = cancel, make(chan struct{})
	// Signals sent while no loop ran are stale: the loops start from
	// the saved state.
	drain(r.importNow)
	drain(r.importWake)
	drain(r.ticketWake)
	r.hookChanged.Store(false)
	imports, tickets, others := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(imports)
		a.runImports(ctx)
	}()
	go func() {
		defer close(others)
		a.watchOthers(ctx, othersEvery)
	}()
	go func() {
		defer close(tickets)
		if err := a.runTickets(ctx, o, fromSettings); err != nil {
			a.log(ctx, store.Error, store.OpTickets, "", "The ticket sync stopped: "+err.Error())
		}
	}()
	go func(done chan struct{}) {
		<-imports
		<-tickets
		<-others
		close(done)
	}(r.done)
}

// Stop ends the loops and waits for a running import to stop.
func (a *App) Stop() {
	a.run.mu.Lock()
	cancel, done := a.run.cancel, a.run.done
	a.run.cancel, a.run.done = nil, nil
	a.run.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// SyncNow asks the loop for an import as soon as possible. Requests made
// while one is pending coalesce into it. It never blocks.
func (a *App) SyncNow() { send(a.run.importNow) }

// SetPaused pauses or resumes the background loop (SyncNow still works).
// It never blocks, and it publishes the new health from a goroutine of its
// own: the GUI calls it from a widget handler, and a subscriber called on
// that goroutine would re-enter the GUI in the middle of its handler.
func (a *App) SetPaused(p bool) {
	a.run.paused.Store(p)
	go a.publishHealth()
	send(a.run.importWake)
}

// Paused reports whether the loop is paused. It never blocks.
func (a *App) Paused() bool { return a.run.paused.Load() }

// SetSyncInterval changes how often the loop imports (at least a minute);
// a waiting loop recomputes its wait. It never blocks.
func (a *App) SetSyncInterval(d time.Duration) {
	a.run.interval.Store(int64(max(d, time.Minute)))
	send(a.run.importWake)
}

// SyncInterval returns the loop's interval. It never blocks.
func (a *App) SyncInterval() time.Duration {
	if d := time.Duration(a.run.interval.Load()); d > 0 {
		return d
	}
	return DefaultSyncInterval
}

// Syncing reports whether a background import is running now. It never
// blocks.
func (a *App) Syncing() bool { return a.run.syncing.Load() }

// runImports is the import loop.
func (a *App) runImports(ctx context.Context) {
	s := &importSchedule{interval: a.SyncInterval, retry: backoff.Backoff{Min: time.Minute, Jitter: 0.2}}
	if run, err := a.db.LastSuccessfulRun(ctx, store.KindImport); err == nil {
		s.last, s.spread = run.FinishedAt, 1 // the first import is due an interval after the last one
	}
	importLoop(a.run.clock, s, a.Paused, a.run.importNow, a.run.importWake, func(ctx context.Context) error {
		err := a.backgroundSync(ctx)
		if ctx.Err() == nil {
			_, _ = a.pruneLog(ctx) // retention must never stop the sync loop
		}
		return err
	}, a.outageRetry).run(ctx)
}

// importLoop is the import loop over s: it runs sync when s says, or on
// a now signal, never on its own while paused; a wake signal (pause or
// interval changed) recomputes the wait.
func importLoop(c clock, s *importSchedule, paused func() bool, now, wake chan struct{},
	sync func(context.Context) error, outageRetry func() time.Time) *loop {
	return &loop{clock: c, now: now, wake: wake,
		due: func() (time.Time, bool) { return s.next(), !paused() },
		cycle: func(ctx context.Context) {
			err := sync(ctx)
			if ctx.Err() == nil {
				s.done(c.Now(), err, outageRetry)
			}
		}}
}

// importSchedule is when the import loop runs next: an interval (with a
// little jitter, so that many installs do not sync in step) after the
// latest import, or a retry after a failure. It is computed from the
// interval each time it is asked, so a new interval applies to the wait
// under way. Only the loop's goroutine uses it.
type importSchedule struct {
	interval func() time.Duration
	last     time.Time       // when the latest import ended; zero: due at once
	spread   float64         // the jitter of the current interval, 0.9..1.1
	retryAt  time.Time       // a retry after a failure; zero when none
	retry    backoff.Backoff // after failures other than an outage, up to the interval
	rand     func() float64
}

// next is when the next import is due.
func (s *importSchedule) next() time.Time {
	switch {
	case !s.retryAt.IsZero():
		return s.retryAt
	case s.last.IsZero():
		return time.Time{}
	}
	return s.last.Add(time.Duration(float64(s.interval()) * s.spread))
}

// done records an import that ended at now with err; outageRetry is when
// the loops try again during an outage (the schedule both loops share).
func (s *importSchedule) done(now time.Time, err error, outageRetry func() time.Time) {
	switch {
	case err == nil || errors.Is(err, ErrNotConnected):
		s.retry.Reset()
		r := rand.Float64
		if s.rand != nil {
			r = s.rand
		}
		s.last, s.spread, s.retryAt = now, 0.9+0.2*r(), time.Time{}
	case isOutage(err):
		s.retryAt = outageRetry()
	default:
		s.retry.Max = s.interval()
		s.retryAt = now.Add(s.retry.Next())
	}
}

// outageRetry is when the loops try HaloPSA again: the outage's next
// retry, or now when it has just ended.
func (a *App) outageRetry() time.Time {
	if h, ok := a.outage.health(); ok {
		return h.RetryAt
	}
	return a.run.clock.Now()
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
	a.run.syncing.Store(true)
	defer a.run.syncing.Store(false)
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
	a.run.owed.Store(owed)
}
