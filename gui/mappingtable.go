package gui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// The mapping table's columns.
const (
	colLocal = iota
	colHalo
	colScore
	colBand
	colReason
	colStatus
	colActions
)

// mapColumns are the table's columns: a title, the width wanted and the
// narrowest it may get in a small window (the row actions keep theirs).
var mapColumns = []struct {
	title      string
	width, min float32
}{
	{"Local client", 190, 110}, {"HaloPSA client", 190, 110}, {"Score", 105, 80}, {"Confidence", 90, 85},
	{"Reason", 185, 80}, {"Status", 140, 85}, {"", 260, 260},
}

// mapColumnWidths are the columns' widths for fitColumns.
func mapColumnWidths() (want, least []float32) {
	for _, c := range mapColumns {
		want, least = append(want, c.width), append(least, c.min)
	}
	return want, least
}

func (t *mappingTab) newTable() *widget.Table {
	tb := &widget.Table{
		Length:        func() (int, int) { return len(t.view), len(mapColumns) },
		CreateCell:    func() fyne.CanvasObject { return newMapCell() },
		UpdateCell:    t.updateCell,
		ShowHeaderRow: true,
		CreateHeader:  func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} },
		UpdateHeader: func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(mapColumns[id.Col].title)
		},
		OnSelected: func(id widget.TableCellID) {
			if id.Row >= 0 && id.Row < len(t.view) {
				t.book.selectRow(t.view[id.Row])
				t.showDetail(t.view[id.Row])
			}
		},
	}
	tb.ExtendBaseWidget(tb)
	for i, c := range mapColumns {
		tb.SetColumnWidth(i, c.width)
	}
	return tb
}

// shown is what row i shows: the pending decision's HaloPSA client and
// score when there is one, else the saved mapping's.
type shown struct {
	halo, band, reason string
	score              float64
	pending            bool
}

func (t *mappingTab) shownOf(i int) shown {
	r := &t.all[i]
	s := shown{halo: r.HaloName, band: r.Confidence, reason: r.Reason, score: r.Score}
	if r.State == store.MapIgnored {
		s = shown{reason: r.Reason}
	}
	if p, ok := t.pending[r.Local.ID]; ok {
		s = shown{pending: true}
		if p.Action == store.Accept {
			s = shown{halo: p.haloName, band: p.Confidence, reason: p.Reason, score: p.Score, pending: true}
		}
	}
	return s
}

// updateCell fills a recycled cell. It sets every field it uses, since the
// cell last showed another row or column.
func (t *mappingTab) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*mapCell)
	c.label.Hide()
	c.score.Hide()
	c.actions.Hide()
	if id.Row < 0 || id.Row >= len(t.view) {
		return
	}
	i := t.view[id.Row]
	r := &t.all[i]
	s := t.shownOf(i)
	switch id.Col {
	case colLocal:
		c.setLabel(r.Local.Name, widget.MediumImportance, fyne.TextStyle{})
	case colHalo:
		if s.halo == "" {
			c.setLabel("—", widget.LowImportance, fyne.TextStyle{})
		} else {
			c.setLabel(s.halo, widget.MediumImportance, fyne.TextStyle{})
		}
	case colScore:
		if s.halo != "" {
			c.score.set(s.score, s.band)
			c.score.Show()
		}
	case colBand:
		c.setLabel(s.band, bandImportance(s.band), fyne.TextStyle{})
	case colReason:
		c.setLabel(s.reason, widget.MediumImportance, fyne.TextStyle{})
	case colStatus:
		switch {
		case s.pending:
			c.setLabel(pendingText(t.pending[r.Local.ID], r), widget.WarningImportance, fyne.TextStyle{Bold: true, Italic: true})
		case r.Review.Reason != store.ReviewNone:
			c.setLabel("Needs review: "+string(r.Review.Reason), widget.WarningImportance, fyne.TextStyle{Bold: true})
		case r.Merge != nil && r.State == store.MapOpen:
			c.setLabel("Merge into “"+r.MergeName+"”?", widget.WarningImportance, fyne.TextStyle{})
		default:
			c.setLabel(stateText(r.State), widget.MediumImportance, fyne.TextStyle{})
		}
	case colActions:
		localID := r.Local.ID
		on := func(f func(int)) func() {
			return func() {
				if j, ok := t.indexOf(localID); ok {
					f(j)
				}
			}
		}
		c.accept.OnTapped, c.change.OnTapped = on(t.onAccept), on(t.onChange)
		c.ignore.OnTapped, c.undo.OnTapped = on(t.onIgnore), on(t.onUndo)
		enable(c.accept, !s.pending && (r.State == store.MapSuggested || confirmable(r.Review)))
		enable(c.ignore, t.state(i) != store.MapIgnored)
		if s.pending {
			c.undo.Show()
		} else {
			c.undo.Hide()
		}
		c.actions.Show()
	}
}

// indexOf finds a local client's row, which a reload may have moved.
func (t *mappingTab) indexOf(localID int64) (int, bool) {
	for i := range t.all {
		if t.all[i].Local.ID == localID {
			return i, true
		}
	}
	return 0, false
}

// stateText names a mapping state for the Status column.
func stateText(s store.MappingState) string {
	switch s {
	case store.MapSuggested:
		return "Suggested"
	case store.MapAccepted:
		return "Accepted"
	case store.MapManual:
		return "Mapped by hand"
	case store.MapIgnored:
		return "Ignored"
	}
	return "Unmapped"
}

// confirmable reports whether Accept can confirm a mapping that needs
// review: not when its HaloPSA client is gone (map it to another instead).
func confirmable(r store.Review) bool {
	return r.Reason == store.ReviewRenamed || r.Reason == store.ReviewInactive
}

// pendingText names a decision not saved yet for the Status column, beside
// the row r had.
func pendingText(p pendingDecision, r *app.MappingRow) string {
	switch p.Action {
	case store.Accept:
		if p.HaloID == r.HaloID && r.Review.Reason != store.ReviewNone {
			return "Unsaved: confirm"
		}
		if p.HaloID == r.HaloID {
			return "Unsaved: accept"
		}
		return "Unsaved: map"
	case store.Ignore:
		return "Unsaved: ignore"
	}
	return "Unsaved: unmap"
}

func bandImportance(band string) widget.Importance {
	switch band {
	case "exact", "high":
		return widget.SuccessImportance
	case "medium":
		return widget.WarningImportance
	case "low":
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// showDetail writes row i in full under the table.
func (t *mappingTab) showDetail(i int) {
	r, s := &t.all[i], t.shownOf(i)
	text := r.Local.Name
	if r.Local.Domain != "" {
		text += " (" + r.Local.Domain + ")"
	}
	switch {
	case s.halo != "":
		text += fmt.Sprintf(" → %s: score %.0f%% (%s)", s.halo, s.score*100, s.band)
		if s.reason != "" {
			text += ", " + s.reason
		}
	case t.state(i) == store.MapIgnored:
		text += ": no HaloPSA counterpart"
	case r.Merge != nil && !s.pending:
		text += fmt.Sprintf(": looks like “%s”, made from HaloPSA (score %.0f%%). Merge… joins the two; Not the same keeps them apart",
			r.MergeName, r.Merge.Score*100)
	case r.Reason != "" && !s.pending:
		text += ": " + r.Reason
	default:
		text += ": no HaloPSA client suggested; use Change… to pick one"
	}
	if r.Review.Reason != store.ReviewNone {
		text += fmt.Sprintf(". Needs review: HaloPSA client %q was %s since you mapped it; Accept confirms it as it is, or Change… or Ignore",
			r.Review.OldName, r.Review.Describe())
	}
	if s.pending {
		text += ". Not saved yet: Save All Mappings saves it."
	} else {
		text += ". " + stateText(r.State) + "."
	}
	t.detail.SetText(text)
}

// mapCell is a recycled table cell holding what any column may show; the
// update shows the part its column needs.
type mapCell struct {
	widget.BaseWidget
	label                        *widget.Label
	score                        *scoreBar
	accept, change, ignore, undo *widget.Button
	actions                      *fyne.Container
}

func newMapCell() *mapCell {
	c := &mapCell{
		label:  &widget.Label{Truncation: fyne.TextTruncateEllipsis},
		score:  newScoreBar(),
		accept: &widget.Button{Text: "Accept", Importance: widget.LowImportance},
		change: &widget.Button{Text: "Change…", Importance: widget.LowImportance},
		ignore: &widget.Button{Text: "Ignore", Importance: widget.LowImportance},
		undo:   &widget.Button{Icon: theme.ContentUndoIcon(), Importance: widget.LowImportance},
	}
	c.actions = container.NewHBox(c.accept, c.change, c.ignore, c.undo)
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer stacks the parts; one is visible at a time.
func (c *mapCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.label, c.score, c.actions))
}

func (c *mapCell) setLabel(text string, imp widget.Importance, style fyne.TextStyle) {
	c.label.Text, c.label.Importance, c.label.TextStyle = text, imp, style
	c.label.Refresh()
	c.label.Show()
}

// scoreBar shows a match score as a percentage and a bar coloured by its
// confidence band.
type scoreBar struct {
	widget.BaseWidget
	score float64
	band  string
}

func newScoreBar() *scoreBar {
	s := &scoreBar{}
	s.ExtendBaseWidget(s)
	return s
}

func (s *scoreBar) set(score float64, band string) {
	if s.score != score || s.band != band {
		s.score, s.band = score, band
		s.Refresh()
	}
}

// CreateRenderer draws the number, the track and the filled part.
func (s *scoreBar) CreateRenderer() fyne.WidgetRenderer {
	r := &scoreRenderer{s: s, text: canvas.NewText("", color.Black), track: canvas.NewRectangle(color.Black), fill: canvas.NewRectangle(color.Black)}
	r.text.Alignment = fyne.TextAlignTrailing
	r.track.CornerRadius, r.fill.CornerRadius = 3, 3
	r.Refresh()
	return r
}

type scoreRenderer struct {
	s           *scoreBar
	text        *canvas.Text
	track, fill *canvas.Rectangle
}

const barHeight = 8

func (r *scoreRenderer) textWidth() float32 {
	return fyne.MeasureText("100%", r.text.TextSize, r.text.TextStyle).Width
}

func (r *scoreRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	tw, th := r.textWidth(), r.text.MinSize().Height
	r.text.Move(fyne.NewPos(pad, (size.Height-th)/2))
	r.text.Resize(fyne.NewSize(tw, th))
	x := 2*pad + tw
	w := max(size.Width-x-pad, 0)
	y := (size.Height - barHeight) / 2
	r.track.Move(fyne.NewPos(x, y))
	r.track.Resize(fyne.NewSize(w, barHeight))
	r.fill.Move(fyne.NewPos(x, y))
	r.fill.Resize(fyne.NewSize(w*float32(min(max(r.s.score, 0), 1)), barHeight))
}

func (r *scoreRenderer) MinSize() fyne.Size {
	return fyne.NewSize(3*theme.Padding()+r.textWidth()+40, r.text.MinSize().Height)
}

func (r *scoreRenderer) Refresh() {
	r.text.Text = fmt.Sprintf("%.0f%%", r.s.score*100)
	r.text.TextSize = theme.TextSize()
	r.text.Color = theme.ColorForWidget(theme.ColorNameForeground, r.s)
	r.track.FillColor = theme.ColorForWidget(theme.ColorNameInputBackground, r.s)
	r.fill.FillColor = theme.ColorForWidget(bandColor(r.s.band), r.s)
	r.Layout(r.s.Size())
	r.text.Refresh()
	r.track.Refresh()
	r.fill.Refresh()
}

func bandColor(band string) fyne.ThemeColorName {
	switch band {
	case "exact", "high":
		return theme.ColorNameSuccess
	case "medium":
		return theme.ColorNameWarning
	case "low":
		return theme.ColorNameError
	}
	return theme.ColorNameDisabled
}

func (r *scoreRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.fill, r.text}
}

func (r *scoreRenderer) Destroy() {}
