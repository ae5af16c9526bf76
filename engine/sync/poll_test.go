package sync

import (
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// wantStrategy is the strategy polling must settle on for each of the
// simulator's dialects.
var wantStrategy = map[string]Strategy{
	"friendly":      ByFilter,
	"order-only":    NewestFirst,
	"no-filters":    OpenList,
	"rejects-dates": OpenList,
	"pessimistic":   OpenList,
}

// pollRig is a ticket rig whose simulator sits behind a hook that can
// change a ticket in HaloPSA while a poll is reading the list.
type pollRig struct {
	*ticketRig
	mu      gosync.Mutex
	midPoll func() // run once, after the next ticket-list request
}

// newPollRig serves a HaloPSA of 30 clients, 600 tickets of which 150 are
// open (two pages), answering like the dialect d.
func newPollRig(t *testing.T, d halosim.Dialect) *pollRig {
	t.Helper()
	sim := halosim.New(halosim.Options{Seed: 77, Clients: 30, TicketsPerClient: 20, OpenTickets: 150,
		InactiveClients: -1, Behaviour: d.Behaviour})
	pr := &pollRig{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sim.ServeHTTP(w, r)
		if strings.EqualFold(r.URL.Path, "/api/Tickets") && r.Method == http.MethodGet {
			pr.mu.Lock()
			f := pr.midPoll
			pr.midPoll = nil
			pr.mu.Unlock()
			if f != nil {
				f()
			}
		}
	}))
	t.Cleanup(srv.Close)
	pr.ticketRig = newTicketRigOn(t, sim, srv)
	return pr
}

// openIDs lists the ids of HaloPSA's open tickets.
func (r *pollRig) openIDs() []int {
	r.t.Helper()
	var ids []int
	err := r.ts.Halo.ListTickets(r.ctx, halo.TicketQuery{OpenOnly: true}, func(p halo.Page[halo.Ticket]) error {
		for _, t := range p.Rows {
			ids = append(ids, int(t.ID))
		}
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return ids
}

func (r *pollRig) logRows(op store.Operation) []store.LogEntry {
	r.t.Helper()
	rows, err := r.db.Logs(r.ctx, store.LogQuery{})
	if err != nil {
		r.t.Fatal(err)
	}
	var out []store.LogEntry
	for _, e := range rows {
		if e.Operation == op {
			out = append(out, e)
		}
	}
	return out
}

func TestPollingOnEveryDialect(t *testing.T) {
	for _, d := range halosim.Dialects() {
		t.Run(d.Name, func(t *testing.T) {
			r := newPollRig(t, d)
			closed := r.sim.ClosedStatusID()

			// First sync: the open tickets only, about their pages.
			first := r.sync()
			stored, _ := r.db.Tickets(r.ctx, store.TicketQuery{})
			if len(stored) != 150 || first.Changed != 150 {
				t.Fatalf("first sync stored %d tickets, queued %d; want the 150 open ones", len(stored), first.Changed)
			}
			costs := []int64{first.Requests}
			defer func() { t.Logf("requests: first sync, idle, idle, one change, a close, a new ticket = %v", costs) }()
			if first.Requests > 3 {
				t.Errorf("first sync cost %d requests; want about the 2 pages of open tickets", first.Requests)
			}

			// Idle: at most 2 requests, nothing queued.
			var res PollResult
			for range 2 {
				res = r.sync()
				costs = append(costs, res.Requests)
				if res.Requests > 2 || res.Changed != 0 {
					t.Errorf("idle poll = %d requests, %d changed; want <= 2 and 0", res.Requests, res.Changed)
				}
			}

			// One change to an open ticket.
			open := r.openIDs()
			if err := r.sim.SetTicketSummary(open[7], "Changed in HaloPSA"); err != nil {
				t.Fatal(err)
			}
			res = r.sync()
			costs = append(costs, res.Requests)
			if res.Requests > 3 || res.Changed != 1 {
				t.Errorf("poll after one change = %d requests, %d changed; want <= 3 and 1", res.Requests, res.Changed)
			}
			if tk := r.local(open[7]); tk.Summary != "Changed in HaloPSA" {
				t.Errorf("changed ticket = %q", tk.Summary)
			}

			// A ticket closed in HaloPSA.
			if err := r.sim.SetTicketStatus(open[3], closed); err != nil {
				t.Fatal(err)
			}
			res = r.sync()
			costs = append(costs, res.Requests)
			if res.Requests > 3 || res.Changed != 1 {
				t.Errorf("poll after a close = %d requests, %d changed; want <= 3 and 1", res.Requests, res.Changed)
			}
			if tk := r.local(open[3]); tk.StatusID != int64(closed) {
				t.Errorf("closed ticket has status %d locally, want %d", tk.StatusID, closed)
			}

			// A new ticket.
			id, err := r.sim.CreateTicket(r.sim.ActiveClientIDs()[2], "New in HaloPSA")
			if err != nil {
				t.Fatal(err)
			}
			res = r.sync()
			costs = append(costs, res.Requests)
			if res.Requests > 3 || res.Changed != 1 {
				t.Errorf("poll after a new ticket = %d requests, %d changed", res.Requests, res.Changed)
			}
			if tk := r.local(id); tk.Summary != "New in HaloPSA" {
				t.Errorf("new ticket = %q", tk.Summary)
			}

			// Changes that land while a poll reads the list: an edit and a
			// close. Each shows locally by the next poll at the latest.
			r.mu.Lock()
			r.midPoll = func() {
				if err := r.sim.SetTicketSummary(open[20], "Edited mid-poll"); err != nil {
					t.Error(err)
				}
				if err := r.sim.SetTicketStatus(open[40], closed); err != nil {
					t.Error(err)
				}
			}
			r.mu.Unlock()
			r.sync()
			r.sync()
			if tk := r.local(open[20]); tk.Summary != "Edited mid-poll" {
				t.Errorf("mid-poll edit lost: %q", tk.Summary)
			}
			if tk := r.local(open[40]); tk.StatusID != int64(closed) {
				t.Errorf("mid-poll close lost: status %d", tk.StatusID)
			}

			// The strategy it settled on, said once in the sync log.
			mode, err := r.ts.PollMode(r.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := wantStrategy[d.Name]; want != "" && mode.Strategy() != want {
				t.Errorf("strategy = %s (%+v); want %s", mode.Strategy(), mode, want)
			}
			if rows := r.logRows("poll"); len(rows) != 1 {
				t.Errorf("%d poll rows in the sync log, want the strategy said once: %+v", len(rows), rows)
			}
		})
	}
}

// TestPollModeIsRecheckedAndKeptPerHaloPSA: verdicts older than a day are
// tested again (a HaloPSA update may start honouring the filter), and a
// mode learned from another HaloPSA is not used.
func TestPollModeIsRecheckedAndKeptPerHaloPSA(t *testing.T) {
	friendly := halosim.Dialects()[0]
	if friendly.Name != "friendly" {
		t.Fatalf("first dialect is %q", friendly.Name)
	}
	r := newPollRig(t, friendly)
	r.sync()
	stale := PollMode{Address: string(r.ts.Halo.Address()), Filter: Ignored, Order: Ignored, Logged: OpenList,
		CheckedAt: time.Now().Add(-25 * time.Hour)}
	if err := r.ts.saveMode(r.ctx, stale); err != nil {
		t.Fatal(err)
	}
	r.sync()
	r.sync()
	m, err := r.ts.PollMode(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Strategy() != ByFilter || m.Filter != Honoured || time.Since(m.CheckedAt) > time.Hour {
		t.Errorf("after the re-check: %+v; want the filter honoured", m)
	}
	if rows := r.logRows("poll"); len(rows) == 0 || !strings.Contains(rows[0].Message, "filters tickets by change time") {
		t.Errorf("the change of way was not said: %+v", rows)
	}

	// A fresh verdict stays as it is for a day, even against the evidence.
	fresh := stale
	fresh.CheckedAt = time.Now()
	if err := r.ts.saveMode(r.ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if m, _ := r.ts.loadMode(r.ctx, time.Now()); m.Filter != Ignored {
		t.Errorf("a fresh verdict was dropped: %+v", m)
	}
	// Another HaloPSA starts from nothing.
	other := fresh
	other.Address = "https://other.halopsa.com"
	if err := r.ts.saveMode(r.ctx, other); err != nil {
		t.Fatal(err)
	}
	if m, _ := r.ts.PollMode(r.ctx); m.Filter != Unknown || m.Address != string(r.ts.Halo.Address()) {
		t.Errorf("a mode of another HaloPSA was used: %+v", m)
	}
}
