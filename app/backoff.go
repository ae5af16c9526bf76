package app

import (
	"math/rand/v2"
	"time"
)

// backoff is a retry delay that doubles after each failure from min up to
// max, and starts over after reset. Each delay is drawn from the lower
// jitter fraction below its nominal value (with jitter 0.2, 10 s becomes
// 8..10 s), so two loops, or many installs, do not retry in step, and no
// delay ever exceeds max. It is not safe for concurrent use.
type backoff struct {
	min, max time.Duration
	jitter   float64        // 0..1
	rand     func() float64 // in [0, 1); nil means math/rand/v2
	failures int
}

// next records one more failure and returns how long to wait before the
// next attempt.
func (b *backoff) next() time.Duration {
	b.failures++
	d := b.min
	for i := 1; i < b.failures && d < b.max; i++ {
		d *= 2 // doubling step by step cannot overflow, unlike min<<failures
	}
	d = min(d, b.max)
	if b.jitter <= 0 {
		return d
	}
	r := rand.Float64
	if b.rand != nil {
		r = b.rand
	}
	spread := time.Duration(float64(d) * min(b.jitter, 1))
	return d - spread + time.Duration(r()*float64(spread))
}

// reset starts the delays over from min, after a success.
func (b *backoff) reset() { b.failures = 0 }
