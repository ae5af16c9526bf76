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
	onCreated func(t store.Ticket, defaultsErr error) // defaultsErr: saving the defaults failed

	labels []string         // every mapped client's label, by name
	idOf   map[string]int64 // label -> local client id
	busy   bool
	draft  store.Ticket // the chosen client's draft: its defaults; LocalClientID 0 until loaded
	seq    int          // numbers draft loads, so a slow one for another client is dropped

	narrow   *widget.Entry // narrows the client list
	client   *widget.Select
	summary  *widget.Entry
	details  *widget.Entry
	fields   *ticketFields
	defaults *widget.Check // "Save as this client's defaults"
	message  *widget.Label
	create   *widget.Button
	dlg      *dialog.CustomDialog
}

// showNewTicket opens the New ticket dialog with the client preselect
// chosen (when it is mapped); onCreated runs after a ticket was created.
// Choosing a client fills the site, contact, type and priority from its
// defaults (NewTicketDraft); the user may change them, and save them as
// the client's defaults.
func showNewTicket(u *Window, preselect int64, onCreated func(store.Ticket, error)) *newTicketDialog {
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
	d.client = widget.NewSelect(nil, d.onClient)
	d.client.PlaceHolder = "Loading clients…"
	d.summary = &widget.Entry{PlaceHolder: "What is the problem, in one line"}
	d.summary.OnChanged = func(string) { d.updateButtons() }
	d.details = widget.NewMultiLineEntry()
	d.details.Wrapping = fyne.TextWrapWord
	d.details.SetMinRowsVisible(3) // with the fields below, 6 rows would not fit a 600 px window
	d.details.PlaceHolder = "Optional: what happened, who is affected, what was tried"
	d.message = &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: "Only clients mapped to a HaloPSA client are listed. The ticket is saved here at once and sent to HaloPSA in the background."}
	d.fields = newTicketFields()
	d.defaults = widget.NewCheck("Save these as this client's defaults", nil)
	d.defaults.Disable()
	form := widget.NewForm(
		widget.NewFormItem("Client", container.NewVBox(d.narrow, d.client)),
		widget.NewFormItem("Summary", d.summary),
		widget.NewFormItem("Details", d.details),
	)
	d.create = &widget.Button{Text: "Create ticket", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: d.onCreate}
	cancel := &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: func() { d.dlg.Hide() }}
	d.dlg = dialog.NewCustomWithoutButtons("New ticket", container.NewVBox(form, d.fields.content, d.defaults, d.message), d.u.win)
	d.dlg.SetButtons([]fyne.CanvasObject{cancel, d.create})
	d.dlg.Resize(fyne.NewSize(640, 520))
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
	d.client.Refresh()
	if selected != "" {
		d.client.SetSelected(selected) // loads its draft
	}
	d.updateButtons()
}

// onClient loads the chosen client's draft (its defaults, else its
// primary contact and site) and its lists into the fields.
func (d *newTicketDialog) onClient(label string) {
	id, ok := d.idOf[label]
	if !ok || id == d.draft.LocalClientID {
		d.updateButtons()
		return
	}
	d.seq++
	seq, b := d.seq, d.u.b
	d.draft = store.Ticket{}
	d.fields.setEnabled(false)
	d.defaults.Disable()
	d.updateButtons()
	d.u.goWork(func(ctx context.Context) {
		t, err := b.NewTicketDraft(ctx, id)
		var c app.TicketChoices
		if err == nil {
			c, err = b.TicketChoices(ctx, id)
		}
		d.u.do(func() {
			if seq != d.seq {
				return // another client was chosen since
			}
			if err != nil {
				d.setMessage("The client's sites and contacts could not be read. "+plainError(err), widget.DangerImportance)
				d.updateButtons()
				return
			}
			d.draft = t
			d.fields.set(c, t.SiteID, t.UserID, t.TypeID, t.PriorityID)
			d.defaults.SetChecked(false)
			d.defaults.Enable()
			d.updateButtons()
		})
	})
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
		d.client.SetSelected(opts[0]) // loads its draft
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
	summary := strings.TrimSpace(d.summary.Text)
	if !d.ready() || summary == "" || d.busy {
		return
	}
	d.busy = true
	d.updateButtons()
	d.setMessage("Creating the ticket…", widget.MediumImportance)
	t, b, saveDefaults := d.draft, d.u.b, d.defaults.Checked
	t.Summary, t.Details = summary, d.details.Text
	t.SiteID, t.UserID, t.TypeID, t.PriorityID = d.fields.values()
	d.u.goWork(func(ctx context.Context) {
		var defErr error
		if saveDefaults {
			defErr = b.SetTicketDefaults(ctx, store.TicketDefaults{LocalClientID: t.LocalClientID,
				SiteID: t.SiteID, UserID: t.UserID, TypeID: t.TypeID, PriorityID: t.PriorityID})
		}
		tk, err := b.CreateTicketWith(ctx, t)
		d.u.do(func() {
			d.busy = false
			if err != nil {
				d.setMessage("The ticket could not be created. "+plainError(err), widget.DangerImportance)
				d.updateButtons()
				return
			}
			d.dlg.Hide()
			d.onCreated(tk, defErr)
		})
	})
}

func (d *newTicketDialog) setMessage(text string, imp widget.Importance) {
	d.message.Text, d.message.Importance = text, imp
	d.message.Refresh()
}

// ready reports whether a client is chosen and its draft loaded.
func (d *newTicketDialog) ready() bool {
	id, ok := d.idOf[d.client.Selected]
	return ok && d.draft.LocalClientID == id
}

func (d *newTicketDialog) updateButtons() {
	enable(d.create, d.ready() && strings.TrimSpace(d.summary.Text) != "" && !d.busy)
	if d.busy {
		d.client.Disable()
		d.fields.setEnabled(false)
	} else {
		d.client.Enable()
		d.fields.setEnabled(d.ready())
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
