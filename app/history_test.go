package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

// bookOf is a client book with the names of some HaloPSA clients, so that
// nothing is mapped until the test maps it.
func bookOf(cs []halosim.ClientSummary) []store.LocalClient {
	var book []store.LocalClient
	for _, c := range cs {
		if !c.Inactive {
			book = append(book, store.LocalClient{Name: c.Name})
		}
	}
	return book
}

// Decisions made and not saved are still there after the app is closed
// and opened again, with their HaloPSA names and scores.
func TestUnsavedDecisionsSurviveARestart(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 31, Clients: 12, InactiveClients: -1})
	dir, keys := t.TempDir(), secrets.NewMemory()
	ctx := context.Background()
	a, err := Open(Config{DataDir: dir, Secrets: keys})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.AddLocalClients(ctx, bookOf(sim.Clients()[:4])); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.BulkMap(ctx); err != nil {
		t.Fatal(err)
	}
	rows, _ := a.MappingRows(ctx, MappingFilter{State: store.MapSuggested})
	if len(rows) < 3 {
		t.Fatalf("%d suggestions", len(rows))
	}
	other := rows[2].HaloID
	// As the window writes them: accept, ignore, map by hand; then a CLI draft.
	err = a.UpdateDrafts(ctx, []store.Decision{
		{LocalID: rows[0].Local.ID, Action: store.Accept, HaloID: rows[0].HaloID},
		{LocalID: rows[1].Local.ID, Action: store.Ignore},
		{LocalID: rows[2].Local.ID, Action: store.Accept, HaloID: rows[0].HaloID},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DraftDecision(ctx, store.Decision{LocalID: rows[2].Local.ID, Action: store.Accept, HaloID: other}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	b := openApp(t, dir, keys)
	pend, err := b.PendingDecisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]PendingDecision{}
	for _, p := range pend {
		got[p.LocalID] = p
	}
	if len(got) != 3 {
		t.Fatalf("after a restart %d decisions are pending, want 3: %+v", len(got), pend)
	}
	if p := got[rows[0].Local.ID]; p.Action != store.Accept || p.HaloName != rows[0].HaloName || p.Score != rows[0].Score || p.Reason != rows[0].Reason {
		t.Errorf("accepted suggestion came back as %+v", p)
	}
	if p := got[rows[2].Local.ID]; p.HaloID != other || p.HaloName != rows[2].HaloName || p.Reason == "" {
		t.Errorf("the CLI's later draft should win, scored: %+v", p)
	}
	if got[rows[1].Local.ID].Action != store.Ignore {
		t.Errorf("ignore came back as %+v", got[rows[1].Local.ID])
	}
	// Save All saves them; nothing is pending any more.
	if _, err := b.SaveDrafts(ctx); err != nil {
		t.Fatal(err)
	}
	if pend, _ := b.PendingDecisions(ctx); len(pend) != 0 {
		t.Fatalf("still pending after saving: %+v", pend)
	}
}

func TestHistoryAndUndo(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 32, Clients: 12, InactiveClients: -1})
	a := connectedApp(t, sim, url, bookOf(sim.Clients()[:4]))
	ctx := context.Background()
	if _, err := a.BulkMap(ctx); err != nil {
		t.Fatal(err)
	}
	rows, _ := a.MappingRows(ctx, MappingFilter{State: store.MapSuggested})
	before := time.Now().Add(-time.Second)
	if _, err := a.SaveMappings(ctx, []store.Decision{
		{LocalID: rows[0].Local.ID, Action: store.Accept, HaloID: rows[0].HaloID},
		{LocalID: rows[1].Local.ID, Action: store.Ignore},
	}); err != nil {
		t.Fatal(err)
	}
	h, err := a.History(ctx, 0)
	if err != nil || len(h) != 1 {
		t.Fatalf("history = %+v, %v", h, err)
	}
	b := h[0]
	if b.Actor == "" || b.Actor != osUser() || b.At.Before(before) || len(b.Changes) != 2 {
		t.Fatalf("batch = %+v; want by %q, now, two changes", b, osUser())
	}
	c := b.Changes[0]
	if c.LocalName != rows[0].Local.Name || c.Before.State != store.MapSuggested || c.After.State != store.MapAccepted ||
		c.Before.HaloName != rows[0].HaloName || c.After.HaloName != rows[0].HaloName {
		t.Errorf("change = %+v", c)
	}

	// A newer save of the same client refuses the undo of the older one.
	if _, err := a.SaveMappings(ctx, []store.Decision{{LocalID: rows[0].Local.ID, Action: store.Ignore}}); err != nil {
		t.Fatal(err)
	}
	_, err = a.UndoBatch(ctx, b.ID)
	if !errors.Is(err, store.ErrChangedSince) || !strings.Contains(err.Error(), rows[0].Local.Name) {
		t.Fatalf("undo over a newer change = %v", err)
	}
	// Undo one decision of the older batch: the ignore of rows[1].
	if _, err := a.UndoDecision(ctx, b.Changes[1].ID); err != nil {
		t.Fatal(err)
	}
	// Undo last save: the newer ignore of rows[0]; then the old batch's rest.
	if _, err := a.UndoLastSave(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.UndoLastSave(ctx); err != nil {
		t.Fatalf("undo of the first save after the newer one was undone: %v", err)
	}
	if _, err := a.UndoLastSave(ctx); !errors.Is(err, store.ErrNothingToUndo) {
		t.Fatalf("a fourth undo: %v", err)
	}
	after, _ := a.MappingRows(ctx, MappingFilter{State: StateAll})
	for _, r := range after {
		if r.State.Decided() {
			t.Errorf("%s is still %s after every save was undone", r.Local.Name, r.State)
		}
	}
	logs, _ := a.Log(ctx, store.LogQuery{Search: "Undo refused"})
	if len(logs) != 1 || logs[0].Level != store.Warn {
		t.Errorf("refusal log = %+v", logs)
	}
}

// Held tickets are listed per client with the reason, can be applied to a
// chosen local client, or dropped and never applied.
func TestHeldTicketsReleaseAndDrop(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 33, Clients: 10, InactiveClients: -1, TicketsPerClient: -1})
	cs := sim.Clients()
	a := connectedApp(t, sim, url, []store.LocalClient{{Name: "Our Own Client"}})
	ctx := context.Background()
	release, drop, gone := cs[0], cs[1], cs[2]
	t1, _ := sim.CreateTicket(release.ID, "Printer on fire")
	sim.CreateTicket(release.ID, "Second ticket")
	t3, _ := sim.CreateTicket(drop.ID, "Nobody wants this")
	sim.CreateTicket(gone.ID, "Of a deleted client")
	sim.DeleteClient(gone.ID)
	if _, err := a.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.TicketsOnce(ctx); err != nil {
		t.Fatal(err)
	}
	held, err := a.HeldTickets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	by := map[int64]HeldClient{}
	for _, h := range held {
		by[h.HaloID] = h
	}
	if len(by) != 3 {
		t.Fatalf("held for %d clients, want 3: %+v", len(by), held)
	}
	if h := by[int64(release.ID)]; h.Reason != HeldNotMapped || h.Name != release.Name || len(h.Tickets) != 2 || h.Why == "" {
		t.Errorf("held for %s: %+v", release.Name, h)
	}
	if h := by[int64(gone.ID)]; h.Reason != HeldDeleted || h.Name != gone.Name {
		t.Errorf("held for the deleted client: %+v", h)
	}
	book, _ := a.LocalClients(ctx, "Our Own")
	local := book[0].ID

	n, err := a.ReleaseHeld(ctx, int64(release.ID), local, false)
	if err != nil || n != 2 {
		t.Fatalf("release = %d, %v", n, err)
	}
	if n, err := a.DropHeld(ctx, int64(drop.ID)); err != nil || n != 1 {
		t.Fatalf("drop = %d, %v", n, err)
	}
	if _, err := a.TicketsOnce(ctx); err != nil {
		t.Fatal(err)
	}
	tickets, _ := a.Tickets(ctx, local)
	var summaries []string
	for _, tk := range tickets {
		summaries = append(summaries, tk.Summary)
		if tk.HaloID == int64(t3) {
			t.Errorf("a dropped ticket was applied: %+v", tk)
		}
	}
	if len(tickets) != 2 || (tickets[0].HaloID != int64(t1) && tickets[1].HaloID != int64(t1)) {
		t.Fatalf("tickets of the local client after release: %v", summaries)
	}
	if _, err := a.db.TicketByHalo(ctx, int64(t3)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the dropped ticket exists locally: %v", err)
	}
	held, _ = a.HeldTickets(ctx)
	if len(held) != 1 || held[0].HaloID != int64(gone.ID) {
		t.Fatalf("still held: %+v", held)
	}
	// The deleted client cannot be mapped; saying so plainly.
	if _, err := a.ReleaseHeld(ctx, int64(gone.ID), local, true); err == nil || !strings.Contains(err.Error(), "cannot be mapped") {
		t.Fatalf("mapping a deleted client = %v", err)
	}
}
