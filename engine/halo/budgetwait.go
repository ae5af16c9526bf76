package halo

import (
	"sync"
	"time"
)

// DefaultWaitNotice is the shortest budget wait a WaitFunc hears of by
// default: shorter ones pass before anyone could read about them.
const DefaultWaitNotice = 5 * time.Second

// WaitReason says why the budget holds requests back.
type WaitReason int

// The reasons for a wait.
const (
	// WaitWindow: the rolling window already holds as many requests as the
	// limit allows, so the next one waits for the oldest to leave it.
	WaitWindow WaitReason = iota + 1
	// WaitPenalty: HaloPSA answered 429, so every request pauses.
	WaitPenalty
)

// String says the reason in a few plain words.
func (r WaitReason) String() string {
	switch r {
	case WaitWindow:
		return "the requests allowed per window are used up"
	case WaitPenalty:
		return "HaloPSA answered 429 Too Many Requests"
	}
	return "requests flow"
}

// WaitFunc hears about the budget's long waits: once when requests start
// waiting until until, again when that wait grows (a second 429), and with
// a zero until and reason once a request gets through again. It is called
// outside the budget's lock, one call at a time and in order; it must
// return quickly and must not make requests itself.
type WaitFunc func(until time.Time, reason WaitReason)

// OnWait makes fn hear about every wait of at least notice (a non-positive
// notice means DefaultWaitNotice); a nil fn hears nothing. It is safe to
// call at any time.
func (b *Budget) OnWait(notice time.Duration, fn WaitFunc) {
	if notice <= 0 {
		notice = DefaultWaitNotice
	}
	b.mu.Lock()
	b.waits.notice, b.waits.fn = notice, fn
	b.mu.Unlock()
}

// waitNotices decides which waits are worth telling about. Its fields but
// the delivery ones are guarded by the budget's mu.
type waitNotices struct {
	notice time.Duration
	fn     WaitFunc
	until  time.Time // the wait told about; zero when requests flow
	seq    uint64    // numbers the notices in the order they were decided

	deliverMu sync.Mutex // one call of fn at a time
	delivered uint64     // the newest notice delivered
}

// notice is one call of the WaitFunc, decided under the budget's lock and
// delivered after it is released.
type notice struct {
	fn     WaitFunc
	seq    uint64
	until  time.Time
	reason WaitReason
}

// waiting notes that a request must wait for wait (negative: until a slot
// completes, which says nothing about how long). It returns a notice when
// this starts a long wait or pushes the told one out by more than a
// second; waiters queued behind the same wait are not news. Callers hold
// the budget's mu.
func (w *waitNotices) waiting(now time.Time, wait time.Duration, reason WaitReason) *notice {
	if w.fn == nil || wait < w.notice {
		return nil
	}
	until := now.Add(wait)
	if !w.until.IsZero() && !until.After(w.until.Add(time.Second)) {
		return nil
	}
	w.until = until
	w.seq++
	return &notice{fn: w.fn, seq: w.seq, until: until, reason: reason}
}

// flowing notes that a request got its slot, which ends a told wait.
// Callers hold the budget's mu.
func (w *waitNotices) flowing() *notice {
	if w.until.IsZero() {
		return nil
	}
	w.until = time.Time{}
	w.seq++
	return &notice{fn: w.fn, seq: w.seq}
}

// deliver calls the WaitFunc with n, outside the budget's lock. A notice
// overtaken by a newer one on another goroutine is dropped, so the
// listener never sees "waiting" after the "flowing" that ended it.
func (w *waitNotices) deliver(n *notice) {
	if n == nil || n.fn == nil {
		return
	}
	w.deliverMu.Lock()
	defer w.deliverMu.Unlock()
	if n.seq <= w.delivered {
		return
	}
	w.delivered = n.seq
	n.fn(n.until, n.reason)
}
