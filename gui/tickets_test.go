package gui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// sampleTickets has one ticket in each sync state.
func sampleTickets() []app.TicketRow {
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	row := func(id, haloID, local int64, client, summary string, status int64, statusName string,
		state store.TicketSyncState, syncErr string) app.TicketRow {
		return app.TicketRow{Ticket: store.Ticket{ID: id, HaloID: haloID, LocalClientID: local, Summary: summary,
			StatusID: status, SyncState: state, SyncError: syncErr, CreatedAt: at, UpdatedAt: at},
			ClientName: client, StatusName: statusName}
	}
	return []app.TicketRow{
		row(1, 5001, 6, "Eagle Aviation", "Printer offline in hangar 2", 2, "In Progress", store.TicketSynced, ""),
		row(2, 0, 6, "Eagle Aviation", "New laptop for the dispatcher", 1, "New", store.TicketPending, ""),
		row(3, 5003, 1, "Acme Limited", "VPN drops every hour", 9, "On Hold", store.TicketConflict,
			`both sides changed the status; HaloPSA's later "On Hold" was kept`),
		row(4, 5004, 1, "Acme Limited", "Mailbox full", 4, "Waiting on Customer", store.TicketError,
			"HaloPSA refused the change: status 4 is not allowed for this ticket type"),
	}
}

// ticketsWindow opens the window on the Tickets tab over a fake with the
// sample tickets and mappings.
func ticketsWindow(t *testing.T) (*Window, *fakeBackend, *ticketsTab) {
	t.Helper()
	rows := sampleRows()
	rows[0].State = store.MapAccepted // acme ltd -> Acme Limited
	rows[2].State, rows[2].HaloID = store.MapManual, 103
	f := &fakeBackend{status: connectedStatus(), rows: rows,
		tk: fakeTickets{rows: sampleTickets(), statuses: fakeStatuses()}}
	u := newTestWindow(t, f, Options{Tab: "tickets"})
	return u, f, u.tickets
}

// ticketCell renders one cell of the tickets table into a fresh label.
func ticketCell(tt *ticketsTab, row, col int) *widget.Label {
	l := &widget.Label{}
	tt.updateCell(widget.TableCellID{Row: row, Col: col}, l)
	return l
}

// selectTicket selects the row showing ticket id, as a click would.
func selectTicket(t *testing.T, u *Window, tt *ticketsTab, id int64) {
	t.Helper()
	for i, k := range tt.view {
		if tt.all[k].ID == id {
			ui(u, func() { tt.table.Select(widget.TableCellID{Row: i, Col: 1}) })
			u.work.wait() // the selection loads the ticket's choices and notes in the background
			return
		}
	}
	t.Fatalf("ticket %d is not listed", id)
}

func TestTicketsListStates(t *testing.T) {
	u, _, tt := ticketsWindow(t)
	if u.tabs.SelectedIndex() != tabTickets {
		t.Fatalf("Options.Tab tickets showed tab %d", u.tabs.SelectedIndex())
	}
	if len(tt.view) != 4 {
		t.Fatalf("%d tickets listed, want 4", len(tt.view))
	}
	for i, want := range []struct {
		client, summary, status, halo, sync string
		imp                                 widget.Importance
		bold                                bool
	}{
		{"Eagle Aviation", "Printer offline in hangar 2", "In Progress", "5001", "✓ synced", widget.SuccessImportance, false},
		{"Eagle Aviation", "New laptop for the dispatcher", "New", "—", "… pending", widget.MediumImportance, false},
		{"Acme Limited", "VPN drops every hour", "On Hold", "5003", "! conflict", widget.WarningImportance, true},
		{"Acme Limited", "Mailbox full", "Waiting on Customer", "5004", "✗ error", widget.DangerImportance, true},
	} {
		got := []string{ticketCell(tt, i, 0).Text, ticketCell(tt, i, 1).Text, ticketCell(tt, i, 2).Text, ticketCell(tt, i, 3).Text}
		if !slices.Equal(got, []string{want.client, want.summary, want.status, want.halo}) {
			t.Errorf("row %d = %q", i, got)
		}
		s := ticketCell(tt, i, 4)
		if s.Text != want.sync || s.Importance != want.imp || s.TextStyle.Bold != want.bold {
			t.Errorf("row %d sync cell %q (importance %v, bold %v), want %q (%v, %v)",
				i, s.Text, s.Importance, s.TextStyle.Bold, want.sync, want.imp, want.bold)
		}
	}
	if got := tt.count.Text; got != "4 tickets · 1 conflict · 1 error" {
		t.Errorf("count %q", got)
	}
	if !tt.close.Disabled() || !tt.status.Disabled() {
		t.Error("Close and the status select are enabled with no ticket selected")
	}
}

func TestTicketConflictShowsError(t *testing.T) {
	u, _, tt := ticketsWindow(t)
	selectTicket(t, u, tt, 3)
	if tt.syncNote.Hidden || tt.syncNote.Importance != widget.WarningImportance ||
		!strings.Contains(tt.syncNote.Text, `both sides changed the status; HaloPSA's later "On Hold" was kept`) {
		t.Errorf("conflict note %q (hidden %v, importance %v)", tt.syncNote.Text, tt.syncNote.Hidden, tt.syncNote.Importance)
	}
	if !strings.Contains(tt.detail.Text, "VPN drops every hour") || !strings.Contains(tt.detail.Text, "HaloPSA ticket 5003") {
		t.Errorf("detail %q", tt.detail.Text)
	}
	if tt.status.Selected != "On Hold" {
		t.Errorf("status select shows %q", tt.status.Selected)
	}
	selectTicket(t, u, tt, 4)
	if tt.syncNote.Importance != widget.DangerImportance || !strings.Contains(tt.syncNote.Text, "status 4 is not allowed") {
		t.Errorf("error note %q", tt.syncNote.Text)
	}
}

func TestTicketsSearchAndClientFilter(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	typeText(u, tt.search, "hangar")
	if len(tt.view) != 1 || tt.all[tt.view[0]].ID != 1 || tt.count.Text != "1 of 4 tickets · 1 conflict · 1 error" {
		t.Errorf("search hangar: view %v, count %q", tt.view, tt.count.Text)
	}
	ui(u, func() { tt.search.SetText("") })
	u.work.wait()
	if !slices.Equal(tt.client.Options, []string{allClients, "acme ltd", "Cole & Sons", "Eagle Air"}) {
		t.Fatalf("client filter offers %q: want the mapped clients only", tt.client.Options)
	}
	ui(u, func() { tt.client.SetSelected("acme ltd") })
	u.work.wait()
	f.locked(func() {
		if q := f.tk.ticketQs[len(f.tk.ticketQs)-1]; q != 1 {
			t.Errorf("Tickets asked for client %d, want 1", q)
		}
	})
	if len(tt.view) != 2 {
		t.Errorf("%d tickets for acme, want 2", len(tt.view))
	}
}

func TestNewTicketForMappedClient(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	tap(u, tt.newTicket)
	u.work.wait()
	d := tt.dialog
	if d == nil {
		t.Fatal("New ticket… opened no dialog")
	}
	if !slices.Equal(d.client.Options, []string{"acme ltd", "Cole & Sons", "Eagle Air"}) {
		t.Fatalf("the dialog offers %q: want only mapped clients", d.client.Options)
	}
	if !d.create.Disabled() {
		t.Error("Create is enabled before a client and a summary are given")
	}
	typeText(u, d.narrow, "cole")
	if d.client.Selected != "Cole & Sons" {
		t.Errorf("narrowing to one client did not choose it: %q", d.client.Selected)
	}
	ui(u, func() {
		d.narrow.SetText("")
		d.client.SetSelected("Eagle Air")
	})
	u.work.wait() // the client's draft and lists load off the Fyne goroutine
	ui(u, func() {
		test.Type(d.summary, "  Wi-Fi down in the office ")
		test.Type(d.details, "Since 9:00")
	})
	if d.create.Disabled() {
		t.Fatal("Create stays disabled with a client and a summary")
	}
	tap(u, d.create)
	u.work.wait()
	f.locked(func() {
		want := []createCall{{6, "Wi-Fi down in the office", "Since 9:00", [4]int64{62, 71, 0, 0}}}
		if !slices.Equal(f.tk.created, want) {
			t.Errorf("CreateTicketWith calls %+v, want %+v (the primary contact and its site)", f.tk.created, want)
		}
	})
	if !strings.Contains(tt.message.Text, "created") || tt.message.Importance != widget.SuccessImportance {
		t.Errorf("message %q", tt.message.Text)
	}
	if len(tt.all) != 5 || tt.selected != tt.all[0].ID {
		t.Errorf("the new ticket is not listed and selected: %d rows, selected %d", len(tt.all), tt.selected)
	}
	if got := u.status.outbox.Text; u.status.outbox.Hidden || got != "1 change waiting for HaloPSA" {
		t.Errorf("status bar outbox %q (hidden %v)", got, u.status.outbox.Hidden)
	}
}

func TestNewTicketWithoutMappedClients(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: []app.MappingRow{{Local: local(5, "Corner Cafe")}},
		tk: fakeTickets{statuses: fakeStatuses()}}
	u := newTestWindow(t, f, Options{Tab: "tickets"})
	tap(u, u.tickets.newTicket)
	u.work.wait()
	d := u.tickets.dialog
	if len(d.client.Options) != 0 || !d.create.Disabled() || !strings.Contains(d.message.Text, "No client is mapped") {
		t.Errorf("options %q, create disabled %v, message %q", d.client.Options, d.create.Disabled(), d.message.Text)
	}
	if !strings.Contains(u.tickets.message.Text, "No tickets yet") {
		t.Errorf("empty tab says %q", u.tickets.message.Text)
	}
}

func TestCloseTicketLooksUpClosed(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	block := make(chan struct{})
	f.locked(func() { f.tk.block = block })
	selectTicket(t, u, tt, 1)
	if tt.close.Disabled() || tt.status.Disabled() {
		t.Fatal("Close or the status select is disabled with an open ticket selected")
	}
	tap(u, tt.close)
	if !tt.close.Disabled() || !tt.status.Disabled() {
		t.Error("Close and the status select stay enabled while the change runs")
	}
	close(block)
	u.work.wait()
	f.locked(func() {
		if !slices.Equal(f.tk.resolveQ, []string{"Closed"}) {
			t.Errorf("ResolveStatus asked for %q, want Closed", f.tk.resolveQ)
		}
		if want := [][2]int64{{1, fakeClosedID}}; !slices.Equal(f.tk.setStatus, want) {
			t.Errorf("SetTicketStatus calls %v, want %v (Closed's id, not 9)", f.tk.setStatus, want)
		}
	})
	if tt.status.Selected != "Closed" || !tt.close.Disabled() {
		t.Errorf("after closing: status %q, Close disabled %v (a closed ticket cannot be closed again)",
			tt.status.Selected, tt.close.Disabled())
	}
	if c := ticketCell(tt, 0, 4); c.Text != "… pending" {
		t.Errorf("the closed ticket's sync cell reads %q", c.Text)
	}
}

func TestStatusSelectSetsStatus(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	selectTicket(t, u, tt, 2)
	ui(u, func() { tt.status.SetSelected("On Hold") })
	u.work.wait()
	f.locked(func() {
		if want := [][2]int64{{2, 9}}; !slices.Equal(f.tk.setStatus, want) {
			t.Errorf("SetTicketStatus calls %v, want %v", f.tk.setStatus, want)
		}
	})
	if !strings.Contains(tt.message.Text, "On Hold") {
		t.Errorf("message %q", tt.message.Text)
	}
	// Choosing the status the ticket already has changes nothing.
	ui(u, func() { tt.status.SetSelected("On Hold") })
	u.work.wait()
	f.locked(func() {
		if len(f.tk.setStatus) != 1 {
			t.Errorf("SetTicketStatus called %d times", len(f.tk.setStatus))
		}
	})
}

func TestTicketsRefreshOnEvents(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	f.locked(func() {
		f.tk.rows[0].SyncState = store.TicketConflict
		f.tk.outbox = 2
	})
	// The conflict's row goes to the Sync Log; the reload waits for the
	// TicketsChanged the app publishes once the drain committed.
	f.emit(app.Event{Log: &store.LogEntry{ID: 7, Level: store.Warn, Operation: "conflict", Object: "ticket 1", Message: "both changed"}})
	u.work.wait()
	if c := ticketCell(tt, 0, 4); c.Text == "! conflict" {
		t.Fatal("a log row reloaded the tickets")
	}
	f.emit(app.Event{TicketsChanged: &app.TicketsChange{}})
	u.work.wait()
	if c := ticketCell(tt, 0, 4); c.Text != "! conflict" {
		t.Errorf("after a conflict event the row reads %q", c.Text)
	}
	if got := u.status.outbox.Text; u.status.outbox.Hidden || got != "2 changes waiting for HaloPSA" {
		t.Errorf("status bar outbox %q (hidden %v)", got, u.status.outbox.Hidden)
	}
	f.locked(func() { f.tk.outbox = 0 })
	ui(u, u.onTick)
	u.work.wait()
	if !u.status.outbox.Hidden {
		t.Error("the outbox count still shows at 0")
	}
}
