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
