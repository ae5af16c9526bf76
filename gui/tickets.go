package gui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// allClients is the client filter's first choice.
const allClients = "All clients"

// noTicketsHint is what the tab says while it has no tickets to show.
const noTicketsHint = "No tickets yet. HaloSync fetches the tickets of the clients mapped on Clients & Mapping " +
	"(Bulk Map, then Save All Mappings) and shows them here; New ticket… creates one."

// ticketColumns are the Tickets table's columns, their widths and the
// narrowest each gets in a small window (fitColumns).
var ticketColumns = []struct {
	title      string
	width, min float32
}{
	{"Client", 210, 120}, {"Summary", 360, 160}, {"Status", 180, 110}, {"HaloPSA #", 90, 80}, {"Sync", 110, 90},
	{"Last change", 150, 110},
}

// ticketsTab lists the tickets of mapped clients with where each stands
// between HaloSync and HaloPSA, and lets the user create tickets and
// change their status. Its fields are owned by the Fyne goroutine.
type ticketsTab struct {
	u *Window

	all      []app.TicketRow // the client filter's tickets, as last loaded
	view     []int           // indexes into all that the search lets through
	statuses []store.Status
	clients  []app.MappingRow // mapped local clients, by name
	clientOf map[string]int64 // client filter label -> local client id
	clientID int64            // the client filter; 0 for all
	query    string
	selected int64              // the ticket shown in detail; 0 for none
	selCell  widget.TableCellID // the cell the user selected
	seq      int                // numbers loads, so a stale result is dropped
	loading  bool               // a load is running
	busy     bool               // a status change is running

	newTicket *widget.Button
	client    *widget.Select
	search    *widget.Entry
	count     *widget.Label
	table     *widget.Table
	status    *widget.Select
	close     *widget.Button
	message   *widget.Label
	syncNote  *widget.Label // the selected ticket's sync state, in words
	detail    *widget.Label
	deb       debouncer
	dialog    *newTicketDialog // the last New ticket dialog opened
	fixDialog *fixTicketDialog // the last Fix dialog opened
	fix       *widget.Button   // Fix…: shown for a create HaloPSA refused for a field
	notes     *notesPanel      // the selected ticket's notes (notes.go)
	// choices are each client's sites, contacts, types and priorities,
	// to name a ticket's fields; emptied by a full reload.
	choices     map[int64]app.TicketChoices
	choicesBusy map[int64]bool // clients whose choices are being read
	held        *heldNote      // "N held" and its dialog (held.go)
	givenUp     *givenUpNote   // "N given up" and its dialog (givenup.go)
	content     fyne.CanvasObject
}

func newTicketsTab(u *Window) *ticketsTab {
	t := &ticketsTab{u: u, deb: debouncer{delay: u.delay, do: u.do}, clientOf: map[string]int64{}, held: newHeldNote(u), givenUp: newGivenUpNote(u),
		notes: newNotesPanel(u)}
	t.build()
	return t
}

func (t *ticketsTab) build() {
	t.newTicket = &widget.Button{Text: "New ticket…", Icon: theme.ContentAddIcon(), Importance: widget.HighImportance, OnTapped: t.onNew}
	t.client = widget.NewSelect([]string{allClients}, t.onClient)
	t.client.SetSelected(allClients)
	t.search = &widget.Entry{PlaceHolder: "Search summary, client, status or HaloPSA number"}
	t.search.OnChanged = func(s string) { t.deb.call(func() { t.onSearch(s) }) }
	t.count = &widget.Label{}
	t.table = &widget.Table{
		Length:        func() (int, int) { return len(t.view), len(ticketColumns) },
		CreateCell:    func() fyne.CanvasObject { return &widget.Label{Truncation: fyne.TextTruncateEllipsis} },
		UpdateCell:    t.updateCell,
		ShowHeaderRow: true,
		CreateHeader:  func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} },
		UpdateHeader: func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(ticketColumns[id.Col].title)
		},
		OnSelected: t.onSelected,
	}
	t.table.ExtendBaseWidget(t.table)
	for i, c := range ticketColumns {
		t.table.SetColumnWidth(i, c.width)
	}
	t.status = widget.NewSelect(nil, t.onStatus)
	t.status.PlaceHolder = "(select a ticket)"
	t.close = &widget.Button{Text: "Close ticket", Icon: theme.ConfirmIcon(), OnTapped: t.onClose}
	t.message = &widget.Label{Wrapping: fyne.TextWrapWord}
	t.message.Hide()
	t.syncNote = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	t.syncNote.Hide()
	t.fix = &widget.Button{Text: "Fix…", Icon: theme.DocumentCreateIcon(), Importance: widget.WarningImportance, OnTapped: t.onFix}
	t.fix.Hide()
	t.detail = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true, Text: "Select a ticket to see it here."}

	bar := container.NewBorder(nil, nil,
		container.NewHBox(t.newTicket, widget.NewSeparator(), widget.NewLabel("Client"), t.client),
		container.NewHBox(t.held.button, t.givenUp.button, t.count), t.search)
	actions := container.NewHBox(widget.NewLabel("Status"),
		container.NewGridWrap(fyne.NewSize(240, t.status.MinSize().Height), t.status), t.close)
	details := container.NewHSplit(container.NewVScroll(t.detail), t.notes.content)
	bottom := container.NewBorder(container.NewVBox(actions, container.NewBorder(nil, nil, nil, t.fix, t.syncNote)), nil, nil, nil, details)
	split := container.NewVSplit(fitColumns(t.table, func() (want, least []float32) {
		for _, c := range ticketColumns {
			want, least = append(want, c.width), append(least, c.min)
		}
		return want, least
	}), bottom)
	split.Offset = 0.5 // the notes beside the details need room too
	t.content = container.NewBorder(bar, t.message, nil, nil, split)
	t.updateButtons()
}

func (t *ticketsTab) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	l.TextStyle, l.Importance = fyne.TextStyle{}, widget.MediumImportance
	if id.Row >= len(t.view) {
		l.Text = ""
		l.Refresh()
		return
	}
	r := t.all[t.view[id.Row]]
	switch id.Col {
	case 0:
		l.Text = t.clientName(r)
	case 1:
		l.Text = oneLine(r.Summary)
	case 2:
		l.Text = r.StatusName
	case 3:
		l.Text = haloNumber(r.HaloID)
	case 4:
		l.Text, l.Importance = syncLabel(r.SyncState)
		l.TextStyle.Bold = r.SyncState == store.TicketConflict || r.SyncState == store.TicketError
	default:
		l.Text = when(lastChange(r.Ticket))
	}
	l.Refresh()
}

// clientName is the ticket's HaloPSA client, else its local client.
func (t *ticketsTab) clientName(r app.TicketRow) string {
	if r.ClientName != "" {
		return r.ClientName
	}
	for _, c := range t.clients {
		if c.Local.ID == r.LocalClientID {
			return c.Local.Name
		}
	}
	return ""
}

// reload reads the tickets off the Fyne goroutine; full also reads the
// statuses and the mapped clients, which change rarely. A timer calls it
// every few seconds while the tab shows, so a load still running is not
// started again.
func (t *ticketsTab) reload(full bool) {
	if t.u.b == nil || (t.loading && !full) {
		return
	}
	full = full || len(t.statuses) == 0
	if full {
		t.held.reload()
		t.givenUp.reload()
		t.choices = nil // a sync may have brought new sites or contacts
	}
	t.seq++
	t.loading = true
	seq, b, clientID := t.seq, t.u.b, t.clientID
	t.u.goWork(func(ctx context.Context) {
		rows, err := b.Tickets(ctx, clientID)
		var statuses []store.Status
		var clients []app.MappingRow
		if err == nil && full {
			statuses, err = b.Statuses(ctx)
		}
		if err == nil && full {
			clients, err = b.MappingRows(ctx, app.MappingFilter{State: app.StateAll})
		}
		t.u.do(func() {
			if seq != t.seq {
				return // the filter changed since
			}
			t.loading = false
			if err != nil {
				t.setMessage("The tickets could not be read. "+plainError(err), widget.DangerImportance)
				return
			}
			if full {
				t.setStatuses(statuses)
				t.setClients(clients)
			}
			t.setRows(rows)
		})
	})
}

// setStatuses fills the status select with HaloPSA's statuses.
func (t *ticketsTab) setStatuses(ss []store.Status) {
	t.statuses = ss
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	t.status.SetOptions(names)
}

// setClients keeps the mapped clients and offers them in the client filter.
func (t *ticketsTab) setClients(rows []app.MappingRow) {
	t.clients = mappedClients(rows)
	t.clientOf = map[string]int64{allClients: 0}
	opts := []string{allClients}
	selected := allClients
	for _, c := range t.clients {
		label := clientLabel(c, t.clientOf)
		t.clientOf[label] = c.Local.ID
		opts = append(opts, label)
		if c.Local.ID == t.clientID {
			selected = label
		}
	}
	t.client.Options = opts
	t.client.Selected = selected
	t.client.Refresh()
}

// setRows replaces the tickets, keeping the selected one selected.
func (t *ticketsTab) setRows(rows []app.TicketRow) {
	t.all = rows
	t.filter()
}

// filter shows the tickets the search lets through.
func (t *ticketsTab) filter() {
	q := strings.ToLower(t.query)
	t.view = t.view[:0]
	conflicts, errs := 0, 0
	for i, r := range t.all {
		if q == "" || strings.Contains(strings.ToLower(strings.Join([]string{r.Summary, t.clientName(r), r.StatusName,
			haloNumber(r.HaloID), r.Ref, string(r.SyncState)}, "\x00")), q) {
			t.view = append(t.view, i)
		}
		switch r.SyncState {
		case store.TicketConflict:
			conflicts++
		case store.TicketError:
			errs++
		}
	}
	text := fmt.Sprintf("%d tickets", len(t.all))
	if len(t.view) != len(t.all) {
		text = fmt.Sprintf("%d of %d tickets", len(t.view), len(t.all))
	}
	if conflicts > 0 {
		text += " · " + plural(conflicts, "conflict")
	}
	if errs > 0 {
		text += " · " + plural(errs, "error")
	}
	t.count.SetText(text)
	switch {
	case len(t.all) == 0 && t.clientID == 0 && t.message.Text == "":
		t.setMessage(noTicketsHint, widget.MediumImportance)
	case (len(t.all) > 0 || t.clientID != 0) && t.message.Text == noTicketsHint:
		t.setMessage("", widget.MediumImportance)
	}
	t.table.Refresh()
	t.reselect()
}

// reselect keeps the detail on the selected ticket after the rows change.
func (t *ticketsTab) reselect() {
	if t.selected == 0 {
		t.showDetail(nil)
		return
	}
	for i, k := range t.view {
		if t.all[k].ID == t.selected {
			t.table.Select(widget.TableCellID{Row: i, Col: t.selCell.Col}) // no-op when the row stayed put
			r := t.all[k]
			t.showDetail(&r)
			return
		}
	}
	t.selected = 0
	t.table.UnselectAll()
	t.showDetail(nil)
}

func (t *ticketsTab) onClient(label string) {
	id, ok := t.clientOf[label]
	if !ok || id == t.clientID {
		return
	}
	t.clientID = id
	t.loading = false // the running load is for the old filter
	t.reload(false)
}

func (t *ticketsTab) onSearch(s string) {
	if s = strings.TrimSpace(s); s != t.query {
		t.query = s
		t.filter()
	}
}

func (t *ticketsTab) onSelected(id widget.TableCellID) {
	if id.Row < 0 || id.Row >= len(t.view) {
		return
	}
	r := t.all[t.view[id.Row]]
	t.selected, t.selCell = r.ID, id
	t.showDetail(&r)
}

// selectedRow is the selected ticket, if it is still listed.
func (t *ticketsTab) selectedRow() (app.TicketRow, bool) {
	for _, r := range t.all {
		if r.ID == t.selected && t.selected != 0 {
			return r, true
		}
	}
	return app.TicketRow{}, false
}

func (t *ticketsTab) setMessage(text string, imp widget.Importance) {
	t.message.Text, t.message.Importance = text, imp
	t.message.Refresh()
	if text == "" {
		t.message.Hide() // an empty label would still take a line
	} else {
		t.message.Show()
	}
}

// isClosed reports whether a status is one HaloSync counts as closed.
func (t *ticketsTab) isClosed(statusID int64) bool {
	for _, s := range t.statuses {
		if s.ID == statusID {
			return s.LocalState == "closed"
		}
	}
	return false
}

func (t *ticketsTab) updateButtons() {
	r, ok := t.selectedRow()
	enable(t.newTicket, t.u.b != nil)
	enable(t.close, ok && !t.busy && !t.isClosed(r.StatusID))
	if ok && needsFix(r) {
		t.fix.Show()
	} else {
		t.fix.Hide()
	}
	if ok && !t.busy && len(t.statuses) > 0 {
		t.status.Enable()
	} else {
		t.status.Disable()
	}
}
