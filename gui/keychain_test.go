package gui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

// handlerLimit is how long a widget handler may take: the figure
// for "the window never stalls" (under the race detector, ten times that).
const handlerLimit = 50 * time.Millisecond * raceSlowdown

// cpuLimit is handlerLimit on this machine now: stretched by how far the
// load average exceeds the CPUs, since a handler that only computes takes
// longer when other processes share the cores. A wait on the keychain is
// told apart by its length (it lasts the whole test), not by this limit.
func cpuLimit() time.Duration {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return handlerLimit
	}
	var load float64
	if _, err := fmt.Sscan(string(b), &load); err != nil {
		return handlerLimit
	}
	return time.Duration(float64(handlerLimit) * max(1, load/float64(runtime.NumCPU())))
}

// hangingKeychain is a keychain whose every call, while slow is set, hangs
// (an OS unlock prompt nobody answers) until stop, at the end of the test.
type hangingKeychain struct {
	secrets.Store
	slow    atomic.Bool
	calls   atomic.Int32
	release chan struct{}
	once    sync.Once
}

func (k *hangingKeychain) wait() {
	if !k.slow.Load() {
		return
	}
	k.calls.Add(1)
	<-k.release
}

func (k *hangingKeychain) Get(key string) (string, error) { k.wait(); return k.Store.Get(key) }
func (k *hangingKeychain) Set(key, v string) error        { k.wait(); return k.Store.Set(key, v) }
func (k *hangingKeychain) Delete(key string) error        { k.wait(); return k.Store.Delete(key) }

func (k *hangingKeychain) stop() {
	k.once.Do(func() {
		k.slow.Store(false)
		close(k.release)
	})
}

// TestHandlersNeverWaitOnTheKeychain builds the window on the real app,
// connected to the simulator, while every keychain call hangs (for the
// whole test, far past the 5 s of the issue), and presses every handler
// there is: none waits (over a second), and each returns within
// handlerLimit (cpuLimit on a loaded machine).
func TestHandlersNeverWaitOnTheKeychain(t *testing.T) {
	srv := httptest.NewServer(halosim.New(halosim.Options{Seed: 3, Clients: 20}))
	t.Cleanup(srv.Close)
	kc := &hangingKeychain{Store: secrets.NewMemory(), release: make(chan struct{})}
	dir := t.TempDir()
	ctx := context.Background()
	req := app.ConnectRequest{URL: srv.URL, ClientID: halosim.DefaultClientID, Secret: halosim.DefaultClientSecret}
	func() { // an earlier session: connected, imported, closed
		a, err := app.Open(app.Config{DataDir: dir, Secrets: kc})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if _, err := a.Connect(ctx, req); err != nil {
			t.Fatal(err)
		}
		if _, err := a.SyncOnce(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}()
	a, err := app.Open(app.Config{DataDir: dir, Secrets: kc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	kc.slow.Store(true) // from here on the keychain hangs: the status, the client, Connect
	hung := time.Now()
	a.Start(ctx)
	a.SyncNow()
	u := New(test.NewTempApp(t), a, Options{})
	t.Cleanup(u.Close)
	t.Cleanup(kc.stop) // runs first: the jobs stuck in the keychain end
	deadline := time.Now().Add(10 * time.Second)
	for kc.calls.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("nothing asked the keychain: the test proves nothing")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// press times fn on the Fyne goroutine (as the test drives it). A
	// handler that waits for the keychain would never return: a watchdog
	// ends the hang after waitLimit and fails the test there. Below that,
	// only the CPU is slow (two shared cores, the race detector), so a
	// handler gets five tries to show it fits in the limit.
	const waitLimit = 10 * time.Second
	limit := cpuLimit()
	if limit > handlerLimit {
		t.Logf("the machine is loaded: handlers may take %v, not %v", limit, handlerLimit)
	}
	press := func(name string, fn func()) {
		t.Helper()
		best := time.Hour
		for range 5 {
			var took time.Duration
			var waited atomic.Bool
			watchdog := time.AfterFunc(waitLimit, func() {
				waited.Store(true)
				kc.stop()
			})
			ui(u, func() {
				start := time.Now()
				fn()
				took = time.Since(start)
			})
			watchdog.Stop()
			if waited.Load() {
				t.Fatalf("%s waited on the keychain (%v, until the test let it go)", name, took)
			}
			if best = min(best, took); best <= limit {
				return
			}
		}
		t.Errorf("%s took %v at best while the keychain hangs", name, best)
	}

	// The tabs and the window's own actions (the tray's too). Each tab is
	// laid out once first, untimed: a first layout costs the same with any
	// keychain, and that cost is not what this test is about.
	for i := range u.tabs.Items {
		ui(u, func() { u.tabs.SelectIndex(i) })
	}
	for i, item := range u.tabs.Items {
		press("the "+item.Text+" tab", func() { u.tabs.SelectIndex(i) })
	}
	press("Sync now", u.syncNow)
	press("pause", func() { u.setPaused(true) })
	press("resume", func() { u.setPaused(false) })

	// The Connection tab's controls.
	press("the pause box", func() { test.Tap(u.conn.pause) })
	press("the pause box again", func() { test.Tap(u.conn.pause) })
	for _, o := range u.conn.interval.Options {
		press("sync every "+o, func() { u.conn.interval.SetSelected(o) })
	}
	press("Authorize", func() {
		u.conn.url.SetText(srv.URL)
		u.conn.clientID.SetText(halosim.DefaultClientID)
		u.conn.secret.SetText(halosim.DefaultClientSecret)
		test.Tap(u.conn.authorize)
	})

	// Every menu item but Quit: Bulk Map, Save All, history, CSV,
	// New ticket, the views, Find.
	for _, m := range u.menu.Items {
		for _, it := range m.Items {
			if it.IsQuit || it.IsSeparator || it.Action == nil {
				continue
			}
			press(m.Label+" > "+it.Label, it.Action)
		}
	}

	// Every button and check box on every tab, the status bar and any
	// dialog they open.
	pressed := 0
	for i, item := range u.tabs.Items {
		ui(u, func() { u.tabs.SelectIndex(i) }) // a hidden tab's widgets are not there to press
		var ws []fyne.Tappable
		ui(u, func() { ws = append(tappables(item.Content), tappables(u.status.content)...) })
		for _, w := range ws {
			pressed++
			press(fmt.Sprintf("%s: %T %q", item.Text, w, label(w)), func() { test.Tap(w) })
		}
	}
	var ws []fyne.Tappable
	ui(u, func() {
		for _, o := range u.win.Canvas().Overlays().List() {
			ws = append(ws, tappables(o)...)
		}
	})
	for _, w := range ws {
		pressed++
		press(fmt.Sprintf("dialog %T %q", w, label(w)), func() { test.Tap(w) })
	}
	t.Logf("pressed %d widgets in %v; %d keychain calls hung", pressed, time.Since(hung).Round(time.Millisecond), kc.calls.Load())
	if pressed < 20 {
		t.Errorf("pressed only %d widgets: the walk misses the tabs", pressed)
	}
	if n := kc.calls.Load(); n < 3 {
		t.Errorf("only %d keychain calls hung: the handlers' work did not reach it", n)
	}
}

// tappables lists the visible, enabled buttons and check boxes under o.
func tappables(o fyne.CanvasObject) []fyne.Tappable {
	if o == nil || !o.Visible() {
		return nil
	}
	switch w := o.(type) {
	case *widget.Button:
		if w.Disabled() {
			return nil
		}
		return []fyne.Tappable{w}
	case *widget.Check:
		if w.Disabled() {
			return nil
		}
		return []fyne.Tappable{w}
	}
	var children []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		children = x.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(x).Objects()
	}
	var out []fyne.Tappable
	for _, c := range children {
		out = append(out, tappables(c)...)
	}
	return out
}

// label names a tapped widget in a failure.
func label(w fyne.Tappable) string {
	switch x := w.(type) {
	case *widget.Button:
		return x.Text
	case *widget.Check:
		return x.Text
	}
	return ""
}
