package gui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// newTicketDialog creates a ticket for a mapped local client. Its fields
// are owned by the Fyne goroutine.
type newTicketDialog struct {
	u         *Window
	onCreated func(store.Ticket)

	labels []string         // every mapped client's label, by name
	idOf   map[string]int64 // label -> local client id
	busy   bool

	narrow  *widget.Entry // narrows the client list
	client  *widget.Select
	summary *widget.Entry
	details *widget.Entry
	message *widget.Label
	create  *widget.Button
	dlg     *dialog.CustomDialog
}

// showNewTicket opens the New ticket dialog with the client preselect
// chosen (when it is mapped); onCreated runs after a ticket was created.
func showNewTicket(u *Window, preselect int64, onCreated func(store.Ticket)) *newTicketDialog {
	d := &newTicketDialog{u: u, onCreated: onCreated, idOf: map[string]int64{}}
	d.build()
	d.dlg.Show()
	u.win.Canvas().Focus(d.narrow)
	d.load(preselect)
	return d
}

func (d *newTicketDialog) build() {
	d.narrow = &widget.Entry{PlaceHolder: "Type part of a name to narrow the list"}
	d.narrow.OnChanged = d.onNarrow
	d.client = widget.NewSelect(nil, func(string) { d.updateButtons() })
	d.client.PlaceHolder = "Loading clients…"
	d.summary = &widget.Entry{PlaceHolder: "What is the problem, in one line"}
	d.summary.OnChanged = func(string) { d.updateButtons() }
	d.details = widget.NewMultiLineEntry()
	d.details.Wrapping = fyne.TextWrapWord
	d.details.SetMinRowsVisible(6)
	d.details.PlaceHolder = "Optional: what happened, who is affected, what was tried"
	d.message = &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: "Only clients mapped to a HaloPSA client are listed. The ticket is saved here at once and sent to HaloPSA in the background."}
	form := widget.NewForm(
		widget.NewFormItem("Client", container.NewVBox(d.narrow, d.client)),
		widget.NewFormItem("Summary", d.summary),
		widget.NewFormItem("Details", d.details),
	)
	d.create = &widget.Button{Text: "Create ticket", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: d.onCreate}
	cancel := &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: func() { d.dlg.Hide() }}
	d.dlg = dialog.NewCustomWithoutButtons("New ticket", container.NewVBox(form, d.message), d.u.win)
	d.dlg.SetButtons([]fyne.CanvasObject{cancel, d.create})
	d.dlg.Resize(fyne.NewSize(600, 460))
	d.updateButtons()
}

// load reads the mapped clients off the Fyne goroutine: the list is read
// afresh each time, so clients mapped a moment ago are there.
func (d *newTicketDialog) load(preselect int64) {
	b := d.u.b
	d.busy = true
	d.u.goWork(func(ctx context.Context) {
		rows, err := b.MappingRows(ctx, app.MappingFilter{State: app.StateAll})
		d.u.do(func() {
			d.busy = false
			if err != nil {
				d.setMessage("The client book could not be read. "+plainError(err), widget.DangerImportance)
				d.updateButtons()
				return
			}
			d.setClients(mappedClients(rows), preselect)
		})
	})
}

func (d *newTicketDialog) setClients(clients []app.MappingRow, preselect int64) {
	d.labels = d.labels[:0]
	d.idOf = map[string]int64{}
	selected := ""
	for _, c := range clients {
		label := clientLabel(c, d.idOf)
		d.idOf[label] = c.Local.ID
		d.labels = append(d.labels, label)
		if c.Local.ID == preselect {
			selected = label
		}
	}
	d.client.PlaceHolder = "Choose a mapped client"
	if len(clients) == 0 {
		d.client.PlaceHolder = "No mapped clients"
		d.setMessage("No client is mapped to HaloPSA yet. On Clients & Mapping use Bulk Map, accept the matches, "+
			"then Save All Mappings; then come back here.", widget.WarningImportance)
	}
	d.client.Options = d.labels
	d.client.Selected = selected
	d.client.Refresh()
	d.updateButtons()
}

// onNarrow lists only the clients whose label contains s.
func (d *newTicketDialog) onNarrow(s string) {
	s = strings.ToLower(strings.TrimSpace(s))
	var opts []string
	for _, l := range d.labels {
		if s == "" || strings.Contains(strings.ToLower(l), s) {
			opts = append(opts, l)
		}
	}
	d.client.Options = opts
	switch {
	case len(opts) == 1:
		d.client.Selected = opts[0]
	case len(opts) == 0:
		d.client.PlaceHolder = "No mapped client matches"
	case s == "":
		d.client.PlaceHolder = "Choose a mapped client"
	default:
		d.client.PlaceHolder = fmt.Sprintf("%d clients match: choose one", len(opts))
	}
	d.client.Refresh()
	d.updateButtons()
}

func (d *newTicketDialog) onCreate() {
	id, ok := d.idOf[d.client.Selected]
	summary := strings.TrimSpace(d.summary.Text)
	if !ok || summary == "" || d.busy {
		return
	}
	d.busy = true
	d.updateButtons()
	d.setMessage("Creating the ticket…", widget.MediumImportance)
	b, details := d.u.b, d.details.Text
	d.u.goWork(func(ctx context.Context) {
		tk, err := b.CreateTicket(ctx, id, summary, details)
		d.u.do(func() {
			d.busy = false
			if err != nil {
				d.setMessage("The ticket could not be created. "+plainError(err), widget.DangerImportance)
				d.updateButtons()
				return
			}
			d.dlg.Hide()
			d.onCreated(tk)
		})
	})
}

func (d *newTicketDialog) setMessage(text string, imp widget.Importance) {
	d.message.Text, d.message.Importance = text, imp
	d.message.Refresh()
}

func (d *newTicketDialog) updateButtons() {
	_, ok := d.idOf[d.client.Selected]
	enable(d.create, ok && strings.TrimSpace(d.summary.Text) != "" && !d.busy)
	if d.busy {
		d.client.Disable()
	} else {
		d.client.Enable()
	}
}

// mappedClients are the local clients mapped to a HaloPSA client, by name:
// the only ones a ticket can be created for.
func mappedClients(rows []app.MappingRow) []app.MappingRow {
	var out []app.MappingRow
	for _, r := range rows {
		if (r.State == store.MapAccepted || r.State == store.MapManual) && r.HaloID != 0 {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b app.MappingRow) int {
		return strings.Compare(strings.ToLower(a.Local.Name), strings.ToLower(b.Local.Name))
	})
	return out
}

// clientLabel names a mapped client in a select, told apart from a
// namesake already in taken by its id.
func clientLabel(c app.MappingRow, taken map[string]int64) string {
	if _, dup := taken[c.Local.Name]; dup || c.Local.Name == "" {
		return fmt.Sprintf("%s (#%d)", c.Local.Name, c.Local.ID)
	}
	return c.Local.Name
}
