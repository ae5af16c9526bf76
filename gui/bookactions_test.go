package gui

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/bookcsv"
	"github.com/brainstormmsp/halosync/engine/store"
)

// bookRows are sampleRows with a connect-first pair: the owner's
// "Northwind" (8), suggested for merging into "Northwind Traders Inc" (9),
// made from HaloPSA and mapped.
func bookRows() []app.MappingRow {
	return append(sampleRows(),
		app.MappingRow{Local: store.LocalClient{ID: 8, Ref: "CUST-8", Name: "Northwind"},
			Merge:     &store.MergeSuggestion{LocalID: 8, IntoID: 9, Score: 0.8, Confidence: "medium"},
			MergeName: "Northwind Traders Inc", Reason: "its best match, “Northwind Traders Inc” (0.80), is mapped to “Northwind Traders Inc”"},
		app.MappingRow{Local: store.LocalClient{ID: 9, Name: "Northwind Traders Inc", Origin: store.OriginHalo},
			State: store.MapAccepted, HaloID: 109, HaloName: "Northwind Traders Inc", Score: 1, Confidence: "exact"},
	)
}

// selectLocal selects the visible row of a local client, as a click would.
func selectLocal(t *testing.T, u *Window, m *mappingTab, id int64) int {
	t.Helper()
	for row, i := range m.view {
		if m.all[i].Local.ID == id {
			ui(u, func() { m.table.Select(widget.TableCellID{Row: row, Col: colLocal}) })
			return row
		}
	}
	t.Fatalf("local client %d is not shown", id)
	return -1
}

func rowIDs(m *mappingTab) []int64 {
	var ids []int64
	for _, i := range m.view {
		ids = append(ids, m.all[i].Local.ID)
	}
	return ids
}

// dialogText is every label's text in the dialog on top of the window.
func dialogText(u *Window) string {
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	if top := u.win.Canvas().Overlays().Top(); top != nil {
		walk(top)
	}
	return b.String()
}

func TestAddAndEditClient(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	u, m := mappingWindow(t, f)
	if !m.book.edit.Disabled() || !m.book.del.Disabled() {
		t.Fatal("row actions are enabled with no row selected")
	}
	tap(u, m.book.add)
	form := m.book.form
	ui(u, func() {
		form.name.SetText("Corner Café")
		form.ref.SetText("L340")
		form.domain.SetText("https://cornercafe.fr/")
	})
	tapDialogButton(t, u, "Save")
	f.locked(func() {
		if len(f.bk.added) != 1 || f.bk.added[0] != (store.LocalClient{Name: "Corner Café", Ref: "L340", Domain: "https://cornercafe.fr/"}) {
			t.Fatalf("added %+v", f.bk.added)
		}
	})
	if len(m.all) != 10 || !strings.Contains(m.message.Text, "Added “Corner Café”") {
		t.Fatalf("%d rows, message %q", len(m.all), m.message.Text)
	}

	selectLocal(t, u, m, 2)
	if m.book.edit.Disabled() || m.book.del.Disabled() || !m.book.unmap.Disabled() || !m.book.keepApart.Disabled() {
		t.Fatal("a suggested row: Edit and Delete, not Unmap nor Not the same")
	}
	tap(u, m.book.edit)
	if m.book.form.name.Text != "Bright Dental" {
		t.Fatalf("the edit form shows %q", m.book.form.name.Text)
	}
	ui(u, func() { m.book.form.name.SetText("Bright Dental Care"); m.book.form.ref.SetText("B-2") })
	tapDialogButton(t, u, "Save")
	f.locked(func() {
		if len(f.bk.updated) != 1 || f.bk.updated[0].ID != 2 || f.bk.updated[0].Name != "Bright Dental Care" || f.bk.updated[0].Ref != "B-2" {
			t.Fatalf("updated %+v", f.bk.updated)
		}
	})
	if got := cell(m, slices.Index(rowIDs(m), 2), colLocal).label.Text; got != "Bright Dental Care" {
		t.Fatalf("the row reads %q after the edit", got)
	}
}

func TestDeleteClientDropsItsDecision(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	u, m := mappingWindow(t, f)
	ui(u, func() { m.onIgnore(2) }) // Cole & Sons: a pending decision
	selectLocal(t, u, m, 3)
	tap(u, m.book.del)
	tapDialogButton(t, u, "Yes")
	f.locked(func() {
		if fmt.Sprint(f.bk.deleted) != "[3]" {
			t.Fatalf("deleted %v", f.bk.deleted)
		}
	})
	if slices.Contains(rowIDs(m), 3) || len(m.pending) != 0 || !m.save.Disabled() {
		t.Fatalf("rows %v, pending %v", rowIDs(m), m.pending)
	}
}

func TestMergeSuggestionMergesIntoHaloMadeClient(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	u, m := mappingWindow(t, f)
	row := selectLocal(t, u, m, 8)
	if got := cell(m, row, colStatus).label.Text; got != "Merge into “Northwind Traders Inc”?" {
		t.Fatalf("status %q", got)
	}
	if !strings.Contains(m.detail.Text, "looks like “Northwind Traders Inc”, made from HaloPSA") {
		t.Fatalf("detail %q", m.detail.Text)
	}
	if m.book.merge.Disabled() || m.book.keepApart.Disabled() {
		t.Fatal("Merge… and Not the same are disabled on a row with a merge suggestion")
	}
	tap(u, m.book.merge)
	md := m.book.merger
	if md.other != 9 || md.ok.Disabled() || len(md.results) != 8 || m.all[md.results[0]].Local.ID != 9 {
		t.Fatalf("merge dialog: other %d, %d results, ok disabled %v", md.other, len(md.results), md.ok.Disabled())
	}
	if !strings.Contains(md.note.Text, "“Northwind” stays. “Northwind Traders Inc” is deleted") {
		t.Fatalf("note %q", md.note.Text)
	}
	typeText(u, md.search, "eagle")
	if len(md.results) != 1 {
		t.Fatalf("search eagle: %d results", len(md.results))
	}
	typeText(u, md.search, "\b\b\b\b\b")
	tap(u, md.ok)
	u.work.wait()
	f.locked(func() {
		if fmt.Sprint(f.bk.merged) != "[[8 9]]" {
			t.Fatalf("merged %v", f.bk.merged)
		}
	})
	if slices.Contains(rowIDs(m), 9) || !strings.Contains(m.message.Text, "Merged “Northwind Traders Inc” into “Northwind”; its mapping moved") {
		t.Fatalf("rows %v, message %q", rowIDs(m), m.message.Text)
	}
	i, _ := m.indexOf(8)
	if m.all[i].State != store.MapAccepted || m.all[i].HaloID != 109 {
		t.Fatalf("kept row %+v", m.all[i])
	}
}

func TestMergeKeepTheOtherAndConflict(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	f.bk.mergeErr = fmt.Errorf("store: merge clients: %w", store.ErrMergeConflict)
	u, m := mappingWindow(t, f)
	selectLocal(t, u, m, 6)
	tap(u, m.book.merge)
	md := m.book.merger
	if !md.ok.Disabled() {
		t.Fatal("Merge is enabled before the other client is chosen")
	}
	ui(u, func() {
		md.list.Select(slices.IndexFunc(md.results, func(i int) bool { return m.all[i].Local.ID == 9 }))
		md.keep.SetSelected(keepOther)
	})
	tap(u, md.ok)
	u.work.wait()
	f.locked(func() {
		if fmt.Sprint(f.bk.merged) != "[[9 6]]" {
			t.Fatalf("merged %v: keep the other, merge this one away", f.bk.merged)
		}
	})
	if m.message.Importance != widget.DangerImportance || !strings.Contains(m.message.Text, "Unmap one of them first") {
		t.Fatalf("message %q", m.message.Text)
	}
}

func TestKeepApart(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	u, m := mappingWindow(t, f)
	selectLocal(t, u, m, 8)
	tap(u, m.book.keepApart)
	u.work.wait()
	f.locked(func() {
		if fmt.Sprint(f.bk.dismissed) != "[8]" {
			t.Fatalf("dismissed %v", f.bk.dismissed)
		}
	})
	if got := cell(m, slices.Index(rowIDs(m), 8), colStatus).label.Text; got != "Unmapped" {
		t.Fatalf("status after Not the same: %q", got)
	}
}

func TestUnmapSavedMapping(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	u, m := mappingWindow(t, f)
	row := selectLocal(t, u, m, 6) // Eagle Air, accepted
	if m.book.unmap.Disabled() {
		t.Fatal("Unmap is disabled on an accepted row")
	}
	tap(u, m.book.unmap)
	if got := cell(m, row, colStatus).label.Text; got != "Unsaved: unmap" || !m.book.unmap.Disabled() {
		t.Fatalf("status %q", got)
	}
	tap(u, m.save)
	u.work.wait()
	f.locked(func() {
		if len(f.saved) != 1 || fmt.Sprint(f.saved[0]) != fmt.Sprint([]store.Decision{{LocalID: 6, Action: store.Unmap}}) {
			t.Fatalf("saved %+v", f.saved)
		}
	})
	if got := cell(m, slices.Index(rowIDs(m), 6), colStatus).label.Text; got != "Unmapped" {
		t.Fatalf("after saving: %q", got)
	}
}

func TestConfidenceFilter(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	u, m := mappingWindow(t, f)
	for conf, want := range map[string]string{
		"exact":       "[1 9]",
		"high":        "[2 6]",
		"medium":      "[3 4]",
		"low":         "[]",
		"none":        "[5 7 8]",
		anyConfidence: "[1 2 3 4 5 6 7 8 9]",
	} {
		ui(u, func() { m.confFilter.SetSelected(conf) })
		if got := fmt.Sprint(rowIDs(m)); got != want {
			t.Errorf("%s shows %s, want %s", conf, got, want)
		}
	}
	// A decision not saved yet counts with the band it leads to.
	ui(u, func() {
		m.confFilter.SetSelected("low")
		m.decide(3, pendingDecision{haloName: "Delta Manufacturing Ltd", Decision: store.Decision{LocalID: 4, Action: store.Accept,
			HaloID: 204, Score: 0.7, Confidence: "low"}})
		m.applyFilter()
	})
	if got := fmt.Sprint(rowIDs(m)); got != "[4]" {
		t.Errorf("low after changing Delta Mfg: %s", got)
	}
}

// uriWriter is a file the save dialog returned.
type uriWriter struct {
	bytes.Buffer
	uri    fyne.URI
	closed bool
}

func (w *uriWriter) Close() error  { w.closed = true; return nil }
func (w *uriWriter) URI() fyne.URI { return w.uri }

func TestExportBook(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	u, m := mappingWindow(t, f)
	w := &uriWriter{uri: storage.NewFileURI("/tmp/clients.csv")}
	ui(u, func() { m.book.exportTo(w) })
	u.work.wait()
	if !w.closed || !strings.Contains(w.String(), "CUST-8,Northwind\n") || !strings.Contains(m.message.Text, "to clients.csv") {
		t.Fatalf("closed %v, wrote %q, message %q", w.closed, w.String(), m.message.Text)
	}
}

func TestImportSaysWhatItDid(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	f.bk.importRes = &app.ImportResult{Joined: 12, Added: 3, Review: 2, Unchanged: 1, Encoding: "Windows-1252",
		Duplicates: []bookcsv.Duplicate{{Line: 7, First: 3, Key: `id "L340"`}}}
	u, m := mappingWindow(t, f)
	r := &uriReader{Reader: strings.NewReader("id,name\n"), uri: storage.NewFileURI("/tmp/book.csv")}
	ui(u, func() { m.importFrom(r) })
	u.work.wait()
	if !strings.Contains(m.message.Text, "Imported book.csv: 12 joined, 3 added, 2 to review.") {
		t.Fatalf("message %q", m.message.Text)
	}
	text := dialogText(u)
	for _, want := range []string{"12 joined, 3 added, 2 to review", "Merge into …?", `Left out: line 7 repeats line 3 (id "L340").`, "Windows-1252"} {
		if !strings.Contains(text, want) {
			t.Errorf("the dialog lacks %q:\n%s", want, text)
		}
	}
	tapDialogButton(t, u, "OK")
}

func TestBulkMapTellsOfMerges(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows(), bulkRes: app.BulkMapResult{Open: 3, Merges: 1}}
	u, m := mappingWindow(t, f)
	tap(u, m.bulk)
	u.work.wait()
	if !strings.Contains(m.message.Text, "0 of 3") || !strings.Contains(m.message.Text, "1 more look like clients made from HaloPSA") {
		t.Fatalf("message %q", m.message.Text)
	}
}

func TestImportRefusedNamesTheLine(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: bookRows()}
	f.bk.importErr = &bookcsv.LineError{Line: 3, Err: errors.New("a quoted value starts here and its closing quote is missing")}
	u, m := mappingWindow(t, f)
	r := &uriReader{Reader: strings.NewReader("id,name\n"), uri: storage.NewFileURI("/tmp/book.csv")}
	ui(u, func() { m.importFrom(r) })
	u.work.wait()
	want := "Nothing was imported from book.csv: line 3: a quoted value starts here and its closing quote is missing. Fix that line"
	if m.message.Importance != widget.DangerImportance || !strings.HasPrefix(m.message.Text, want) {
		t.Fatalf("message %q", m.message.Text)
	}
}
