package gui

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/engine/store"
)

// logPage is how many rows the Sync Log loads at a time.
const logPage = 500

// maxLogRows bounds the rows kept as new entries arrive; older ones are a
// "Load older" away.
const maxLogRows = 5000

// levelChoices are the level filter's options and the least level each shows.
var levelChoices = []struct {
	label string
	min   store.Level
}{
	{"All levels", ""}, {"Info and above", store.Info}, {"Warnings and errors", store.Warn}, {"Errors only", store.Error},
}

// logColumns are the Sync Log table's columns and their widths.
var logColumns = []struct {
	title string
	width float32
}{
	{"Time", 150}, {"Level", 70}, {"Operation", 140}, {"Object", 180}, {"Message", 560},
}

// logTab is the Sync Log: every step and error, newest first.
type logTab struct {
	u *Window

	rows     []store.LogEntry // shown, newest first; replaced on the Fyne goroutine
	minLevel store.Level
	query    string
	seq      int              // numbers loads, so a stale result is dropped
	selected int64            // the entry shown in detail
	incoming []store.LogEntry // new entries not shown yet, oldest first
	flushing bool             // a flush of incoming is scheduled

	level   *widget.Select
	search  *widget.Entry
	table   *widget.Table
	detail  *widget.Label
	count   *widget.Label
	more    *widget.Button
	export  *widget.Button
	deb     debouncer
	content fyne.CanvasObject
}

func newLogTab(u *Window) *logTab {
	t := &logTab{u: u, deb: debouncer{delay: u.delay, do: u.do}}
	t.build()
	return t
}

func (t *logTab) build() {
	labels := make([]string, len(levelChoices))
	for i, c := range levelChoices {
		labels[i] = c.label
	}
	t.level = widget.NewSelect(labels, t.onLevel)
	t.level.SetSelected(levelChoices[0].label)
	t.search = &widget.Entry{PlaceHolder: "Search operation, object or message"}
	t.search.OnChanged = func(s string) { t.deb.call(func() { t.onSearch(s) }) }
	t.export = &widget.Button{Text: "Export CSV…", Icon: theme.DocumentSaveIcon(), OnTapped: t.onExport}
	t.more = &widget.Button{Text: "Load older", Icon: theme.MoreHorizontalIcon(), OnTapped: t.onMore}
	t.more.Disable()
	t.count = &widget.Label{}
	t.table = &widget.Table{
		Length:        func() (int, int) { return len(t.rows), len(logColumns) },
		CreateCell:    func() fyne.CanvasObject { return &widget.Label{Truncation: fyne.TextTruncateEllipsis} },
		UpdateCell:    t.updateCell,
		ShowHeaderRow: true,
		CreateHeader:  func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} },
		UpdateHeader: func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(logColumns[id.Col].title)
		},
		OnSelected: t.onSelected,
	}
	t.table.ExtendBaseWidget(t.table)
	for i, c := range logColumns {
		t.table.SetColumnWidth(i, c.width)
	}
	t.detail = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true,
		Text: "Select a row to see all of it."}
	bar := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Show"), t.level),
		container.NewHBox(t.count, t.more, t.export), t.search)
	split := container.NewVSplit(t.table, container.NewVScroll(t.detail))
	split.Offset = 0.8
	t.content = container.NewBorder(bar, nil, nil, nil, split)
}

func (t *logTab) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	l.TextStyle, l.Importance = fyne.TextStyle{}, widget.MediumImportance
	if id.Row >= len(t.rows) {
		l.SetText("")
		return
	}
	e := t.rows[id.Row]
	var text string
	switch id.Col {
	case 0:
		text = e.Time.Local().Format("2006-01-02 15:04:05")
	case 1:
		text = string(e.Level)
		l.Importance = levelImportance(e.Level)
		l.TextStyle.Bold = e.Level == store.Error
	case 2:
		text = string(e.Operation)
	case 3:
		text = e.Object
	default:
		text = oneLine(e.Message)
	}
	l.Text = text
	l.Refresh()
}

func levelImportance(l store.Level) widget.Importance {
	switch l {
	case store.Error:
		return widget.DangerImportance
	case store.Warn:
		return widget.WarningImportance
	case store.Debug:
		return widget.LowImportance
	}
	return widget.MediumImportance
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (t *logTab) onLevel(label string) {
	for _, c := range levelChoices {
		if c.label == label && c.min != t.minLevel {
			t.minLevel = c.min
			t.reload()
		}
	}
}

func (t *logTab) onSearch(s string) {
	if s = strings.TrimSpace(s); s != t.query {
		t.query = s
		t.reload()
	}
}

func (t *logTab) filter(before int64) store.LogQuery {
	return store.LogQuery{MinLevel: t.minLevel, Search: t.query, Limit: logPage, Before: before}
}

// reload reads the newest rows matching the filter.
func (t *logTab) reload() { t.load(0) }

func (t *logTab) onMore() {
	if n := len(t.rows); n > 0 {
		t.more.Disable()
		t.load(t.rows[n-1].ID)
	}
}

// load reads a page of rows older than before (0: the newest) off the
// Fyne goroutine; a page of the newest replaces the rows, an older one
// extends them.
func (t *logTab) load(before int64) {
	if t.u.b == nil {
		return
	}
	t.seq++
	seq, b, q := t.seq, t.u.b, t.filter(before)
	t.u.goWork(func(ctx context.Context) {
		rows, err := b.Log(ctx, q)
		t.u.do(func() {
			if seq != t.seq {
				return // the filter changed since
			}
			if err != nil {
				t.count.SetText(plainError(err))
				return
			}
			if before == 0 {
				t.rows = rows
				t.table.UnselectAll()
			} else {
				t.rows = append(t.rows, rows...)
			}
			enable(t.more, len(rows) == logPage)
			t.showCount()
			t.table.Refresh()
		})
	})
}

func (t *logTab) showCount() {
	t.count.SetText(fmt.Sprintf("%d rows", len(t.rows)))
}

// matches reports whether a new entry passes the filter.
func (t *logTab) matches(e store.LogEntry) bool {
	if t.minLevel != "" && !e.Level.AtLeast(t.minLevel) {
		return false
	}
	q := strings.ToLower(t.query)
	return q == "" || strings.Contains(strings.ToLower(string(e.Operation)), q) ||
		strings.Contains(strings.ToLower(e.Object), q) || strings.Contains(strings.ToLower(e.Message), q)
}

// add shows an entry just written, at the top, when it passes the filter.
// Entries arriving in a burst (an import logs hundreds) are shown together
// a moment later, so the table refreshes once for the lot.
func (t *logTab) add(e store.LogEntry) {
	if !t.matches(e) {
		return
	}
	t.incoming = append(t.incoming, e)
	if t.u.delay <= 0 {
		t.flush()
		return
	}
	if !t.flushing {
		t.flushing = true
		time.AfterFunc(t.u.delay, func() { t.u.do(t.flush) })
	}
}

// flush puts the entries that arrived on top of the rows.
func (t *logTab) flush() {
	t.flushing = false
	if len(t.incoming) == 0 {
		return
	}
	rows := make([]store.LogEntry, 0, len(t.incoming)+len(t.rows))
	for i := len(t.incoming) - 1; i >= 0; i-- {
		e := t.incoming[i]
		if len(t.rows) > 0 && e.ID != 0 && e.ID <= t.rows[0].ID {
			continue // a reload already brought it
		}
		rows = append(rows, e)
	}
	t.incoming = t.incoming[:0]
	if len(rows) == 0 {
		return
	}
	rows = append(rows, t.rows...)
	if len(rows) > maxLogRows {
		rows = rows[:maxLogRows]
		t.more.Enable()
	}
	t.rows = rows
	t.table.UnselectAll() // the selected cell now holds another row; the detail stays
	t.showCount()
	t.table.Refresh()
}

func (t *logTab) onSelected(id widget.TableCellID) {
	if id.Row < 0 || id.Row >= len(t.rows) {
		return
	}
	e := t.rows[id.Row]
	t.selected = e.ID
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s · %s", e.Time.Local().Format("Mon 2 Jan 2006 15:04:05"), strings.ToUpper(string(e.Level)), e.Operation)
	if e.Object != "" {
		fmt.Fprintf(&b, " · %s", e.Object)
	}
	if e.Run != 0 {
		fmt.Fprintf(&b, " · run %d", e.Run)
	}
	b.WriteString("\n\n" + e.Message)
	t.detail.SetText(b.String())
}

func (t *logTab) onExport() {
	if t.u.b == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		t.export.Disable()
		b, q := t.u.b, t.filter(0)
		t.u.goWork(func(ctx context.Context) {
			n, err := exportLog(ctx, b, q, w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			t.u.do(func() {
				t.export.Enable()
				if err != nil {
					dialog.ShowError(fmt.Errorf("the sync log could not be exported: %w", err), t.u.win)
					return
				}
				dialog.ShowInformation("Sync log exported", fmt.Sprintf("%d rows written to %s.", n, w.URI().Name()), t.u.win)
			})
		})
	}, t.u.win)
	d.SetFileName("halosync-sync-log-" + time.Now().Format("2006-01-02") + ".csv")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	d.Show()
}

// exportLog writes every entry matching q (whatever its Limit and Before)
// to w as CSV, newest first, and returns how many it wrote.
func exportLog(ctx context.Context, b Backend, q store.LogQuery, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"time", "level", "operation", "object", "message", "run"}); err != nil {
		return 0, err
	}
	q.Limit, q.Before = 1000, 0
	n := 0
	for {
		rows, err := b.Log(ctx, q)
		if err != nil {
			return n, err
		}
		for _, e := range rows {
			run := ""
			if e.Run != 0 {
				run = strconv.FormatInt(e.Run, 10)
			}
			if err := cw.Write([]string{e.Time.UTC().Format(time.RFC3339), string(e.Level), string(e.Operation), e.Object, e.Message, run}); err != nil {
				return n, err
			}
			n++
		}
		if len(rows) < q.Limit {
			break
		}
		q.Before = rows[len(rows)-1].ID
	}
	cw.Flush()
	return n, cw.Error()
}
