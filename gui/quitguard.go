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
// first: save them now, keep them for later, or stay. Closing the window
// with no tray, while connected, also says that syncing stops and asks. Keeping them is safe,
// since every decision is a draft on disk already (drafts.go); the question
// is there so that nobody believes they were saved.

// quitGuard is the open quit dialog, for tests.
type quitGuard struct {
	dlg              dialog.Dialog
	save, keep, stay *widget.Button
	quit             *widget.Button // the no-tray close question's Quit
}

// syncStops is what closing the window means when the desktop has no tray.
const syncStops = "Closing HaloSync stops syncing with HaloPSA until you open it again: " +
	"this desktop has no system tray to keep it running in."

// quit ends the app, asking first when decisions are unsaved.
func (u *Window) quit() { u.askQuit("") }

// unsaved is the number of mapping decisions not saved yet.
func (u *Window) unsaved() int {
	if u.mapping != nil && u.b != nil {
		return len(u.mapping.pending)
	}
	return 0
}

// onCloseNoTray is closing the window on a desktop without a tray: it
// quits, so while connected it says first that syncing stops, and asks.
func (u *Window) onCloseNoTray() {
	switch {
	case u.unsaved() > 0:
		u.askQuit(syncStops)
		return
	case u.b == nil || !u.status.st.Connected:
		u.quitNow() // nothing syncs: nothing to warn about
		return
	}
	if u.guard != nil {
		u.guard.dlg.Hide()
	}
	g := &quitGuard{}
	g.quit = &widget.Button{Text: "Quit", Importance: widget.HighImportance, OnTapped: func() {
		g.dlg.Hide()
		u.quitNow()
	}}
	g.stay = &widget.Button{Text: "Keep open", Icon: theme.CancelIcon(), OnTapped: func() { g.dlg.Hide() }}
	text := &widget.Label{Wrapping: fyne.TextWrapWord, Text: syncStops + " Quit?"}
	d := dialog.NewCustomWithoutButtons("Quit HaloSync?", text, u.win)
	d.SetButtons([]fyne.CanvasObject{g.stay, g.quit})
	d.Resize(fyne.NewSize(480, 180))
	g.dlg = d
	u.guard = g
	d.Show()
}

// askQuit ends the app, asking first when decisions are unsaved; note, if
// any, is said in the question too.
func (u *Window) askQuit(note string) {
	n := u.unsaved()
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
	if note != "" {
		text.Text += "\n\n" + note
	}
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
	u.saveSize()
	if u.quitApp != nil {
		u.quitApp()
		return
	}
	u.app.Quit()
}
