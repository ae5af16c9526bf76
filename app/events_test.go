package app

import (
	"context"
	"errors"
	gosync "sync"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

// events records every event an App publishes, in order.
type events struct {
	mu  gosync.Mutex
	all []Event
}

func subscribe(t *testing.T, a *App) *events {
	r := &events{}
	t.Cleanup(a.Subscribe(func(e Event) {
		r.mu.Lock()
		r.all = append(r.all, e)
		r.mu.Unlock()
	}))
	return r
}

// imports returns the Import events so far.
func (r *events) imports() []ImportEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []ImportEvent
	for _, e := range r.all {
		if e.Import != nil {
			out = append(out, *e.Import)
		}
	}
	return out
}

// mapping returns the causes of the MappingChanged events so far.
func (r *events) mapping() []MappingCause {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []MappingCause
	for _, e := range r.all {
		if e.MappingChanged != nil {
			out = append(out, e.MappingChanged.Cause)
		}
	}
	return out
}

// count returns how many events so far pass keep.
func (r *events) count(keep func(Event) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.all {
		if keep(e) {
			n++
		}
	}
	return n
}

// TestImportPublishesStartedProgressFinished imports a HaloPSA with
// inactive clients (whose sites, contacts and assets are received but not
// stored) and checks the Import events: Started with the run, progress
// whose totals never grow, never fall below the rows done and end at what
// the summary reports, then Finished with the summary and no error. The
// first import fills the empty book, which MappingChanged says.
func TestImportPublishesStartedProgressFinished(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 51, Clients: 60, InactiveClients: 12, UsersPerClient: 30})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	rec := subscribe(t, a)
	sum, err := a.SyncOnce(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := rec.imports()
	if len(ev) < 3 || ev[0].Phase != ImportStarted || ev[0].Run != sum.Run || sum.Run == 0 {
		t.Fatalf("first event %+v of %d; want Started of run %d", ev[0], len(ev), sum.Run)
	}
	last := ev[len(ev)-1]
	if last.Phase != ImportFinished || last.Err != nil || last.Summary.Run != sum.Run || last.Summary.String() != sum.String() {
		t.Fatalf("last event %+v; want Finished with the summary", last)
	}
	byRes := map[store.Resource][]sync.Progress{}
	for _, e := range ev[1 : len(ev)-1] {
		if e.Phase != ImportProgress || e.Run != sum.Run {
			t.Fatalf("between Started and Finished: %+v", e)
		}
		byRes[e.Progress.Resource] = append(byRes[e.Progress.Resource], e.Progress)
	}
	for _, r := range []store.Resource{store.Clients, store.Sites, store.Contacts, store.Assets} {
		ps, rs := byRes[r], sum.Resources[r]
		want := rs.Inserted + rs.Updated + rs.Unchanged
		if len(ps) < 2 || want == 0 {
			t.Fatalf("%s: %d progress events, %d stored", r, len(ps), want)
		}
		for i, p := range ps {
			if p.Total >= 0 && p.Total < p.Rows {
				t.Errorf("%s: total %d below rows %d", r, p.Total, p.Rows)
			}
			if i > 0 && ps[i-1].Total >= 0 && p.Total > ps[i-1].Total {
				t.Errorf("%s: total grew from %d to %d", r, ps[i-1].Total, p.Total)
			}
		}
		end, page := ps[len(ps)-1], ps[len(ps)-2]
		if !end.Done || end.Rows != want || end.Total != want {
			t.Errorf("%s: last progress %+v; the summary says %d", r, end, want)
		}
		// The last page already counts what the summary counts: no jump
		// from "received" to "stored" at the end.
		if page.Done || page.Rows != want || page.Total != want {
			t.Errorf("%s: last page %+v; the summary says %d", r, page, want)
		}
	}
	if skipped := sum.Resources[store.Contacts].Skipped; skipped == 0 {
		t.Error("no contacts of inactive clients were received: the totals were not put to the test")
	}
	causes := rec.mapping()
	if len(causes) != 2 || causes[0] != MappingBookFilled || causes[1] != MappingImported {
		t.Errorf("mapping changes %v; want the book filled, then the import's", causes)
	}

	// A second import does not fill the book again, but says HaloPSA's
	// clients were read.
	if _, err := a.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if causes := rec.mapping(); len(causes) != 3 || causes[2] != MappingImported {
		t.Errorf("after a second import: %v", causes)
	}
}

// TestFailedImportFinishesWithItsError: an import HaloPSA fails publishes
// Finished with an error the GUI can test with errors.Is.
func TestFailedImportFinishesWithItsError(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 52, Clients: 10})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	a.tweak = func(c *halo.Config) { c.MaxRetries = 1 } // the client's own retries, quick
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	rec := subscribe(t, a)
	sim.SetFaults(halosim.Faults{ErrorRate: 1})
	if _, err := a.SyncOnce(ctx, nil); !errors.Is(err, halo.ErrServer) {
		t.Fatalf("err = %v; want a server error", err)
	}
	ev := rec.imports()
	if len(ev) < 2 || ev[0].Phase != ImportStarted {
		t.Fatalf("events %+v", ev)
	}
	last := ev[len(ev)-1]
	if last.Phase != ImportFinished || !errors.Is(last.Err, halo.ErrServer) || last.Run != ev[0].Run {
		t.Fatalf("last event %+v; want Finished with the server error", last)
	}
	// Its error row carries the error too, for the notification.
	withErr := rec.count(func(e Event) bool {
		return e.Log != nil && e.Log.Level == store.Error && errors.Is(e.Log.Err, halo.ErrServer)
	})
	if withErr == 0 {
		t.Error("no error row carried the server error")
	}
	if causes := rec.mapping(); len(causes) != 1 || causes[0] != MappingImported {
		t.Errorf("mapping changes %v; a failed first import fills no book", causes)
	}
}

// TestConflictIsPublishedAfterItsCommit: both sides change a ticket; the
// conflict's row reaches subscribers with its id, and is in the database
// when it arrives. The ticket cycle says once that tickets changed.
func TestConflictIsPublishedAfterItsCommit(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 53, Clients: 12})
	a := connectedApp(t, sim, url, nil)
	ctx := context.Background()
	if _, err := a.TicketsOnce(ctx); err != nil {
		t.Fatal(err)
	}
	tickets, err := a.db.Tickets(ctx, store.TicketQuery{})
	if err != nil || len(tickets) == 0 {
		t.Fatalf("%d tickets, %v", len(tickets), err)
	}
	tk := tickets[0]
	progress, err := a.ResolveStatus(ctx, "In Progress")
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := a.ResolveStatus(ctx, "Waiting on Customer")
	if err != nil {
		t.Fatal(err)
	}
	if tk.StatusID == progress || tk.StatusID == waiting {
		t.Fatalf("pick another ticket: status %d", tk.StatusID)
	}

	var mu gosync.Mutex
	var seen []store.LogEntry
	var stored []bool // whether each row was in the database as it arrived
	cancel := a.Subscribe(func(e Event) {
		if e.Log == nil || e.Log.Operation != store.OpConflict {
			return
		}
		rows, err := a.db.Logs(context.Background(), store.LogQuery{Search: "Both sides changed"})
		found := false
		for _, r := range rows {
			found = found || (err == nil && r.ID == e.Log.ID)
		}
		mu.Lock()
		seen, stored = append(seen, *e.Log), append(stored, found)
		mu.Unlock()
	})
	defer cancel()
	rec := subscribe(t, a)

	// Here first, then HaloPSA later: HaloPSA's change wins over ours.
	if err := a.SetTicketStatus(ctx, tk.ID, progress); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if err := sim.SetTicketStatus(int(tk.HaloID), int(waiting)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.TicketsOnce(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0].ID == 0 || seen[0].Level != store.Warn {
		t.Fatalf("conflict rows published: %+v", seen)
	}
	if !stored[0] {
		t.Error("the conflict's row was published before its transaction committed")
	}
	if n := rec.count(func(e Event) bool { return e.TicketsChanged != nil }); n == 0 {
		t.Error("the ticket cycle changed a ticket and said nothing")
	}
}
