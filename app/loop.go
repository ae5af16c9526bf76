package app

import (
	"context"
	"time"
)

// clock is the time the background loops read and wait on: the real one,
// or a fake in tests, so that no test sleeps to see a loop wait.
type clock interface {
	Now() time.Time
	NewTimer(d time.Duration) clockTimer
}

// clockTimer is the part of *time.Timer the loops use.
type clockTimer interface {
	Chan() <-chan time.Time
	Stop() bool
}

// realClock is the system clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) clockTimer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ *time.Timer }

func (t realTimer) Chan() <-chan time.Time { return t.C }

// loop is the one shape of HaloSync's background loops (imports, tickets),
// after syncthing's folder loop: one goroutine owns the loop's schedule,
// waits until it is due, runs a cycle, and asks again. It wakes early for
// a "run now" signal (SyncNow, a webhook delivery) or a "settings changed"
// signal (pause, interval, webhook settings), which recomputes the wait
// without running a cycle. Both signals are 1-buffered channels with
// non-blocking sends, so senders never wait and requests made while one is
// pending coalesce into it.
type loop struct {
	clock clock
	now   chan struct{} // run a cycle now
	wake  chan struct{} // settings changed: apply them and recompute the wait
	// due says when the next cycle is due; ok false means only a run-now
	// signal starts one (a paused loop). It runs on the loop's goroutine.
	due func() (at time.Time, ok bool)
	// cycle runs one round. It runs on the loop's goroutine.
	cycle func(ctx context.Context)
	// changed, when set, applies changed settings after a wake, before due
	// is asked again. It runs on the loop's goroutine.
	changed func(ctx context.Context)
	// floor is the shortest wait, so a cycle that keeps failing at once
	// never spins.
	floor time.Duration
	// observe, when set, is told each wait as it starts (timed false: until
	// a signal); tests step through a loop with it.
	observe func(d time.Duration, timed bool)
}

// newSignal makes a loop signal channel.
func newSignal() chan struct{} { return make(chan struct{}, 1) }

// send signals ch without blocking; a signal already pending absorbs it.
func send(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// drain drops a pending signal, if any.
func drain(ch chan struct{}) {
	select {
	case <-ch:
	default:
	}
}

// run runs the loop until ctx ends.
func (l *loop) run(ctx context.Context) {
	for {
		at, ok := l.due()
		switch l.wait(ctx, at, ok) {
		case stop:
			return
		case recompute:
			if l.changed != nil {
				l.changed(ctx)
			}
			continue
		}
		drain(l.now) // a request that came while waiting: this cycle serves it
		l.cycle(ctx)
		if ctx.Err() != nil {
			return
		}
	}
}

type wakeReason int

const (
	fire wakeReason = iota
	recompute
	stop
)

// wait waits until at (forever when !timed), a run-now or settings signal,
// or the end of ctx.
func (l *loop) wait(ctx context.Context, at time.Time, timed bool) wakeReason {
	var timer <-chan time.Time
	var d time.Duration
	if timed {
		d = max(at.Sub(l.clock.Now()), l.floor)
		t := l.clock.NewTimer(d)
		defer t.Stop()
		timer = t.Chan()
	}
	if l.observe != nil {
		l.observe(d, timed)
	}
	select {
	case <-ctx.Done():
		return stop
	case <-l.wake:
		return recompute
	case <-l.now:
		return fire
	case <-timer:
		return fire
	}
}
