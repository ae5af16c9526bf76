package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/engine/store"
)

// givenUpNote is the Tickets tab's "N given up" button: ticket changes
// from webhooks whose tickets HaloPSA would not give, however often asked
// (the API agent may not see them). Its dialog lists them with why and
// tries them again once the owner fixed the agent's access, as
// `halosyncctl webhook retry` does. Its fields are owned by the Fyne
// goroutine.
type givenUpNote struct {
	u      *Window
	button *widget.Button
	items  []store.InboxItem // the given-up deliveries, oldest first
	count  int
	seq    int
	busy   bool
}

// givenUpListed is how many given-up deliveries the dialog lists.
const givenUpListed = 20

func newGivenUpNote(u *Window) *givenUpNote {
	g := &givenUpNote{u: u}
	g.button = &widget.Button{Icon: theme.ErrorIcon(), Importance: widget.DangerImportance, OnTapped: g.onOpen}
	g.button.Hide()
	return g
}

// reload counts the given-up deliveries off the Fyne goroutine.
func (g *givenUpNote) reload() {
	b := g.u.b
	if b == nil {
		return
	}
	g.seq++
	seq := g.seq
	g.u.goWork(func(ctx context.Context) {
		n, items, err := b.GivenUpDeliveries(ctx, givenUpListed)
		g.u.do(func() {
			if seq != g.seq || err != nil {
				return // the next reload tries again
			}
			g.items, g.count = items, n
			showCount(g.button, n, "given up")
		})
	})
}

// onOpen lists the given-up changes, with Try again.
func (g *givenUpNote) onOpen() {
	if g.count == 0 {
		return
	}
	head := &widget.Label{Wrapping: fyne.TextWrapWord, Text: fmt.Sprintf("HaloPSA would not give the tickets of %d change(s) "+
		"that came by webhook, however often HaloSync asked: most likely HaloSync's API agent may not see them (its teams, "+
		"departments or customer restrictions). Once it may, try them again.", g.count)}
	rows := container.NewVBox()
	for _, it := range g.items {
		rows.Add(&widget.Label{Wrapping: fyne.TextWrapWord,
			Text: fmt.Sprintf("%s · %s · %d tries: %s", when(it.ReceivedAt), it.Event, it.Attempts, it.Error)})
	}
	if g.count > len(g.items) {
		rows.Add(&widget.Label{Importance: widget.LowImportance, Text: fmt.Sprintf("and %d more", g.count-len(g.items))})
	}
	message := &widget.Label{Wrapping: fyne.TextWrapWord}
	message.Hide()
	var dlg *dialog.CustomDialog
	retry := &widget.Button{Text: "Try again", Icon: theme.ViewRefreshIcon(), Importance: widget.HighImportance}
	retry.OnTapped = func() { g.onRetry(dlg, retry, message) }
	closeBtn := &widget.Button{Text: "Close", OnTapped: func() { dlg.Hide() }}
	content := container.NewBorder(container.NewVBox(head, message), nil, nil, nil, container.NewVScroll(rows))
	dlg = dialog.NewCustomWithoutButtons("Ticket changes given up", content, g.u.win)
	dlg.SetButtons([]fyne.CanvasObject{closeBtn, retry})
	dlg.Resize(fyne.NewSize(800, 460))
	dlg.Show()
}

// onRetry makes the given-up changes pending again; the ticket loop
// applies them at once.
func (g *givenUpNote) onRetry(dlg *dialog.CustomDialog, retry *widget.Button, message *widget.Label) {
	if g.busy {
		return
	}
	g.busy = true
	enable(retry, false)
	b := g.u.b
	g.u.goWork(func(ctx context.Context) {
		_, err := b.RetryFailedDeliveries(ctx)
		g.u.do(func() {
			g.busy = false
			if err != nil {
				message.Text, message.Importance = "They could not be tried again. "+plainError(err), widget.DangerImportance
				message.Show()
				message.Refresh()
				enable(retry, true)
				return
			}
			dlg.Hide() // the Sync Log says how many go again
			g.reload()
			g.u.ticketsChanged()
		})
	})
}
