package sync

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// batchScenario prepares r (a ticket HaloSync holds with a local status
// change waiting, and two new tickets in HaloPSA) and returns deliveries
// that exercise every path of the apply step: new tickets, a later and a
// stale version, a conflict, a held delivery of an unmapped client, a note
// carried in a delivery, an unreadable body and a ticket whose notes must
// be listed from HaloPSA. HaloPSA's versions are about later, which must
// come after the local change for HaloPSA's to win the conflict.
func batchScenario(t *testing.T, r *ticketRig, later time.Time) []store.InboxItem {
	t.Helper()
	held := r.openTicket() // synced, after a first poll
	if err := r.db.SetTicketStatus(r.ctx, held.ID, held.StatusID+1); err != nil {
		t.Fatal(err)
	}
	client := r.sim.ActiveClientIDs()[0]
	a, err := r.sim.CreateTicket(client, "Scanner offline")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.sim.CreateTicket(client, "Mail bounces")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) string { return later.Add(d).Format("2006-01-02T15:04:05.000") }
	ticket := func(id, clientID, status int, when string) string {
		return fmt.Sprintf(`{"id":%d,"summary":"Ticket %d","details":"Details of %d","status_id":%d,"client_id":%d,"last_update":"%s"}`,
			id, id, id, status, clientID, when)
	}
	var items []store.InboxItem
	add := func(body string) {
		items = append(items, store.InboxItem{DeliveryID: fmt.Sprintf("d%d", len(items)), Body: []byte(body)})
	}
	add(fmt.Sprintf(`{"id":"d0","event":"Ticket Logged","ticket":%s}`, ticket(a, client, 1, at(0))))
	add(fmt.Sprintf(`{"id":"d1","event":"Ticket Logged","ticket":%s}`, ticket(b, client, 1, at(0))))
	add(fmt.Sprintf(`{"id":"d2","event":"Ticket Status Changed","ticket":%s}`, ticket(a, client, 2, at(time.Minute))))
	add(fmt.Sprintf(`{"id":"d3","event":"Ticket Status Changed","ticket":%s}`,
		ticket(int(held.HaloID), int(held.HaloClientID), int(held.StatusID)+2, at(0))))
	add(fmt.Sprintf(`{"id":"d4","event":"Ticket Logged","ticket":%s}`, ticket(990001, 990001, 1, at(0))))
	add(fmt.Sprintf(`{"id":"d5","event":"Ticket Action Added","ticket":%s,"action":{"id":71,"ticket_id":%d,"note":"Rebooted it","who":"Jane","datetime":"%s"}}`,
		ticket(a, client, 2, at(2*time.Minute)), a, at(2*time.Minute)))
	// No ticket: unreadable.
	add(`{"id":"d6","event":"Ticket Updated"}`)
	add(fmt.Sprintf(`{"id":"d7","event":"Ticket Status Changed","ticket":%s}`, ticket(a, client, 1, at(-time.Minute)))) // stale
	add(fmt.Sprintf(`{"id":"d8","event":"Ticket Updated","ticket":%s}`, ticket(b, client, 3, at(time.Minute))))
	return items
}

// stateOf renders what the apply step leaves behind as sorted lines: the
// tickets, the inbox, the outbox, the notes and the sync log, without ids,
// references, and the times and durations logged, which differ between two
// runs.
func stateOf(t *testing.T, r *ticketRig) string {
	t.Helper()
	var lines []string
	tickets, err := r.db.Tickets(r.ctx, store.TicketQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tickets {
		lines = append(lines, fmt.Sprintf("ticket %d client %d/%d %q %q status %d base %d halo %s notes %s %s %q",
			tk.HaloID, tk.LocalClientID, tk.HaloClientID, tk.Summary, tk.Details, tk.StatusID, tk.BaseStatusID,
			tk.HaloUpdatedAt.Format(time.RFC3339), tk.NotesVersion.Format(time.RFC3339), tk.SyncState, tk.SyncError))
		ns, err := r.db.Notes(r.ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			lines = append(lines, fmt.Sprintf("note of %d: %d %q %q %s", tk.HaloID, n.HaloID, n.Body, n.Who, n.Origin))
		}
	}
	for _, s := range []store.InboxStatus{store.InboxPending, store.InboxApplied, store.InboxHeld, store.InboxUnreadable, store.InboxFailed} {
		its, err := r.db.InboxByStatus(r.ctx, s, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range its {
			lines = append(lines, fmt.Sprintf("inbox %s %s %q attempts %d", it.DeliveryID, it.Status, it.Error, it.Attempts))
		}
	}
	n, err := r.db.OutboxPending(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	lines = append(lines, fmt.Sprintf("outbox open %d", n))
	logs, err := r.db.Logs(r.ctx, store.LogQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	stamp := regexp.MustCompile(`\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)`)
	took := regexp.MustCompile(`\d+ms\b`)
	for _, e := range logs {
		msg := took.ReplaceAllString(stamp.ReplaceAllString(e.Message, "TIME"), "TOOK")
		lines = append(lines, fmt.Sprintf("log %s %s %s %s", e.Level, e.Operation, e.Object, msg))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestBatchAppliesAsOneByOne applies the same deliveries one drain each
// (a transaction each, as before batching) and all in one drain (one
// batch), and compares what each leaves behind, conflict, held delivery,
// notes and log rows included.
func TestBatchAppliesAsOneByOne(t *testing.T) {
	later := time.Now().UTC().Add(time.Hour) // the same versions in both runs
	run := func(oneByOne bool) string {
		r := newTicketRig(t, halosim.Options{})
		items := batchScenario(t, r, later)
		var changes, logged int
		r.ts.OnChange = func() { changes++ }
		r.ts.OnLog = func(store.LogEntry) { logged++ }
		for i := range items {
			if !oneByOne {
				break
			}
			if _, err := r.db.AddInbox(r.ctx, items[i:i+1]); err != nil {
				t.Fatal(err)
			}
			if _, err := r.ts.DrainInbox(r.ctx); err != nil {
				t.Fatal(err)
			}
		}
		if !oneByOne {
			if _, err := r.db.AddInbox(r.ctx, items); err != nil {
				t.Fatal(err)
			}
			if n, err := r.ts.DrainInbox(r.ctx); err != nil || n != 7 {
				t.Fatalf("one drain applied %d (%v), want 7 (not the held and the unreadable)", n, err)
			}
			if changes != 1 {
				t.Errorf("OnChange called %d times for one drain", changes)
			}
		}
		if logged == 0 {
			t.Error("no log row was published")
		}
		return stateOf(t, r)
	}
	one, batch := run(true), run(false)
	for _, want := range []string{"conflict", "held", "unreadable", `"Rebooted it"`, "Both sides changed the status"} {
		if !strings.Contains(batch, want) {
			t.Errorf("the scenario left no %q:\n%s", want, batch)
		}
	}
	if one != batch {
		t.Errorf("one by one:\n%s\n\nbatched:\n%s", one, batch)
	}
}

// TestDrainInterruptedLosesNothing stops a drain of several chunks in the
// middle, by cancelling its context or by closing the database, then
// reopens the database and drains again: every delivery is applied
// exactly once, and at every point a delivery is marked applied exactly
// when its ticket is stored.
func TestDrainInterruptedLosesNothing(t *testing.T) {
	const n = 5 * drainChunk
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			r := newApplyRig(t)
			r.fill(t, n)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stopped := make(chan struct{})
			go func() { // stop once the first chunk committed
				defer close(stopped)
				for {
					c, err := r.db.InboxCounts(context.Background())
					if err != nil || c[store.InboxApplied] >= drainChunk {
						break
					}
					time.Sleep(time.Millisecond)
				}
				if how == "cancel" {
					cancel()
				} else {
					r.db.Close()
				}
			}()
			applied, err := r.ts.DrainInbox(ctx)
			<-stopped
			if err == nil && applied == n {
				t.Skip("the drain finished before it could be stopped")
			}
			if how == "cancel" && !errors.Is(err, context.Canceled) {
				t.Logf("stopped drain: %d, %v", applied, err)
			}
			r.db.Close()
			db, err := store.Open(r.db.Path())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			checkMarks(t, db, n)
			ts := &Tickets{Halo: r.ts.Halo, DB: db}
			more, err := ts.DrainInbox(context.Background())
			if err != nil || applied+more < n {
				t.Fatalf("drained %d then %d (%v), want %d in all", applied, more, err, n)
			}
			c, err := db.InboxCounts(context.Background())
			if err != nil || c[store.InboxApplied] != n {
				t.Fatalf("inbox %v (%v), want all %d applied", c, err, n)
			}
			checkMarks(t, db, n)
		})
	}
}

// checkMarks checks that each of the n deliveries about tickets 1..n is
// marked applied exactly when its ticket is stored.
func checkMarks(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	its, err := db.InboxByStatus(ctx, store.InboxApplied, n)
	if err != nil {
		t.Fatal(err)
	}
	applied := map[int64]bool{}
	for _, it := range its {
		applied[it.ObjectID] = true
	}
	tickets, err := db.Tickets(ctx, store.TicketQuery{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int64]bool{}
	for _, tk := range tickets {
		stored[tk.HaloID] = true
	}
	if len(tickets) != len(stored) {
		t.Fatalf("%d tickets for %d HaloPSA ids: one was stored twice", len(tickets), len(stored))
	}
	for id := int64(1); id <= int64(n); id++ {
		if applied[id] != stored[id] {
			t.Fatalf("ticket %d: delivery applied %v, ticket stored %v", id, applied[id], stored[id])
		}
	}
}

// TestDrainWhileReceiving drains while senders keep storing deliveries, so
// that batches end early for the receiver (ApplyBatch.InboxWaiting) and
// the drain pauses: every delivery is still applied once, with its mark.
func TestDrainWhileReceiving(t *testing.T) {
	const backlog, more = 4 * drainChunk, 4 * drainChunk
	r := newApplyRig(t)
	r.fill(t, backlog)
	first := r.next
	r.next += more
	ctx := context.Background()
	errs := make(chan error, 4)
	for s := range int64(4) {
		go func() {
			for i := s; i < more; i += 4 {
				if _, err := r.db.AddInbox(ctx, []store.InboxItem{r.delivery(first + i)}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	applied := 0
	for range 4 {
		n, err := r.ts.DrainInbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		applied += n
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	n, err := r.ts.DrainInbox(ctx)
	if err != nil || applied+n != backlog+more {
		t.Fatalf("applied %d and %d (%v), want %d", applied, n, err, backlog+more)
	}
	checkMarks(t, r.db, backlog+more)
}
