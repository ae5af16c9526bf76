package halo

import (
	"context"
	"sync"
	"time"
)

// Budget paces requests so that at most Limit of them fall in any rolling
// Window, the way HaloPSA counts them (300 per rolling 5 minutes on most
// hosted tenants). It is safe for concurrent use.
//
// A request counts from the moment it is sent; once it completes its time
// becomes the completion time. HaloPSA saw it somewhere in between, so
// counting from completion never frees a slot before HaloPSA does, without
// guessing a safety margin. When a 429 arrives anyway (another tool shares
// the quota, or the tenant's limit is lower than configured), Penalize
// stops every request for a back-off that grows while 429s keep coming.
type Budget struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	done      []time.Time // completion times within the window, oldest first
	inFlight  int
	blocked   time.Time     // no request starts before this
	backoff   time.Duration // the next Penalize's pause
	learned   int           // a lower limit learned from a 429, 0 when none
	learnedAt time.Time     // when; it is forgotten after two quiet windows
	changed   chan struct{} // closed and replaced when a slot may have freed

	waits waitNotices // who hears about long waits
}

// NewBudget returns a budget of limit requests per rolling window.
// A limit below 1 means no limit.
func NewBudget(limit int, window time.Duration) *Budget {
	return &Budget{limit: limit, window: window, now: time.Now, changed: make(chan struct{})}
}

// Limit returns the configured limit.
func (b *Budget) Limit() int { return b.limit }

// Window returns the rolling window the limit applies to.
func (b *Budget) Window() time.Duration { return b.window }

// minBackoff and maxBackoff bound the pause after a 429: a tenth and a fifth
// of the window (30 s and 60 s for the usual 5 minutes), since HaloPSA sends
// no Retry-After and a 5 s retry is known not to escape the window.
func (b *Budget) minBackoff() time.Duration { return max(b.window/10, 100*time.Millisecond) }
func (b *Budget) maxBackoff() time.Duration { return max(b.window/5, 200*time.Millisecond) }

// Acquire waits until a request may be sent and reserves a slot for it.
// The caller must call the returned release func once the request has
// completed (whatever its outcome).
func (b *Budget) Acquire(ctx context.Context) (release func(), err error) {
	if b.limit < 1 {
		return func() {}, ctx.Err()
	}
	for {
		b.mu.Lock()
		now := b.now()
		b.prune(now)
		var wait time.Duration
		var reason WaitReason
		switch {
		case now.Before(b.blocked):
			wait, reason = b.blocked.Sub(now), WaitPenalty
		case len(b.done)+b.inFlight < b.effectiveLimit(now):
			b.inFlight++
			n := b.waits.flowing()
			b.mu.Unlock()
			b.waits.deliver(n)
			return b.releaser(), nil
		case len(b.done) > 0:
			wait, reason = b.done[0].Add(b.window).Sub(now), WaitWindow
		default:
			wait = -1 // every slot is in flight: wait for one to complete
		}
		n := b.waits.waiting(now, wait, reason)
		changed := b.changed
		b.mu.Unlock()
		b.waits.deliver(n)

		if err := sleepOrSignal(ctx, wait, changed); err != nil {
			return nil, err
		}
	}
}

// sleepOrSignal waits for wait (forever when negative), a signal on changed,
// or ctx, whichever comes first.
func sleepOrSignal(ctx context.Context, wait time.Duration, changed <-chan struct{}) error {
	var timer <-chan time.Time
	if wait >= 0 {
		t := time.NewTimer(wait + time.Millisecond)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-timer:
	}
	return nil
}

func (b *Budget) releaser() func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.inFlight--
			b.done = append(b.done, b.now())
			b.signal()
			b.mu.Unlock()
		})
	}
}

// effectiveLimit is the configured limit, or the lower one a recent 429
// taught. Callers hold mu.
func (b *Budget) effectiveLimit(now time.Time) int {
	if b.learned > 0 && now.Sub(b.learnedAt) < 2*b.window {
		return b.learned
	}
	b.learned = 0
	return b.limit
}

// prune drops completions older than the window. Callers hold mu.
func (b *Budget) prune(now time.Time) {
	cut := 0
	for cut < len(b.done) && !b.done[cut].Add(b.window).After(now) {
		cut++
	}
	if cut > 0 {
		b.done = append(b.done[:0], b.done[cut:]...)
	}
}

// signal wakes every waiter. Callers hold mu.
func (b *Budget) signal() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// Penalize records a 429 and pauses every request. retryAfter, when
// HaloPSA sent one, wins over the computed back-off. serverLimit is the
// limit HaloPSA named in its message, 0 when unknown. A 429 also means
// HaloPSA's window is fuller than this budget knew (another tool shares
// the quota, or the tenant's limit is lower), so the budget lowers its own
// limit to what the window held, until two windows pass without a 429.
// It returns the pause.
func (b *Budget) Penalize(retryAfter time.Duration, serverLimit int) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	learned := max(1, len(b.done))
	if serverLimit > 0 {
		learned = min(learned, serverLimit)
	}
	if learned < b.effectiveLimit(now) {
		b.learned = learned
	}
	if b.learned > 0 {
		b.learnedAt = now
	}
	if now.Before(b.blocked) && retryAfter <= 0 {
		// Requests that were in flight when the first 429 came: the
		// pause is already running, so don't escalate it once each.
		return b.blocked.Sub(now)
	}
	pause := retryAfter
	if pause <= 0 {
		if b.backoff == 0 {
			b.backoff = b.minBackoff()
		}
		pause = b.backoff
		b.backoff = min(b.backoff*2, b.maxBackoff())
	}
	if until := now.Add(pause); until.After(b.blocked) {
		b.blocked = until
	}
	return pause
}

// Succeeded resets the back-off after a request got through.
func (b *Budget) Succeeded() {
	b.mu.Lock()
	b.backoff = 0
	b.mu.Unlock()
}
