package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// The first choice of each select: the field left for HaloPSA to fill.
const (
	noSite      = "(no site)"
	noContact   = "(no contact)"
	anyType     = "HaloPSA's default"
	anyPriority = "The type's default"
)

// ticketFields are the Site, Contact, Type and Priority selects that the
// New ticket form and the Fix dialog share, filled from a client's
// imported lists. Owned by the Fyne goroutine.
type ticketFields struct {
	site, contact, typ, priority *widget.Select
	ids                          map[*widget.Select]map[string]int64 // option label -> id
	content                      fyne.CanvasObject
}

func newTicketFields() *ticketFields {
	f := &ticketFields{ids: map[*widget.Select]map[string]int64{}}
	mk := func(placeholder string) *widget.Select {
		s := widget.NewSelect(nil, nil)
		s.PlaceHolder = placeholder
		return s
	}
	f.site, f.contact = mk("Choose a client first"), mk("Choose a client first")
	f.typ, f.priority = mk("Loading…"), mk("Loading…")
	// Two columns: four rows of selects would not fit a 600 px window
	// beside the summary and details.
	f.content = container.NewGridWithColumns(2,
		widget.NewForm(widget.NewFormItem("Site", f.site), widget.NewFormItem("Type", f.typ)),
		widget.NewForm(widget.NewFormItem("Contact", f.contact), widget.NewFormItem("Priority", f.priority)))
	f.setEnabled(false)
	return f
}

// set offers c's lists and selects the given ids. An id not among them
// (a contact made inactive since, say) is offered as "#id" rather than
// silently dropped.
func (f *ticketFields) set(c app.TicketChoices, site, contact, typ, priority int64) {
	type entry struct {
		id   int64
		name string
	}
	fill := func(s *widget.Select, none string, list []entry, selected int64) {
		ids := map[string]int64{none: 0}
		opts := []string{none}
		chosen := none
		for _, e := range list {
			label := e.name
			if _, dup := ids[label]; dup || label == "" {
				label = fmt.Sprintf("%s (#%d)", e.name, e.id)
			}
			ids[label] = e.id
			opts = append(opts, label)
			if e.id == selected {
				chosen = label
			}
		}
		if chosen == none && selected != 0 {
			chosen = fmt.Sprintf("#%d", selected)
			ids[chosen] = selected
			opts = append(opts, chosen)
		}
		f.ids[s] = ids
		s.PlaceHolder = ""
		s.Options = opts
		s.Selected = chosen
		s.Refresh()
	}
	var sites, contacts, types, prios []entry
	for _, s := range c.Sites {
		sites = append(sites, entry{s.ID, app.SiteLabel(s)})
	}
	for _, u := range c.Contacts {
		name := u.Name
		if u.Primary {
			name += " (primary)"
		}
		contacts = append(contacts, entry{u.ID, name})
	}
	for _, t := range c.Types {
		types = append(types, entry{t.ID, t.Name})
	}
	for _, p := range c.Priorities {
		prios = append(prios, entry{p.ID, p.Name})
	}
	fill(f.site, noSite, sites, site)
	fill(f.contact, noContact, contacts, contact)
	fill(f.typ, anyType, types, typ)
	fill(f.priority, anyPriority, prios, priority)
	f.setEnabled(true)
}

// values are the ids chosen: site, contact, type, priority (0: none).
func (f *ticketFields) values() (site, contact, typ, priority int64) {
	id := func(s *widget.Select) int64 { return f.ids[s][s.Selected] }
	return id(f.site), id(f.contact), id(f.typ), id(f.priority)
}

func (f *ticketFields) setEnabled(on bool) {
	for _, s := range []*widget.Select{f.site, f.contact, f.typ, f.priority} {
		if on {
			s.Enable()
		} else {
			s.Disable()
		}
	}
}

// fixTicketDialog sets the fields of a ticket HaloPSA refused to create
// and sends it again. Its fields are owned by the Fyne goroutine.
type fixTicketDialog struct {
	u      *Window
	row    app.TicketRow
	onSent func()
	busy   bool

	fields  *ticketFields
	message *widget.Label
	send    *widget.Button
	dlg     *dialog.CustomDialog
}

// showFixTicket opens the Fix dialog for r; onSent runs once the fields
// are saved and the create is on its way again.
func showFixTicket(u *Window, r app.TicketRow, onSent func()) *fixTicketDialog {
	d := &fixTicketDialog{u: u, row: r, onSent: onSent, fields: newTicketFields()}
	d.message = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance,
		Text: "Not in HaloPSA yet: " + r.SyncError + ". Set what it asks for, then Send again."}
	d.send = &widget.Button{Text: "Send again", Icon: theme.MailSendIcon(), Importance: widget.HighImportance, OnTapped: d.onSend}
	cancel := &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: func() { d.dlg.Hide() }}
	title := &widget.Label{Text: clip(oneLine(r.Summary), 70), TextStyle: fyne.TextStyle{Bold: true}}
	d.dlg = dialog.NewCustomWithoutButtons("Fix ticket", container.NewVBox(title, d.message, d.fields.content), u.win)
	d.dlg.SetButtons([]fyne.CanvasObject{cancel, d.send})
	d.dlg.Resize(fyne.NewSize(600, 300))
	d.dlg.Show()
	d.load()
	return d
}

// load reads the client's lists off the Fyne goroutine.
func (d *fixTicketDialog) load() {
	d.busy = true
	enable(d.send, false)
	b, r := d.u.b, d.row
	d.u.goWork(func(ctx context.Context) {
		c, err := b.TicketChoices(ctx, r.LocalClientID)
		d.u.do(func() {
			d.busy = false
			if err != nil {
				d.setMessage("The client's sites and contacts could not be read. "+plainError(err), widget.DangerImportance)
				return
			}
			d.fields.set(c, r.SiteID, r.UserID, r.TypeID, r.PriorityID)
			enable(d.send, true)
		})
	})
}

func (d *fixTicketDialog) onSend() {
	if d.busy {
		return
	}
	d.busy = true
	d.fields.setEnabled(false)
	enable(d.send, false)
	d.setMessage("Saving…", widget.MediumImportance)
	b, id := d.u.b, d.row.ID
	site, contact, typ, prio := d.fields.values()
	d.u.goWork(func(ctx context.Context) {
		err := b.SetTicketFields(ctx, id, site, contact, typ, prio)
		d.u.do(func() {
			d.busy = false
			if err != nil {
				d.setMessage("The ticket could not be changed. "+plainError(err), widget.DangerImportance)
				d.fields.setEnabled(true)
				enable(d.send, true)
				return
			}
			d.dlg.Hide()
			d.onSent()
		})
	})
}

func (d *fixTicketDialog) setMessage(text string, imp widget.Importance) {
	d.message.Text, d.message.Importance = text, imp
	d.message.Refresh()
}

// needsFix reports whether HaloPSA refused to create r for a reason the
// user can fix here: it is not in HaloPSA and its create waits with a
// reason.
func needsFix(r app.TicketRow) bool {
	return r.HaloID == 0 && r.SyncState == store.TicketError && r.SyncError != ""
}
