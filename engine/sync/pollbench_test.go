package sync

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// BenchmarkPoll measures what one poll cycle costs with 100,000 tickets in
// HaloPSA and in the store, when 0, 1 or 100 tickets changed since the
// last poll: requests made, and time to poll and apply. Run with
// `make bench-poll`.
func BenchmarkPoll(b *testing.B) {
	ctx := context.Background()
	sim, srv := startSim(b, halosim.Options{Seed: 51, Clients: 2000, TicketsPerClient: 50, InactiveClients: -1})
	c := newClient(b, srv, func(c *halo.Config) { c.RateLimit = -1 }) // the budget is not what is measured here
	db := openDB(b)
	if _, err := (&Importer{Halo: c, DB: db}).Run(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := db.CreateLocalFromHalo(ctx, nil); err != nil {
		b.Fatal(err)
	}
	ts := &Tickets{Halo: c, DB: db, DateColumn: "last_update"}
	if err := ts.LoadStatuses(ctx); err != nil {
		b.Fatal(err)
	}
	// Store every ticket, open and closed, through the real apply path: a
	// cursor before HaloPSA's oldest change makes the poll read them all.
	start := time.Now()
	if err := db.SetSyncState(ctx, store.SyncState{Resource: pollResource, LastSuccess: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		b.Fatal(err)
	}
	if _, err := ts.PollOnce(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := ts.DrainInbox(ctx); err != nil {
		b.Fatal(err)
	}
	stored, err := db.Tickets(ctx, store.TicketQuery{})
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "\nsetup: %d tickets in HaloPSA, %d stored locally in %v\n",
		sim.Counts().Tickets, len(stored), time.Since(start).Round(time.Millisecond))
	ids := sim.ActiveClientIDs()
	var rows [][]string
	for _, changes := range []int{0, 1, 100} {
		b.Run(fmt.Sprintf("changes=%d", changes), func(b *testing.B) {
			var reqs int64
			var applied int
			for b.Loop() {
				b.StopTimer()
				for i := range changes {
					if _, err := sim.CreateTicket(ids[i%len(ids)], "bench change"); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				res, err := ts.PollOnce(ctx)
				if err != nil {
					b.Fatal(err)
				}
				k, err := ts.DrainInbox(ctx)
				if err != nil {
					b.Fatal(err)
				}
				reqs, applied = res.Requests, k
			}
			b.ReportMetric(float64(reqs), "requests/poll")
			b.ReportMetric(float64(applied), "applied/poll")
			rows = append(rows, []string{fmt.Sprint(changes), fmt.Sprint(reqs), fmt.Sprint(applied),
				(b.Elapsed() / time.Duration(b.N)).Round(10 * time.Microsecond).String()})
		})
	}
	fmt.Fprintf(os.Stdout, "\n%-8s %14s %8s %12s\n", "changes", "requests/poll", "applied", "time/poll")
	for _, r := range rows {
		fmt.Fprintf(os.Stdout, "%-8s %14s %8s %12s\n", r[0], r[1], r[2], r[3])
	}
}
