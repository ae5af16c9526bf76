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
//
// Alone, a budget knows only this process's requests. Shared through a
// SharedLedger (see Share), it counts every process's requests and 429s
// for the same HaloPSA, so that a process started right after another
// does not meet the 429s the other's requests earned.
type Budget struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu            sync.Mutex
	st            LedgerState   // this process's own requests and 429s
	changed       chan struct{} // closed and replaced when a slot may have freed
	ledger        SharedLedger  // other processes' requests too; nil when none
	sharedBackoff bool          // the ledger's back-off was set when last read

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
	b.mu.Lock()
	l := b.ledger
	b.mu.Unlock()
	if l != nil {
		return b.acquireShared(ctx, l)
	}
	return b.acquireLocal(ctx)
}

// acquireLocal is Acquire counting this process's requests only.
func (b *Budget) acquireLocal(ctx context.Context) (release func(), err error) {
	for {
		b.mu.Lock()
		now := b.now()
		take, wait, reason := b.st.decide(now, b.limit, b.window)
		if take {
			b.st.InFlight++
			n := b.waits.flowing()
			b.mu.Unlock()
			b.waits.deliver(n)
			return b.releaser(nil, 0), nil
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

// decide says whether a request may start now under limit per window,
// and if not how long to wait (negative: until an in-flight one
// completes) and why. It drops completions older than the window.
func (s *LedgerState) decide(now time.Time, limit int, window time.Duration) (take bool, wait time.Duration, reason WaitReason) {
	s.prune(now, window)
	switch {
	case now.Before(s.Blocked):
		return false, s.Blocked.Sub(now), WaitPenalty
	case len(s.Done)+s.InFlight < s.effectiveLimit(now, limit, window):
		return true, 0, 0
	case len(s.Done) > 0:
		return false, s.Done[0].Add(window).Sub(now), WaitWindow
	}
	return false, -1, 0 // every slot is in flight: wait for one to complete
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

// releaser returns the release func of a slot; slot is its id in l, or
// 0 when only this process counts it.
func (b *Budget) releaser(l SharedLedger, slot int64) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			at := b.now()
			if slot > 0 {
				// Before waking local waiters, so that they find the slot
				// free in the ledger. On failure the slot stays in flight
				// until the ledger expires it a window after its start.
				ctx, cancel := context.WithTimeout(context.Background(), ledgerTimeout)
				_ = l.Finish(ctx, slot, at)
				cancel()
			}
			b.mu.Lock()
			b.st.InFlight--
			b.st.Done = append(b.st.Done, at)
			b.st.prune(at, b.window) // shared, nothing else prunes it
			b.signal()
			b.mu.Unlock()
		})
	}
}

// effectiveLimit is the configured limit, or the lower one a recent 429
// taught. Callers hold mu.
func (b *Budget) effectiveLimit(now time.Time) int {
	return b.st.effectiveLimit(now, b.limit, b.window)
}

// effectiveLimit is limit, or the lower one a 429 taught less than two
// windows ago.
func (s *LedgerState) effectiveLimit(now time.Time, limit int, window time.Duration) int {
	if s.Learned > 0 && now.Sub(s.LearnedAt) < 2*window {
		return s.Learned
	}
	s.Learned = 0
	return limit
}

// prune drops completions older than the window.
func (s *LedgerState) prune(now time.Time, window time.Duration) {
	cut := 0
	for cut < len(s.Done) && !s.Done[cut].Add(window).After(now) {
		cut++
	}
	if cut > 0 {
		s.Done = append(s.Done[:0], s.Done[cut:]...)
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
	now := b.now()
	pause := b.st.penalize(now, retryAfter, serverLimit, b.limit, b.window, b.minBackoff(), b.maxBackoff())
	l := b.ledger
	b.mu.Unlock()
	if l != nil {
		// The ledger's window holds every process's requests, so it
		// learns the better limit; and one process's 429 pauses all.
		if shared, ok := b.penalizeShared(l, now, retryAfter, serverLimit); ok {
			pause = shared
		}
	}
	return pause
}

// penalize applies a 429 at now to s and returns the pause.
func (s *LedgerState) penalize(now time.Time, retryAfter time.Duration, serverLimit, limit int, window, minBackoff, maxBackoff time.Duration) time.Duration {
	s.prune(now, window)
	learned := max(1, len(s.Done))
	if serverLimit > 0 {
		learned = min(learned, serverLimit)
	}
	if learned < s.effectiveLimit(now, limit, window) {
		s.Learned = learned
	}
	if s.Learned > 0 {
		s.LearnedAt = now
	}
	if now.Before(s.Blocked) && retryAfter <= 0 {
		// Requests that were in flight when the first 429 came: the
		// pause is already running, so don't escalate it once each.
		return s.Blocked.Sub(now)
	}
	pause := retryAfter
	if pause <= 0 {
		if s.Backoff == 0 {
			s.Backoff = minBackoff
		}
		pause = s.Backoff
		// Not a backoff.Backoff: this back-off is state every process on
		// the machine shares through the request ledger, kept as the
		// current delay, and escalated once per penalty, not per failure.
		s.Backoff = min(s.Backoff*2, maxBackoff)
	}
	if until := now.Add(pause); until.After(s.Blocked) {
		s.Blocked = until
	}
	return pause
}

// Succeeded resets the back-off after a request got through.
func (b *Budget) Succeeded() {
	b.mu.Lock()
	b.st.Backoff = 0
	l, reset := b.ledger, b.sharedBackoff
	b.sharedBackoff = false
	b.mu.Unlock()
	if l != nil && reset {
		b.resetShared(l)
	}
}
