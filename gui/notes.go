package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// notesPanel lists the selected ticket's notes (HaloPSA's actions) beside
// its details, and adds a note, private unless the user says otherwise.
// Opening a ticket reads its notes from HaloPSA too (RefreshNotes), since
// notes written there before HaloSync saw the ticket arrive no other way.
// Its fields are owned by the Fyne goroutine.
type notesPanel struct {
	u *Window

	ticket  int64         // the ticket shown; 0 for none
	row     app.TicketRow // its row as last shown (its sync state)
	inHalo  bool          // the ticket exists in HaloPSA, so it has notes to read there
	notes   []store.Note
	seq     int  // numbers loads, so one for another ticket is dropped
	loading bool // a plain reload is running
	busy    bool // a note is being added

	title   *widget.Label
	list    *fyne.Container // one block per note, oldest first
	scroll  *container.Scroll
	entry   *widget.Entry
	private *widget.Check
	add     *widget.Button
	message *widget.Label
	fix     *noteOutcomeFix // another outcome for notes HaloPSA refused
	content fyne.CanvasObject
}

func newNotesPanel(u *Window) *notesPanel {
	p := &notesPanel{u: u}
	p.title = &widget.Label{Text: "Notes", TextStyle: fyne.TextStyle{Bold: true}}
	p.list = container.NewVBox()
	p.scroll = container.NewVScroll(p.list)
	p.entry = &widget.Entry{PlaceHolder: "Add a note…", OnSubmitted: func(string) { p.onAdd() }}
	p.entry.OnChanged = func(string) { p.updateButtons() }
	p.private = widget.NewCheck("Private", nil)
	p.private.SetChecked(true) // a note the customer should see is the exception
	p.add = &widget.Button{Text: "Add note", Icon: theme.ContentAddIcon(), OnTapped: p.onAdd}
	p.message = &widget.Label{Wrapping: fyne.TextWrapWord}
	p.message.Hide()
	p.fix = newNoteOutcomeFix(p)
	bottom := container.NewVBox(p.message, p.fix.content, container.NewBorder(nil, nil, nil, container.NewHBox(p.private, p.add), p.entry))
	p.content = container.NewBorder(p.title, bottom, nil, nil, p.scroll)
	p.show(nil)
	return p
}

// show shows r's notes, or nothing when r is nil. A newly chosen ticket
// is read from HaloPSA as well; the same ticket again (the tab reloaded)
// only re-reads what is stored here.
func (p *notesPanel) show(r *app.TicketRow) {
	if r == nil {
		p.ticket, p.notes, p.row = 0, nil, app.TicketRow{}
		p.seq++
		p.loading = false // the running load is for the old ticket
		p.title.SetText("Notes")
		p.setNotes(nil)
		p.setMessage("", widget.MediumImportance)
		p.updateButtons()
		return
	}
	inHalo := r.HaloID != 0
	p.row = *r
	if r.ID == p.ticket {
		// The ticket reached HaloPSA since it was opened: read its notes there.
		refresh := inHalo && !p.inHalo
		p.inHalo = inHalo
		p.fix.update() // the row's sync state may have changed
		p.load(refresh)
		return
	}
	p.ticket, p.inHalo, p.notes = r.ID, inHalo, nil
	p.loading = false // the running load is for the old ticket
	p.entry.SetText("")
	p.setMessage("", widget.MediumImportance)
	p.setNotes(nil)
	p.updateButtons()
	p.load(inHalo)
}

// load reads the ticket's notes off the Fyne goroutine: those stored
// here at once, then, with refresh, those HaloPSA has that are not here.
func (p *notesPanel) load(refresh bool) {
	if p.u.b == nil || p.ticket == 0 || (p.loading && !refresh) {
		return
	}
	p.seq++
	p.loading = true
	seq, b, id := p.seq, p.u.b, p.ticket
	p.updateTitle(refresh)
	p.u.goWork(func(ctx context.Context) {
		notes, err := b.Notes(ctx, id)
		var refreshErr error
		if err == nil && refresh {
			p.u.do(func() {
				if seq == p.seq {
					p.setNotes(notes) // show what is here while HaloPSA answers
				}
			})
			var n int
			if n, refreshErr = b.RefreshNotes(ctx, id); refreshErr == nil && n > 0 {
				notes, err = b.Notes(ctx, id)
			}
		}
		p.u.do(func() {
			if seq != p.seq {
				return // another ticket was chosen since
			}
			p.loading = false
			p.updateTitle(false)
			switch {
			case err != nil:
				p.setMessage("The notes could not be read. "+plainError(err), widget.DangerImportance)
				return
			case refreshErr != nil:
				p.setMessage("HaloPSA's notes could not be read; these are the ones kept here. "+plainError(refreshErr), widget.WarningImportance)
			case p.message.Importance == widget.WarningImportance:
				p.setMessage("", widget.MediumImportance)
			}
			p.setNotes(notes)
		})
	})
}

func (p *notesPanel) updateTitle(reading bool) {
	text := "Notes"
	switch {
	case reading:
		text = "Notes (reading HaloPSA…)"
	case len(p.notes) > 0:
		text = fmt.Sprintf("Notes (%d)", len(p.notes))
	}
	p.title.SetText(text)
}

// setNotes replaces the list: a header line (when, who, private badge,
// pending or sent) over the note's text, for each.
func (p *notesPanel) setNotes(notes []store.Note) {
	p.notes = notes
	var objs []fyne.CanvasObject
	for i, n := range notes {
		if i > 0 {
			objs = append(objs, widget.NewSeparator())
		}
		objs = append(objs, noteBlock(n))
	}
	if len(notes) == 0 && p.ticket != 0 {
		objs = append(objs, &widget.Label{Text: "No notes yet.", Importance: widget.LowImportance})
	} else if p.ticket == 0 {
		objs = append(objs, &widget.Label{Text: "Select a ticket to see its notes.", Importance: widget.LowImportance})
	}
	p.list.Objects = objs
	p.list.Refresh()
	p.fix.update()
	p.scroll.ScrollToBottom() // the newest note, just added or arrived, is last
	if !p.loading {
		p.updateTitle(false)
	}
}

// noteBlock is one note as listed.
func noteBlock(n store.Note) fyne.CanvasObject {
	who := n.Who
	if who == "" && n.Origin == store.NoteLocal {
		who = "You, in HaloSync"
	}
	head := &widget.Label{Text: when(n.At) + " · " + who, TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis}
	visibility := &widget.Label{Text: "Public", Importance: widget.LowImportance}
	if n.Private {
		visibility = &widget.Label{Text: "Private", Importance: widget.WarningImportance, TextStyle: fyne.TextStyle{Bold: true}}
	}
	state := &widget.Label{Text: "✓ sent", Importance: widget.SuccessImportance}
	if n.Pending() {
		state = &widget.Label{Text: "… pending", Importance: widget.MediumImportance}
	}
	body := &widget.Label{Text: n.Body, Wrapping: fyne.TextWrapWord, Selectable: true}
	return container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(visibility, state), head), body)
}

// onAdd adds the typed note to the ticket shown.
func (p *notesPanel) onAdd() {
	text := p.entry.Text
	if p.ticket == 0 || p.busy || oneLine(text) == "" {
		return
	}
	p.busy = true
	p.updateButtons()
	b, id, private := p.u.b, p.ticket, p.private.Checked
	p.u.goWork(func(ctx context.Context) {
		_, err := b.AddNote(ctx, id, text, private, 0) // 0: HaloPSA's Internal Note outcome
		p.u.do(func() {
			p.busy = false
			if err != nil {
				p.setMessage("The note could not be added. "+plainError(err), widget.DangerImportance)
				p.updateButtons()
				return
			}
			if id == p.ticket {
				p.entry.SetText("")
				p.setMessage("", widget.MediumImportance)
				p.load(false)
			}
			p.updateButtons()
			p.u.ticketsChanged()
		})
	})
}

func (p *notesPanel) setMessage(text string, imp widget.Importance) {
	p.message.Text, p.message.Importance = text, imp
	p.message.Refresh()
	if text == "" {
		p.message.Hide()
	} else {
		p.message.Show()
	}
}

func (p *notesPanel) updateButtons() {
	on := p.ticket != 0 && !p.busy
	enable(p.add, on && oneLine(p.entry.Text) != "")
	if on {
		p.entry.Enable()
		p.private.Enable()
	} else {
		p.entry.Disable()
		p.private.Disable()
	}
}
