package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestWindowSizeIsRemembered: the size the window had when it closed is
// the size the next one opens with.
func TestWindowSizeIsRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, &fakeBackend{status: connectedStatus()}, Options{})
	u.work.wait()
	if got := u.win.Canvas().Size(); got != defaultSize {
		t.Errorf("first run: %v; want %v", got, defaultSize)
	}
	quits := 0
	u.quitApp = func() { quits++ }
	ui(u, func() {
		u.win.Resize(fyne.NewSize(1000, 650))
		u.quit()
	})
	u.Close()
	if quits != 1 {
		t.Fatalf("quit %d times", quits)
	}
	u = New(a, &fakeBackend{status: connectedStatus()}, Options{})
	t.Cleanup(u.Close)
	u.work.wait()
	if got := u.win.Canvas().Size(); got != fyne.NewSize(1000, 650) {
		t.Errorf("reopened at %v; want 1000x650", got)
	}
	// A size too small to use is not restored.
	a.Preferences().SetFloat(prefWidth, 20)
	u2 := New(a, &fakeBackend{status: connectedStatus()}, Options{})
	t.Cleanup(u2.Close)
	if got := u2.win.Canvas().Size(); got.Width != minSize.Width || got.Height != 650 {
		t.Errorf("a saved width of 20 opened at %v", got)
	}
}

// TestNoTrayCloseSaysSyncingStops: without a tray, closing the window
// while connected asks first, because quitting stops syncing; Keep open
// keeps it running, Quit quits.
func TestNoTrayCloseSaysSyncingStops(t *testing.T) {
	u := newTestWindow(t, &fakeBackend{status: connectedStatus()}, Options{NoTray: true})
	quits := 0
	u.quitApp = func() { quits++ }
	ui(u, u.onCloseNoTray)
	if quits != 0 || u.guard == nil || u.guard.quit == nil {
		t.Fatalf("closing quit at once (%d quits) instead of asking", quits)
	}
	if text := dialogText(u); !strings.Contains(text, "stops syncing") {
		t.Errorf("the question says %q; want that syncing stops", text)
	}
	tap(u, u.guard.stay)
	if quits != 0 {
		t.Fatal("Keep open quit")
	}
	ui(u, u.onCloseNoTray)
	tap(u, u.guard.quit)
	if quits != 1 {
		t.Errorf("Quit quit %d times", quits)
	}
}

// TestNoTrayCloseQuitsWhenNothingSyncs: not connected, nothing syncs, so
// closing the window quits without a question.
func TestNoTrayCloseQuitsWhenNothingSyncs(t *testing.T) {
	u := newTestWindow(t, &fakeBackend{}, Options{NoTray: true})
	quits := 0
	u.quitApp = func() { quits++ }
	ui(u, u.onCloseNoTray)
	if quits != 1 || u.guard != nil {
		t.Errorf("quits %d, question %v", quits, u.guard)
	}
}
