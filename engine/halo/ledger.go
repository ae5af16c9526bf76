package halo

import (
	"context"
	"time"
)

// LedgerState is a request budget's state for one HaloPSA as a SharedLedger
// keeps it: the requests every sharing process sent in the last window,
// and what 429s taught.
type LedgerState struct {
	Done      []time.Time   // completion times within the window, oldest first
	InFlight  int           // requests sent within the window and not answered yet
	Blocked   time.Time     // no request starts before this
	Backoff   time.Duration // the next 429's pause
	Learned   int           // a lower limit learned from a 429, 0 when none
	LearnedAt time.Time     // when; it is forgotten after two quiet windows
}

// SharedLedger keeps a Budget's state where other processes talking to the
// same HaloPSA see it, so that a process started a minute after another
// knows what that one already spent of the rolling window. Every method
// must be atomic against every process sharing the ledger.
//
// A process that dies mid-request never finishes its slots, so an
// in-flight slot counts for a window and a twentieth after its start at
// most (InFlightHorizon): HaloPSA counted the request when it arrived, a
// little after its start, and forgets it a window later. A live request
// is never in flight that long (the HTTP timeout is far shorter than
// HaloPSA's window).
type SharedLedger interface {
	// Reserve reads the state as of now (answered slots dropped a window
	// after their answer, unanswered ones InFlightHorizon after their
	// start), calls take with it and, when take says yes, records an in-flight
	// slot started at now, all in one atomic step. It returns the slot's
	// id, or 0 when take said no.
	Reserve(ctx context.Context, now time.Time, window time.Duration, take func(*LedgerState) bool) (slot int64, err error)
	// Finish records that slot completed at at.
	Finish(ctx context.Context, slot int64, at time.Time) error
	// Update reads the state as of now, lets fn change its 429 fields
	// (Blocked, Backoff, Learned, LearnedAt) and stores them, atomically.
	Update(ctx context.Context, now time.Time, window time.Duration, fn func(*LedgerState)) error
}

// InFlightHorizon is how long after its start a SharedLedger counts a
// slot that was never finished: the window, and a twentieth of it for
// the time the request may have taken to reach HaloPSA.
func InFlightHorizon(window time.Duration) time.Duration { return window + window/20 }

// ledgerTimeout bounds a ledger write that has no caller's context (a
// release, a 429): the store's own busy timeout is shorter.
const ledgerTimeout = 15 * time.Second

// Share makes the budget count through l: every process sharing l then
// sees the others' requests and 429s. Call it before the first Acquire.
// When the ledger fails (a broken database, say) the budget paces by this
// process's own requests rather than stop every request.
func (b *Budget) Share(l SharedLedger) {
	b.mu.Lock()
	b.ledger = l
	b.mu.Unlock()
}

// pollEvery is how often a request waiting only on other processes'
// in-flight requests looks again: their answers wake nobody here.
func (b *Budget) pollEvery() time.Duration {
	return min(max(b.window/100, 10*time.Millisecond), 250*time.Millisecond)
}

// acquireShared is Acquire through the ledger.
func (b *Budget) acquireShared(ctx context.Context, l SharedLedger) (release func(), err error) {
	for {
		now := b.now()
		var wait time.Duration
		var reason WaitReason
		var backoff time.Duration
		slot, err := l.Reserve(ctx, now, b.window, func(s *LedgerState) bool {
			var take bool
			take, wait, reason = s.decide(now, b.limit, b.window)
			backoff = s.Backoff
			return take
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return b.acquireLocal(ctx)
		}
		b.mu.Lock()
		b.sharedBackoff = backoff > 0
		if slot > 0 {
			b.st.InFlight++
			n := b.waits.flowing()
			b.mu.Unlock()
			b.waits.deliver(n)
			return b.releaser(l, slot), nil
		}
		n := b.waits.waiting(now, wait, reason)
		changed := b.changed
		b.mu.Unlock()
		b.waits.deliver(n)
		if wait < 0 {
			wait = b.pollEvery()
		}
		if err := sleepOrSignal(ctx, wait, changed); err != nil {
			return nil, err
		}
	}
}

// penalizeShared applies a 429 to the ledger's state; ok is false when the
// ledger failed and only the local state knows.
func (b *Budget) penalizeShared(l SharedLedger, now time.Time, retryAfter time.Duration, serverLimit int) (pause time.Duration, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), ledgerTimeout)
	defer cancel()
	err := l.Update(ctx, now, b.window, func(s *LedgerState) {
		pause = s.penalize(now, retryAfter, serverLimit, b.limit, b.window, b.minBackoff(), b.maxBackoff())
	})
	return pause, err == nil
}

// resetShared clears the ledger's back-off after a success.
func (b *Budget) resetShared(l SharedLedger) {
	ctx, cancel := context.WithTimeout(context.Background(), ledgerTimeout)
	defer cancel()
	_ = l.Update(ctx, b.now(), b.window, func(s *LedgerState) { s.Backoff = 0 })
}
