package gui

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// tracker counts the background jobs the window started, so that tests
// (and Close) can wait until every one has finished and applied its result.
// Unlike a WaitGroup it may be waited on while jobs start more jobs.
type tracker struct {
	mu   sync.Mutex
	cond *sync.Cond
	n    int
}

func (t *tracker) add(d int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cond == nil {
		t.cond = sync.NewCond(&t.mu)
	}
	t.n += d
	if t.n == 0 {
		t.cond.Broadcast()
	}
}

// wait blocks until no job is running.
func (t *tracker) wait() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cond == nil {
		t.cond = sync.NewCond(&t.mu)
	}
	for t.n > 0 {
		t.cond.Wait()
	}
}

// goWork runs fn on a new goroutine, off the Fyne goroutine: everything that
// touches the network, SQLite or the keychain goes through here. fn gets the
// window's context, cancelled when the window closes, and must change
// widgets only through u.do.
func (u *Window) goWork(fn func(ctx context.Context)) {
	u.work.add(1)
	go func() {
		defer u.work.add(-1)
		fn(u.ctx)
	}()
}

// do runs fn on the Fyne goroutine. The lock never contends in the real
// app, where fyne.Do runs everything on one goroutine; the test driver runs
// fn on the caller's goroutine, and the lock keeps two jobs' results from
// being applied at once.
// After Close it does nothing: the window is gone.
func (u *Window) do(fn func()) {
	fyne.Do(func() {
		u.uiMu.Lock()
		defer u.uiMu.Unlock()
		if u.ctx.Err() == nil {
			fn()
		}
	})
}

// searchDelay is how long the search boxes wait after a key press before
// they search; tests set it to zero.
var searchDelay = 250 * time.Millisecond

// debouncer calls its function once typing has paused for a while, on the
// Fyne goroutine. With a zero delay (tests) it calls at once.
type debouncer struct {
	delay time.Duration
	do    func(func())
	timer *time.Timer
	seq   int
}

// call schedules fn, dropping an earlier call that has not run yet. It runs
// on the Fyne goroutine.
func (d *debouncer) call(fn func()) {
	if d.delay <= 0 {
		fn()
		return
	}
	if d.timer != nil {
		d.timer.Stop()
	}
	d.seq++
	seq := d.seq
	d.timer = time.AfterFunc(d.delay, func() {
		d.do(func() {
			if seq == d.seq {
				fn()
			}
		})
	})
}
