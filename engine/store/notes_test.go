package store

import (
	"context"
	"testing"
	"time"
)

func TestNotesQueueAndEchoes(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	tk, err := db.CreateTicket(ctx, Ticket{HaloClientID: 5, Summary: "Printer", SiteID: 3, UserID: 4, TypeID: 1, PriorityID: 2})
	if err != nil || tk.PriorityID != 2 || tk.SiteID != 3 {
		t.Fatalf("created %+v, %v", tk, err)
	}
	if _, err := db.AddNote(ctx, Note{TicketID: tk.ID, Body: "  "}); err == nil {
		t.Fatal("an empty note was stored")
	}
	n, err := db.AddNote(ctx, Note{TicketID: tk.ID, Body: "Rang the user", Private: true, OutcomeID: 7})
	if err != nil || n.Ref == "" || !n.Pending() || n.Origin != NoteLocal {
		t.Fatalf("note %+v, %v", n, err)
	}
	// The create goes first, then the note.
	item, _, _ := db.NextOutbox(ctx)
	if item.Kind != "create" {
		t.Fatalf("outbox head %+v", item)
	}
	tk.HaloID = 900
	if err := db.FinishOutbox(ctx, item.ID, tk); err != nil {
		t.Fatal(err)
	}
	item, _, _ = db.NextOutbox(ctx)
	if item.Kind != "note" || item.NoteID != n.ID {
		t.Fatalf("outbox head %+v", item)
	}
	// Its echo, read back from HaloPSA, is the same note.
	at := time.Now().UTC().Add(time.Minute).Truncate(time.Millisecond)
	added, err := db.SaveHaloNotes(ctx, tk.ID, []Note{
		{HaloID: 71, Body: "Rang the user", Ref: n.Ref, At: at},
		{HaloID: 72, Body: "Customer replied", Who: "Sam", At: at.Add(time.Minute)},
	}, at.Add(time.Minute))
	if err != nil || added != 1 {
		t.Fatalf("added %d, %v; want only the customer's reply", added, err)
	}
	if err := db.FinishNote(ctx, item.ID, n.ID, 71); err != nil {
		t.Fatal(err)
	}
	notes, _ := db.Notes(ctx, tk.ID)
	if len(notes) != 2 || notes[0].HaloID != 71 || notes[0].Origin != NoteLocal || notes[1].Origin != NoteHalo || notes[1].Who != "Sam" {
		t.Fatalf("notes = %+v", notes)
	}
	// The same notes again change nothing; the notes version only moves forward.
	if added, _ := db.SaveHaloNotes(ctx, tk.ID, []Note{{HaloID: 72, Body: "Customer replied"}}, at); added != 0 {
		t.Fatalf("a known note was added again")
	}
	got, _ := db.Ticket(ctx, tk.ID)
	if !got.NotesVersion.Equal(at.Add(time.Minute)) || got.SyncState != TicketSynced {
		t.Fatalf("ticket after the notes: %+v", got)
	}
}

func TestTicketFieldsDefaultsAndHeldCreate(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	f := TicketFields{
		Types:      []TicketType{{ID: 1, Name: "Incident", DefaultPriority: 3}, {ID: 3, Name: "Service Request", DefaultPriority: 4}},
		Priorities: []Priority{{ID: 1, Name: "Critical"}},
		Outcomes:   []Outcome{{ID: 7, Name: "Internal Note", Private: true}},
	}
	if err := db.SaveTicketFields(ctx, f); err != nil {
		t.Fatal(err)
	}
	// Incident disappears from HaloPSA; a nil list leaves its table alone.
	if err := db.SaveTicketFields(ctx, TicketFields{Types: f.Types[1:]}); err != nil {
		t.Fatal(err)
	}
	got, err := db.TicketFields(ctx)
	if err != nil || len(got.Types) != 2 || got.Types[0].ID != 3 || !got.Types[1].Gone || len(got.Priorities) != 1 || !got.Outcomes[0].Private {
		t.Fatalf("fields = %+v, %v", got, err)
	}

	ids, err := db.AddLocalClients(ctx, []LocalClient{{Name: "Acme"}})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := db.TicketDefaults(ctx, ids[0]); err != nil || d.SiteID != 0 {
		t.Fatalf("defaults before any: %+v, %v", d, err)
	}
	if err := db.SetTicketDefaults(ctx, TicketDefaults{LocalClientID: ids[0], SiteID: 11, UserID: 12, TypeID: 3, PriorityID: 1}); err != nil {
		t.Fatal(err)
	}
	if d, _ := db.TicketDefaults(ctx, ids[0]); d.SiteID != 11 || d.UserID != 12 || d.TypeID != 3 || d.PriorityID != 1 || d.UpdatedAt.IsZero() {
		t.Fatalf("defaults = %+v", d)
	}

	// HaloPSA asked for a field: the create is held, with the reason, until the fix.
	tk, _ := db.CreateTicket(ctx, Ticket{HaloClientID: 5, Summary: "Laptop", TypeID: 3})
	item, _, _ := db.NextOutbox(ctx)
	if err := db.HoldOutbox(ctx, item.ID, "HaloPSA needs a site", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.NextOutbox(ctx); err != ErrNotFound {
		t.Fatalf("a held create is due: %v", err)
	}
	if got, _ := db.Ticket(ctx, tk.ID); got.SyncState != TicketError || got.SyncError != "HaloPSA needs a site" {
		t.Fatalf("held ticket %+v", got)
	}
	if n, _ := db.OutboxPending(ctx); n != 1 {
		t.Fatal("the held create left the outbox")
	}
	if err := db.SetTicketFields(ctx, tk.ID, 11, 12, 3, 1); err != nil {
		t.Fatal(err)
	}
	item, got2, err := db.NextOutbox(ctx)
	if err != nil || item.ID == 0 || got2.SiteID != 11 || got2.PriorityID != 1 || got2.SyncState != TicketPending {
		t.Fatalf("after the fix: %+v %+v %v", item, got2, err)
	}
}

// TestNoteWithoutADateIsKept: HaloPSA may send an action without a date;
// it is stored, dated when HaloSync saw it, instead of failing the save
// (and every delivery queued behind it).
func TestNoteWithoutADateIsKept(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	tk, err := db.CreateTicket(ctx, Ticket{HaloClientID: 5, Summary: "Printer"})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Second)
	added, err := db.SaveHaloNotes(ctx, tk.ID, []Note{{HaloID: 3, Body: "Called back", Who: "Sam"}}, time.Time{})
	if err != nil || added != 1 {
		t.Fatalf("saved %d, %v", added, err)
	}
	ns, err := db.Notes(ctx, tk.ID)
	if err != nil || len(ns) != 1 || ns[0].At.Before(before) || ns[0].At.After(time.Now().Add(time.Second)) {
		t.Fatalf("notes %+v, %v: want one, dated now", ns, err)
	}
}
