package backoff

import (
	"slices"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	const s, m = time.Second, time.Minute
	cases := []struct {
		name       string
		b          Backoff
		steps      int
		resetAfter int // reset once after this many steps (0: never)
		want       []time.Duration
	}{
		{"doubles to the cap", Backoff{Min: 10 * s, Max: 5 * m}, 8, 0,
			[]time.Duration{10 * s, 20 * s, 40 * s, 80 * s, 160 * s, 5 * m, 5 * m, 5 * m}},
		{"a cap that is not a doubling of min", Backoff{Min: time.Minute, Max: 15 * m}, 6, 0,
			[]time.Duration{m, 2 * m, 4 * m, 8 * m, 15 * m, 15 * m}},
		{"reset starts over", Backoff{Min: 10 * s, Max: m}, 5, 3,
			[]time.Duration{10 * s, 20 * s, 40 * s, 10 * s, 20 * s}},
		{"jitter at its lowest draw", Backoff{Min: 10 * s, Max: 5 * m, Jitter: 0.2, Rand: func() float64 { return 0 }}, 7, 0,
			[]time.Duration{8 * s, 16 * s, 32 * s, 64 * s, 128 * s, 4 * m, 4 * m}},
		{"jitter at its middle draw", Backoff{Min: 10 * s, Max: 5 * m, Jitter: 0.2, Rand: func() float64 { return 0.5 }}, 3, 0,
			[]time.Duration{9 * s, 18 * s, 36 * s}},
		{"full jitter at its middle draw", Backoff{Min: 250 * time.Millisecond, Max: 8 * s, Jitter: 1, Rand: func() float64 { return 0.5 }}, 7, 0,
			[]time.Duration{125 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond, s, 2 * s, 4 * s, 4 * s}},
		{"a max below min means min", Backoff{Min: 30 * s}, 3, 0,
			[]time.Duration{30 * s, 30 * s, 30 * s}},
		{"min equal to max", Backoff{Min: 30 * s, Max: 30 * s}, 3, 0,
			[]time.Duration{30 * s, 30 * s, 30 * s}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []time.Duration
			for i := range c.steps {
				if c.resetAfter > 0 && i == c.resetAfter {
					c.b.Reset()
				}
				got = append(got, c.b.Next())
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
	b := Backoff{Min: 10 * time.Second, Max: 5 * time.Minute, Jitter: 0.2}
	for i := range 200 {
		d := b.Next()
		nominal := min(10*time.Second<<min(i, 20), 5*time.Minute)
		if d > nominal || d < nominal*8/10 {
			t.Fatalf("delay %d = %v, want within 80..100%% of %v", i+1, d, nominal)
		}
	}
}

// TestNth: the delay before retry n, for retries counted elsewhere (the
// outbox's attempts), equals what Next gives at its n-th failure, and
// counts nothing.
func TestNth(t *testing.T) {
	b := Backoff{Min: 5 * time.Second, Max: 15 * time.Minute}
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, 320 * time.Second, 640 * time.Second, 15 * time.Minute, 15 * time.Minute}
	for i, w := range want {
		if got := b.Nth(i + 1); got != w {
			t.Errorf("Nth(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := b.Next(); got != want[0] {
		t.Errorf("Next after Nth = %v, want %v: Nth must not count", got, want[0])
	}
}
