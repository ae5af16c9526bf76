package gui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

func TestFirstRunShowsWelcome(t *testing.T) {
	f := &fakeBackend{}
	u := newTestWindow(t, f, Options{})
	if u.win.Content() != u.welcome.content {
		t.Fatal("without a connection the window should open on the welcome view")
	}
	if !u.welcome.demo.Hidden {
		t.Error("Try the demo shows although no demo opener was given")
	}
	tap(u, u.welcome.connect)
	if u.win.Content() != u.main || u.tabs.SelectedIndex() != tabConnection {
		t.Fatal("Connect to HaloPSA should lead to the Connection tab")
	}
	if u.win.Canvas().Focused() != u.conn.url {
		t.Error("the HaloPSA URL box should have the focus")
	}
}

func TestConnectedOpensTabs(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{Tab: "log"})
	if u.win.Content() != u.main {
		t.Fatal("with a connection the window should open on the tabs")
	}
	if u.tabs.SelectedIndex() != tabLog {
		t.Errorf("Options.Tab log selected tab %d", u.tabs.SelectedIndex())
	}
	if got := u.status.state.Text; got != inSync(f) {
		t.Errorf("status bar says %q", got)
	}
	if !u.status.demo.Hidden {
		t.Error("the demo label shows outside demo mode")
	}
}

func TestTryTheDemoSwapsBackend(t *testing.T) {
	real := &fakeBackend{}
	demo := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	opened := 0
	u := newTestWindow(t, real, Options{OpenDemo: func(context.Context) (Backend, error) {
		opened++
		return demo, nil
	}})
	tap(u, u.welcome.demo)
	u.work.wait()
	if opened != 1 || u.b != demo {
		t.Fatalf("opened the demo %d times; backend is the demo: %v", opened, u.b == demo)
	}
	if u.win.Content() != u.main || !strings.Contains(u.win.Title(), "demo") || u.status.demo.Hidden {
		t.Errorf("demo mode not shown: title %q", u.win.Title())
	}
	if len(u.mapping.all) != len(sampleRows()) {
		t.Errorf("the mapping tab shows %d rows of the demo's %d", len(u.mapping.all), len(sampleRows()))
	}
	// Events of the backend the window left are not shown any more.
	before := len(u.synclog.rows)
	real.emit(app.Event{Log: &store.LogEntry{ID: 99, Level: store.Info, Operation: "import", Message: "old"}})
	demo.emit(app.Event{Log: &store.LogEntry{ID: 100, Level: store.Info, Operation: "import", Message: "new"}})
	if len(u.synclog.rows) != before+1 || u.synclog.rows[0].Message != "new" {
		t.Errorf("log rows after events: %+v", u.synclog.rows)
	}
}

func TestDemoFlagStartsDemo(t *testing.T) {
	demo := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, nil, Options{Demo: true, OpenDemo: func(context.Context) (Backend, error) { return demo, nil }})
	if u.b != demo || u.win.Content() != u.main {
		t.Fatal("--demo should open straight into the demo")
	}
}

func TestDemoFailureIsShown(t *testing.T) {
	u := newTestWindow(t, nil, Options{Demo: true, OpenDemo: func(context.Context) (Backend, error) {
		return nil, errors.New("address already in use")
	}})
	if u.win.Content() != u.welcome.content || !strings.Contains(u.welcome.message.Text, "address already in use") {
		t.Fatalf("welcome message = %q", u.welcome.message.Text)
	}
	if u.welcome.demo.Disabled() {
		t.Error("Try the demo stays disabled after a failure")
	}
}

// pressShortcut runs the menu item bound to Ctrl+k, as the desktop driver
// does when the keys are pressed.
func pressShortcut(t *testing.T, u *Window, k fyne.KeyName) {
	t.Helper()
	want := shortcut(k).ShortcutName()
	for _, m := range u.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == want {
				ui(u, it.Action)
				u.work.wait()
				return
			}
		}
	}
	t.Fatalf("no menu item has the shortcut %s", want)
}

func TestShortcuts(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u := newTestWindow(t, f, Options{})
	for _, c := range []struct {
		key fyne.KeyName
		tab int
	}{{fyne.Key2, tabMapping}, {fyne.Key3, tabTickets}, {fyne.Key4, tabLog}, {fyne.Key1, tabConnection}} {
		pressShortcut(t, u, c.key)
		if u.tabs.SelectedIndex() != c.tab {
			t.Errorf("Ctrl+%s selected tab %d, want %d", c.key, u.tabs.SelectedIndex(), c.tab)
		}
	}
	pressShortcut(t, u, fyne.KeyR)
	f.locked(func() {
		if f.syncNows != 1 {
			t.Errorf("Ctrl+R asked for %d syncs", f.syncNows)
		}
	})
	pressShortcut(t, u, fyne.KeyF)
	if u.win.Canvas().Focused() != u.mapping.search {
		t.Error("Ctrl+F did not focus the mapping search")
	}
	pressShortcut(t, u, fyne.Key4)
	pressShortcut(t, u, fyne.KeyF)
	if u.win.Canvas().Focused() != u.synclog.search {
		t.Error("Ctrl+F on the Sync Log did not focus its search")
	}
	pressShortcut(t, u, fyne.Key3)
	pressShortcut(t, u, fyne.KeyF)
	if u.win.Canvas().Focused() != u.tickets.search {
		t.Error("Ctrl+F on Tickets did not focus its search")
	}
	ui(u, func() { u.mapping.onIgnore(0) })
	pressShortcut(t, u, fyne.KeyS)
	f.locked(func() {
		if len(f.saved) != 1 {
			t.Errorf("Ctrl+S saved %d times", len(f.saved))
		}
	})
}

func TestSyncNowWaitsForTheImport(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{})
	c := u.conn
	if c.syncNow.Disabled() {
		t.Fatal("Sync now is disabled while connected and idle")
	}
	tap(u, c.syncNow)
	if !c.syncNow.Disabled() {
		t.Error("Sync now stays enabled after a tap")
	}
	f.emit(importStarted(1))
	f.emit(importProgress(store.Clients, 100, 400))
	if u.status.running.Hidden || u.status.bars[store.Clients].box.Hidden || u.status.bars[store.Clients].bar.Value != 100 {
		t.Error("no progress bar for clients during the import")
	}
	if got := u.status.bars[store.Clients].bar.TextFormatter(); got != "clients 100/400" {
		t.Errorf("bar text %q", got)
	}
	if !u.status.bars[store.Assets].box.Hidden {
		t.Error("a bar shows for a resource that has not started")
	}
	f.emit(importFinished(clients400(), nil))
	u.work.wait()
	if c.syncNow.Disabled() || !u.status.running.Hidden {
		t.Error("after the import Sync now should be enabled and the bars gone")
	}
	f.locked(func() {
		if f.syncNows != 1 {
			t.Errorf("SyncNow called %d times", f.syncNows)
		}
	})
}

// trayApp is the test app with a system tray, as the desktop app has.
type trayApp struct {
	fyne.App
	menu *fyne.Menu
	icon fyne.Resource
	win  fyne.Window
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menu = m }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) { a.icon = r }
func (a *trayApp) SetSystemTrayWindow(w fyne.Window) { a.win = w }

func TestTray(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	a := &trayApp{App: test.NewTempApp(t)}
	icon := fyne.NewStaticResource("tray.png", []byte{1})
	u := New(a, f, Options{TrayIcon: icon})
	t.Cleanup(u.Close)
	u.work.wait()
	if a.menu == nil || a.icon != icon || a.win != u.win {
		t.Fatal("no tray menu, icon or window set")
	}
	labels := func() (s []string) {
		for _, it := range a.menu.Items {
			s = append(s, it.Label)
		}
		return s
	}
	got := strings.Join(labels(), "|")
	if !strings.HasPrefix(got, "Connected · in sync (last ") || !strings.Contains(got, "|Sync now|Open HaloSync|Pause sync||Quit") {
		t.Fatalf("tray menu = %q", got)
	}
	// The state line follows the health, as the status bar does.
	since := time.Now()
	f.emit(app.Event{Health: &app.Health{State: app.HealthUnreachable, Since: since, RetryAt: since.Add(time.Minute)}})
	if got, want := a.menu.Items[0].Label, "HaloPSA unreachable since "+when(since)+" · retrying "+when(since.Add(time.Minute)); got != want {
		t.Errorf("tray state line during an outage %q; want %q", got, want)
	}
	f.emit(app.Event{Health: &app.Health{State: app.HealthOK}})
	ui(u, a.menu.Items[2].Action) // Sync now
	ui(u, a.menu.Items[4].Action) // Pause sync
	u.work.wait()
	f.locked(func() {
		if f.syncNows != 1 || !f.paused {
			t.Errorf("sync now %d, paused %v", f.syncNows, f.paused)
		}
	})
	if a.menu.Items[4].Label != "Resume sync" || !u.conn.pause.Checked {
		t.Errorf("after pausing the item reads %q", a.menu.Items[4].Label)
	}
	// Closing the window hides it (syncing goes on) and says so once.
	test.AssertNotificationSent(t, &fyne.Notification{Title: "HaloSync keeps syncing",
		Content: "HaloSync is still running. Open it, or quit, from its icon in the system tray."}, u.onCloseWindow)
	test.AssertNotificationSent(t, nil, u.onCloseWindow)
}

func TestNoTray(t *testing.T) {
	u := newTestWindow(t, &fakeBackend{}, Options{})
	if u.tray != nil {
		t.Fatal("the test app has no tray, yet one was made")
	}
	a := &trayApp{App: test.NewTempApp(t)}
	u = New(a, &fakeBackend{}, Options{NoTray: true})
	t.Cleanup(u.Close)
	u.work.wait()
	if u.tray != nil || a.menu != nil {
		t.Fatal("a tray was made on a desktop without tray icons")
	}
}
