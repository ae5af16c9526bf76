package halo

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestBudgetNeverExceedsTheWindow fires more requests than the limit from
// many goroutines and checks that no rolling window ever held more than
// the limit, counting each request from its start to its completion.
func TestBudgetNeverExceedsTheWindow(t *testing.T) {
	const limit, window, total = 5, 150 * time.Millisecond, 17
	b := NewBudget(limit, window)
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	for range total {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := b.Acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			time.Sleep(5 * time.Millisecond) // the request's latency
			release()
		}()
	}
	wg.Wait()
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	for i := range starts {
		in := 0
		for j := i; j < len(starts) && starts[j].Sub(starts[i]) < window; j++ {
			in++
		}
		if in > limit {
			t.Fatalf("%d requests started within one %v window; limit %d", in, window, limit)
		}
	}
	// 17 requests at 5 per window need at least three full windows.
	if span := starts[len(starts)-1].Sub(starts[0]); span < 3*window {
		t.Fatalf("17 requests spanned %v; at 5 per %v they need 3 windows", span, window)
	}
}

func TestBudgetPenaltyGrowsAndResets(t *testing.T) {
	b := NewBudget(300, 10*time.Second)
	now := time.Unix(1000, 0)
	b.now = func() time.Time { return now }
	if got := b.Penalize(0, 0); got != time.Second {
		t.Fatalf("first pause = %v, want window/10", got)
	}
	if got := b.Penalize(0, 0); got != time.Second {
		t.Fatalf("a 429 during the pause must not escalate it: %v", got)
	}
	now = now.Add(2 * time.Second)
	if got := b.Penalize(0, 0); got != 2*time.Second {
		t.Fatalf("second pause = %v, want doubled", got)
	}
	now = now.Add(3 * time.Second)
	if got := b.Penalize(0, 0); got != 2*time.Second {
		t.Fatalf("third pause = %v, want capped at window/5", got)
	}
	b.Succeeded()
	now = now.Add(3 * time.Second)
	if got := b.Penalize(0, 0); got != time.Second {
		t.Fatalf("after a success the pause = %v, want reset", got)
	}
	now = now.Add(3 * time.Second)
	if got := b.Penalize(7*time.Second, 0); got != 7*time.Second {
		t.Fatalf("Retry-After pause = %v", got)
	}
}

func TestBudgetAcquireHonoursCancel(t *testing.T) {
	b := NewBudget(1, time.Hour)
	release, _ := b.Acquire(context.Background())
	release()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := b.Acquire(ctx); err == nil {
		t.Fatal("second request in a 1-per-hour budget did not wait")
	}
}

func TestBudgetLearnsALowerLimitFrom429(t *testing.T) {
	b := NewBudget(300, time.Second)
	now := time.Unix(1000, 0)
	b.now = func() time.Time { return now }
	for range 12 {
		release, _ := b.Acquire(context.Background())
		release()
	}
	b.Penalize(0, 0) // the window held 12 when HaloPSA said no
	if got := b.effectiveLimit(now); got != 12 {
		t.Fatalf("limit after a 429 with 12 in the window = %d", got)
	}
	b.Penalize(0, 5) // HaloPSA named its limit
	if got := b.effectiveLimit(now); got != 5 {
		t.Fatalf("limit after \"5 Requests per ...\" = %d", got)
	}
	now = now.Add(2 * time.Second)
	if got := b.effectiveLimit(now); got != 300 {
		t.Fatalf("limit two quiet windows later = %d, want the configured 300", got)
	}
}

func TestStatedLimit(t *testing.T) {
	for body, want := range map[string]int{
		"Rate Limit Reached - 300 Requests per rolling 5 minute window": 300,
		"Too many requests":         0,
		"Rate Limit Reached - many": 0,
	} {
		if got := statedLimit([]byte(body)); got != want {
			t.Errorf("statedLimit(%q) = %d, want %d", body, got, want)
		}
	}
}

// waitCall is one call of a WaitFunc.
type waitCall struct {
	until  time.Time
	reason WaitReason
}

// waitRecorder collects a budget's wait notices.
type waitRecorder struct {
	mu    sync.Mutex
	calls []waitCall
}

func (r *waitRecorder) fn(until time.Time, reason WaitReason) {
	r.mu.Lock()
	r.calls = append(r.calls, waitCall{until, reason})
	r.mu.Unlock()
}

// take returns the calls since the last take.
func (r *waitRecorder) take() []waitCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// TestBudgetTellsAboutLongWaits drives the budget with a fake clock. An
// Acquire with a cancelled context computes its wait once, tells about it,
// and returns, so every step is synchronous.
func TestBudgetTellsAboutLongWaits(t *testing.T) {
	t0 := time.Unix(1000, 0)
	now := t0
	b := NewBudget(2, time.Minute)
	b.now = func() time.Time { return now }
	rec := &waitRecorder{}
	b.OnWait(5*time.Second, rec.fn)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	acquire := func() {
		if release, err := b.Acquire(context.Background()); err == nil {
			release()
		} else {
			t.Fatal(err)
		}
	}
	wantCalls := func(step string, want ...waitCall) {
		t.Helper()
		got := rec.take()
		if len(got) != len(want) {
			t.Fatalf("%s: calls %+v, want %+v", step, got, want)
		}
		for i := range got {
			if !got[i].until.Equal(want[i].until) || got[i].reason != want[i].reason {
				t.Fatalf("%s: call %d = %+v, want %+v", step, i, got[i], want[i])
			}
		}
	}

	acquire()
	acquire()
	wantCalls("two requests within the limit")
	now = t0.Add(10 * time.Second)
	if _, err := b.Acquire(cancelled); err == nil {
		t.Fatal("a third request in a full window did not wait")
	}
	wantCalls("the window is full", waitCall{t0.Add(time.Minute), WaitWindow})
	now = t0.Add(11 * time.Second)
	_, _ = b.Acquire(cancelled)
	wantCalls("a second waiter behind the same wait")
	now = t0.Add(time.Minute)
	acquire()
	wantCalls("the oldest request left the window", waitCall{})
	acquire() // the second slot frees at the same moment
	now = now.Add(57 * time.Second)
	_, _ = b.Acquire(cancelled)
	wantCalls("a wait of 3 s, below the notice")

	// A 429 pauses every request; a second one, after the pause, doubles it.
	b = NewBudget(300, 5*time.Minute)
	b.now = func() time.Time { return now }
	b.OnWait(0, rec.fn) // the default notice, 5 s
	start := now
	b.Penalize(0, 0)
	_, _ = b.Acquire(cancelled)
	wantCalls("after a 429", waitCall{start.Add(30 * time.Second), WaitPenalty})
	now = start.Add(31 * time.Second)
	b.Penalize(0, 0)
	_, _ = b.Acquire(cancelled)
	wantCalls("after a second 429", waitCall{now.Add(60 * time.Second), WaitPenalty})
	now = now.Add(61 * time.Second)
	acquire() // one: the 429 taught the budget a limit of what the window held
	wantCalls("requests flow again", waitCall{})
}

// TestBudgetWaitNoticesInOrder checks, under the race detector, that many
// goroutines waiting on a small budget make well-formed notices: a wait
// always comes before the "flowing" that ends it, and the last word is
// "flowing".
func TestBudgetWaitNoticesInOrder(t *testing.T) {
	b := NewBudget(3, 200*time.Millisecond)
	rec := &waitRecorder{}
	b.OnWait(50*time.Millisecond, rec.fn)
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			release, err := b.Acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			release()
		})
	}
	wg.Wait()
	calls := rec.take()
	if len(calls) < 2 {
		t.Fatalf("12 requests at 3 per 200 ms told of %d waits; want at least one wait and its end", len(calls))
	}
	waiting := false
	for i, c := range calls {
		switch {
		case c.until.IsZero() && !waiting:
			t.Fatalf("call %d says requests flow again, but no wait was told: %+v", i, calls)
		case c.until.IsZero():
			waiting = false
		default:
			waiting = true
		}
	}
	if waiting {
		t.Fatalf("the last notice is a wait: %+v", calls)
	}
}
