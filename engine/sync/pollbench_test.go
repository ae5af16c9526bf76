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

// BenchmarkPoll measures what one poll costs on each simulated HaloPSA
// dialect, with 20,000 closed tickets of history and 200 open ones, when
// 0, 1 or 100 tickets changed since the last poll: requests made, and time
// to poll and apply. Beside it, the strategy before issue 8
// (datesearch=lastactiondate, every page read), which no dialect honours.
// Run with `make bench-poll`.
func BenchmarkPoll(b *testing.B) {
	type row struct {
		dialect, strategy      string
		changes                int
		first, reqs, legacyReq int64
		perPoll, legacy        time.Duration
	}
	rows := map[string][]row{} // by dialect; a sub-benchmark may run more than once
	for _, d := range halosim.Dialects() {
		b.Run(d.Name, func(b *testing.B) {
			rows[d.Name] = nil
			ctx := context.Background()
			sim, srv := startSim(b, halosim.Options{Seed: 51, Clients: 200, TicketsPerClient: 101, OpenTickets: 200,
				SitesPerClient: 1, UsersPerClient: 2, AssetsPerClient: -1, InactiveClients: -1, Behaviour: d.Behaviour})
			c := newClient(b, srv, func(c *halo.Config) { c.RateLimit = -1 }) // the budget is not what is measured here
			_, ts := mappedTickets(b, c)
			first := pollAndApply(b, ts)
			pollAndApply(b, ts) // learn the dialect before measuring
			var open []int
			if err := c.ListTickets(ctx, halo.TicketQuery{OpenOnly: true}, func(p halo.Page[halo.Ticket]) error {
				for _, t := range p.Rows {
					open = append(open, int(t.ID))
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			for _, changes := range []int{0, 1, 100} {
				var res PollResult
				var elapsed time.Duration
				// b.N polls per change count; each is timed alone, without
				// the changes made in the simulator before it.
				n := max(b.N, 1)
				for round := range n {
					for i := range changes {
						if err := sim.SetTicketSummary(open[i%len(open)], fmt.Sprintf("bench change %d", round)); err != nil {
							b.Fatal(err)
						}
					}
					start := time.Now()
					res = pollAndApply(b, ts)
					elapsed += time.Since(start)
				}
				legacyReq, legacyTime := legacyPoll(b, c, res.Cursor.Add(-pollOverlap))
				rows[d.Name] = append(rows[d.Name], row{d.Name, string(res.Mode.Strategy()), changes, first.Requests, res.Requests,
					legacyReq, elapsed / time.Duration(n), legacyTime})
			}
		})
	}
	fmt.Fprintf(os.Stdout, "\n20,000 closed and 200 open tickets; requests and time per poll and apply\n")
	fmt.Fprintf(os.Stdout, "%-14s %-13s %11s %8s %9s %10s %16s %12s\n",
		"dialect", "strategy", "first sync", "changes", "requests", "time", "before: requests", "before: time")
	for _, d := range halosim.Dialects() {
		for _, r := range rows[d.Name] {
			fmt.Fprintf(os.Stdout, "%-14s %-13s %11d %8d %9d %10s %16d %12s\n", r.dialect, r.strategy, r.first, r.changes,
				r.reqs, r.perPoll.Round(100*time.Microsecond), r.legacyReq, r.legacy.Round(time.Millisecond))
		}
	}
}

func pollAndApply(tb testing.TB, ts *Tickets) PollResult {
	tb.Helper()
	ctx := context.Background()
	res, err := ts.PollOnce(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := ts.DrainInbox(ctx); err != nil {
		tb.Fatal(err)
	}
	return res
}

// legacyPoll is how polling asked before issue 8: datesearch on the
// undocumented lastactiondate column, every page read, each row checked.
// It reports the requests and time of the listing alone.
func legacyPoll(tb testing.TB, c *halo.Client, since time.Time) (int64, time.Duration) {
	tb.Helper()
	before, start := c.Stats().Requests, time.Now()
	q := halo.TicketQuery{DateSearch: "lastactiondate", DateFrom: since}
	if err := c.ListTickets(context.Background(), q, func(halo.Page[halo.Ticket]) error { return nil }); err != nil {
		tb.Fatal(err)
	}
	return c.Stats().Requests - before, time.Since(start)
}
