package app

import (
	"fmt"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
)

// pollShare is the part of HaloPSA's request budget polling may use, so
// that imports, pushes and the owner's other integrations keep the rest.
const pollShare = 4 // a quarter

// pollSpacing is how long to wait between polls that cost cost requests
// each: base, or longer when polling that often would use more than a
// quarter of limit requests per window (an open-list poll of a HaloPSA
// with thousands of open tickets, say).
func pollSpacing(base time.Duration, cost int64, limit int, window time.Duration) time.Duration {
	limit, window = budgetOrDefault(limit, window)
	if cost <= 0 {
		return base
	}
	need := time.Duration(cost) * window * pollShare / time.Duration(limit)
	return max(base, need.Round(time.Second))
}

func budgetOrDefault(limit int, window time.Duration) (int, time.Duration) {
	if limit <= 0 {
		limit = halo.DefaultRateLimit
	}
	if window <= 0 {
		window = halo.DefaultRateWindow
	}
	return limit, window
}

// pollCost says what polling every interval costs of HaloPSA's budget,
// for the status: "about 10 of 300 requests per 5 min".
func pollCost(interval time.Duration, cost int64, limit int, window time.Duration) string {
	limit, window = budgetOrDefault(limit, window)
	per := float64(cost) * float64(window) / float64(interval)
	return fmt.Sprintf("Polling every %s uses about %.0f of HaloPSA's %d requests per %s.",
		spell(interval), per, limit, spell(window))
}

// pollEvery is the ticket loop's poll interval as the webhook settings make
// it: every minute without a receiver, every five with one.
func (a *App) pollEvery() time.Duration {
	a.mu.Lock()
	webhooks := a.hook.localURL != "" || a.hook.tunnel != nil
	a.mu.Unlock()
	return pollInterval(webhooks)
}
