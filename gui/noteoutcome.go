package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/engine/store"
)

// noteOutcomeFix sends the shown ticket's waiting notes again with another
// outcome, when HaloPSA refused them: it refuses an outcome the API agent
// may not use ("You do not have access to this Action", HALOPSA-API.md
// section 4), and the note waits in the outbox, its reason in the ticket's
// sync error. It is the GUI's `halosyncctl tickets fix --note-outcome`.
// Its fields are owned by the Fyne goroutine.
type noteOutcomeFix struct {
	p *notesPanel

	outcomes []store.Outcome // HaloPSA's, nil until read
	reading  bool
	busy     bool
	resent   bool // notes were given another outcome: say so until they went

	outcome *widget.Select // its placeholder says what it is for
	send    *widget.Button
	content *fyne.Container
}

func newNoteOutcomeFix(p *notesPanel) *noteOutcomeFix {
	f := &noteOutcomeFix{p: p}
	f.outcome = &widget.Select{OnChanged: func(string) { f.updateButton() }}
	f.send = &widget.Button{Text: "Send again", Icon: theme.MailSendIcon(), Importance: widget.WarningImportance, OnTapped: f.onSend}
	// One row, no label: the notes list is short in a small window, and
	// the ticket's sync note just above already says what HaloPSA refused.
	f.content = container.NewBorder(nil, nil, nil, f.send, f.outcome)
	f.content.Hide()
	return f
}

// waiting returns the shown ticket's notes HaloPSA has not taken.
func (f *noteOutcomeFix) waiting() []store.Note {
	var ns []store.Note
	for _, n := range f.p.notes {
		if n.Pending() {
			ns = append(ns, n)
		}
	}
	return ns
}

// update shows the fix when the ticket is in HaloPSA, its last push failed
// and notes wait, and reads HaloPSA's outcomes the first time.
func (f *noteOutcomeFix) update() {
	p, waiting := f.p, f.waiting()
	if f.resent && len(waiting) == 0 {
		f.resent = false
		p.setMessage("", widget.MediumImportance) // "Sending again…": they went
	}
	if !p.inHalo || p.row.SyncState != store.TicketError || len(waiting) == 0 {
		f.content.Hide()
		return
	}
	what := "Another outcome for the refused note…"
	if len(waiting) > 1 {
		what = fmt.Sprintf("Another outcome for the %d refused notes…", len(waiting))
	}
	f.outcome.PlaceHolder = what
	f.outcome.Refresh()
	f.content.Show()
	f.updateButton()
	if f.outcomes != nil || f.reading || p.u.b == nil {
		return
	}
	f.reading = true
	b, client := p.u.b, p.row.LocalClientID
	p.u.goWork(func(ctx context.Context) {
		c, err := b.TicketChoices(ctx, client)
		p.u.do(func() {
			f.reading = false
			if err != nil {
				p.setMessage("HaloPSA's outcomes could not be read. "+plainError(err), widget.DangerImportance)
				return
			}
			f.outcomes = c.Outcomes
			names := make([]string, len(c.Outcomes))
			for i, o := range c.Outcomes {
				names[i] = o.Name
			}
			f.outcome.SetOptions(names)
			f.updateButton()
		})
	})
}

func (f *noteOutcomeFix) updateButton() {
	enable(f.send, !f.busy && f.outcome.SelectedIndex() >= 0 && len(f.waiting()) > 0)
}

// onSend gives the waiting notes the chosen outcome; the app sends them
// again at once.
func (f *noteOutcomeFix) onSend() {
	i := f.outcome.SelectedIndex()
	waiting := f.waiting()
	if f.busy || i < 0 || i >= len(f.outcomes) || len(waiting) == 0 {
		return
	}
	f.busy = true
	f.updateButton()
	p, b, o := f.p, f.p.u.b, f.outcomes[i]
	p.u.goWork(func(ctx context.Context) {
		var err error
		for _, n := range waiting {
			if err = b.SetNoteOutcome(ctx, n.ID, o.ID); err != nil {
				break
			}
		}
		p.u.do(func() {
			f.busy = false
			if err != nil {
				p.setMessage("The note could not be changed. "+plainError(err), widget.DangerImportance)
				f.updateButton()
				return
			}
			p.setMessage(fmt.Sprintf("Sending again with the outcome %s…", o.Name), widget.MediumImportance)
			f.resent = true
			f.content.Hide()
			f.outcome.ClearSelected()
			p.u.ticketsChanged()
		})
	})
}
