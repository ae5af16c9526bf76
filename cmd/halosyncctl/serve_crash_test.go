package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
	hsync "github.com/brainstormmsp/halosync/engine/sync"
)

// holder serves a simulator and, once armed, holds the n-th request that
// match picks until its client goes away, so that the test kills serve at
// a known moment. With after set the simulator handles the request first:
// HaloPSA made the change and only its answer is lost.
type holder struct {
	sim  http.Handler
	stop chan struct{} // closed when the test ends: let held requests go

	mu    gosync.Mutex
	match func(r *http.Request, body []byte) bool
	left  int
	after bool
	held  chan struct{}
}

// arm holds the n-th request match picks from now on; the channel is
// closed when it is held.
func (h *holder) arm(n int, after bool, match func(*http.Request, []byte) bool) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.match, h.left, h.after, h.held = match, n, after, make(chan struct{})
	return h.held
}

func (h *holder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.mu.Lock()
	var held chan struct{}
	if h.match != nil && h.match(r, body) {
		if h.left--; h.left == 0 {
			held, h.match = h.held, nil
		}
	}
	after := h.after
	h.mu.Unlock()
	if held == nil {
		h.sim.ServeHTTP(w, r)
		return
	}
	if after {
		h.sim.ServeHTTP(httptest.NewRecorder(), r)
	}
	close(held)
	select {
	case <-r.Context().Done(): // serve was killed: the answer is lost
	case <-h.stop:
	}
}

func isTicketGet(r *http.Request, _ []byte) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(strings.ToLower(r.URL.Path), "/api/tickets/")
}

// ticketPost returns a matcher of POST /api/Tickets: creates (no id) or
// updates.
func ticketPost(update bool) func(*http.Request, []byte) bool {
	return func(r *http.Request, body []byte) bool {
		var rows []map[string]json.RawMessage
		if r.Method != http.MethodPost || !strings.EqualFold(r.URL.Path, "/api/tickets") || json.Unmarshal(body, &rows) != nil || len(rows) != 1 {
			return false
		}
		_, hasID := rows[0]["id"]
		return hasID == update
	}
}

// TestServeKilledDeliversExactlyOnce: SIGKILL while outbox items are in
// flight and while inbox items are applied; after a restart every change
// arrives exactly once on each side.
func TestServeKilledDeliversExactlyOnce(t *testing.T) {
	t.Parallel()
	p := newProc(t)
	secret := randomSecret(t)
	sim := halosim.New(halosim.Options{Seed: 25, Clients: 12, TicketsPerClient: 6, Latency: 80 * time.Millisecond, ClientSecret: secret})
	h := &holder{sim: sim, stop: make(chan struct{})}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(h.stop) }) // runs first: Close waits for held requests
	p.keychainEntry(srv.URL)
	hc := haloClient(t, srv.URL, secret)
	ctx := context.Background()

	p.must(secret+"\n", "connect", "--url", srv.URL, "--client-id", halosim.DefaultClientID)
	p.must("", "tickets", "sync")
	db, err := store.Open(filepath.Join(p.dir, "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	open, err := db.Tickets(ctx, store.TicketQuery{})
	if err != nil || len(open) < 16 {
		t.Fatalf("%d open tickets (%v), want at least 16", len(open), err)
	}
	statuses := []int64{2, 4, 5, 8, 18, 3} // In Progress, Waiting on Customer, Waiting on Supplier, Closed, Scheduled, Action Required
	other := func(i int, cur int64) int64 {
		if s := statuses[i%len(statuses)]; s != cur {
			return s
		}
		return statuses[(i+1)%len(statuses)]
	}

	// While nothing runs: local changes in the outbox...
	localStatus := map[int64]int64{} // local ticket id -> the status set here
	for i, tk := range open[:10] {
		localStatus[tk.ID] = other(i, tk.StatusID)
		if err := db.SetTicketStatus(ctx, tk.ID, localStatus[tk.ID]); err != nil {
			t.Fatal(err)
		}
	}
	clients := sim.ActiveClientIDs()
	created := map[string]int64{} // ref -> the status it is created with
	var createdIDs []int64
	for i := range 15 {
		c := clients[i%len(clients)]
		local, ok, err := db.LocalClientForHalo(ctx, int64(c))
		if err != nil || !ok {
			t.Fatalf("HaloPSA client %d is not mapped: %v", c, err)
		}
		tk, err := db.CreateTicket(ctx, store.Ticket{LocalClientID: local, HaloClientID: int64(c),
			Summary: fmt.Sprintf("Queued while stopped %d", i), Details: "Made offline", StatusID: 1})
		if err != nil {
			t.Fatal(err)
		}
		created[tk.Ref] = 1
		if i%5 == 0 { // changed again before it went out: created with this status
			if err := db.SetTicketStatus(ctx, tk.ID, 2); err != nil {
				t.Fatal(err)
			}
			created[tk.Ref] = 2
		}
		createdIDs = append(createdIDs, tk.ID)
	}
	// ...and changes made in HaloPSA, received as event-only webhook
	// deliveries (each applied by fetching the ticket) and polled again.
	remoteStatus := map[int64]int64{} // HaloPSA id -> the status set there
	var deliveries []store.InboxItem
	for i, tk := range open[10:16] {
		remoteStatus[tk.HaloID] = other(i+3, tk.StatusID)
		if err := sim.SetTicketStatus(int(tk.HaloID), int(remoteStatus[tk.HaloID])); err != nil {
			t.Fatal(err)
		}
	}
	remoteNew := map[int64]string{} // HaloPSA id -> summary
	for i := range 5 {
		summary := fmt.Sprintf("Logged in HaloPSA %d", i)
		id, err := sim.CreateTicket(clients[(i*3)%len(clients)], summary)
		if err != nil {
			t.Fatal(err)
		}
		remoteNew[int64(id)] = summary
		remoteStatus[int64(id)] = 1
	}
	for id := range remoteStatus {
		body := fmt.Sprintf(`{"id":"delivery-%d","event":"Ticket Status Changed","object_id":%d}`, id, id)
		deliveries = append(deliveries, store.InboxItem{DeliveryID: fmt.Sprintf("delivery-%d", id), Event: "Ticket Status Changed", ObjectID: id, Body: []byte(body)})
	}
	if _, err := db.AddInbox(ctx, deliveries); err != nil {
		t.Fatal(err)
	}
	inbox0, err := db.InboxCounts(ctx) // the first sync's items (one of an inactive client held) and the deliveries
	if err != nil {
		t.Fatal(err)
	}
	remoteBefore := sim.Counts().Tickets
	newest, err := db.Logs(ctx, store.LogQuery{Limit: 1})
	if err != nil || len(newest) != 1 {
		t.Fatalf("sync log: %+v, %v", newest, err)
	}

	// Kill 1: while the fourth delivery is being applied. Deliveries are
	// applied in batches, each marked applied in the transaction that
	// applies it, so the kill leaves every one applied or still pending
	// (a poll may have added more): none failed, none lost.
	inboxHeld := h.arm(4, false, isTicketGet)
	s := p.serve("--poll", "300ms")
	waitHeld(t, s, inboxHeld, "the fourth delivery's fetch")
	s.kill()
	n, _ := db.InboxCounts(ctx)
	kept := func(c map[store.InboxStatus]int) int {
		return c[store.InboxApplied] + c[store.InboxPending] + c[store.InboxHeld]
	}
	if n[store.InboxApplied] < inbox0[store.InboxApplied] || kept(n) < kept(inbox0) ||
		n[store.InboxFailed] != inbox0[store.InboxFailed] || n[store.InboxUnreadable] != inbox0[store.InboxUnreadable] {
		t.Fatalf("inbox after the first kill: %v, before it %v; want every delivery applied or pending", n, inbox0)
	}

	// The outbox goes oldest first: the status changes, then the creates.
	// Kill 2: HaloPSA took the third status change, its answer never arrived.
	statusHeld := h.arm(3, true, ticketPost(true))
	s = p.serve("--poll", "300ms")
	waitHeld(t, s, statusHeld, "the third status change")
	s.kill()
	if n, _ := db.OutboxPending(ctx); n != len(localStatus)-2+len(created) {
		t.Fatalf("%d outbox items open after the second kill, want %d", n, len(localStatus)-2+len(created))
	}

	// Kill 3: HaloPSA created the fifth ticket, its answer never arrived.
	createHeld := h.arm(5, true, ticketPost(false))
	s = p.serve("--poll", "300ms")
	waitHeld(t, s, createHeld, "the fifth create")
	s.kill()
	if n := sim.Counts().Tickets - remoteBefore; n != 5 {
		t.Fatalf("HaloPSA has %d of the queued tickets after the third kill, want 5", n)
	}
	if tk, _ := db.Ticket(ctx, createdIDs[4]); tk.HaloID != 0 {
		t.Fatalf("the fifth create was recorded although its answer was lost: %+v", tk)
	}

	// The last run finishes the work and is stopped cleanly.
	s = p.serve("--poll", "300ms")
	s.waitFor("every change on both sides", 15*time.Second, func() bool {
		pending, err := db.OutboxPending(ctx)
		inbox, err2 := db.InboxCounts(ctx)
		if err != nil || err2 != nil || pending != 0 || inbox[store.InboxPending] != 0 {
			return false
		}
		for id, want := range remoteStatus {
			if tk, err := db.TicketByHalo(ctx, id); err != nil || tk.StatusID != want {
				return false
			}
		}
		return true
	})
	s.terminate()
	p.outputs = append(p.outputs, s.out.String())
	t.Logf("HaloPSA answered %d requests", sim.Stats().Requests)

	// HaloPSA: each local create exactly once, each local change made.
	remote := remoteTickets(t, hc)
	if len(remote) != remoteBefore+len(created) {
		t.Errorf("HaloPSA holds %d tickets, want %d", len(remote), remoteBefore+len(created))
	}
	byRef := map[string][]halo.Ticket{}
	for _, r := range remote {
		if ref := hsync.RefOf(r.Details); ref != "" {
			byRef[ref] = append(byRef[ref], r)
		}
	}
	for ref, want := range created {
		copies := byRef[ref]
		if len(copies) != 1 {
			t.Errorf("%s is in %d HaloPSA tickets, want one: %+v", ref, len(copies), copies)
			continue
		}
		tk, err := db.TicketByRef(ctx, ref)
		if err != nil || tk.HaloID != copies[0].ID.Int() || tk.StatusID != want || copies[0].StatusID.Int() != want || tk.SyncState != store.TicketSynced {
			t.Errorf("%s: local %+v (%v), HaloPSA %d with status %d; want linked, status %d, synced", ref, tk, err, copies[0].ID, copies[0].StatusID, want)
		}
	}
	if len(byRef) != len(created) {
		t.Errorf("HaloPSA has %d tickets with a HaloSync ref, want %d", len(byRef), len(created))
	}
	for id, want := range localStatus {
		tk, _ := db.Ticket(ctx, id)
		if got := remoteTicket(t, hc, tk.HaloID); got.StatusID.Int() != want || tk.StatusID != want || tk.SyncState != store.TicketSynced {
			t.Errorf("status set here to %d: HaloPSA has %d, local %+v", want, got.StatusID, tk)
		}
	}

	// Local: each HaloPSA change applied, each ticket once.
	for id, want := range remoteStatus {
		if tk, err := db.TicketByHalo(ctx, id); err != nil || tk.StatusID != want || tk.SyncState != store.TicketSynced {
			t.Errorf("status set in HaloPSA %d to %d: local %+v, %v", id, want, tk, err)
		}
	}
	for id, summary := range remoteNew {
		if tk, err := db.TicketByHalo(ctx, id); err != nil || tk.Summary != summary || tk.LocalClientID == 0 {
			t.Errorf("ticket %d logged in HaloPSA: local %+v, %v", id, tk, err)
		}
	}
	all, err := db.Tickets(ctx, store.TicketQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(open) + len(created) + len(remoteNew); len(all) != want {
		t.Errorf("%d local tickets, want %d", len(all), want)
	}
	seen := map[int64]bool{}
	for _, tk := range all {
		if tk.HaloID == 0 || seen[tk.HaloID] || tk.SyncState != store.TicketSynced {
			t.Errorf("local ticket %+v: want a HaloPSA id of its own and synced", tk)
		}
		seen[tk.HaloID] = true
	}
	if n, _ := db.InboxCounts(ctx); n[store.InboxApplied] < inbox0[store.InboxApplied]+len(deliveries) || n[store.InboxPending] != 0 ||
		n[store.InboxHeld] != inbox0[store.InboxHeld] || n[store.InboxFailed]+n[store.InboxUnreadable] != 0 {
		t.Errorf("inbox at the end: %v, at the start %v; want every delivery applied", n, inbox0)
	}
	if rows, _ := db.Logs(ctx, store.LogQuery{MinLevel: store.Warn}); len(rows) != 0 && rows[0].ID > newest[0].ID {
		t.Errorf("the serve runs logged warnings or errors: %+v", rows)
	}
	if err := db.Check(ctx); err != nil {
		t.Error(err)
	}
	p.wantSecretNowhere(secret)
}

// waitHeld waits until the holder holds a request of serve's.
func waitHeld(t *testing.T, s *served, held <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-held:
	case <-s.exited:
		t.Fatalf("serve ended before %s was held:\n%s", what, s.out.String())
	case <-time.After(15 * time.Second):
		t.Fatalf("%s was not held within 15 s; serve said:\n%s", what, s.out.String())
	}
}
