package app

import (
	"testing"
	"time"
)

func TestPollSpacingKeepsPollingToAQuarterOfTheBudget(t *testing.T) {
	for _, c := range []struct {
		base   time.Duration
		cost   int64
		limit  int
		window time.Duration
		want   time.Duration
	}{
		{time.Minute, 2, 300, 5 * time.Minute, time.Minute},       // 10 of 300: as asked
		{time.Minute, 15, 300, 5 * time.Minute, time.Minute},      // 75 of 300: exactly a quarter
		{time.Minute, 20, 300, 5 * time.Minute, 80 * time.Second}, // 2,000 open tickets: spaced out
		{time.Minute, 20, 0, 0, 80 * time.Second},                 // the default budget
		{time.Minute, 20, 60, time.Minute, 80 * time.Second},      // 60 a minute
		{5 * time.Minute, 20, 300, 5 * time.Minute, 5 * time.Minute},
		{time.Minute, 0, 300, 5 * time.Minute, time.Minute},
	} {
		if got := pollSpacing(c.base, c.cost, c.limit, c.window); got != c.want {
			t.Errorf("pollSpacing(%v, %d, %d, %v) = %v, want %v", c.base, c.cost, c.limit, c.window, got, c.want)
		}
	}
	if got, want := pollCost(time.Minute, 2, 300, 5*time.Minute), "Polling every 1 min uses about 10 of HaloPSA's 300 requests per 5 min."; got != want {
		t.Errorf("pollCost = %q, want %q", got, want)
	}
}
