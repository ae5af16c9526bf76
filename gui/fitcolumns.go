package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// columnFit lays out one table and sizes its columns to the width it gets:
// between the widths wanted and the least each may have, all shrinking by
// the same share of their slack. A table only scrolls sideways, so without
// this a narrow window hides its last column, and with it the buttons
// each row needs; giving that column no slack keeps it whole.
type columnFit struct {
	table       *widget.Table
	want, least []float32
	last        float32 // the width the columns were fitted to
}

// fitColumns returns t in a container that fits its columns to its width;
// widths gives the wanted and least widths.
func fitColumns(t *widget.Table, widths func() (want, least []float32)) *fyne.Container {
	f := &columnFit{table: t}
	f.want, f.least = widths()
	return container.New(f, t)
}

// Layout gives the table the whole size, refitting its columns when the
// width changed.
func (f *columnFit) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if size.Width == f.last {
		return
	}
	f.last = size.Width
	// Each column is followed by a divider, and a vertical scroll bar
	// may cover the right edge.
	room := size.Width - float32(len(f.want))*theme.Padding() - theme.ScrollBarSize()
	for i, w := range fitWidths(f.want, f.least, room) {
		f.table.SetColumnWidth(i, w)
	}
}

// MinSize is the table's.
func (f *columnFit) MinSize(objects []fyne.CanvasObject) fyne.Size { return objects[0].MinSize() }

// fitWidths returns the widths that fill room: want when it fits, least
// when not even that fits (the table then scrolls), and in between each
// column the same fraction of the way from least to want.
func fitWidths(want, least []float32, room float32) []float32 {
	var sumWant, sumLeast float32
	for i := range want {
		sumWant, sumLeast = sumWant+want[i], sumLeast+least[i]
	}
	share := float32(1)
	if room < sumWant {
		share = max(room-sumLeast, 0) / (sumWant - sumLeast)
	}
	out := make([]float32, len(want))
	for i := range want {
		out[i] = least[i] + (want[i]-least[i])*share
	}
	return out
}
