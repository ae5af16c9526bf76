package gui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

func sampleHistory() []store.Batch {
	at := time.Now().Add(-time.Hour)
	return []store.Batch{
		{ID: 2, At: at, Actor: "alice", Kind: store.BatchSave, Changes: []store.Change{
			{ID: 3, BatchID: 2, LocalName: "Cole & Sons", Before: store.MappingSide{State: store.MapSuggested, HaloID: 103, HaloName: "Cole and Sons Plumbing"},
				After: store.MappingSide{State: store.MapIgnored}},
		}},
		{ID: 1, At: at.Add(-time.Hour), Actor: "alice", Kind: store.BatchSave, Changes: []store.Change{
			{ID: 1, BatchID: 1, LocalName: "acme ltd", Before: store.MappingSide{State: store.MapSuggested, HaloID: 101, HaloName: "Acme Limited"},
				After: store.MappingSide{State: store.MapAccepted, HaloID: 101, HaloName: "Acme Limited"}},
			{ID: 2, BatchID: 1, LocalName: "Eagle Air", Before: store.MappingSide{State: store.MapOpen},
				After: store.MappingSide{State: store.MapManual, HaloID: 106, HaloName: "Eagle Aviation"}, UndoneBy: 9},
		}},
	}
}

// labels collects the text of every label under o.
func labels(o fyne.CanvasObject) []string {
	switch x := o.(type) {
	case *widget.Label:
		return []string{x.Text}
	case *fyne.Container:
		var out []string
		for _, c := range x.Objects {
			out = append(out, labels(c)...)
		}
		return out
	case fyne.Widget:
		var out []string
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, labels(c)...)
		}
		return out
	}
	return nil
}

func TestHistoryDialogUndo(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	f.fh.batches = sampleHistory()
	u, m := mappingWindow(t, f)
	tap(u, m.historyBtn)
	u.work.wait()
	h := m.history
	if h == nil || len(h.batches) != 2 || h.undoLast.Disabled() {
		t.Fatalf("history dialog: %+v", h)
	}
	text := strings.Join(labels(h.list), "\n")
	for _, want := range []string{"Batch 2 · ", "alice saved 1 decision", "Batch 1", "acme ltd: suggested “Acme Limited” → accepted “Acme Limited”",
		"Eagle Air: unmapped → mapped by hand “Eagle Aviation” (undone by batch 9)", "Cole & Sons: suggested “Cole and Sons Plumbing” → ignored"} {
		if !strings.Contains(text, want) {
			t.Errorf("the history does not say %q:\n%s", want, text)
		}
	}
	if !h.undoChange[2].Disabled() || h.undoChange[1].Disabled() {
		t.Error("Undo this decision is offered for an undone decision, or not for a standing one")
	}

	tap(u, h.undoLast)
	u.work.wait()
	tap(u, h.undoChange[1])
	u.work.wait()
	f.locked(func() {
		if fmt.Sprint(f.fh.undos) != "[last decision 1]" {
			t.Errorf("undos = %v", f.fh.undos)
		}
	})
	if h.message.Importance != widget.SuccessImportance || !strings.Contains(h.message.Text, "Undid decision 1") {
		t.Errorf("message %q", h.message.Text)
	}
	if len(h.batches) != 4 {
		t.Errorf("the dialog did not reload the history: %d batches", len(h.batches))
	}

	// A refused undo says why, naming the client, and changes nothing.
	f.locked(func() {
		f.fh.undoErr = fmt.Errorf("store: undo: %q was %w (decision 7, saved in batch 5); undo that change first", "acme ltd", store.ErrChangedSince)
	})
	tap(u, h.undoBatch[1])
	u.work.wait()
	if !strings.Contains(h.message.Text, "Nothing was undone: \"acme ltd\" was changed after that save") ||
		!strings.Contains(h.message.Text, "undo that change first") {
		t.Errorf("refusal says %q", h.message.Text)
	}
}

// Rows whose HaloPSA client changed show under Needs review; Accept
// confirms them (a decision like any other); a gone client cannot be
// confirmed, only changed.
func TestNeedsReview(t *testing.T) {
	rows := sampleRows()
	rows[5].Review = store.Review{Reason: store.ReviewRenamed, OldName: "Eagle Aviation", NewName: "Eagle Aviation Group"}
	rows = append(rows, app.MappingRow{Local: local(8, "Fox Ltd"), State: store.MapManual, HaloID: 108, HaloName: "Fox Ltd",
		Review: store.Review{Reason: store.ReviewDeleted, OldName: "Fox Ltd"}})
	f := &fakeBackend{status: connectedStatus(), rows: rows}
	u, m := mappingWindow(t, f)
	if !strings.Contains(m.summary.Text, "2 need review") {
		t.Errorf("summary %q", m.summary.Text)
	}
	ui(u, func() { m.filter.SetSelected(showReview) })
	if len(m.view) != 2 {
		t.Fatalf("Needs review shows %d rows", len(m.view))
	}
	if got := cell(m, 0, colStatus).label.Text; got != "Needs review: renamed" {
		t.Errorf("status %q", got)
	}
	if !cell(m, 1, colActions).accept.Disabled() {
		t.Error("Accept is offered for a mapping to a deleted client")
	}
	ui(u, func() { m.showDetail(m.view[0]) })
	if !strings.Contains(m.detail.Text, `renamed to "Eagle Aviation Group"`) {
		t.Errorf("detail %q", m.detail.Text)
	}
	tap(u, cell(m, 0, colActions).accept)
	u.work.wait()
	if got := cell(m, 0, colStatus).label.Text; got != "Unsaved: confirm" {
		t.Errorf("after Accept the row reads %q", got)
	}
	if d := f.draftsNow(); d[6].Action != store.Accept || d[6].HaloID != 106 {
		t.Errorf("the confirmation is not a draft: %+v", d)
	}
}

// The import's review row raises a notification; the MappingChanged that
// follows the import reloads the mapping.
func TestReviewEventNotifies(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), rows: sampleRows()}
	u, m := mappingWindow(t, f)
	f.locked(func() { f.rows[0].Review = store.Review{Reason: store.ReviewInactive, OldName: "Acme Limited"} })
	e := store.LogEntry{ID: 5, Level: store.Warn, Operation: store.OpMappingReview, Message: `1 mapping(s) need review: "Acme Limited" made inactive in HaloPSA`}
	test.AssertNotificationSent(t, &fyne.Notification{Title: "HaloSync: mappings to review",
		Content: e.Message + " Open Clients & Mapping and filter Needs review."}, func() {
		f.emit(app.Event{Log: &e})
	})
	f.emit(app.Event{MappingChanged: &app.MappingChange{Cause: app.MappingImported}})
	u.work.wait()
	if m.all[0].Review.Reason != store.ReviewInactive {
		t.Error("the mapping tab did not reload")
	}
}
