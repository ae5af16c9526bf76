package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The quit guard: quitting (Ctrl+Q, the menu, the tray's Quit, or closing
// the window when there is no tray) with mapping decisions not saved asks
// first: save them now, keep them for later, or stay. Keeping them is safe,
// since every decision is a draft on disk already (drafts.go); the question
// is there so that nobody believes they were saved.

// quitGuard is the open quit dialog, for tests.
type quitGuard struct {
	dlg              dialog.Dialog
	save, keep, stay *widget.Button
}

// quit ends the app, asking first when decisions are unsaved.
func (u *Window) quit() {
	n := 0
	if u.mapping != nil && u.b != nil {
		n = len(u.mapping.pending)
	}
	if n == 0 {
		u.quitNow()
		return
	}
	// From the tray the window may be hidden: show it, or the question
	// would be asked where nobody sees it.
	u.win.Show()
	u.win.RequestFocus()
	if u.guard != nil {
		u.guard.dlg.Hide()
	}
	g := &quitGuard{}
	g.save = &widget.Button{Text: fmt.Sprintf("Save %s", plural(n, "decision")), Icon: theme.DocumentSaveIcon(),
		Importance: widget.HighImportance, OnTapped: func() {
			g.dlg.Hide()
			u.selectTab(tabMapping)
			u.mapping.saveAll(u.quitNow) // quits once saved; a failure shows on the tab
		}}
	g.keep = &widget.Button{Text: "Keep them for later", OnTapped: func() {
		g.dlg.Hide()
		u.quitNow()
	}}
	g.stay = &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: func() { g.dlg.Hide() }}
	text := &widget.Label{Wrapping: fyne.TextWrapWord, Text: fmt.Sprintf(
		"%s on Clients & Mapping %s not saved yet. They are kept for later: they are here again, unsaved, "+
			"the next time you open HaloSync (and in halosyncctl map save). Or save them now.",
		plural(n, "decision"), map[bool]string{true: "is", false: "are"}[n == 1])}
	d := dialog.NewCustomWithoutButtons("Save your mapping decisions?", text, u.win)
	d.SetButtons([]fyne.CanvasObject{g.stay, g.keep, g.save})
	d.Resize(fyne.NewSize(520, 200))
	g.dlg = d
	u.guard = g
	d.Show()
}

// quitNow ends the app; cmd/halosync then stops the engine. Draft writes
// still queued finish first (Close waits for them).
func (u *Window) quitNow() {
	if u.quitApp != nil {
		u.quitApp()
		return
	}
	u.app.Quit()
}
