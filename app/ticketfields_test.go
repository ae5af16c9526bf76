package app

import (
	"context"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

func TestTicketWithFieldsAndNotesThroughTheApp(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 34, Clients: 6, InactiveClients: -1, TicketsPerClient: -1})
	a := connectedApp(t, sim, url, nil)
	ctx := context.Background()
	if _, err := a.TicketsOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if f, err := a.TicketFields(ctx); err != nil || len(f.Types) == 0 || len(f.Priorities) == 0 || len(f.Outcomes) == 0 {
		t.Fatalf("ticket fields after a ticket sync: %+v, %v", f, err)
	}
	book, _ := a.LocalClients(ctx, "")
	local := book[0].ID
	draft, err := a.NewTicketDraft(ctx, local)
	if err != nil || draft.UserID == 0 || draft.SiteID == 0 {
		t.Fatalf("draft = %+v, %v", draft, err)
	}
	draft.Summary, draft.TypeID, draft.PriorityID = "Wi-Fi down", 3, 2
	tk, err := a.CreateTicketWith(ctx, draft)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddNote(ctx, tk.ID, "Tried turning it off and on", true, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := a.TicketsOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := a.db.Ticket(ctx, tk.ID)
	if got.HaloID == 0 || got.SyncState != store.TicketSynced || got.PriorityID != 2 {
		t.Fatalf("after the push: %+v", got)
	}
	if n := sim.NoteCount(int(got.HaloID), "Tried turning it off and on"); n != 1 {
		t.Fatalf("HaloPSA has the note %d times", n)
	}
	if _, err := sim.AddNote(int(got.HaloID), "On site tomorrow", false); err != nil {
		t.Fatal(err)
	}
	if _, err := a.TicketsOnce(ctx); err != nil {
		t.Fatal(err)
	}
	notes, err := a.Notes(ctx, tk.ID)
	if err != nil || len(notes) != 2 || notes[0].Pending() || notes[1].Origin != store.NoteHalo {
		t.Fatalf("notes = %+v, %v", notes, err)
	}
	if n, err := a.RefreshNotes(ctx, tk.ID); err != nil || n != 0 {
		t.Fatalf("refresh found %d new notes, %v", n, err)
	}
}

// TestTicketWritesPublishTicketsChanged: every write the ticket use cases
// make here (a note, a fix of a refused create, a retry, a note's outcome)
// publishes TicketsChanged, so the Tickets tab and an open notes list
// update without waiting for the next push.
func TestTicketWritesPublishTicketsChanged(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 35, Clients: 3, InactiveClients: -1, TicketsPerClient: -1})
	a := connectedApp(t, sim, url, nil)
	ctx := context.Background()
	if _, err := a.TicketsOnce(ctx); err != nil {
		t.Fatal(err)
	}
	book, _ := a.LocalClients(ctx, "")
	draft, err := a.NewTicketDraft(ctx, book[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	draft.Summary = "Laptop will not boot"
	tk, err := a.CreateTicketWith(ctx, draft)
	if err != nil {
		t.Fatal(err)
	}
	ev := subscribe(t, a)
	changes := func() int { return ev.count(func(e Event) bool { return e.TicketsChanged != nil }) }
	n, err := a.AddNote(ctx, tk.ID, "Checked the charger", true, 0)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		what string
		do   func() error
	}{
		{"SetTicketFields", func() error { return a.SetTicketFields(ctx, tk.ID, draft.SiteID, draft.UserID, 1, 0) }},
		{"RetryTicketNow", func() error { return a.RetryTicketNow(ctx, tk.ID) }},
		{"SetNoteOutcome", func() error { return a.SetNoteOutcome(ctx, n.ID, 7) }},
	}
	if got := changes(); got != 1 {
		t.Fatalf("AddNote published %d TicketsChanged, want 1", got)
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		if got := changes(); got != i+2 {
			t.Fatalf("after %s: %d TicketsChanged, want %d", s.what, got, i+2)
		}
	}
	if c, err := a.TicketChoices(ctx, book[0].ID); err != nil || len(c.Sites) == 0 || len(c.Contacts) == 0 ||
		c.TypeName(3) != "Service Request" || c.PriorityName(2) != "High" || c.OutcomeName(7) != "Internal Note" {
		t.Fatalf("choices = %+v, %v", c, err)
	}
}
