package halo

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// memLedger is a SharedLedger in memory: budgets sharing one stand for
// processes sharing a database. It drops slots the way the store does.
type memLedger struct {
	mu     sync.Mutex
	next   int64
	slots  map[int64][2]time.Time // start, end (zero while in flight)
	st     LedgerState            // the 429 fields only
	broken bool                   // every call fails
}

var errBroken = errors.New("the ledger is broken")

func newMemLedger() *memLedger { return &memLedger{slots: map[int64][2]time.Time{}} }

func (l *memLedger) load(now time.Time, window time.Duration) *LedgerState {
	s := l.st
	s.Done, s.InFlight = nil, 0
	for id, sl := range l.slots {
		switch {
		case sl[1].IsZero() && !sl[0].After(now.Add(-InFlightHorizon(window))),
			!sl[1].IsZero() && !sl[1].After(now.Add(-window)):
			delete(l.slots, id)
		case sl[1].IsZero():
			s.InFlight++
		default:
			s.Done = append(s.Done, sl[1])
		}
	}
	slices.SortFunc(s.Done, func(a, b time.Time) int { return a.Compare(b) })
	return &s
}

func (l *memLedger) Reserve(_ context.Context, now time.Time, window time.Duration, take func(*LedgerState) bool) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken {
		return 0, errBroken
	}
	if !take(l.load(now, window)) {
		return 0, nil
	}
	l.next++
	l.slots[l.next] = [2]time.Time{now}
	return l.next, nil
}

func (l *memLedger) Finish(_ context.Context, slot int64, at time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken {
		return errBroken
	}
	if sl, ok := l.slots[slot]; ok {
		l.slots[slot] = [2]time.Time{sl[0], at}
	}
	return nil
}

func (l *memLedger) Update(_ context.Context, now time.Time, window time.Duration, fn func(*LedgerState)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken {
		return errBroken
	}
	s := l.load(now, window)
	fn(s)
	l.st = LedgerState{Blocked: s.Blocked, Backoff: s.Backoff, Learned: s.Learned, LearnedAt: s.LearnedAt}
	return nil
}

// twoProcesses returns two budgets sharing one ledger on one fake clock.
func twoProcesses(limit int, window time.Duration) (a, b *Budget, l *memLedger, now *time.Time) {
	t0 := time.Unix(1000, 0)
	now = &t0
	l = newMemLedger()
	a, b = NewBudget(limit, window), NewBudget(limit, window)
	for _, x := range []*Budget{a, b} {
		x.now = func() time.Time { return *now }
		x.Share(l)
	}
	return a, b, l, now
}

// cancelled is a context whose Acquire decides once and returns.
func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestSharedBudgetCountsTheOtherProcess(t *testing.T) {
	a, b, _, now := twoProcesses(3, time.Minute)
	t0 := *now
	rec := &waitRecorder{}
	b.OnWait(time.Second, rec.fn)
	for range 2 {
		release, err := a.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	holding, _ := a.Acquire(context.Background()) // in flight when b asks
	*now = t0.Add(10 * time.Second)
	if _, err := b.Acquire(cancelled()); err == nil {
		t.Fatal("b took a fourth slot in a window a had filled")
	}
	if got := rec.take(); len(got) != 1 || got[0] != (waitCall{t0.Add(time.Minute), WaitWindow}) {
		t.Fatalf("b's wait notices = %+v, want one until a's first request leaves the window", got)
	}
	// A window later a's answered requests are gone; the one in flight
	// counts a twentieth of a window longer, as a crashed process's would.
	*now = t0.Add(time.Minute)
	for range 2 {
		release, err := b.Acquire(cancelled())
		if err != nil {
			t.Fatalf("a window later: %v", err)
		}
		release()
	}
	if _, err := b.Acquire(cancelled()); err == nil {
		t.Fatal("b took the slot of a's request still in flight")
	}
	*now = t0.Add(time.Minute + 3*time.Second)
	release, err := b.Acquire(cancelled())
	if err != nil {
		t.Fatalf("a's request in flight still counts a window and a twentieth after its start: %v", err)
	}
	release()
	holding() // too late to count: the ledger dropped it
	if _, err := a.Acquire(cancelled()); err == nil {
		t.Fatal("a took a slot b filled")
	}
}

func TestSharedBudgetShares429s(t *testing.T) {
	a, b, l, now := twoProcesses(300, 10*time.Second)
	t0 := *now
	for range 5 {
		release, _ := b.Acquire(context.Background())
		release()
	}
	if got := a.Penalize(0, 0); got != time.Second {
		t.Fatalf("a's pause = %v, want window/10", got)
	}
	if l.st.Learned != 5 {
		t.Fatalf("learned limit = %d, want the 5 requests b made in the window", l.st.Learned)
	}
	rec := &waitRecorder{}
	b.OnWait(100*time.Millisecond, rec.fn)
	if _, err := b.Acquire(cancelled()); err == nil {
		t.Fatal("b sent a request during a's pause")
	}
	if got := rec.take(); len(got) != 1 || got[0] != (waitCall{t0.Add(time.Second), WaitPenalty}) {
		t.Fatalf("b's wait notices = %+v, want a's pause", got)
	}
	*now = t0.Add(500 * time.Millisecond)
	if got := b.Penalize(0, 0); got != 500*time.Millisecond {
		t.Fatalf("b's 429 during a's pause = %v, want the rest of that pause, not a longer one", got)
	}
	*now = t0.Add(2 * time.Second)
	if got := b.Penalize(0, 0); got != 2*time.Second {
		t.Fatalf("the next 429 after the pause = %v, want the doubled back-off", got)
	}
	*now = t0.Add(11 * time.Second) // b's five left the window
	release, err := a.Acquire(cancelled())
	if err != nil {
		t.Fatalf("a after the pause: %v", err)
	}
	release()
	a.Succeeded()
	if l.st.Backoff != 0 {
		t.Fatalf("shared back-off after a success = %v, want reset", l.st.Backoff)
	}
	*now = t0.Add(12 * time.Second)
	if got := b.Penalize(0, 0); got != time.Second {
		t.Fatalf("b's 429 after a's success = %v, want the first pause again", got)
	}
}

func TestSharedBudgetWithoutItsLedger(t *testing.T) {
	a, _, l, _ := twoProcesses(2, time.Hour)
	l.broken = true
	for range 2 {
		release, err := a.Acquire(context.Background())
		if err != nil {
			t.Fatalf("a broken ledger stopped a request: %v", err)
		}
		release()
	}
	if _, err := a.Acquire(cancelled()); err == nil {
		t.Fatal("without its ledger the budget stopped counting its own requests")
	}
	if got := a.Penalize(0, 0); got != 6*time.Minute {
		t.Fatalf("pause without the ledger = %v, want window/10", got)
	}
}

// TestSharedBudgetNeverExceedsTheWindow is TestBudgetNeverExceedsTheWindow
// with the requests split over two budgets sharing a ledger, on the real
// clock: waiters on the other budget's in-flight requests poll.
func TestSharedBudgetNeverExceedsTheWindow(t *testing.T) {
	const limit, window, total = 5, 150 * time.Millisecond, 17
	l := newMemLedger()
	budgets := []*Budget{NewBudget(limit, window), NewBudget(limit, window)}
	for _, b := range budgets {
		b.Share(l)
	}
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	for i := range total {
		wg.Go(func() {
			release, err := budgets[i%2].Acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			time.Sleep(5 * time.Millisecond) // the request's latency
			release()
		})
	}
	wg.Wait()
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	for i := range starts {
		in := 0
		for j := i; j < len(starts) && starts[j].Sub(starts[i]) < window; j++ {
			in++
		}
		if in > limit {
			t.Fatalf("%d requests started within one %v window; limit %d", in, window, limit)
		}
	}
}
