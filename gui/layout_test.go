package gui

import (
	"image/png"
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/tunnel"
)

// smallest is the smallest window HaloSync promises to fit.
var smallest = fyne.NewSize(900, 600)

// TestNothingCutOffAt900x600 opens the Clients & Mapping tab in a 900x600
// window, with suggestions to act on and a crowded status bar, and checks
// that the window did not have to grow, that the search has room to type
// in, and that each visible row's actions lie inside the window.
// HALOSYNC_SHOT=file.png writes what it saw, to look at.
func TestNothingCutOffAt900x600(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	u := newTestWindow(t, f, Options{Tab: "mapping"})
	at := f.status.Counts.LastSync
	f.emit(app.Event{Health: &app.Health{State: app.HealthUnreachable, Since: at, RetryAt: at, Attempts: 3}})
	ui(u, func() {
		u.status.setOutbox(12)
		u.status.setWebhook(app.WebhookStatus{Settings: app.TunnelSettings{Mode: tunnel.External}})
		u.status.importBegan()
		for _, r := range store.Resources() {
			u.status.progress(*progress(r, 100, 400))
		}
		u.win.Resize(smallest)
	})
	tap(u, u.mapping.bulk)
	u.work.wait()
	// A real driver lays out again, each frame, what grew since the last
	// (the rows that wrapped); the test canvas waits to be told.
	ui(u, func() { u.win.Content().Refresh() })
	ui(u, func() {
		c := u.win.Canvas()
		if got := c.Size(); got.Width > smallest.Width || got.Height > smallest.Height {
			t.Errorf("the window grew to %v: its content needs more than %v", got, smallest)
		}
		if w := u.mapping.search.Size().Width; w < 200 {
			t.Errorf("the search field is %.0f px wide; want at least 200", w)
		}
		d := fyne.CurrentApp().Driver()
		var buttons int
		for _, row := range mapCells(u.mapping.table) {
			if !row.Visible() || !row.actions.Visible() {
				continue
			}
			for _, b := range []fyne.CanvasObject{row.accept, row.change, row.ignore} {
				if !b.Visible() {
					continue
				}
				buttons++
				pos := d.AbsolutePositionForObject(b)
				if end := pos.X + b.Size().Width; pos.X < 0 || end > c.Size().Width {
					t.Errorf("a row's %T spans x %.0f..%.0f, outside the %.0f px window", b, pos.X, end, c.Size().Width)
				}
			}
		}
		if buttons == 0 {
			t.Error("no row action buttons are on screen after Bulk Map")
		}
		bar := u.status.content
		if pos := d.AbsolutePositionForObject(bar); pos.Y+bar.Size().Height > c.Size().Height+1 {
			t.Errorf("the status bar ends at y %.0f, below the %.0f px window", pos.Y+bar.Size().Height, c.Size().Height)
		}
		for _, o := range []fyne.CanvasObject{u.status.state, u.status.running, u.status.webhook, u.status.outbox} {
			pos, size := d.AbsolutePositionForObject(o), o.Size()
			if pos.X+size.Width > c.Size().Width || pos.Y+size.Height > c.Size().Height || size.Width < o.MinSize().Width {
				t.Errorf("status bar part %T is cut off: at %v, size %v, needs %v", o, pos, size, o.MinSize())
			}
		}
		// The toolbar's buttons do not overlap the filters below them.
		fy := d.AbsolutePositionForObject(u.mapping.search).Y
		for _, b := range []*widget.Button{u.mapping.bulk, u.mapping.fromHalo, u.mapping.book.add} {
			if end := d.AbsolutePositionForObject(b).Y + b.Size().Height; end > fy {
				t.Errorf("button %q ends at y %.0f, over the filters at y %.0f", b.Text, end, fy)
			}
		}
		if file := os.Getenv("HALOSYNC_SHOT"); file != "" {
			writePNG(t, file, c)
		}
	})
}

// writePNG saves what the canvas shows, to look at.
func writePNG(t *testing.T, file string, c fyne.Canvas) {
	t.Helper()
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := png.Encode(out, c.Capture()); err != nil {
		t.Fatal(err)
	}
}

// mapCells finds the mapping table's cells on screen.
func mapCells(o fyne.CanvasObject) (cells []*mapCell) {
	switch x := o.(type) {
	case *mapCell:
		return []*mapCell{x}
	case *fyne.Container:
		for _, c := range x.Objects {
			cells = append(cells, mapCells(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			cells = append(cells, mapCells(c)...)
		}
	}
	return cells
}

// TestHiddenTabsDoNotGrowTheWindow: a tab not shown yet is laid out at
// zero width; its wrapping toolbar must not then ask for a row a button,
// or the window opens taller than the size the user left it at.
func TestHiddenTabsDoNotGrowTheWindow(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	u := newTestWindow(t, f, Options{Tab: "connection"})
	ui(u, func() {
		u.win.Resize(smallest)
		if h := u.win.Content().MinSize().Height; h > smallest.Height-40 { // the real window adds the menu bar
			t.Errorf("the window's content needs %.0f px of height before the mapping tab was shown; want it to fit %v", h, smallest)
		}
	})
}
