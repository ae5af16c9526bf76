package app

import (
	"slices"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	const s, m = time.Second, time.Minute
	cases := []struct {
		name       string
		b          backoff
		steps      int
		resetAfter int // reset once after this many steps (0: never)
		want       []time.Duration
	}{
		{"doubles to the cap", backoff{min: 10 * s, max: 5 * m}, 8, 0,
			[]time.Duration{10 * s, 20 * s, 40 * s, 80 * s, 160 * s, 5 * m, 5 * m, 5 * m}},
		{"a cap that is not a doubling of min", backoff{min: time.Minute, max: 15 * m}, 6, 0,
			[]time.Duration{m, 2 * m, 4 * m, 8 * m, 15 * m, 15 * m}},
		{"reset starts over", backoff{min: 10 * s, max: m}, 5, 3,
			[]time.Duration{10 * s, 20 * s, 40 * s, 10 * s, 20 * s}},
		{"jitter at its lowest draw", backoff{min: 10 * s, max: 5 * m, jitter: 0.2, rand: func() float64 { return 0 }}, 7, 0,
			[]time.Duration{8 * s, 16 * s, 32 * s, 64 * s, 128 * s, 4 * m, 4 * m}},
		{"jitter at its middle draw", backoff{min: 10 * s, max: 5 * m, jitter: 0.2, rand: func() float64 { return 0.5 }}, 3, 0,
			[]time.Duration{9 * s, 18 * s, 36 * s}},
		{"min equal to max", backoff{min: 30 * s, max: 30 * s}, 3, 0,
			[]time.Duration{30 * s, 30 * s, 30 * s}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []time.Duration
			for i := range c.steps {
				if c.resetAfter > 0 && i == c.resetAfter {
					c.b.reset()
				}
				got = append(got, c.b.next())
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("delays %v, want %v", got, c.want)
			}
		})
	}
}

// TestBackoffStaysInBounds draws real jitter many times, long past the
// point where min<<failures would overflow.
func TestBackoffStaysInBounds(t *testing.T) {
	b := backoff{min: 10 * time.Second, max: 5 * time.Minute, jitter: 0.2}
	for i := range 200 {
		d := b.next()
		nominal := min(10*time.Second<<min(i, 20), 5*time.Minute)
		if d > nominal || d < nominal*8/10 {
			t.Fatalf("delay %d = %v, want within 80..100%% of %v", i+1, d, nominal)
		}
	}
}
