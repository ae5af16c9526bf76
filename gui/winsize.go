package gui

import "fyne.io/fyne/v2"

// The window's size is kept in the app's preferences (never secrets), so
// it opens as the user left it.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
)

// defaultSize is the first run's window size; minSize the smallest size
// restored, so that a bad preference cannot open a window too small to
// find. 900x600 is the smallest size the layout is tested at.
var (
	defaultSize = fyne.NewSize(1200, 760)
	minSize     = fyne.NewSize(900, 600)
)

// restoreSize sizes the window as it was last saved.
func (u *Window) restoreSize() {
	p := u.app.Preferences()
	w := p.FloatWithFallback(prefWidth, float64(defaultSize.Width))
	h := p.FloatWithFallback(prefHeight, float64(defaultSize.Height))
	u.win.Resize(fyne.NewSize(max(float32(w), minSize.Width), max(float32(h), minSize.Height)))
}

// saveSize remembers the window's size. It runs when the window closes
// or hides and when the app stops: Fyne tells a window nothing when it is
// merely resized.
func (u *Window) saveSize() {
	s := u.win.Canvas().Size()
	if s.Width <= 0 || s.Height <= 0 {
		return // never shown
	}
	p := u.app.Preferences()
	p.SetFloat(prefWidth, float64(s.Width))
	p.SetFloat(prefHeight, float64(s.Height))
}
