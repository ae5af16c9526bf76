package sync

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// ticketRig is a simulator, an imported and fully mapped database, and the
// ticket sync between them.
type ticketRig struct {
	t   *testing.T
	sim *halosim.Server
	srv *httptest.Server
	db  *store.DB
	ts  *Tickets
	ctx context.Context
}

func newTicketRig(t *testing.T, o halosim.Options) *ticketRig {
	t.Helper()
	if o.Seed == 0 {
		o.Seed = 41
	}
	if o.Clients == 0 {
		o.Clients = 12
	}
	sim, srv := startSim(t, o)
	return newTicketRigOn(t, sim, srv)
}

// newTicketRigOn imports sim's data through srv, maps every client and
// loads the statuses.
func newTicketRigOn(t *testing.T, sim *halosim.Server, srv *httptest.Server) *ticketRig {
	t.Helper()
	db, ts := mappedTickets(t, newClient(t, srv, nil))
	return &ticketRig{t, sim, srv, db, ts, context.Background()}
}

// sync polls and applies.
func (r *ticketRig) sync() PollResult {
	r.t.Helper()
	res, err := r.ts.PollOnce(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.ts.DrainInbox(r.ctx); err != nil {
		r.t.Fatal(err)
	}
	return res
}

func (r *ticketRig) local(haloID int) store.Ticket {
	r.t.Helper()
	tk, err := r.db.TicketByHalo(r.ctx, int64(haloID))
	if err != nil {
		r.t.Fatalf("ticket %d: %v", haloID, err)
	}
	return tk
}

func (r *ticketRig) remote(haloID int64) halo.Ticket {
	r.t.Helper()
	tk, err := r.ts.Halo.Ticket(r.ctx, halo.ID(haloID))
	if err != nil {
		r.t.Fatal(err)
	}
	return tk
}

func (r *ticketRig) statusNamed(name string) int64 {
	r.t.Helper()
	ss, _ := r.db.Statuses(r.ctx)
	for _, s := range ss {
		if s.Name == name {
			return s.ID
		}
	}
	r.t.Fatalf("no status %q", name)
	return 0
}

func TestPollingBringsTicketsAndChanges(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	first := r.sync()
	open, _ := r.db.Tickets(r.ctx, store.TicketQuery{})
	if len(open) == 0 || first.Changed != len(open) {
		t.Fatalf("first poll queued %d, stored %d", first.Changed, len(open))
	}
	for _, tk := range open {
		if tk.LocalClientID == 0 || tk.SyncState != store.TicketSynced {
			t.Fatalf("ticket %+v", tk)
		}
	}
	// Nothing changed: the open and the closed pass, one request each.
	if res := r.sync(); res.Requests != 2 || res.Changed != 0 {
		t.Fatalf("idle poll = %+v, want 2 requests and no change", res)
	}
	id, err := r.sim.CreateTicket(r.sim.ActiveClientIDs()[0], "Printer on fire")
	if err != nil {
		t.Fatal(err)
	}
	if res := r.sync(); res.Changed != 1 || res.Requests != 2 {
		t.Fatalf("poll after one new ticket = %+v", res)
	}
	if tk := r.local(id); tk.Summary != "Printer on fire" {
		t.Fatalf("ticket = %+v", tk)
	}
	waiting := r.statusNamed("Waiting on Customer")
	if err := r.sim.SetTicketStatus(id, int(waiting)); err != nil {
		t.Fatal(err)
	}
	r.sync()
	if tk := r.local(id); tk.StatusID != waiting || tk.BaseStatusID != waiting {
		t.Fatalf("after a remote status change: %+v", tk)
	}
}

// startReceiver serves the webhook receiver on loopback and points the
// simulator's webhook at it.
func (r *ticketRig) startReceiver(cfg halosim.WebhookConfig) (*webhook.Receiver, chan int) {
	r.t.Helper()
	creds, err := webhook.NewCredentials()
	if err != nil {
		r.t.Fatal(err)
	}
	woke := make(chan int, 100)
	rcv := &webhook.Receiver{Creds: creds, Sink: r.db, OnDelivery: func(n int) { woke <- n }}
	ctx, cancel := context.WithCancel(context.Background())
	url, wait, err := webhook.Listen(ctx, "", rcv)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { cancel(); wait() })
	cfg.URL, cfg.Username, cfg.Password = url, creds.Username, creds.Password
	r.sim.SetWebhook(cfg)
	return rcv, woke
}

func (r *ticketRig) flushAndApply() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	if err := r.sim.FlushWebhooks(ctx); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.ts.DrainInbox(r.ctx); err != nil {
		r.t.Fatal(err)
	}
}

func TestWebhooksBringChangesAndCloseGoesBack(t *testing.T) {
	for _, payload := range []string{"full", "small", "event-only"} {
		t.Run(payload, func(t *testing.T) {
			r := newTicketRig(t, halosim.Options{})
			r.sync() // the open tickets, and the cursor
			r.startReceiver(halosim.WebhookConfig{PayloadType: payload, Batch: 3, Delay: 20 * time.Millisecond})
			id, _ := r.sim.CreateTicket(r.sim.ActiveClientIDs()[1], "VPN down")
			r.flushAndApply()
			if tk := r.local(id); tk.Summary != "VPN down" || tk.SyncState != store.TicketSynced {
				t.Fatalf("ticket from the webhook = %+v", tk)
			}
			// Close it here: the change reaches HaloPSA, and its echo is not a new change.
			closed, err := r.ts.ClosedStatusID(r.ctx)
			if err != nil || closed != int64(r.sim.ClosedStatusID()) {
				t.Fatalf("closed status = %d, %v", closed, err)
			}
			tk := r.local(id)
			if err := r.db.SetTicketStatus(r.ctx, tk.ID, closed); err != nil {
				t.Fatal(err)
			}
			if n, err := r.ts.PushOutbox(r.ctx); err != nil || n != 1 {
				t.Fatalf("pushed %d, %v", n, err)
			}
			if got := r.remote(int64(id)); got.StatusID.Int() != closed || !bool(got.HasBeenClosed) {
				t.Fatalf("HaloPSA's copy after closing here: %+v", got)
			}
			r.flushAndApply()
			tk = r.local(id)
			if tk.StatusID != closed || tk.SyncState != store.TicketSynced {
				t.Fatalf("after the echo: %+v", tk)
			}
			if n, _ := r.db.OutboxPending(r.ctx); n != 0 {
				t.Fatalf("%d outbox items left", n)
			}
			conflicts, _ := r.db.Logs(r.ctx, store.LogQuery{Search: "conflict"})
			if len(conflicts) != 0 {
				t.Fatalf("the echo was taken for a conflict: %+v", conflicts)
			}
		})
	}
}

func TestWebhookDuplicatesReorderingAndLoss(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	r.sync()
	r.startReceiver(halosim.WebhookConfig{DuplicateRate: 1, Reorder: true, Batch: 4, Delay: 30 * time.Millisecond})
	id, _ := r.sim.CreateTicket(r.sim.ActiveClientIDs()[2], "Email bouncing")
	statuses := []string{"In Progress", "Waiting on Customer", "In Progress"}
	for _, s := range statuses {
		if err := r.sim.SetTicketStatus(id, int(r.statusNamed(s))); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct last_update times
	}
	r.flushAndApply()
	if tk := r.local(id); tk.StatusID != r.statusNamed("In Progress") {
		t.Fatalf("after duplicated, reordered deliveries the status is %d; want the newest", tk.StatusID)
	}
	// A lost delivery is caught by the next poll.
	r.sim.SetWebhook(halosim.WebhookConfig{LoseRate: 1, URL: "http://127.0.0.1:1/"})
	if err := r.sim.SetTicketStatus(id, int(r.statusNamed("Waiting on Customer"))); err != nil {
		t.Fatal(err)
	}
	r.sync()
	if tk := r.local(id); tk.StatusID != r.statusNamed("Waiting on Customer") {
		t.Fatalf("a lost delivery was not caught by polling: %+v", tk)
	}
}

func TestBothSidesChangeTheLaterWins(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	r.sync()
	open, _ := r.db.Tickets(r.ctx, store.TicketQuery{})
	a, b := open[0], open[1]
	progress, waiting := r.statusNamed("In Progress"), r.statusNamed("Waiting on Customer")

	// HaloPSA changes after the local change: HaloPSA's later value wins.
	if err := r.db.SetTicketStatus(r.ctx, a.ID, progress); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if err := r.sim.SetTicketStatus(int(a.HaloID), int(waiting)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ts.PushOutbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.local(int(a.HaloID)); got.StatusID != waiting || got.SyncState != store.TicketConflict {
		t.Fatalf("local after HaloPSA's later change: %+v", got)
	}
	if got := r.remote(a.HaloID); got.StatusID.Int() != waiting {
		t.Fatalf("HaloPSA's later change was overwritten: %d", got.StatusID)
	}

	// The local change comes later: it wins and reaches HaloPSA.
	if err := r.sim.SetTicketStatus(int(b.HaloID), int(waiting)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if err := r.db.SetTicketStatus(r.ctx, b.ID, progress); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ts.PushOutbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.remote(b.HaloID); got.StatusID.Int() != progress {
		t.Fatalf("the later local change did not reach HaloPSA: %d", got.StatusID)
	}
	logs, _ := r.db.Logs(r.ctx, store.LogQuery{Search: "Both sides changed"})
	if len(logs) != 2 || !strings.Contains(logs[1].Message, `discarded HaloSync's "In Progress"`) ||
		!strings.Contains(logs[0].Message, `HaloPSA's "Waiting on Customer"`) {
		t.Fatalf("conflict log = %+v", logs)
	}
}

func TestCreateGoesOutOnceEvenAfterALostAnswer(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	r.sync()
	client := r.sim.ActiveClientIDs()[3]
	local, _, _ := r.db.LocalClientForHalo(r.ctx, int64(client))
	tk, err := r.db.CreateTicket(r.ctx, store.Ticket{LocalClientID: local, HaloClientID: int64(client), Summary: "New starter laptop", Details: "For Ann"})
	if err != nil {
		t.Fatal(err)
	}
	// The crash: HaloPSA accepted the create, the local commit never happened.
	item, _, err := r.db.NextOutbox(r.ctx)
	if err != nil || item.Kind != "create" {
		t.Fatalf("outbox = %+v, %v", item, err)
	}
	if err := r.db.MarkSending(r.ctx, item.ID); err != nil {
		t.Fatal(err)
	}
	created, err := r.ts.Halo.SaveTicket(r.ctx, halo.TicketWrite{Summary: tk.Summary, Details: withRef(tk.Details, tk.Ref), ClientID: halo.ID(client)})
	if err != nil {
		t.Fatal(err)
	}
	// The restart pushes again: it finds the ticket instead of creating another.
	if _, err := r.ts.PushOutbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := r.db.Ticket(r.ctx, tk.ID)
	if got.HaloID != created.ID.Int() || got.SyncState != store.TicketSynced {
		t.Fatalf("after recovery: %+v, want HaloPSA id %d", got, created.ID)
	}
	copies := 0
	r.ts.Halo.ListTickets(r.ctx, halo.TicketQuery{ClientID: halo.ID(client)}, func(p halo.Page[halo.Ticket]) error {
		for _, x := range p.Rows {
			if strings.Contains(x.Details, tk.Ref) {
				copies++
			}
		}
		return nil
	})
	if copies != 1 {
		t.Fatalf("%d tickets carry %s in HaloPSA; want exactly one", copies, tk.Ref)
	}
	// A plain create goes out once.
	tk2, _ := r.db.CreateTicket(r.ctx, store.Ticket{LocalClientID: local, HaloClientID: int64(client), Summary: "Second"})
	if n, err := r.ts.PushOutbox(r.ctx); err != nil || n != 1 {
		t.Fatalf("pushed %d, %v", n, err)
	}
	if got, _ := r.db.Ticket(r.ctx, tk2.ID); got.HaloID == 0 || r.remote(got.HaloID).Summary != "Second" {
		t.Fatalf("second create: %+v", got)
	}
}

func TestUnmappedClientIsHeldUntilMapped(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	r.sync()
	newClient := r.sim.AddClient("Late Arrivals Ltd")
	if _, err := (&Importer{Halo: r.ts.Halo, DB: r.db}).Run(r.ctx); err != nil {
		t.Fatal(err)
	}
	id, _ := r.sim.CreateTicket(newClient, "Held ticket")
	r.sync()
	if _, err := r.db.TicketByHalo(r.ctx, int64(id)); err == nil {
		t.Fatal("a ticket of an unmapped client was applied")
	}
	counts, _ := r.db.InboxCounts(r.ctx)
	if counts[store.InboxHeld] != 1 {
		t.Fatalf("inbox = %v", counts)
	}
	r.sync() // still unmapped: held again, logged once
	held, _ := r.db.Logs(r.ctx, store.LogQuery{Search: "Held 1 ticket"})
	if len(held) != 1 {
		t.Fatalf("held logged %d times", len(held))
	}
	if _, err := r.db.CreateLocalFromHalo(r.ctx, []int64{int64(newClient)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.db.ReleaseHeldInbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ts.DrainInbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	if tk := r.local(id); tk.Summary != "Held ticket" {
		t.Fatalf("released ticket = %+v", tk)
	}
}

func TestStaleVersionNeverOverwrites(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	r.sync()
	open, _ := r.db.Tickets(r.ctx, store.TicketQuery{})
	tk := open[0]
	newer := r.remote(tk.HaloID)
	older := newer
	older.StatusID = halo.ID(r.statusNamed("Waiting on Customer"))
	older.LastUpdate = halo.Time{Time: newer.LastUpdate.Add(-time.Hour)}
	older.LastActionDate = older.LastUpdate
	if _, err := r.ts.ApplyRemote(r.ctx, older); err != nil {
		t.Fatal(err)
	}
	if got := r.local(int(tk.HaloID)); got.StatusID != tk.StatusID {
		t.Fatalf("a stale version changed the status: %d -> %d", tk.StatusID, got.StatusID)
	}
}

// TestPushStopsWhenHaloPSAIsDown checks that a push meeting an outage
// records the retry on the item and returns the error, instead of
// trying every other item against a server that is down.
func TestPushStopsWhenHaloPSAIsDown(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	r.sync()
	client := r.sim.ActiveClientIDs()[3]
	local, _, _ := r.db.LocalClientForHalo(r.ctx, int64(client))
	for _, s := range []string{"First", "Second"} {
		if _, err := r.db.CreateTicket(r.ctx, store.Ticket{LocalClientID: local, HaloClientID: int64(client), Summary: s}); err != nil {
			t.Fatal(err)
		}
	}
	r.sim.SetFaults(halosim.Faults{ErrorRate: 1})
	r.sim.ResetStats()
	n, err := r.ts.PushOutbox(r.ctx)
	if n != 0 || !errors.Is(err, halo.ErrServer) {
		t.Fatalf("push during an outage: %d pushed, %v; want 0 and a server error", n, err)
	}
	if got := r.sim.Stats().ServerErrors; got != 1 {
		t.Fatalf("HaloPSA failed %d requests; want 1: the second item should wait", got)
	}
	if logs, _ := r.db.Logs(r.ctx, store.LogQuery{Search: "Will retry"}); len(logs) != 1 {
		t.Fatalf("retry rows: %+v; want one, for the first item", logs)
	}
}
