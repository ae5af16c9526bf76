package sync

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

// The import benchmark of the foundation issue: 2,000 clients, 6,000
// sites, 20,000 contacts and 10,000 assets, 50 ms latency, and a rolling
// 300-request window (10 s instead of HaloPSA's 5 minutes, to keep it
// quick; the bound scales with it). Run with `make bench-import`.
const (
	benchClients = 2000
	benchLatency = 50 * time.Millisecond
	benchLimit   = 300
	benchWindow  = 10 * time.Second
)

func benchSim(b *testing.B) (*halosim.Server, string) {
	sim, srv := startSim(b, halosim.Options{
		Seed: 7, Clients: benchClients, SitesPerClient: 3, UsersPerClient: 10, AssetsPerClient: 5,
		InactiveClients: -1, Latency: benchLatency, RateLimit: benchLimit, RateWindow: benchWindow,
	})
	return sim, srv.URL
}

// minRequests is what the 100-row paging cap allows: one request a page.
func minRequests(n halosim.Counts) int {
	pages := func(rows int) int { return max(1, (rows+halo.PageSize-1)/halo.PageSize) }
	return pages(n.ActiveClients) + pages(n.Sites) + pages(n.Users) + pages(n.Assets)
}

// lowerBound is the shortest time the budget and latency allow for n
// requests with c in flight: request k*limit+1 cannot reach HaloPSA until
// a window after the first did, and each request takes the latency.
func lowerBound(n, c int) time.Duration {
	budget := time.Duration((n-1)/benchLimit)*benchWindow + benchLatency
	latency := time.Duration((n+c-1)/c) * benchLatency
	return max(budget, latency)
}

func BenchmarkImport(b *testing.B) {
	var rows [][]string
	for _, mode := range []struct {
		name     string
		inFlight int
		budget   int
	}{
		{"budgeted", halo.DefaultMaxInFlight, benchLimit},
		// The naive way: one page after another, no budget, retrying 429s.
		{"naive-sequential", 1, -1},
	} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				sim, url := benchSim(b)
				c := newClientURL(b, url, func(c *halo.Config) {
					c.MaxInFlight, c.RateLimit, c.RateWindow = mode.inFlight, mode.budget, benchWindow
				})
				db := openDB(b)
				b.StartTimer()
				start := time.Now()
				sum, err := (&Importer{Halo: c, DB: db}).Run(context.Background())
				wall := time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				n := sim.Counts()
				bound := lowerBound(minRequests(n), mode.inFlight)
				b.ReportMetric(float64(sum.Requests), "requests")
				b.ReportMetric(float64(minRequests(n)), "min-requests")
				b.ReportMetric(float64(sim.Stats().RateLimited), "429s")
				b.ReportMetric(wall.Seconds(), "wall-s")
				b.ReportMetric(bound.Seconds(), "bound-s")
				b.ReportMetric(wall.Seconds()/bound.Seconds(), "x-bound")
				rows = append(rows, []string{mode.name, fmt.Sprint(sum.Requests), fmt.Sprint(minRequests(n)),
					fmt.Sprint(sim.Stats().RateLimited), wall.Round(10 * time.Millisecond).String(),
					bound.Round(10 * time.Millisecond).String(), fmt.Sprintf("%.2f", wall.Seconds()/bound.Seconds())})
			}
		})
	}
	fmt.Fprintf(os.Stdout, "\nImport of %d clients, %d sites, %d contacts, %d assets; %v latency; %d requests per rolling %v\n",
		benchClients, benchClients*3, benchClients*10, benchClients*5, benchLatency, benchLimit, benchWindow)
	fmt.Fprintf(os.Stdout, "%-18s %9s %9s %6s %10s %10s %8s\n", "mode", "requests", "minimum", "429s", "wall", "bound", "x bound")
	for _, r := range rows {
		fmt.Fprintf(os.Stdout, "%-18s %9s %9s %6s %10s %10s %8s\n", r[0], r[1], r[2], r[3], r[4], r[5], r[6])
	}
}
