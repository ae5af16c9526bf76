// Package backoff is HaloSync's one retry delay, shared by every retry in
// the app and the engine: a delay that doubles after each failure from a
// minimum up to a maximum, with optional jitter.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Backoff is a retry delay that doubles after each failure from Min up to
// Max, and starts over after Reset. Each delay is drawn from the lower
// Jitter fraction below its nominal value (with Jitter 0.2, 10 s becomes
// 8..10 s; with 1, anywhere below it: "full jitter"), so that loops,
// parallel requests or many installs do not retry in step, and no delay
// ever exceeds Max. A Backoff counts its own failures (Next, Reset); Nth
// serves retries counted elsewhere, such as an outbox row's attempts. It is
// not safe for concurrent use.
type Backoff struct {
	Min, Max time.Duration
	Jitter   float64        // 0..1
	Rand     func() float64 // in [0, 1); nil means math/rand/v2
	failures int
}

// Next records one more failure and returns how long to wait before the
// next attempt.
func (b *Backoff) Next() time.Duration {
	b.failures++
	return b.Nth(b.failures)
}

// Reset starts the delays over from Min, after a success.
func (b *Backoff) Reset() { b.failures = 0 }

// Nth returns the delay before retry n (1 for the first), without
// counting a failure. A Max below Min means Min.
func (b *Backoff) Nth(n int) time.Duration {
	d, ceiling := b.Min, max(b.Max, b.Min)
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2 // doubling step by step cannot overflow, unlike Min<<n
	}
	d = min(d, ceiling)
	if b.Jitter <= 0 {
		return d
	}
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	spread := time.Duration(float64(d) * min(b.Jitter, 1))
	return d - spread + time.Duration(r()*float64(spread))
}
