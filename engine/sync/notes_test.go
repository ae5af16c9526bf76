package sync

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// openTicket returns a synced ticket HaloSync holds, after a first poll.
func (r *ticketRig) openTicket() store.Ticket {
	r.t.Helper()
	r.sync()
	open, err := r.db.Tickets(r.ctx, store.TicketQuery{})
	if err != nil || len(open) == 0 {
		r.t.Fatalf("no tickets: %v", err)
	}
	return open[0]
}

// notes returns the ticket's notes and fails unless there are want.
func (r *ticketRig) notes(ticketID int64, want int) []store.Note {
	r.t.Helper()
	ns, err := r.db.Notes(r.ctx, ticketID)
	if err != nil || len(ns) != want {
		r.t.Fatalf("ticket %d has %d notes (%v), want %d: %+v", ticketID, len(ns), err, want, ns)
	}
	return ns
}

func TestNoteGoesToHaloPSAOnceAndItsEchoIsKnown(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	tk := r.openTicket()
	r.startReceiver(halosim.WebhookConfig{})
	n, err := r.db.AddNote(r.ctx, store.Note{TicketID: tk.ID, Body: "Swapped the toner", Private: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := r.db.Ticket(r.ctx, tk.ID); got.SyncState != store.TicketPending {
		t.Fatalf("a ticket with a note waiting is %s", got.SyncState)
	}
	if pushed, err := r.ts.PushOutbox(r.ctx); err != nil || pushed != 1 {
		t.Fatalf("pushed %d, %v", pushed, err)
	}
	if c := r.sim.NoteCount(int(tk.HaloID), "Swapped the toner"); c != 1 {
		t.Fatalf("HaloPSA has the note %d times", c)
	}
	actions, err := r.ts.Halo.Actions(r.ctx, halo.ID(tk.HaloID))
	if err != nil || len(actions) != 1 || actions[0].OutcomeID != InternalNoteOutcome || !bool(actions[0].HiddenFromUser) ||
		actions[0].Note != "Swapped the toner\n\n— HaloSync ref "+n.Ref {
		t.Fatalf("HaloPSA's action: %+v, %v", actions, err)
	}
	// The echo comes back by webhook and by poll: still one note, now with HaloPSA's id.
	r.flushAndApply()
	r.sync()
	got := r.notes(tk.ID, 1)[0]
	if got.HaloID != actions[0].ID.Int() || got.Origin != store.NoteLocal || got.Body != "Swapped the toner" {
		t.Fatalf("note = %+v", got)
	}
	if back, _ := r.db.Ticket(r.ctx, tk.ID); back.SyncState != store.TicketSynced {
		t.Fatalf("ticket after the note went out: %s", back.SyncState)
	}
}

func TestNoteFromHaloPSAArrivesByPoll(t *testing.T) {
	for _, d := range halosim.Dialects() {
		t.Run(d.Name, func(t *testing.T) {
			r := newTicketRig(t, halosim.Options{Behaviour: d.Behaviour})
			tk := r.openTicket()
			if _, err := r.sim.AddNote(int(tk.HaloID), "Customer rang: printer fixed", false); err != nil {
				t.Fatal(err)
			}
			r.sync()
			n := r.notes(tk.ID, 1)[0]
			if n.Origin != store.NoteHalo || n.Body != "Customer rang: printer fixed" || n.Who == "" || n.Private || n.HaloID == 0 {
				t.Fatalf("note = %+v", n)
			}
			r.sync()
			r.notes(tk.ID, 1)
		})
	}
}

func TestNoteFromHaloPSAArrivesByWebhook(t *testing.T) {
	for _, payload := range []string{"full", "event-only"} {
		t.Run(payload, func(t *testing.T) {
			r := newTicketRig(t, halosim.Options{})
			tk := r.openTicket()
			r.startReceiver(halosim.WebhookConfig{PayloadType: payload})
			if _, err := r.sim.AddNote(int(tk.HaloID), "Engineer on site at 3pm", true); err != nil {
				t.Fatal(err)
			}
			r.sim.ResetStats()
			r.flushAndApply()
			n := r.notes(tk.ID, 1)[0]
			if n.Origin != store.NoteHalo || n.Body != "Engineer on site at 3pm" || !n.Private {
				t.Fatalf("note = %+v", n)
			}
			// A delivery that carries the action needs no request for it.
			if got := r.sim.Stats().ByPath["/api/actions"]; payload == "full" && got != 0 {
				t.Fatalf("%d action lists for a delivery that carried the action", got)
			}
		})
	}
}

func TestNoteWhoseAnswerWasLostIsNotPostedTwice(t *testing.T) {
	pessimistic, _ := halosim.DialectBehaviour("pessimistic") // note_html instead of note, among others
	for _, first := range []string{"retry", "poll", "retry-pessimistic"} {
		t.Run(first, func(t *testing.T) {
			var b halosim.Behaviour
			if first == "retry-pessimistic" {
				b = pessimistic
			}
			r := newTicketRig(t, halosim.Options{Behaviour: b})
			tk := r.openTicket()
			if _, err := r.db.AddNote(r.ctx, store.Note{TicketID: tk.ID, Body: "Replaced the fuser"}); err != nil {
				t.Fatal(err)
			}
			r.sim.LoseAnswers(1)
			if _, err := r.ts.PushOutbox(r.ctx); !errors.Is(err, halo.ErrUnreachable) {
				t.Fatalf("push with the answer lost: %v", err)
			}
			if first == "poll" {
				r.sync() // the note comes back by poll before the retry
			}
			if err := r.db.RetryTicketNow(r.ctx, tk.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := r.ts.PushOutbox(r.ctx); err != nil {
				t.Fatal(err)
			}
			if c := r.sim.NoteCount(int(tk.HaloID), "Replaced the fuser"); c != 1 {
				t.Fatalf("HaloPSA has the note %d times; want once", c)
			}
			r.sync()
			if n := r.notes(tk.ID, 1)[0]; n.HaloID == 0 {
				t.Fatalf("note = %+v", n)
			}
			if open, _ := r.db.OutboxPending(r.ctx); open != 0 {
				t.Fatalf("%d outbox items left", open)
			}
		})
	}
}

// TestNoteAcceptedBeforeACrashExistsOnce is the SIGKILL case at engine
// level: HaloPSA accepted the note, the process died before recording it,
// and a fresh Tickets over the same database file pushes again.
func TestNoteAcceptedBeforeACrashExistsOnce(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 41, Clients: 12})
	path := filepath.Join(t.TempDir(), "halosync.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := newClient(t, srv, nil)
	if _, err := (&Importer{Halo: c, DB: db}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateLocalFromHalo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	r := &ticketRig{t, sim, srv, db, &Tickets{Halo: c, DB: db}, ctx}
	if err := r.ts.LoadStatuses(ctx); err != nil {
		t.Fatal(err)
	}
	tk := r.openTicket()
	n, err := db.AddNote(ctx, store.Note{TicketID: tk.ID, Body: "Rebooted the switch", Private: true})
	if err != nil {
		t.Fatal(err)
	}
	item, _, err := db.NextOutbox(ctx)
	if err != nil || item.Kind != "note" {
		t.Fatalf("outbox head %+v, %v", item, err)
	}
	if err := db.MarkSending(ctx, item.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddAction(ctx, halo.ActionWrite{TicketID: halo.ID(tk.HaloID), OutcomeID: InternalNoteOutcome,
		Note: withRef(n.Body, n.Ref), Private: true}); err != nil {
		t.Fatal(err)
	}
	db.Close() // the crash: nothing recorded after HaloPSA's answer

	db2, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	ts := &Tickets{Halo: newClient(t, srv, nil), DB: db2}
	if _, err := ts.PushOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sim.NoteCount(int(tk.HaloID), "Rebooted the switch"); got != 1 {
		t.Fatalf("HaloPSA has the note %d times after the restart; want once", got)
	}
	ns, _ := db2.Notes(ctx, tk.ID)
	if len(ns) != 1 || ns[0].HaloID == 0 {
		t.Fatalf("notes after the restart: %+v", ns)
	}
	if logs, _ := db2.Logs(ctx, store.LogQuery{Search: "Recovered a note"}); len(logs) != 1 {
		t.Fatalf("recovery log: %+v", logs)
	}
}

// TestNoteWaitsForItsTicketsCreate checks that a note on a ticket whose
// create HaloPSA refused waits, and goes out after the create.
func TestNoteWaitsForItsTicketsCreate(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	haloClient, local := r.mappedClient(0)
	tk, _ := r.db.CreateTicket(r.ctx, store.Ticket{LocalClientID: local, HaloClientID: haloClient, Summary: "Laptop", TypeID: 4})
	if _, err := r.db.AddNote(r.ctx, store.Note{TicketID: tk.ID, Body: "Needs a charger too"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ts.PushOutbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.db.Ticket(r.ctx, tk.ID); got.HaloID != 0 || got.SyncError == "" {
		t.Fatalf("the create went out without the category Problem needs: %+v", got)
	}
	// Problem needs a category, which HaloSync does not send: the type is changed instead.
	if err := r.db.SetTicketFields(r.ctx, tk.ID, 0, 0, 1, 0); err != nil {
		t.Fatal(err)
	}
	if err := r.db.RetryTicketNow(r.ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ts.PushOutbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := r.db.Ticket(r.ctx, tk.ID)
	if got.HaloID == 0 || r.sim.NoteCount(int(got.HaloID), "Needs a charger too") != 1 {
		t.Fatalf("after the fix: %+v", got)
	}
}

// TestNoteWithARefusedOutcomeWaitsForTheFix checks that a note HaloPSA
// refuses for its outcome stays queued with a plain reason, and goes out
// once the outcome is changed.
func TestNoteWithARefusedOutcomeWaitsForTheFix(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	tk := r.openTicket()
	n, err := r.db.AddNote(r.ctx, store.Note{TicketID: tk.ID, Body: "Approved", OutcomeID: 99}) // the API agent may not use 99
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ts.PushOutbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := r.db.Ticket(r.ctx, tk.ID)
	if open, _ := r.db.OutboxPending(r.ctx); open != 1 || got.SyncState != store.TicketError ||
		got.SyncError != "HaloPSA refused the note (HaloPSA: You do not have access to this Action at the moment)" {
		t.Fatalf("after the refusal: %d open, %+v", open, got)
	}
	if err := r.db.SetNoteOutcome(r.ctx, n.ID, InternalNoteOutcome); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ts.PushOutbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	if c := r.sim.NoteCount(int(tk.HaloID), "Approved"); c != 1 {
		t.Fatalf("HaloPSA has the note %d times", c)
	}
	if got, _ := r.db.Ticket(r.ctx, tk.ID); got.SyncState != store.TicketSynced {
		t.Fatalf("ticket after the fix: %+v", got)
	}
}
