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
}

// Start runs the background loops until Stop: the import loop (an import
// at start when the last one is older than the interval, then one every
// interval with a little jitter, one on SyncNow, and after a failure a
// retry that backs off from one minute up to the interval) and the ticket
// loop with the saved settings. It returns at once.
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
			a.log(ctx, store.Error, "tickets", "", "The ticket sync stopped: "+err.Error())
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
	var failures int
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
		err := a.backgroundSync(ctx)
		if ctx.Err() != nil {
			return
		}
		interval := a.SyncInterval()
		switch {
		case err == nil || errors.Is(err, ErrNotConnected):
			failures = 0
			next = time.Now().Add(jitter(interval))
		default:
			failures++
			next = time.Now().Add(min(time.Minute<<min(failures-1, 10), interval))
		}
	}
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

func (a *App) backgroundSync(ctx context.Context) error {
	if st, err := a.Status(ctx); err != nil || !st.Connected {
		return ErrNotConnected
	}
	a.mu.Lock()
	a.run.syncing = true
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.run.syncing = false
		a.mu.Unlock()
	}()
	_, err := a.SyncOnce(ctx, nil)
	return err
}

// jitter spreads d by up to ±10% so that many installs do not sync in step.
func jitter(d time.Duration) time.Duration {
	return d - d/10 + time.Duration(rand.Int64N(int64(d/5)+1))
}
