package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/brainstormmsp/halosync/app"
)

// tray is the system tray icon's menu: the state, Sync now, Open,
// Pause/Resume sync and Quit. It exists only where the app can show a tray
// icon (desktop.App; Fyne's test app cannot).
type tray struct {
	desk  desktop.App
	menu  *fyne.Menu
	state *fyne.MenuItem
	sync  *fyne.MenuItem
	pause *fyne.MenuItem

	st     app.Status // the latest status read
	health app.Health // the status bar's health: the newer of events and status reads
}

func newTray(u *Window) *tray {
	desk, ok := u.app.(desktop.App)
	if !ok || u.opts.NoTray {
		return nil
	}
	t := &tray{desk: desk}
	t.state = &fyne.MenuItem{Label: "Starting…", Disabled: true}
	t.sync = fyne.NewMenuItem("Sync now", u.syncNow)
	open := fyne.NewMenuItem("Open HaloSync", func() {
		u.win.Show()
		u.win.RequestFocus()
	})
	t.pause = fyne.NewMenuItem("Pause sync", func() {
		if u.b != nil {
			u.setPaused(!u.b.Paused())
		}
	})
	quit := fyne.NewMenuItem("Quit", u.quit)
	quit.IsQuit = true
	t.menu = fyne.NewMenu("HaloSync", t.state, fyne.NewMenuItemSeparator(), t.sync, open, t.pause,
		fyne.NewMenuItemSeparator(), quit)
	desk.SetSystemTrayMenu(t.menu)
	if icon := u.opts.TrayIcon; icon != nil {
		desk.SetSystemTrayIcon(icon)
	} else if icon := u.app.Icon(); icon != nil {
		desk.SetSystemTrayIcon(icon)
	}
	desk.SetSystemTrayWindow(u.win)
	return t
}

// update shows the connection and sync state in the menu. A nil tray (no
// tray on this system) ignores it.
func (t *tray) update(st app.Status, h app.Health, paused bool) {
	if t == nil {
		return
	}
	t.st, t.health = st, h
	t.sync.Disabled = !st.Connected
	t.pause.Label = "Pause sync"
	if paused {
		t.pause.Label = "Resume sync"
	}
	t.show()
}

// setHealth shows a change of health.
func (t *tray) setHealth(h app.Health) {
	if t == nil {
		return
	}
	t.health = h
	t.show()
}

// show puts the state line in the menu.
func (t *tray) show() {
	t.state.Label = stateLine(t.st, t.health)
	t.menu.Refresh()
}

// stateLine is the tray's state line: the status bar's words (see
// viewHealth), so that during an outage it says so instead of "Connected".
func stateLine(st app.Status, h app.Health) string { return viewHealth(st, h).short }
