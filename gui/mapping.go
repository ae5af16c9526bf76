package gui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/store"
)

// The mapping filter's choices.
const (
	showAll       = "All"
	showUnmapped  = "Unmapped"
	showSuggested = "Suggested"
	showAccepted  = "Accepted"
	showIgnored   = "Ignored"
	showUnsaved   = "Unsaved"
	showReview    = "Needs review"
)

var mappingFilters = []string{showAll, showUnmapped, showSuggested, showAccepted, showIgnored, showUnsaved, showReview}

// anyConfidence is the confidence filter's choice that lets every band through.
const anyConfidence = "any"

// confidenceFilters are the confidence filter's choices: the matcher's
// bands, and none for rows without one.
var confidenceFilters = []string{anyConfidence, "exact", "high", "medium", "low", "none"}

// pendingDecision is a decision the user made that Save All has not saved.
type pendingDecision struct {
	store.Decision
	haloName string
}

// mappingTab is Clients & Mapping: the local client book beside HaloPSA's
// clients, Bulk Map's suggestions, and the user's decisions, which stay
// pending (kept as drafts, see drafts.go) until Save All Mappings saves
// them in one go.
type mappingTab struct {
	u *Window

	// Owned by the Fyne goroutine. all holds every local client as last
	// loaded; view indexes the rows the filter and search let through.
	all     []app.MappingRow
	lower   []string // lower-cased local and HaloPSA names, for search
	view    []int
	pending map[int64]pendingDecision
	show    string
	conf    string // a confidenceFilters choice; "" for any
	query   string
	seq     int
	busy    bool // Bulk Map, Save All, an import or a create is running
	d       draftState

	bulk, save, acceptHigh *widget.Button
	importCSV, fromHalo    *widget.Button
	historyBtn             *widget.Button
	history                *historyDialog // the last history dialog opened
	filter                 *widget.Select
	confFilter             *widget.Select
	book                   *bookActions // add, edit, delete, merge, unmap, export: bookactions.go
	search                 *widget.Entry
	summary, message       *widget.Label
	detail                 *widget.Label
	table                  *widget.Table
	deb                    debouncer
	picker                 *picker // the last picker opened
	content                fyne.CanvasObject
}

func newMappingTab(u *Window) *mappingTab {
	t := &mappingTab{u: u, pending: map[int64]pendingDecision{}, show: showAll,
		deb: debouncer{delay: u.delay, do: u.do},
		d:   draftState{touched: map[int64]int{}, unwritten: map[int64]bool{}}}
	t.build()
	return t
}

func (t *mappingTab) build() {
	t.bulk = &widget.Button{Text: "Bulk Map", Icon: theme.SearchReplaceIcon(), Importance: widget.HighImportance, OnTapped: t.onBulkMap}
	t.acceptHigh = &widget.Button{Text: "Accept exact & high", Icon: theme.ConfirmIcon(), OnTapped: t.onAcceptHigh}
	t.save = &widget.Button{Text: "Save All Mappings", Icon: theme.DocumentSaveIcon(), Importance: widget.SuccessImportance, OnTapped: t.onSave}
	t.importCSV = &widget.Button{Text: "Import CSV…", Icon: theme.FolderOpenIcon(), OnTapped: t.onImportCSV}
	t.fromHalo = &widget.Button{Text: "Add from HaloPSA…", Icon: theme.ContentAddIcon(), OnTapped: t.onCreateFromHalo}
	t.historyBtn = &widget.Button{Text: "History…", Icon: theme.HistoryIcon(), OnTapped: t.onHistory}
	// A drop-down, not radio buttons: seven choices side by side took
	// the whole width of a 900 px window and left the search no room.
	t.filter = &widget.Select{Options: mappingFilters, OnChanged: t.onFilter}
	t.filter.ExtendBaseWidget(t.filter)
	t.filter.SetSelected(showAll)
	t.confFilter = &widget.Select{Options: confidenceFilters, OnChanged: t.onConfidence}
	t.confFilter.ExtendBaseWidget(t.confFilter)
	t.confFilter.SetSelected(anyConfidence)
	t.search = &widget.Entry{PlaceHolder: "Search local or HaloPSA name"}
	t.search.OnChanged = func(s string) { t.deb.call(func() { t.onSearch(s) }) }
	t.summary = &widget.Label{}
	t.message = &widget.Label{Wrapping: fyne.TextWrapWord}
	t.detail = &widget.Label{Wrapping: fyne.TextWrapWord, Text: "Select a row to see why it was suggested."}
	t.table = t.newTable()
	t.book = newBookActions(t)
	// The buttons wrap onto a second row in a narrow window rather than
	// widen it; the search takes whatever width the filters leave.
	actions := wrapRow(t.bulk, t.acceptHigh, t.save, t.historyBtn, t.importCSV, t.book.exportCSV,
		t.book.add, t.fromHalo)
	filters := container.NewBorder(nil, nil,
		container.NewHBox(&widget.Label{Text: "Show"}, t.filter, &widget.Label{Text: "Confidence"}, t.confFilter), nil, t.search)
	top := container.NewVBox(actions, filters)
	bottom := container.NewVBox(t.message, container.NewBorder(nil, nil, nil, t.summary, t.detail), t.book.rowBar)
	t.content = container.NewBorder(top, bottom, nil, nil, fitColumns(t.table, mapColumnWidths))
	t.updateButtons()
}

// reload reads every local client with its mapping and the decisions not
// saved yet (drafts, the CLI's too), off the Fyne goroutine, queued after
// the draft writes before it.
func (t *mappingTab) reload() {
	if t.u.b == nil {
		return
	}
	t.seq++
	seq, b, at := t.seq, t.u.b, t.d.seq
	t.u.runSerial(&t.d.q, func(ctx context.Context) {
		rows, err := b.MappingRows(ctx, app.MappingFilter{State: app.StateAll})
		var drafts []app.PendingDecision
		if err == nil {
			drafts, err = b.PendingDecisions(ctx)
		}
		t.u.do(func() {
			if seq != t.seq {
				return
			}
			if err != nil {
				t.setMessage("The client book could not be read. "+plainError(err), widget.DangerImportance)
				return
			}
			t.setDrafts(drafts, at, rows)
			t.setRows(rows)
		})
	})
}

// setRows replaces the rows and shows those the filter lets through.
func (t *mappingTab) setRows(rows []app.MappingRow) {
	t.all = rows
	t.lower = make([]string, len(rows))
	for i, r := range rows {
		t.lower[i] = strings.ToLower(r.Local.Name + "\x00" + r.HaloName)
	}
	t.table.UnselectAll() // the selected row may be elsewhere now
	t.book.selectRow(-1)
	t.applyFilter()
}

// state is where row i stands, counting a decision not saved yet.
func (t *mappingTab) state(i int) store.MappingState {
	r := &t.all[i]
	p, ok := t.pending[r.Local.ID]
	if !ok {
		return r.State
	}
	switch p.Action {
	case store.Accept:
		if p.HaloID == r.HaloID && r.State != store.MapManual {
			return store.MapAccepted
		}
		return store.MapManual
	case store.Ignore:
		return store.MapIgnored
	}
	return store.MapOpen
}

// passes reports whether row i shows under the filter and search.
func (t *mappingTab) passes(i int) bool {
	switch st := t.state(i); t.show {
	case showUnmapped:
		if st != store.MapOpen {
			return false
		}
	case showSuggested:
		if st != store.MapSuggested {
			return false
		}
	case showAccepted:
		if st != store.MapAccepted && st != store.MapManual {
			return false
		}
	case showIgnored:
		if st != store.MapIgnored {
			return false
		}
	case showUnsaved:
		if _, ok := t.pending[t.all[i].Local.ID]; !ok {
			return false
		}
	case showReview:
		if t.all[i].Review.Reason == store.ReviewNone {
			return false
		}
	}
	if !bandPasses(t.shownOf(i).band, t.conf) {
		return false
	}
	if t.query == "" || strings.Contains(t.lower[i], t.query) {
		return true
	}
	p, ok := t.pending[t.all[i].Local.ID]
	return ok && strings.Contains(strings.ToLower(p.haloName), t.query)
}

// applyFilter recomputes the visible rows and the counts.
func (t *mappingTab) applyFilter() {
	t.view = t.view[:0]
	for i := range t.all {
		if t.passes(i) {
			t.view = append(t.view, i)
		}
	}
	t.changed()
}

// changed shows a change of rows or decisions: the table, the counts (of
// the states the decisions lead to) and the buttons.
func (t *mappingTab) changed() {
	var counts [5]int
	for i := range t.all {
		if t.all[i].Review.Reason != store.ReviewNone {
			counts[4]++
		}
		switch t.state(i) {
		case store.MapOpen:
			counts[0]++
		case store.MapSuggested:
			counts[1]++
		case store.MapAccepted, store.MapManual:
			counts[2]++
		case store.MapIgnored:
			counts[3]++
		}
	}
	text := fmt.Sprintf("%d clients · %d unmapped · %d suggested · %d accepted · %d ignored",
		len(t.all), counts[0], counts[1], counts[2], counts[3])
	if counts[4] > 0 {
		text += fmt.Sprintf(" · %d need review", counts[4])
	}
	if n := len(t.pending); n > 0 {
		text += fmt.Sprintf(" (%d unsaved)", n)
	}
	t.summary.SetText(text)
	t.table.Refresh()
	t.updateButtons()
}

func (t *mappingTab) onFilter(s string) {
	if s != "" && s != t.show {
		t.show = s
		t.applyFilter()
	}
}

func (t *mappingTab) onConfidence(s string) {
	if s == anyConfidence {
		s = ""
	}
	if s != t.conf {
		t.conf = s
		t.applyFilter()
	}
}

func (t *mappingTab) onSearch(s string) {
	if s = strings.ToLower(strings.TrimSpace(s)); s != t.query {
		t.query = s
		t.applyFilter()
	}
}

// decide records a pending decision for a local client, or drops it when
// it only repeats what is saved (accepting a mapping that needs review
// again is a decision: it confirms the HaloPSA client as it is now).
func (t *mappingTab) decide(i int, p pendingDecision) {
	r := &t.all[i]
	same := (p.Action == store.Ignore && r.State == store.MapIgnored) ||
		(p.Action == store.Accept && p.HaloID == r.HaloID && (r.State == store.MapAccepted || r.State == store.MapManual) &&
			r.Review.Reason == store.ReviewNone)
	if same {
		delete(t.pending, r.Local.ID)
	} else {
		t.pending[r.Local.ID] = p
	}
	t.persist(r.Local.ID)
	t.changed()
	t.showDetail(i)
}

func (t *mappingTab) onAccept(i int) {
	r := &t.all[i]
	if r.HaloID == 0 {
		return
	}
	t.decide(i, pendingDecision{haloName: r.HaloName, Decision: store.Decision{LocalID: r.Local.ID, Action: store.Accept,
		HaloID: r.HaloID, Score: r.Score, Confidence: r.Confidence, Reason: r.Reason}})
}

func (t *mappingTab) onIgnore(i int) {
	t.decide(i, pendingDecision{Decision: store.Decision{LocalID: t.all[i].Local.ID, Action: store.Ignore}})
}

func (t *mappingTab) onUndo(i int) {
	delete(t.pending, t.all[i].Local.ID)
	t.persist(t.all[i].Local.ID)
	t.changed()
	t.showDetail(i)
}

// onChange opens the picker of HaloPSA clients for row i.
func (t *mappingTab) onChange(i int) {
	r := t.all[i]
	t.picker = showPicker(t.u, r.Local, t.mappedTo(), func(s match.Scored) {
		if i < len(t.all) && t.all[i].Local.ID == r.Local.ID {
			t.decide(i, pendingDecision{haloName: s.Name, Decision: store.Decision{LocalID: r.Local.ID, Action: store.Accept,
				HaloID: s.HaloID, Score: s.Score, Confidence: s.Band.String(), Reason: s.Reason}})
		}
	})
}

// mappedTo names, per HaloPSA client, the local clients mapped to it
// (saved or pending), so the picker can warn about a double mapping.
func (t *mappingTab) mappedTo() map[int64][]string {
	m := map[int64][]string{}
	for i := range t.all {
		r := &t.all[i]
		id := r.HaloID
		if p, ok := t.pending[r.Local.ID]; ok {
			id = 0
			if p.Action == store.Accept {
				id = p.HaloID
			}
		} else if r.State != store.MapAccepted && r.State != store.MapManual {
			id = 0
		}
		if id != 0 {
			m[id] = append(m[id], r.Local.Name)
		}
	}
	return m
}

// onAcceptHigh accepts every visible suggestion in the exact or high band.
func (t *mappingTab) onAcceptHigh() {
	var ids []int64
	for _, i := range t.view {
		r := &t.all[i]
		if _, ok := t.pending[r.Local.ID]; ok || r.State != store.MapSuggested {
			continue
		}
		if r.Confidence == match.Exact.String() || r.Confidence == match.High.String() {
			t.pending[r.Local.ID] = pendingDecision{haloName: r.HaloName, Decision: store.Decision{LocalID: r.Local.ID,
				Action: store.Accept, HaloID: r.HaloID, Score: r.Score, Confidence: r.Confidence, Reason: r.Reason}}
			ids = append(ids, r.Local.ID)
		}
	}
	n := len(ids)
	t.persist(ids...) // one write for all of them
	t.setMessage(fmt.Sprintf("Accepted %d exact and high-confidence suggestions. Check them, then Save All Mappings.", n), widget.MediumImportance)
	t.changed()
}

// decisions are the pending decisions, by local client id.
func (t *mappingTab) decisions() []store.Decision {
	ds := make([]store.Decision, 0, len(t.pending))
	for _, p := range t.pending {
		ds = append(ds, p.Decision)
	}
	slices.SortFunc(ds, func(a, b store.Decision) int { return int(a.LocalID - b.LocalID) })
	return ds
}

func (t *mappingTab) setBusy(on bool) {
	t.busy = on
	t.updateButtons()
}

func (t *mappingTab) setMessage(text string, imp widget.Importance) {
	t.message.Text, t.message.Importance = text, imp
	t.message.Refresh()
}

func (t *mappingTab) updateButtons() {
	n := len(t.pending)
	t.save.SetText("Save All Mappings")
	if n > 0 {
		t.save.SetText(fmt.Sprintf("Save All Mappings (%d)", n))
	}
	enable(t.save, !t.busy && n > 0)
	enable(t.bulk, !t.busy)
	enable(t.importCSV, !t.busy)
	enable(t.fromHalo, !t.busy)
	enable(t.acceptHigh, !t.busy && len(t.view) > 0)
	t.book.updateButtons()
	enable(t.historyBtn, t.u.b != nil)
}
