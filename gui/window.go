package gui

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/brainstormmsp/halosync/app"
)

// Options configure the main window.
type Options struct {
	// OpenDemo opens demo mode (the simulated HaloPSA, a separate data
	// folder, a messy client book) and returns its backend, already
	// started. Nil hides "Try the demo".
	OpenDemo func(ctx context.Context) (Backend, error)
	// Demo starts the window straight in demo mode: New's backend may then
	// be nil, and OpenDemo is called at once.
	Demo bool
	// Tab is the tab to show first: "connection", "mapping", "tickets" or
	// "log".
	Tab string
	// TrayIcon is the system tray's icon, a PNG (tray hosts draw no SVG);
	// nil uses the app's icon.
	TrayIcon fyne.Resource
	// NoTray says the desktop shows no tray icons: then there is no tray
	// menu, and closing the window quits instead of hiding it.
	NoTray bool
}

// The tabs, in order; Ctrl+1..4 select them.
const (
	tabConnection = iota
	tabMapping
	tabTickets
	tabLog
)

var tabNames = map[string]int{"connection": tabConnection, "mapping": tabMapping, "tickets": tabTickets, "log": tabLog}

// Window is HaloSync's main window: the welcome view on first run, then the
// Connection, Clients & Mapping, Tickets and Sync Log tabs over a status
// bar, plus the tray icon and desktop notifications.
type Window struct {
	app  fyne.App
	win  fyne.Window
	opts Options

	ctx    context.Context // cancelled by Close; every job's context
	cancel context.CancelFunc
	work   tracker
	uiMu   sync.Mutex
	delay  time.Duration // the search boxes' debounce; zero in tests

	// Fields below are owned by the Fyne goroutine.
	b       Backend
	demo    bool
	unsub   func()
	tabs    *container.AppTabs
	main    fyne.CanvasObject
	conn    *connectionTab
	mapping *mappingTab
	tickets *ticketsTab
	synclog *logTab
	status  *statusBar
	notify  *notifier
	tray    *tray
	welcome *welcomeView
	menu    *fyne.MainMenu

	syncTimer   *time.Timer // ends a Sync now that never started an import
	importing   bool        // an import is running, as its events tell
	importStart time.Time   // when it started
	syncAsked   bool        // Sync now was pressed and no import has started yet
	hidHint     bool        // the "still syncing in the background" hint was shown
	guard       *quitGuard  // the last quit question asked (quitguard.go)
	quitApp     func()      // ends the app; nil: app.Quit (tests replace it)
	refresh     refresher   // the periodic refresh of tickets, outbox and webhook
}

// New builds the main window for b. With opts.Demo it starts the demo
// instead, and b is not used (it may be nil).
// It shows the welcome view when no HaloPSA connection is configured.
// The window is not shown: call ShowAndRun (or Window().Show()).
func New(a fyne.App, b Backend, opts Options) *Window {
	u := &Window{app: a, opts: opts, delay: searchDelay}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	u.win = a.NewWindow("HaloSync")
	u.restoreSize() // winsize.go
	a.Lifecycle().SetOnStopped(u.saveSize)
	u.notify = newNotifier(a, u.do)
	u.status = newStatusBar()
	u.welcome = newWelcomeView(u)
	u.menu = u.mainMenu()
	u.win.SetMainMenu(u.menu)
	u.tray = newTray(u)
	u.refresh.deb = debouncer{delay: u.delay, do: u.do}
	u.startRefresh()
	if u.tray != nil {
		// With a tray icon to come back through, closing the window only
		// hides it: syncing goes on.
		u.win.SetCloseIntercept(u.onCloseWindow)
	} else {
		// Without, closing quits, after saying that syncing stops
		// (quitguard.go).
		u.win.SetCloseIntercept(u.onCloseNoTray)
	}
	if b == nil || opts.Demo {
		u.welcome.connect.Hide() // demo mode from the start: no real backend to connect
		u.win.SetContent(u.welcome.content)
		u.welcome.onDemo()
		return u
	}
	u.win.SetContent(u.welcome.loading)
	u.setBackend(b, false)
	return u
}

// Window returns the Fyne window.
func (u *Window) Window() fyne.Window { return u.win }

// ShowAndRun shows the window and runs the Fyne app until it quits.
func (u *Window) ShowAndRun() { u.win.ShowAndRun() }

// Close cancels the window's background work, waits a little for it to
// end, and stops listening to the backend. The caller closes the backends
// afterwards. The Fyne app has usually quit by then, so Close touches no
// widget.
func (u *Window) Close() {
	u.cancel()
	done := make(chan struct{})
	go func() {
		u.work.wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second): // a call that ignores its context must not hold up quitting
	}
	u.uiMu.Lock()
	defer u.uiMu.Unlock()
	if u.syncTimer != nil {
		u.syncTimer.Stop()
	}
	if u.unsub != nil {
		u.unsub()
		u.unsub = nil
	}
}

// setBackend makes b the backend every tab talks to, rebuilding the tabs.
// It runs on the Fyne goroutine.
func (u *Window) setBackend(b Backend, demo bool) {
	if u.unsub != nil {
		u.unsub()
	}
	u.b, u.demo = b, demo
	u.importing, u.syncAsked = false, false
	u.conn = newConnectionTab(u)
	u.mapping = newMappingTab(u)
	u.tickets = newTicketsTab(u)
	u.synclog = newLogTab(u)
	u.refresh.reset()
	u.status.reset()
	u.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Connection", theme.SettingsIcon(), u.conn.content),
		container.NewTabItemWithIcon("Clients & Mapping", theme.AccountIcon(), u.mapping.content),
		container.NewTabItemWithIcon("Tickets", theme.DocumentIcon(), u.tickets.content),
		container.NewTabItemWithIcon("Sync Log", theme.ListIcon(), u.synclog.content),
	)
	if i, ok := tabNames[u.opts.Tab]; ok {
		u.tabs.SelectIndex(i)
	}
	u.tabs.OnSelected = func(*container.TabItem) { u.onTabSelected() } // after the first selection: setBackend loads it below
	u.main = container.NewBorder(nil, u.status.content, nil, nil, u.tabs)
	title := "HaloSync"
	if demo {
		title += " — demo (simulated HaloPSA)"
	}
	u.win.SetTitle(title)
	u.status.setDemo(demo)
	u.unsub = b.Subscribe(func(e app.Event) { u.do(func() { u.onEvent(b, e) }) })
	u.mapping.reload()
	u.synclog.reload()
	u.onTabSelected()
	first := true
	u.refreshStatus(func(st app.Status) {
		if first && st.Address == "" && !demo {
			u.win.SetContent(u.welcome.content)
		} else if first {
			u.showMain()
		}
		first = false
	})
}

// showMain replaces the welcome view with the tabs.
func (u *Window) showMain() {
	if u.main != nil && u.win.Content() != u.main {
		u.win.SetContent(u.main)
	}
}

// refreshStatus reads the backend's status off the Fyne goroutine and
// shows it everywhere; then, when given, calls then with it.
func (u *Window) refreshStatus(then ...func(app.Status)) {
	b := u.b
	u.goWork(func(ctx context.Context) {
		st, err := b.Status(ctx)
		u.do(func() {
			if b != u.b {
				return
			}
			if err != nil {
				st.Problem = plainError(err)
			}
			u.conn.applyStatus(st)
			u.status.applyStatus(st, u.importing)
			u.tray.update(st, u.status.health, b.Paused())
			u.refreshOutbox()
			u.refreshWebhook()
			for _, f := range then {
				f(st)
			}
		})
	})
}

// onEvent shows one event from the backend. It branches on the event's
// typed fields only (events.go has the handlers); a log row's text is for
// the Sync Log tab and notifications, never a signal.
func (u *Window) onEvent(b Backend, e app.Event) {
	if b != u.b {
		return // from a backend the window has left
	}
	switch {
	case e.Health != nil:
		u.status.setHealth(*e.Health)
		u.conn.setHealth(*e.Health)
		u.tray.setHealth(*e.Health)
	case e.Import != nil:
		u.onImport(*e.Import)
	case e.TicketsChanged != nil:
		u.refresh.deb.call(u.ticketsChanged)
	case e.MappingChanged != nil:
		u.onMappingChanged()
	case e.Webhook != nil:
		u.refreshWebhook()
	case e.Polling != nil:
		u.refreshStatus() // the Connection tab says how HaloPSA is polled
	case e.Log != nil:
		l := *e.Log
		u.synclog.add(l)
		u.onReviewEvent(l) // review.go
		if notifiable(l) {
			u.notify.syncError(l)
		}
	}
}

// syncNow asks the backend for an import now. The Sync now buttons stay
// disabled until it starts and ends (or, if it never starts, a while).
func (u *Window) syncNow() {
	if u.b == nil || u.importing || u.syncAsked {
		return
	}
	u.syncAsked = true
	u.conn.setSyncing(true)
	b := u.b
	b.SyncNow()
	if u.syncTimer != nil {
		u.syncTimer.Stop()
	}
	u.syncTimer = time.AfterFunc(15*time.Second, func() {
		u.do(func() {
			if b == u.b && u.syncAsked && !u.importing {
				u.syncAsked = false
				u.conn.setSyncing(false)
			}
		})
	})
}

// setPaused pauses or resumes the background sync.
func (u *Window) setPaused(p bool) {
	if u.b == nil {
		return
	}
	u.b.SetPaused(p)
	u.conn.pause.SetChecked(p)
	u.refreshStatus()
}

// selectTab shows tab i, leaving the welcome view if it is up.
func (u *Window) selectTab(i int) {
	if u.tabs == nil {
		return
	}
	u.showMain()
	u.tabs.SelectIndex(i)
}

// onCloseWindow hides the window instead of quitting, so syncing goes on;
// the tray brings it back or quits.
func (u *Window) onCloseWindow() {
	u.saveSize()
	u.win.Hide()
	if !u.hidHint {
		u.hidHint = true
		u.notify.send("HaloSync keeps syncing", "HaloSync is still running. Open it, or quit, from its icon in the system tray.")
	}
}
