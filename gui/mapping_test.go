package gui

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

func local(id int64, name string) store.LocalClient { return store.LocalClient{ID: id, Name: name} }

func suggested(id int64, name string, haloID int64, halo string, score float64, band string) app.MappingRow {
	return app.MappingRow{Local: local(id, name), State: store.MapSuggested, HaloID: haloID, HaloName: halo,
		Score: score, Confidence: band, Reason: "names alike"}
}

// sampleRows: four suggested (two high or better), one open, one
// accepted, one ignored.
func sampleRows() []app.MappingRow {
	return []app.MappingRow{
		suggested(1, "acme ltd", 101, "Acme Limited", 0.97, "exact"),
		suggested(2, "Bright Dental", 102, "Bright Dental Care", 0.88, "high"),
		suggested(3, "Cole & Sons", 103, "Cole and Sons Plumbing", 0.75, "medium"),
		suggested(4, "Delta Mfg", 104, "Delta Marketing", 0.73, "medium"),
		{Local: local(5, "Corner Cafe")},
		{Local: local(6, "Eagle Air"), State: store.MapAccepted, HaloID: 106, HaloName: "Eagle Aviation", Score: 0.9, Confidence: "high"},
		{Local: local(7, "Smith Family Trust"), State: store.MapIgnored, Reason: "no HaloPSA counterpart"},
	}
}

func progress(r store.Resource, rows, total int) *sync.Progress {
	return &sync.Progress{Resource: r, Rows: rows, Total: total}
}

// cell renders one cell of the mapping table into a fresh template.
func cell(t *mappingTab, row, col int) *mapCell {
	c := newMapCell()
	t.updateCell(widget.TableCellID{Row: row, Col: col}, c)
	return c
}

func mappingWindow(t *testing.T, f *fakeBackend) (*Window, *mappingTab) {
	u := newTestWindow(t, f, Options{Tab: "mapping"})
	return u, u.mapping
}

func TestBulkMapFillsTable(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: []app.MappingRow{{Local: local(1, "acme ltd")}, {Local: local(5, "Corner Cafe")}},
		bulkRows: sampleRows(), bulkRes: app.BulkMapResult{Open: 5, Suggested: 4}}
	u, m := mappingWindow(t, f)
	if len(m.view) != 2 || cell(m, 0, colHalo).label.Text != "—" || cell(m, 0, colStatus).label.Text != "Unmapped" {
		t.Fatalf("before Bulk Map: %d rows, halo %q", len(m.view), cell(m, 0, colHalo).label.Text)
	}
	tap(u, m.bulk)
	u.work.wait()
	if m.bulk.Disabled() {
		t.Error("Bulk Map stays disabled")
	}
	if m.filter.Selected != showSuggested || len(m.view) != 4 {
		t.Fatalf("after Bulk Map: filter %q, %d rows shown", m.filter.Selected, len(m.view))
	}
	c := cell(m, 0, colScore)
	if c.score.Hidden || c.score.score != 0.97 || c.score.band != "exact" {
		t.Errorf("score cell: hidden %v, %v %q", c.score.Hidden, c.score.score, c.score.band)
	}
	for col, want := range map[int]string{colLocal: "acme ltd", colHalo: "Acme Limited", colBand: "exact", colReason: "names alike", colStatus: "Suggested"} {
		if got := cell(m, 0, col).label.Text; got != want {
			t.Errorf("column %d = %q, want %q", col, got, want)
		}
	}
	if !strings.Contains(m.message.Text, "4 of 5") || !strings.Contains(m.summary.Text, "7 clients · 1 unmapped · 4 suggested · 1 accepted · 1 ignored") {
		t.Errorf("message %q, summary %q", m.message.Text, m.summary.Text)
	}
}

func TestAcceptChangeIgnoreThenSaveAll(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows(), rank: []match.Scored{
		{HaloID: 104, Name: "Delta Marketing", Score: 0.73, Band: match.Medium, Reason: "names 73% alike"},
		{HaloID: 204, Name: "Delta Manufacturing Ltd", Score: 0.7, Band: match.Low, Reason: "\"Mfg\" for \"Manufacturing\""},
	}}
	u, m := mappingWindow(t, f)
	tap(u, cell(m, 0, colActions).accept) // acme ltd: accept the suggestion
	tap(u, cell(m, 2, colActions).ignore) // Cole & Sons: ignore
	tap(u, cell(m, 3, colActions).change) // Delta Mfg: pick another
	u.work.wait()
	p := m.picker
	if p == nil || len(p.results) != 2 {
		t.Fatalf("picker results: %+v", p)
	}
	typeText(u, p.search, "manuf")
	u.work.wait()
	f.locked(func() {
		if got := f.rankQs[len(f.rankQs)-1]; got != "manuf" {
			t.Errorf("picker searched %q", got)
		}
	})
	if len(p.results) != 1 || !p.pick.Disabled() {
		t.Fatalf("after searching: %d results, pick enabled %v", len(p.results), !p.pick.Disabled())
	}
	ui(u, func() { p.list.Select(0) })
	tap(u, p.pick)

	if got := cell(m, 3, colHalo).label.Text; got != "Delta Manufacturing Ltd" {
		t.Errorf("changed row shows %q", got)
	}
	for row, want := range map[int]string{0: "Unsaved: accept", 1: "Suggested", 2: "Unsaved: ignore", 3: "Unsaved: map"} {
		if got := cell(m, row, colStatus).label.Text; got != want {
			t.Errorf("row %d status %q, want %q", row, got, want)
		}
	}
	if c := cell(m, 0, colActions); !c.accept.Disabled() || c.undo.Hidden {
		t.Error("a pending row should offer Undo, not Accept")
	}
	if m.save.Text != "Save All Mappings (3)" || m.save.Disabled() {
		t.Errorf("save button %q disabled %v", m.save.Text, m.save.Disabled())
	}
	f.locked(func() {
		if len(f.saved) != 0 {
			t.Error("a decision was saved before Save All")
		}
	})

	tap(u, m.save)
	u.work.wait()
	want := []store.Decision{
		{LocalID: 1, Action: store.Accept, HaloID: 101, Score: 0.97, Confidence: "exact", Reason: "names alike"},
		{LocalID: 3, Action: store.Ignore},
		{LocalID: 4, Action: store.Accept, HaloID: 204, Score: 0.7, Confidence: "low", Reason: "\"Mfg\" for \"Manufacturing\""},
	}
	f.locked(func() {
		if len(f.saved) != 1 || !reflect.DeepEqual(f.saved[0], want) {
			t.Fatalf("SaveMappings calls = %+v\nwant one call with %+v", f.saved, want)
		}
	})
	if len(m.pending) != 0 || !m.save.Disabled() || m.save.Text != "Save All Mappings" {
		t.Errorf("after saving: %d pending, button %q", len(m.pending), m.save.Text)
	}
	if got := cell(m, 0, colStatus).label.Text; got != "Accepted" {
		t.Errorf("after saving row 0 reads %q (reloaded from the backend)", got)
	}
}

func TestSaveFailureKeepsDecisions(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows(), saveErr: errors.New("store: save mappings: disk full")}
	u, m := mappingWindow(t, f)
	ui(u, func() { m.onIgnore(0) })
	tap(u, m.save)
	u.work.wait()
	if len(m.pending) != 1 || m.save.Disabled() {
		t.Fatalf("a failed save lost the decisions: %d pending", len(m.pending))
	}
	if m.message.Importance != widget.DangerImportance || !strings.Contains(m.message.Text, "Nothing was saved") {
		t.Errorf("message %q", m.message.Text)
	}
}

func TestUndoAndRepeatedDecisions(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u, m := mappingWindow(t, f)
	ui(u, func() { m.onIgnore(0) }) // decisions are written as drafts off the Fyne goroutine: act as it
	tap(u, cell(m, 0, colActions).undo)
	ui(u, func() {
		m.onIgnore(6) // already ignored: nothing to save
		m.decide(5, pendingDecision{haloName: "Eagle Aviation", Decision: store.Decision{LocalID: 6, Action: store.Accept, HaloID: 106}})
	})
	u.work.wait()
	if len(m.pending) != 0 || !m.save.Disabled() {
		t.Fatalf("pending = %+v", m.pending)
	}
	if !cell(m, 4, colActions).accept.Disabled() {
		t.Error("Accept is enabled on a row with nothing suggested")
	}
}

func TestMappingFilterAndSearch(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u, m := mappingWindow(t, f)
	names := func() (s []string) {
		for _, i := range m.view {
			s = append(s, m.all[i].Local.Name)
		}
		return s
	}
	ui(u, func() { m.onIgnore(1) }) // Bright Dental: pending ignore counts as ignored
	u.work.wait()
	for filter, want := range map[string]string{
		showAll:       "acme ltd,Bright Dental,Cole & Sons,Delta Mfg,Corner Cafe,Eagle Air,Smith Family Trust",
		showUnmapped:  "Corner Cafe",
		showSuggested: "acme ltd,Cole & Sons,Delta Mfg",
		showAccepted:  "Eagle Air",
		showIgnored:   "Bright Dental,Smith Family Trust",
		showUnsaved:   "Bright Dental",
	} {
		m.filter.SetSelected(filter)
		if got := strings.Join(names(), ","); got != want {
			t.Errorf("filter %s shows %s, want %s", filter, got, want)
		}
	}
	m.filter.SetSelected(showAll)
	typeText(u, m.search, "DEL")
	if got := strings.Join(names(), ","); got != "Delta Mfg" {
		t.Errorf("search DEL shows %s", got)
	}
	m.search.SetText("aviation") // the HaloPSA name counts too
	if got := strings.Join(names(), ","); got != "Eagle Air" {
		t.Errorf("search aviation shows %s", got)
	}
}

func TestAcceptHigh(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u, m := mappingWindow(t, f)
	tap(u, m.acceptHigh)
	var ids []int64
	for _, d := range m.decisions() {
		ids = append(ids, d.LocalID)
	}
	if fmt.Sprint(ids) != "[1 2]" {
		t.Fatalf("accepted %v, want the exact and high suggestions [1 2]", ids)
	}
}

// uriReader is a file the open dialog returned.
type uriReader struct {
	io.Reader
	uri    fyne.URI
	closed bool
}

func (r *uriReader) Close() error  { r.closed = true; return nil }
func (r *uriReader) URI() fyne.URI { return r.uri }

func TestImportCSV(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u, m := mappingWindow(t, f)
	r := &uriReader{Reader: strings.NewReader("name\nA\nB\n"), uri: storage.NewFileURI("/tmp/book.csv")}
	ui(u, func() { m.importFrom(r) })
	u.work.wait()
	f.locked(func() {
		if len(f.bk.csv) != 1 || f.bk.csv[0] != "name\nA\nB\n" {
			t.Errorf("backend got %q", f.bk.csv)
		}
	})
	if !r.closed || !strings.Contains(m.message.Text, "Imported book.csv: 0 joined, 2 added, 0 to review") {
		t.Errorf("closed %v, message %q", r.closed, m.message.Text)
	}
}

func TestCreateFromHalo(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u, m := mappingWindow(t, f)
	ui(u, func() { m.onIgnore(0) })
	tap(u, m.fromHalo)
	tapDialogButton(t, u, "OK") // "save your mappings first"
	ui(u, func() { m.onUndo(0) })
	tap(u, m.fromHalo)
	tapDialogButton(t, u, "Yes")
	f.locked(func() {
		if len(f.created) != 1 || f.created[0] != nil {
			t.Errorf("CreateLocalFromUnmapped calls: %v", f.created)
		}
	})
	if !strings.Contains(m.message.Text, "Added 7 local clients") {
		t.Errorf("message %q", m.message.Text)
	}
}

func TestPickerDropsStaleAnswers(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows(), rank: []match.Scored{
		{HaloID: 1, Name: "Alpha"}, {HaloID: 2, Name: "Alder"}, {HaloID: 3, Name: "Beta"}}}
	u, m := mappingWindow(t, f)
	ui(u, func() { m.onChange(0) })
	u.work.wait()
	p := m.picker
	u.do(func() {
		for _, q := range []string{"b", "al", "ald"} { // answers arrive in any order
			p.load(q)
		}
	})
	u.work.wait()
	if len(p.results) != 1 || p.results[0].Name != "Alder" {
		t.Fatalf("results %+v, want the answer to the last query only", p.results)
	}
}
