package gui

import (
	"slices"

	"fyne.io/fyne/v2"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// TestRefusedNoteIsSentWithAnotherOutcome selects a ticket whose note
// HaloPSA refused for its outcome: the notes panel says why and offers
// HaloPSA's outcomes; choosing one and Send again gives every waiting note
// that outcome, and the offer goes once the ticket is no longer in error.
// A ticket in error with no waiting note, or whose notes all went, gets no
// offer.
func TestRefusedNoteIsSentWithAnotherOutcome(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const refused = "HaloPSA refused the note (HaloPSA: You do not have access to this Action at the moment)"
	f.locked(func() {
		f.tk.rows[0].SyncState, f.tk.rows[0].SyncError = store.TicketError, refused
		f.tk.fields.notes = map[int64][]store.Note{
			1: {
				{ID: 1, TicketID: 1, HaloID: 11, Body: "Printer reset", At: at, Private: true, Origin: store.NoteHalo},
				{ID: 2, TicketID: 1, Body: "Ordered toner", At: at.Add(time.Hour), Private: true, OutcomeID: 99, Origin: store.NoteLocal},
				{ID: 3, TicketID: 1, Body: "Toner fitted", At: at.Add(2 * time.Hour), Private: true, OutcomeID: 99, Origin: store.NoteLocal},
			},
			4: {{ID: 4, TicketID: 4, HaloID: 41, Body: "Asked to archive", At: at, Origin: store.NoteHalo}},
		}
	})
	f.emit(app.Event{TicketsChanged: &app.TicketsChange{}}) // the tab shows the rows as changed
	u.work.wait()
	fix := tt.notes.fix

	selectTicket(t, u, tt, 4) // in error, but for a status: no note waits
	if fix.content.Visible() {
		t.Fatal("the outcome fix shows for a ticket with no waiting note")
	}
	selectTicket(t, u, tt, 1)
	u.work.wait() // HaloPSA's outcomes are read
	if !fix.content.Visible() || !strings.Contains(fix.outcome.PlaceHolder, "the 2 refused notes") {
		t.Fatalf("fix shown %v, saying %q; want it naming the 2 notes", fix.content.Visible(), fix.outcome.PlaceHolder)
	}
	if !strings.Contains(tt.syncNote.Text, "You do not have access to this Action") {
		t.Errorf("the ticket's sync note %q does not give HaloPSA's reason", tt.syncNote.Text)
	}
	if want := []string{"Internal Note", "Email User"}; !slices.Equal(fix.outcome.Options, want) {
		t.Fatalf("outcomes offered %q, want %q", fix.outcome.Options, want)
	}
	if !fix.send.Disabled() {
		t.Error("Send again is enabled before an outcome is chosen")
	}
	// Everything it needs fits the smallest window, beside the notes entry.
	ui(u, func() {
		u.win.Resize(smallest)
		u.win.Content().Refresh()
	})
	ui(u, func() {
		c, d := u.win.Canvas(), fyne.CurrentApp().Driver()
		for _, o := range []fyne.CanvasObject{fix.outcome, fix.send, tt.notes.entry, tt.notes.add} {
			pos, size := d.AbsolutePositionForObject(o), o.Size()
			if !o.Visible() || pos.X < 0 || pos.X+size.Width > c.Size().Width || pos.Y+size.Height > c.Size().Height || size.Width < o.MinSize().Width {
				t.Errorf("%T is cut off at 900x600: at %v, size %v, needs %v", o, pos, size, o.MinSize())
			}
		}
	})
	capture(t, u, "note-outcome-fix.png")
	ui(u, func() { fix.outcome.SetSelected("Internal Note") })
	tap(u, fix.send)
	u.work.wait()
	f.locked(func() {
		if want := [][2]int64{{2, 7}, {3, 7}}; !slices.Equal(f.tk.fields.outcomeSets, want) {
			t.Errorf("SetNoteOutcome calls %v, want %v (both waiting notes, Internal Note)", f.tk.fields.outcomeSets, want)
		}
	})
	if fix.content.Visible() || !strings.Contains(tt.notes.message.Text, "Internal Note") {
		t.Errorf("after sending: fix shown %v, message %q", fix.content.Visible(), tt.notes.message.Text)
	}
	// The reload that follows shows the ticket waiting to be sent: no offer.
	f.emit(app.Event{TicketsChanged: &app.TicketsChange{}})
	u.work.wait()
	if fix.content.Visible() {
		t.Error("the fix came back once the ticket was no longer in error")
	}
	// Once HaloPSA has the notes, "Sending again…" goes.
	f.locked(func() {
		for i := range f.tk.fields.notes[1] {
			f.tk.fields.notes[1][i].HaloID = 20 + int64(i)
		}
		f.tk.rows[0].SyncState = store.TicketSynced
	})
	f.emit(app.Event{TicketsChanged: &app.TicketsChange{}})
	u.work.wait()
	if tt.notes.message.Visible() {
		t.Errorf("the panel still says %q once the notes went", tt.notes.message.Text)
	}
}
