package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// The Clients & Mapping tab's actions that call the backend: Save All
// Mappings, Bulk Map, import from CSV, and create local clients from
// HaloPSA's unmapped ones. Each runs off the Fyne goroutine with the tab's
// buttons disabled until it ends.

func (t *mappingTab) onImportCSV() {
	if t.busy || t.u.b == nil {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		t.importFrom(r)
	}, t.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".CSV"}))
	d.Show()
}

// importFrom adds the clients of a CSV file to the book, then closes it.
func (t *mappingTab) importFrom(r fyne.URIReadCloser) {
	b := t.u.b
	t.setBusy(true)
	t.u.goWork(func(ctx context.Context) {
		res, err := b.ImportClientsCSV(ctx, r)
		r.Close()
		t.u.do(func() {
			t.setBusy(false)
			if err != nil {
				t.setMessage("Nothing was imported from "+r.URI().Name()+": "+bookError(err), widget.DangerImportance)
				return
			}
			t.book.showImported(r.URI().Name(), res)
			t.reload()
		})
	})
}

func (t *mappingTab) onCreateFromHalo() {
	if t.busy || t.u.b == nil {
		return
	}
	if len(t.pending) > 0 {
		dialog.ShowInformation("Save your mappings first",
			"You have decisions that are not saved yet. Save All Mappings first, so that no HaloPSA client you just mapped gets a duplicate.", t.u.win)
		return
	}
	dialog.ShowConfirm("Add unmapped HaloPSA clients to your book?",
		"Every active HaloPSA client that no local client is mapped to gets a new local client, mapped to it.\n"+
			"Suggestions you have not accepted do not count as mapped: accept them first, or they get a duplicate.",
		func(ok bool) {
			if ok {
				t.createFromHalo()
			}
		}, t.u.win)
}

func (t *mappingTab) createFromHalo() {
	b := t.u.b
	t.setBusy(true)
	t.u.goWork(func(ctx context.Context) {
		n, err := b.CreateLocalFromUnmapped(ctx, nil)
		t.u.do(func() {
			t.setBusy(false)
			if err != nil {
				t.setMessage("No clients were added: "+plainError(err), widget.DangerImportance)
				return
			}
			t.setMessage(fmt.Sprintf("Added %d local clients from HaloPSA, each mapped to its HaloPSA client.", n), widget.SuccessImportance)
			t.reload()
		})
	})
}

// onSave saves every pending decision in one call (Save All Mappings).
func (t *mappingTab) onSave() { t.saveAll(nil) }

// saveAll saves every pending decision, queued after the draft writes
// before it, and calls then (when set) once they are saved.
func (t *mappingTab) saveAll(then func()) {
	if t.busy || len(t.pending) == 0 || t.u.b == nil {
		return
	}
	ds, b := t.decisions(), t.u.b
	saved := make(map[int64]pendingDecision, len(t.pending))
	for id, p := range t.pending {
		saved[id] = p
	}
	t.setBusy(true)
	t.setMessage(fmt.Sprintf("Saving %d decisions…", len(ds)), widget.MediumImportance)
	t.u.runSerial(&t.d.q, func(ctx context.Context) {
		sum, err := b.SaveMappings(ctx, ds)
		t.u.do(func() {
			t.setBusy(false)
			if err != nil {
				t.setMessage("Nothing was saved: "+plainError(err), widget.DangerImportance)
				return
			}
			for id, p := range saved {
				if cur, ok := t.pending[id]; ok && cur == p { // not changed again meanwhile
					delete(t.pending, id)
				}
			}
			t.setMessage(fmt.Sprintf("Saved: %d accepted, %d mapped by hand, %d ignored, %d unmapped. History… can undo it.",
				sum.Accepted, sum.Manual, sum.Ignored, sum.Unmapped), widget.SuccessImportance)
			t.reload()
			if then != nil {
				then()
			}
		})
	})
}

// onBulkMap asks the backend for suggestions, then shows them.
func (t *mappingTab) onBulkMap() {
	if t.busy || t.u.b == nil {
		return
	}
	b := t.u.b
	t.setBusy(true)
	t.setMessage("Matching your clients to HaloPSA's…", widget.MediumImportance)
	t.u.goWork(func(ctx context.Context) {
		res, err := b.BulkMap(ctx)
		t.u.do(func() {
			t.setBusy(false)
			if err != nil {
				t.setMessage("Bulk Map failed: "+plainError(err), widget.DangerImportance)
				return
			}
			switch {
			case res.Open == 0:
				t.setMessage("Every client is mapped or ignored already: Bulk Map has nothing to do.", widget.MediumImportance)
			case res.Suggested == 0 && res.Merges == 0:
				t.setMessage(fmt.Sprintf("Bulk Map found no likely HaloPSA client for the %d unmapped clients. "+
					"Use Change… to pick one by hand, or Ignore.", res.Open), widget.MediumImportance)
			default:
				t.setMessage(fmt.Sprintf("Bulk Map suggested a HaloPSA client for %d of %d unmapped clients. "+
					"Accept, change or ignore each, then Save All Mappings.", res.Suggested, res.Open)+mergesNote(res.Merges), widget.MediumImportance)
			}
			if res.Suggested > 0 {
				t.filter.SetSelected(showSuggested)
			}
			t.reload()
		})
	})
}
