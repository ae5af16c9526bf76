package gui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
)

// heldNote is the Tickets tab's "N held" button: ticket changes of HaloPSA
// clients that are not mapped, inactive or deleted wait in the inbox. Its
// dialog says whose they are and why, and lets the user apply them to a
// local client (mapping the HaloPSA client, or not) or drop them. Its
// fields are owned by the Fyne goroutine.
type heldNote struct {
	u       *Window
	button  *widget.Button
	clients []app.HeldClient
	seq     int
	dlg     *heldDialog // the open dialog, nil when closed
}

func newHeldNote(u *Window) *heldNote {
	h := &heldNote{u: u}
	h.button = &widget.Button{Icon: theme.WarningIcon(), Importance: widget.WarningImportance, OnTapped: h.onOpen}
	h.button.Hide()
	return h
}

// reload counts the held changes off the Fyne goroutine.
func (h *heldNote) reload() {
	b := h.u.b
	if b == nil {
		return
	}
	h.seq++
	seq := h.seq
	h.u.goWork(func(ctx context.Context) {
		cs, err := b.HeldTickets(ctx)
		h.u.do(func() {
			if seq != h.seq || b != h.u.b || err != nil {
				return // the next reload tries again; a count is no reason to alarm
			}
			h.show(cs)
		})
	})
}

func (h *heldNote) show(cs []app.HeldClient) {
	h.clients = cs
	n := 0
	for _, c := range cs {
		n += c.Changes
	}
	showCount(h.button, n, "held")
	if h.dlg != nil {
		h.dlg.show(cs)
	}
}

// showCount shows "N what" on the Tickets tab's note button b, or hides it
// when n is 0.
func showCount(b *widget.Button, n int, what string) {
	if n == 0 {
		b.Hide()
		return
	}
	b.SetText(fmt.Sprintf("%d %s", n, what))
	b.Show()
}

// heldDialog lists the clients with held changes and their two actions.
type heldDialog struct {
	note    *heldNote
	dlg     dialog.Dialog
	message *widget.Label
	list    *fyne.Container
	locals  map[string]int64 // local client label -> id
	labels  []string
	rows    map[int64]*heldRow // by HaloPSA client
	busy    bool
}

// heldRow is one client's line in the dialog.
type heldRow struct {
	to         *widget.Select
	mapIt      *widget.Check
	apply      *widget.Button
	drop       *widget.Button
	client     app.HeldClient
	canMapKind bool
}

func (h *heldNote) onOpen() {
	b := h.u.b
	if b == nil {
		return
	}
	d := &heldDialog{note: h, rows: map[int64]*heldRow{}}
	d.message = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance, Text: "Loading your clients…"}
	d.list = container.NewVBox()
	head := &widget.Label{Wrapping: fyne.TextWrapWord, Text: "HaloSync holds ticket changes of HaloPSA clients none of yours is " +
		"mapped to. Apply them to one of your clients (tick Map to also map the HaloPSA client, so its later tickets follow), " +
		"or drop them: dropped changes are never applied."}
	content := container.NewBorder(container.NewVBox(head, d.message), nil, nil, nil, container.NewVScroll(d.list))
	d.dlg = dialog.NewCustom("Held ticket changes", "Close", content, h.u.win)
	d.dlg.SetOnClosed(func() { h.dlg = nil })
	d.dlg.Resize(fyne.NewSize(900, 560))
	h.dlg = d
	d.dlg.Show()
	h.u.goWork(func(ctx context.Context) {
		rows, err := b.MappingRows(ctx, app.MappingFilter{State: app.StateAll})
		h.u.do(func() {
			if h.dlg != d {
				return
			}
			if err != nil {
				d.setMessage("Your clients could not be read. "+plainError(err), widget.DangerImportance)
				return
			}
			d.locals = map[string]int64{}
			d.labels = nil
			for _, r := range rows {
				label := fmt.Sprintf("%s (#%d)", r.Local.Name, r.Local.ID)
				d.locals[label] = r.Local.ID
				d.labels = append(d.labels, label)
			}
			d.setMessage("", widget.LowImportance)
			d.show(h.clients)
		})
	})
}

// show rebuilds the list from the held clients.
func (d *heldDialog) show(cs []app.HeldClient) {
	d.list.RemoveAll()
	d.rows = map[int64]*heldRow{}
	if len(cs) == 0 {
		d.list.Add(&widget.Label{Text: "Nothing is held.", Importance: widget.LowImportance})
	}
	for _, c := range cs {
		d.list.Add(d.row(c))
	}
}

func (d *heldDialog) row(c app.HeldClient) fyne.CanvasObject {
	r := &heldRow{client: c, canMapKind: c.Reason == app.HeldNotMapped || c.Reason == app.HeldInactive}
	r.to = widget.NewSelect(d.labels, func(string) { d.enableRow(r) })
	r.to.PlaceHolder = "(apply to which of your clients?)"
	r.mapIt = widget.NewCheck("Map", nil)
	r.apply = &widget.Button{Text: "Apply", Icon: theme.ConfirmIcon(), OnTapped: func() { d.onApply(r) }}
	r.drop = &widget.Button{Text: "Drop…", Icon: theme.DeleteIcon(), Importance: widget.DangerImportance, OnTapped: func() { d.onDrop(r) }}
	d.enableRow(r)
	d.rows[c.HaloID] = r
	var tickets []string
	for i, t := range c.Tickets {
		if i == 3 {
			tickets = append(tickets, fmt.Sprintf("and %d more", len(c.Tickets)-3))
			break
		}
		s := fmt.Sprintf("#%d", t.ID)
		if t.Summary != "" {
			s += " " + clip(t.Summary, 40)
		}
		tickets = append(tickets, s)
	}
	title := &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Text: fmt.Sprintf("%s (HaloPSA client %d): %s of %s, since %s",
		c.Name, c.HaloID, plural(c.Changes, "change"), plural(len(c.Tickets), "ticket"), when(c.Since))}
	why := &widget.Label{Wrapping: fyne.TextWrapWord, Text: upper(c.Why) + ". " + strings.Join(tickets, " · ")}
	actions := container.NewBorder(nil, nil, nil, container.NewHBox(r.mapIt, r.apply, r.drop), r.to)
	return container.NewVBox(title, why, actions, widget.NewSeparator())
}

func (d *heldDialog) enableRow(r *heldRow) {
	enable(r.apply, !d.busy && r.to.Selected != "")
	enable(r.drop, !d.busy)
	if r.canMapKind && !d.busy {
		r.mapIt.Enable()
	} else {
		r.mapIt.Disable()
	}
}

func (d *heldDialog) onApply(r *heldRow) {
	local, ok := d.locals[r.to.Selected]
	if !ok || d.busy {
		return
	}
	mapIt := r.mapIt.Checked && r.canMapKind
	d.act(func(ctx context.Context, b Backend) (string, error) {
		n, err := b.ReleaseHeld(ctx, r.client.HaloID, local, mapIt)
		what := "applied to " + r.to.Selected
		if mapIt {
			what = "mapped to " + r.to.Selected + "; its changes apply"
		}
		return fmt.Sprintf("%s: %s, %s with the next ticket sync.", r.client.Name, plural(n, "change"), what), err
	})
}

func (d *heldDialog) onDrop(r *heldRow) {
	if d.busy {
		return
	}
	dialog.ShowConfirm("Drop the held changes?", fmt.Sprintf("The %s held for %s will never be applied. "+
		"Later changes of its tickets are held again.", plural(r.client.Changes, "change"), r.client.Name), func(ok bool) {
		if !ok {
			return
		}
		d.act(func(ctx context.Context, b Backend) (string, error) {
			n, err := b.DropHeld(ctx, r.client.HaloID)
			return fmt.Sprintf("%s: dropped %s; they will not be applied.", r.client.Name, plural(n, "change")), err
		})
	}, d.note.u.win)
}

// act runs a release or drop off the Fyne goroutine, then reads the held
// changes and the tickets again.
func (d *heldDialog) act(fn func(context.Context, Backend) (string, error)) {
	u, b := d.note.u, d.note.u.b
	d.busy = true
	for _, r := range d.rows {
		d.enableRow(r)
	}
	u.goWork(func(ctx context.Context) {
		msg, err := fn(ctx, b)
		u.do(func() {
			d.busy = false
			for _, r := range d.rows {
				d.enableRow(r)
			}
			if err != nil {
				d.setMessage("Nothing changed: "+plainError(err), widget.DangerImportance)
			} else {
				d.setMessage(msg, widget.SuccessImportance)
			}
			d.note.reload()
			u.ticketsChanged()
		})
	})
}

func (d *heldDialog) setMessage(text string, imp widget.Importance) {
	d.message.Text, d.message.Importance = text, imp
	d.message.Refresh()
}

// upper capitalises the first letter of a sentence.
func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
