package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

func idArg(v int64) string { return strconv.FormatInt(v, 10) }

// history returns `map history --json`, decoded.
func (e *env) history() []batchJSON {
	e.t.Helper()
	var h []batchJSON
	decodeJSON(e.t, e.must("", "map", "history", "--json").stdout, &h)
	return h
}

func TestMapHistoryAndUndo(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 41, Clients: 20, InactiveClients: -1})
	clients := sim.Clients()
	var csv strings.Builder
	csv.WriteString("name\n")
	for _, c := range clients[:4] {
		csv.WriteString(c.Name + "\n")
	}
	e := newEnv(t)
	e.must("", "clients", "import", writeFile(t, "book.csv", csv.String()))
	e.connect(srv.URL, halosim.DefaultClientSecret)
	e.must("", "map", "suggest")
	sugg := e.mappings("suggested")
	if len(sugg) < 3 {
		t.Fatalf("%d suggestions", len(sugg))
	}
	if r := e.must("", "map", "history"); !strings.Contains(r.stdout, "No mapping has been saved yet") {
		t.Fatalf("empty history: %v", r)
	}
	e.must("", "map", "accept", idArg(sugg[0].LocalID))
	e.must("", "map", "ignore", idArg(sugg[1].LocalID))
	e.must("", "map", "save")
	e.must("", "map", "accept", idArg(sugg[2].LocalID))
	e.must("", "map", "save")

	h := e.history()
	if len(h) != 2 || h[0].Kind != "save" || h[0].Actor == "" || len(h[1].Changes) != 2 {
		t.Fatalf("history = %+v", h)
	}
	first := h[1]
	c := first.Changes[0]
	if c.LocalName != sugg[0].LocalName || c.Before.State != "suggested" || c.After.State != "accepted" || c.After.HaloName != sugg[0].HaloName {
		t.Fatalf("first change = %+v", c)
	}
	text := e.must("", "map", "history").stdout
	wantContains(t, "history", text, "Batch "+idArg(first.ID), "decision "+idArg(c.ID), sugg[0].LocalName, "-> accepted")

	// Undo the last save, then one decision of the first.
	r := e.must("", "map", "undo")
	wantContains(t, "undo", r.stdout, "Undid batch "+idArg(h[0].ID), sugg[2].LocalName)
	r = e.must("", "map", "undo", "--decision", idArg(first.Changes[1].ID))
	wantContains(t, "undo decision", r.stdout, "1 mapping(s) put back")
	if got := e.mappings("ignored"); len(got) != 0 {
		t.Fatalf("the ignore was not undone: %+v", got)
	}
	// A newer change refuses the undo of the first batch, naming the client.
	e.must("", "map", "unmap", idArg(sugg[0].LocalID))
	e.must("", "map", "save")
	r = e.run("", "map", "undo", "--batch", idArg(first.ID))
	if r.code != 1 || !strings.Contains(r.stderr, sugg[0].LocalName) || !strings.Contains(r.stderr, "undo that change first") ||
		!strings.Contains(r.stderr, "nothing was changed") {
		t.Fatalf("undo over a newer change: %v", r)
	}
	// Undoing the newer one first lets the older one through.
	e.must("", "map", "undo")
	e.must("", "map", "undo", "--batch", idArg(first.ID))
	if r := e.run("", "map", "undo", "--batch", idArg(first.ID)); r.code != 1 || !strings.Contains(r.stderr, "undone already") {
		t.Fatalf("second undo of a batch: %v", r)
	}
	if r := e.run("", "map", "undo", "--batch", "1", "--decision", "1"); r.code != 2 {
		t.Fatalf("both flags: %v", r)
	}
	if got := e.history()[0]; got.Kind != "undo" || got.Undoes != "batch "+idArg(first.ID) {
		t.Fatalf("the undo is not recorded: %+v", got)
	}
}

func TestMapListNeedsReview(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 42, Clients: 10, InactiveClients: -1})
	e := newEnv(t)
	e.connect(srv.URL, halosim.DefaultClientSecret) // an empty book: seeded, every client mapped
	e.must("", "sync", "--once")
	id := sim.ActiveClientIDs()[0]
	sim.RenameClient(id, "Brand New Name Ltd")
	e.must("", "sync", "--once")
	rows := e.mappings("review")
	if len(rows) != 1 || !strings.Contains(rows[0].Review, `renamed to "Brand New Name Ltd"`) {
		t.Fatalf("review rows = %+v", rows)
	}
	list := e.must("", "map", "list").stdout
	wantContains(t, "list", list, "(review: renamed to")
	logs := e.logs("--search", "need review")
	if len(logs) != 1 || logs[0].Level != "warn" {
		t.Fatalf("review log rows = %+v", logs)
	}
	e.must("", "map", "accept", idArg(rows[0].LocalID))
	e.must("", "map", "save")
	if rows := e.mappings("review"); len(rows) != 0 {
		t.Fatalf("re-accepting left %+v", rows)
	}
}

func TestHeldTicketCommands(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 43, Clients: 8, InactiveClients: -1, TicketsPerClient: -1})
	cs := sim.Clients()
	e := newEnv(t)
	e.must("", "clients", "add", "--name", "Our Own Client")
	e.connect(srv.URL, halosim.DefaultClientSecret)
	tk, _ := sim.CreateTicket(cs[0].ID, "Printer on fire")
	sim.CreateTicket(cs[1].ID, "Nobody wants this")
	sim.SetClientInactive(cs[1].ID, true)
	e.must("", "sync", "--once")
	e.must("", "tickets", "sync")

	var held []heldJSON
	decodeJSON(t, e.must("", "tickets", "held", "--json").stdout, &held)
	if len(held) != 2 {
		t.Fatalf("held = %+v", held)
	}
	reasons := map[int64]string{}
	for _, h := range held {
		reasons[h.HaloID] = h.Reason
	}
	if reasons[int64(cs[0].ID)] != "not mapped" || reasons[int64(cs[1].ID)] != "inactive" {
		t.Fatalf("reasons = %v", reasons)
	}
	text := e.must("", "tickets", "held").stdout
	wantContains(t, "held", text, cs[0].Name, "not mapped to any of your clients", "inactive in HaloPSA")

	r := e.must("", "tickets", "release", idArg(int64(cs[0].ID)), "--to", "1")
	wantContains(t, "release", r.stdout, "Released 1 held ticket change(s)")
	ticketBy(t, e.tickets(), "the released one", func(r ticketJSON) bool { return r.HaloID == int64(tk) && r.ClientID == 1 })
	e.must("", "tickets", "drop", idArg(int64(cs[1].ID)))
	e.must("", "tickets", "sync")
	for _, r := range e.tickets() {
		if r.Summary == "Nobody wants this" {
			t.Fatalf("a dropped ticket was applied: %+v", r)
		}
	}
	if r := e.must("", "tickets", "held"); !strings.Contains(r.stdout, "No ticket changes are held") {
		t.Fatalf("after release and drop: %v", r)
	}
	if r := e.run("", "tickets", "release", "5"); r.code != 2 {
		t.Fatalf("release without --to: %v", r)
	}
	if r := e.run("", "tickets", "drop", idArg(int64(cs[0].ID))); r.code != 1 {
		t.Fatalf("drop with nothing held: %v", r)
	}
}
