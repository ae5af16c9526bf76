package app

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/backoff"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

// timerClock is a clock with timers that moves only when the test
// advances it.
type timerClock struct {
	mu     gosync.Mutex
	now    time.Time
	timers map[*fakeTimer]bool
}

func newTimerClock() *timerClock {
	return &timerClock{now: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), timers: map[*fakeTimer]bool{}}
}

func (c *timerClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *timerClock) NewTimer(d time.Duration) clockTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, ch: make(chan time.Time, 1), at: c.now.Add(d)}
	c.timers[t] = true // it fires on the next advance, even when due now, so that steps are exact
	return t
}

// advance moves the clock on by d and fires the timers then due.
func (c *timerClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.fire()
}

func (c *timerClock) fire() {
	for t := range c.timers {
		if !t.at.After(c.now) {
			t.ch <- c.now
			delete(c.timers, t)
		}
	}
}

type fakeTimer struct {
	c  *timerClock
	ch chan time.Time
	at time.Time
}

func (t *fakeTimer) Chan() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	active := t.c.timers[t]
	delete(t.c.timers, t)
	return active
}

// wait is one wait of a loop as it starts.
type wait struct {
	d     time.Duration
	timed bool
}

// runObserved runs l until the test ends and returns the waits it starts,
// one at a time: the loop blocks until the test takes each.
func runObserved(t *testing.T, l *loop) <-chan wait {
	waits := make(chan wait)
	ctx, cancel := context.WithCancel(context.Background())
	l.observe = func(d time.Duration, timed bool) {
		select {
		case waits <- wait{d, timed}:
		case <-ctx.Done():
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return waits
}

func (w wait) String() string {
	if !w.timed {
		return "until a signal"
	}
	return w.d.String()
}

// loopStep is one step of a loop script: what the test does, then the
// wait the loop starts next and how many cycles have run by then.
type loopStep struct {
	do     string // "advance", "now", "pause", "resume", "interval"
	d      time.Duration
	want   wait
	cycles int
}

var (
	errRefused = errors.New("HaloPSA refused the request")
	errDown    = fmt.Errorf("%w: connection refused", halo.ErrUnreachable)
)

func TestImportLoop(t *testing.T) {
	const s, m = time.Second, time.Minute
	timed := func(d time.Duration) wait { return wait{d, true} }
	cases := []struct {
		name     string
		results  []error // the imports' results, in turn; then success
		interval time.Duration
		steps    []loopStep
	}{
		{"fails twice then succeeds: waits 10 s, 20 s, then the interval",
			[]error{errRefused, errRefused}, 15 * m, []loopStep{
				{do: "advance", d: 10 * s, want: timed(20 * s), cycles: 2},
				{do: "advance", d: 20 * s, want: timed(15 * m), cycles: 3},
				{do: "advance", d: 15 * m, want: timed(15 * m), cycles: 4},
			}},
		{"the retry never waits longer than the interval",
			[]error{errRefused, errRefused, errRefused, errRefused}, 30 * s, []loopStep{
				{do: "advance", d: 10 * s, want: timed(20 * s), cycles: 2},
				{do: "advance", d: 20 * s, want: timed(30 * s), cycles: 3},
				{do: "advance", d: 30 * s, want: timed(30 * s), cycles: 4},
			}},
		{"an outage waits for the shared retry", []error{errDown}, 15 * m, []loopStep{
			{do: "advance", d: 3 * m, want: timed(15 * m), cycles: 2},
		}},
		{"SyncNow while waiting fires at once", nil, 15 * m, []loopStep{
			{do: "advance", d: 5 * m},
			{do: "now", want: timed(15 * m), cycles: 2},
		}},
		{"pause stops the timer, resume recomputes", nil, 15 * m, []loopStep{
			{do: "pause", want: wait{}, cycles: 1},
			{do: "advance", d: 10 * m}, // nothing runs: no step of the loop to see
			{do: "resume", want: timed(5 * m), cycles: 1},
			{do: "pause", want: wait{}, cycles: 1},
			{do: "advance", d: time.Hour},
			{do: "resume", want: timed(0), cycles: 1}, // overdue: now
			{do: "advance", want: timed(15 * m), cycles: 2},
		}},
		{"SyncNow works while paused", nil, 15 * m, []loopStep{
			{do: "pause", want: wait{}, cycles: 1},
			{do: "now", want: wait{}, cycles: 2},
		}},
		{"settings change recomputes", nil, 15 * m, []loopStep{
			{do: "advance", d: 5 * m},
			{do: "interval", d: time.Hour, want: timed(55 * m), cycles: 1},
			{do: "interval", d: 2 * m, want: timed(0), cycles: 1},
			{do: "advance", want: timed(2 * m), cycles: 2},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := newTimerClock()
			var interval atomic.Int64
			interval.Store(int64(c.interval))
			var paused atomic.Bool
			results := c.results
			var cycles atomic.Int32
			sched := &importSchedule{interval: func() time.Duration { return time.Duration(interval.Load()) },
				retry: backoff.Backoff{Min: 10 * s}, rand: func() float64 { return 0.5 }} // spread 1: no jitter
			outageAt := clk.Now().Add(3 * m) // the shared retry, which the outage tracker keeps
			now, wake := newSignal(), newSignal()
			l := importLoop(clk, sched, paused.Load, now, wake, func(context.Context) error {
				cycles.Add(1)
				if len(results) == 0 {
					return nil
				}
				err := results[0]
				results = results[1:]
				return err
			}, func() time.Time { return outageAt })
			waits := runObserved(t, l)
			next := func() wait {
				select {
				case w := <-waits:
					return w
				case <-time.After(10 * time.Second):
					t.Fatalf("the loop started no wait; %d imports ran", cycles.Load())
				}
				return wait{}
			}
			// No import yet: the first is due at once, then its result
			// decides the next wait.
			if w := next(); w != timed(0) {
				t.Fatalf("first wait %v, want 0s", w)
			}
			clk.advance(0)
			first := timed(c.interval)
			if len(c.results) > 0 {
				first = timed(10 * s)
				if errors.Is(c.results[0], halo.ErrUnreachable) {
					first = timed(3 * m)
				}
			}
			if w := next(); w != first {
				t.Fatalf("after the first import the loop waits %v, want %v", w, first)
			}
			for i, st := range c.steps {
				switch st.do {
				case "advance":
					clk.advance(st.d)
				case "now":
					send(now)
				case "pause", "resume":
					paused.Store(st.do == "pause")
					send(wake)
				case "interval":
					interval.Store(int64(st.d))
					send(wake)
				}
				if st.want == (wait{}) && st.do == "advance" {
					continue // the loop does nothing it could show
				}
				if w := next(); w != st.want {
					t.Fatalf("step %d (%s %v): the loop waits %v, want %v", i, st.do, st.d, w, st.want)
				}
				if n := int(cycles.Load()); n != st.cycles {
					t.Fatalf("step %d (%s %v): %d imports ran, want %d", i, st.do, st.d, n, st.cycles)
				}
			}
		})
	}
}

func TestTicketSchedule(t *testing.T) {
	const m = time.Minute
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	dear := func(poll time.Duration, cost int64) time.Duration { return max(poll, time.Duration(cost)*m) }
	cases := []struct {
		name string
		s    ticketSchedule
		want time.Time
	}{
		{"never polled: a poll is due at once", ticketSchedule{poll: m, sweep: 6 * time.Hour, lastSweep: t0}, time.Time{}},
		{"the next poll", ticketSchedule{poll: m, sweep: 6 * time.Hour, lastPoll: t0, lastSweep: t0}, t0.Add(m)},
		{"with webhooks up the poll is rarer", ticketSchedule{poll: 5 * m, sweep: 6 * time.Hour, lastPoll: t0, lastSweep: t0}, t0.Add(5 * m)},
		{"a dear poll is spaced out", ticketSchedule{poll: m, cost: 3, spacing: dear, sweep: 6 * time.Hour, lastPoll: t0, lastSweep: t0}, t0.Add(3 * m)},
		{"the sweep when it comes first", ticketSchedule{poll: 10 * m, sweep: 5 * m, lastPoll: t0, lastSweep: t0}, t0.Add(5 * m)},
		{"an outbox retry when it comes first", ticketSchedule{poll: 5 * m, sweep: 6 * time.Hour, lastPoll: t0, lastSweep: t0, outboxDue: t0.Add(30 * time.Second)}, t0.Add(30 * time.Second)},
		{"a failure's retry overrides the rest", ticketSchedule{poll: m, sweep: 6 * time.Hour, lastPoll: t0, lastSweep: t0, retryAt: t0.Add(10 * time.Second)}, t0.Add(10 * time.Second)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.next(); !got.Equal(c.want) {
				t.Fatalf("next = %v, want %v", got, c.want)
			}
		})
	}
}

// TestTicketLoop runs the ticket loop's schedule and back-off in the one
// loop shape with a fake clock: failures back off from 10 s, a success
// goes back to the poll interval, and a delivery (a run-now signal) runs a
// cycle at once without moving the poll.
func TestTicketLoop(t *testing.T) {
	const s, m = time.Second, time.Minute
	clk := newTimerClock()
	results := []error{errRefused, errRefused}
	cycles := 0
	sched := &ticketSchedule{poll: m, sweep: 6 * time.Hour, lastSweep: clk.Now(), retry: backoff.Backoff{Min: 10 * s, Max: m}}
	now := newSignal()
	l := &loop{clock: clk, now: now, wake: newSignal(), due: func() (time.Time, bool) { return sched.next(), true },
		cycle: func(context.Context) {
			cycles++
			at := clk.Now()
			poll := !at.Before(sched.nextPoll())
			if len(results) > 0 {
				results = results[1:]
				sched.failed(at, sched.retry.Next())
				return
			}
			sched.polled(at, poll, false, 0)
			sched.succeeded(time.Time{})
		}}
	waits := runObserved(t, l)
	steps := []struct {
		do   func()
		want time.Duration
	}{
		{func() {}, 0},                           // the first cycle is due at once...
		{func() { clk.advance(0) }, 10 * s},      // ...and fails
		{func() { clk.advance(10 * s) }, 20 * s}, // fails again
		{func() { clk.advance(20 * s) }, m},      // succeeds: the poll interval
		{func() { clk.advance(20 * s) }, -1},     // nothing happens
		{func() { send(now) }, 40 * s},           // a delivery: a cycle now, the poll stays where it was
		{func() { clk.advance(40 * s) }, m},
	}
	for i, st := range steps {
		st.do()
		if st.want < 0 {
			continue
		}
		select {
		case w := <-waits:
			if d := w.d; d != st.want {
				t.Fatalf("step %d: the loop waits %v, want %v", i, d, st.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("step %d: the loop started no wait", i)
		}
	}
	if cycles != 5 {
		t.Errorf("%d cycles ran, want 5", cycles)
	}
}

// TestTicketSyncIsKept: the ticket loop gets the same *sync.Tickets every
// cycle, so what it caches (status names, tickets HaloPSA keeps off its
// open list) lasts; a new connection gets a new one.
func TestTicketSyncIsKept(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 7, Clients: 3})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	first, err := a.ticketSync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := a.ticketSync(ctx); again != first {
		t.Fatal("a second cycle got a new ticket sync")
	}
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := a.ticketSync(ctx); fresh == first {
		t.Fatal("a new connection kept the old ticket sync")
	}
}
