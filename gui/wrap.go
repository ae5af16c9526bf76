package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
)

// wrapLayout is Fyne's row-wrap layout, except for the size it asks for
// before its first layout: Fyne's then assumes one object a row, the
// whole stack, which as a window's minimum height would keep the window
// from opening at a remembered size. This one assumes one row until it
// has been laid out and knows how many rows its width takes; the driver
// lays out again, next frame, what grew.
type wrapLayout struct {
	rows fyne.Layout
	laid bool
}

// wrapRow returns objects in a row that wraps onto more rows when narrow.
func wrapRow(objects ...fyne.CanvasObject) *fyne.Container {
	return container.New(&wrapLayout{rows: layout.NewRowWrapLayout()}, objects...)
}

// Layout wraps the objects into rows of size's width. A layout narrower
// than the widest object (a hidden tab is laid out at zero size) says
// nothing about the rows the real width takes, so it does not count.
func (l *wrapLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.rows.Layout(objects, size)
	if size.Width >= widest(objects).Width {
		l.laid = true
	}
}

// MinSize is one row's until the first layout at a real width, then the
// rows'.
func (l *wrapLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	if l.laid {
		return l.rows.MinSize(objects)
	}
	return widest(objects)
}

// widest is the largest minimum width and height of the visible objects.
func widest(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	return s
}
