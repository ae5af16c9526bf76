package gui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// openNewTicket opens New ticket… and chooses Eagle Air, waiting for its
// draft to fill the fields.
func openNewTicket(t *testing.T, u *Window, tt *ticketsTab) *newTicketDialog {
	t.Helper()
	tap(u, tt.newTicket)
	u.work.wait()
	d := tt.dialog
	ui(u, func() { d.client.SetSelected("Eagle Air") })
	u.work.wait()
	return d
}

func TestNewTicketFieldsStartFromTheClient(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	d := openNewTicket(t, u, tt)
	// No defaults saved: the primary contact and that contact's site.
	got := []string{d.fields.site.Selected, d.fields.contact.Selected, d.fields.typ.Selected, d.fields.priority.Selected}
	if want := []string{"Head Office", "Ann Pilot (primary)", anyType, anyPriority}; !slices.Equal(got, want) {
		t.Fatalf("fields %q, want %q", got, want)
	}
	if want := []string{noContact, "Ann Pilot (primary)", "Bob Mechanic"}; !slices.Equal(d.fields.contact.Options, want) {
		t.Errorf("contacts offered %q, want %q", d.fields.contact.Options, want)
	}
	if want := []string{anyPriority, "Critical", "High", "Medium", "Low"}; !slices.Equal(d.fields.priority.Options, want) {
		t.Errorf("priorities offered %q", d.fields.priority.Options)
	}
	if d.fields.site.Disabled() || d.defaults.Disabled() || d.defaults.Checked {
		t.Errorf("site disabled %v, defaults check disabled %v, checked %v", d.fields.site.Disabled(), d.defaults.Disabled(), d.defaults.Checked)
	}
	// The form fits the smallest window: Create is on screen.
	ui(u, func() {
		u.win.Resize(smallest)
		u.win.Content().Refresh()
	})
	ui(u, func() {
		c, drv := u.win.Canvas(), fyne.CurrentApp().Driver()
		for _, o := range []fyne.CanvasObject{d.create, d.defaults, d.fields.priority} {
			pos, size := drv.AbsolutePositionForObject(o), o.Size()
			if pos.Y < 0 || pos.Y+size.Height > c.Size().Height || pos.X+size.Width > c.Size().Width {
				t.Errorf("%T is cut off at 900x600: at %v, size %v", o, pos, size)
			}
		}
	})
	capture(t, u, "newticket-900x600.png")
	ui(u, func() { d.dlg.Hide() })
	// Saved defaults win over the primary contact.
	f.locked(func() {
		f.tk.fields.defaults = map[int64]store.TicketDefaults{6: {LocalClientID: 6, SiteID: 61, UserID: 72, TypeID: 3, PriorityID: 2}}
	})
	d = openNewTicket(t, u, tt)
	got = []string{d.fields.site.Selected, d.fields.contact.Selected, d.fields.typ.Selected, d.fields.priority.Selected}
	if want := []string{"Hangar 2", "Bob Mechanic", "Service Request", "High"}; !slices.Equal(got, want) {
		t.Fatalf("fields from the saved defaults %q, want %q", got, want)
	}
}

func TestNewTicketSavesTheChosenFieldsAsDefaults(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	d := openNewTicket(t, u, tt)
	ui(u, func() {
		d.fields.contact.SetSelected("Bob Mechanic")
		d.fields.site.SetSelected("Hangar 2")
		d.fields.typ.SetSelected("Service Request")
		d.fields.priority.SetSelected("Low")
		test.Type(d.summary, "Hangar door jammed")
		d.defaults.SetChecked(true)
	})
	tap(u, d.create)
	u.work.wait()
	f.locked(func() {
		want := []createCall{{6, "Hangar door jammed", "", [4]int64{61, 72, 3, 4}}}
		if !slices.Equal(f.tk.created, want) {
			t.Errorf("CreateTicketWith calls %+v, want %+v", f.tk.created, want)
		}
		wantDefs := []store.TicketDefaults{{LocalClientID: 6, SiteID: 61, UserID: 72, TypeID: 3, PriorityID: 4}}
		if !slices.Equal(f.tk.fields.savedDefs, wantDefs) {
			t.Errorf("SetTicketDefaults calls %+v, want %+v", f.tk.fields.savedDefs, wantDefs)
		}
	})
	// Unchecked, a create leaves the defaults alone.
	d = openNewTicket(t, u, tt)
	ui(u, func() { test.Type(d.summary, "Second one") })
	tap(u, d.create)
	u.work.wait()
	f.locked(func() {
		if len(f.tk.fields.savedDefs) != 1 || len(f.tk.created) != 2 || f.tk.created[1].fields != [4]int64{61, 72, 3, 4} {
			t.Errorf("second create %+v, defaults saved %d times", f.tk.created, len(f.tk.fields.savedDefs))
		}
	})
}

// refusedCreate is a ticket HaloPSA would not create for want of a site.
func refusedCreate() app.TicketRow {
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	return app.TicketRow{Ticket: store.Ticket{ID: 9, LocalClientID: 6, Summary: "New starter: Carol", StatusID: 1, TypeID: 3,
		SyncState: store.TicketError, SyncError: "HaloPSA needs a site for ticket type Service Request", CreatedAt: at, UpdatedAt: at},
		ClientName: "Eagle Aviation", StatusName: "New"}
}

func TestFixSendsARefusedCreateAgain(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	f.locked(func() { f.tk.rows = append(f.tk.rows, refusedCreate()) })
	ui(u, func() { tt.reload(false) })
	u.work.wait()
	selectTicket(t, u, tt, 1)
	if tt.fix.Visible() {
		t.Error("Fix… shows for a synced ticket")
	}
	selectTicket(t, u, tt, 4) // refused by HaloPSA, but in HaloPSA: nothing to fix here
	if tt.fix.Visible() {
		t.Error("Fix… shows for a ticket already in HaloPSA")
	}
	selectTicket(t, u, tt, 9)
	if !tt.fix.Visible() || !strings.Contains(tt.syncNote.Text, "HaloPSA needs a site for ticket type Service Request") {
		t.Fatalf("Fix… visible %v; note %q", tt.fix.Visible(), tt.syncNote.Text)
	}
	tap(u, tt.fix)
	u.work.wait()
	d := tt.fixDialog
	if d == nil || d.fields.typ.Selected != "Service Request" || d.fields.site.Selected != noSite || d.send.Disabled() {
		t.Fatalf("the Fix dialog: %+v", d)
	}
	if !strings.Contains(d.message.Text, "needs a site") {
		t.Errorf("the Fix dialog says %q", d.message.Text)
	}
	capture(t, u, "fix.png")
	ui(u, func() {
		d.fields.site.SetSelected("Hangar 2")
		d.fields.contact.SetSelected("Bob Mechanic")
	})
	tap(u, d.send)
	u.work.wait()
	f.locked(func() {
		if want := [][5]int64{{9, 61, 72, 3, 0}}; !slices.Equal(f.tk.fields.fixes, want) {
			t.Errorf("SetTicketFields calls %v, want %v", f.tk.fields.fixes, want)
		}
	})
	if tt.fix.Visible() || !strings.Contains(tt.message.Text, "on its way to HaloPSA again") {
		t.Errorf("after the fix: Fix… visible %v, message %q", tt.fix.Visible(), tt.message.Text)
	}
	if c := ticketCell(tt, len(tt.view)-1, 4); c.Text != "… pending" {
		t.Errorf("the fixed ticket's sync cell reads %q", c.Text)
	}
}

// noteTexts are the texts of the notes the panel lists, in order.
func noteTexts(p *notesPanel) []string {
	var out []string
	for _, o := range p.list.Objects {
		box, ok := o.(*fyne.Container)
		if !ok {
			continue
		}
		head := box.Objects[0].(*fyne.Container)
		badges := head.Objects[1].(*fyne.Container)
		out = append(out, badges.Objects[0].(*widget.Label).Text+"|"+badges.Objects[1].(*widget.Label).Text+"|"+
			box.Objects[1].(*widget.Label).Text)
	}
	return out
}

func TestNotesListAndAddPrivateNote(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	f.locked(func() {
		f.tk.fields.notes = map[int64][]store.Note{1: {{ID: 1, TicketID: 1, HaloID: 11, Body: "Printer reset", Who: "Dana Tech", At: at, Private: true, Origin: store.NoteHalo}}}
		f.tk.fields.onRefresh = map[int64][]store.Note{1: {{ID: 2, TicketID: 1, HaloID: 12, Body: "Customer confirms it prints", Who: "Dana Tech", At: at.Add(time.Hour), Origin: store.NoteHalo}}}
	})
	p := tt.notes
	if !p.add.Disabled() || !p.entry.Disabled() {
		t.Error("Add note is enabled with no ticket selected")
	}
	selectTicket(t, u, tt, 1)
	u.work.wait()
	want := []string{"Private|✓ sent|Printer reset", "Public|✓ sent|Customer confirms it prints"}
	if got := noteTexts(p); !slices.Equal(got, want) {
		t.Fatalf("notes listed %q, want %q (the stored one and the one read from HaloPSA)", got, want)
	}
	f.locked(func() {
		if !slices.Equal(f.tk.fields.refreshed, []int64{1}) {
			t.Errorf("RefreshNotes asked for %v, want ticket 1 once", f.tk.fields.refreshed)
		}
	})
	if p.title.Text != "Notes (2)" {
		t.Errorf("title %q", p.title.Text)
	}
	if !p.private.Checked {
		t.Error("Private is not on by default")
	}
	typeText(u, p.entry, "Ordered toner")
	tap(u, p.add)
	u.work.wait()
	f.locked(func() {
		if len(f.tk.fields.added) != 1 || f.tk.fields.added[0].Body != "Ordered toner" || !f.tk.fields.added[0].Private || f.tk.fields.added[0].TicketID != 1 {
			t.Errorf("AddNote calls %+v, want one private note on ticket 1", f.tk.fields.added)
		}
	})
	if got := noteTexts(p); len(got) != 3 || got[2] != "Private|… pending|Ordered toner" {
		t.Errorf("after adding: %q", got)
	}
	if p.entry.Text != "" {
		t.Errorf("the entry keeps %q", p.entry.Text)
	}
	capture(t, u, "notes.png")
	// A reload of the same ticket re-reads what is here, without asking HaloPSA again.
	f.emit(app.Event{TicketsChanged: &app.TicketsChange{}})
	u.work.wait()
	f.locked(func() {
		if len(f.tk.fields.refreshed) != 1 {
			t.Errorf("RefreshNotes called %d times; a reload should not ask HaloPSA", len(f.tk.fields.refreshed))
		}
	})
	// A ticket not in HaloPSA yet has no notes there to read.
	selectTicket(t, u, tt, 2)
	u.work.wait()
	f.locked(func() {
		if len(f.tk.fields.refreshed) != 1 {
			t.Errorf("RefreshNotes asked for %v", f.tk.fields.refreshed)
		}
	})
	if got := noteTexts(p); len(got) != 0 {
		t.Errorf("ticket 2 lists %q", got)
	}
}

// TestTicketsTabAt900x600 keeps the notes entry, Add note and Fix… on
// screen in the smallest window, with a refused create selected.
func TestTicketsTabAt900x600(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	f.locked(func() { f.tk.rows = append(f.tk.rows, refusedCreate()) })
	ui(u, func() { tt.reload(false) })
	u.work.wait()
	selectTicket(t, u, tt, 9)
	u.work.wait()
	ui(u, func() {
		u.win.Resize(smallest)
		u.win.Content().Refresh()
	})
	ui(u, func() {
		c := u.win.Canvas()
		if got := c.Size(); got.Width > smallest.Width || got.Height > smallest.Height {
			t.Errorf("the window grew to %v", got)
		}
		d := fyne.CurrentApp().Driver()
		for _, o := range []fyne.CanvasObject{tt.notes.add, tt.notes.entry, tt.notes.private, tt.fix} {
			pos, size := d.AbsolutePositionForObject(o), o.Size()
			if !o.Visible() || pos.X < 0 || pos.X+size.Width > c.Size().Width || pos.Y+size.Height > c.Size().Height || size.Width < o.MinSize().Width {
				t.Errorf("%T is cut off: at %v, size %v, needs %v", o, pos, size, o.MinSize())
			}
		}
		if w := tt.notes.entry.Size().Width; w < 150 {
			t.Errorf("the note entry is %.0f px wide", w)
		}
	})
	capture(t, u, "tickets-900x600.png")
}

// capture writes the window as a PNG when HALOSYNC_SHOTS names a folder,
// for a person to look at.
func capture(t *testing.T, u *Window, name string) {
	t.Helper()
	dir := os.Getenv("HALOSYNC_SHOTS")
	if dir == "" {
		return
	}
	ui(u, func() { u.win.Content().Refresh() }) // lay out what grew, as a real driver's next frame would
	ui(u, func() { writePNG(t, filepath.Join(dir, name), u.win.Canvas()) })
}

func TestTicketDetailNamesItsFields(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	f.locked(func() {
		r := &f.tk.rows[0]
		r.SiteID, r.UserID, r.TypeID, r.PriorityID = 62, 71, 3, 2
	})
	ui(u, func() { tt.reload(false) })
	u.work.wait()
	selectTicket(t, u, tt, 1)
	u.work.wait()
	if want := "Head Office · Ann Pilot · Service Request · High priority"; !strings.Contains(tt.detail.Text, want) {
		t.Errorf("detail %q lacks %q", tt.detail.Text, want)
	}
	asks := 0
	f.locked(func() { asks = f.tk.fields.choicesAsks })
	selectTicket(t, u, tt, 2) // same client, no fields
	selectTicket(t, u, tt, 1)
	u.work.wait()
	f.locked(func() {
		if f.tk.fields.choicesAsks != asks {
			t.Errorf("the client's lists were read %d more times; once is enough", f.tk.fields.choicesAsks-asks)
		}
	})
}
