package gui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/engine/store"
)

// historyLimit is how many saves the history dialog shows.
const historyLimit = 50

// historyDialog shows the mapping history: every save with who made it,
// when, and each decision's mapping before and after, with Undo last save,
// Undo this save and Undo this decision. An undo is recorded too, so it can
// be undone in turn; an undo that would overwrite a newer change is refused
// and says which. Its fields are owned by the Fyne goroutine.
type historyDialog struct {
	t          *mappingTab
	dlg        dialog.Dialog
	undoLast   *widget.Button
	message    *widget.Label
	list       *fyne.Container
	batches    []store.Batch
	undoBatch  map[int64]*widget.Button // by batch id
	undoChange map[int64]*widget.Button // by change id
	busy       bool
	seq        int
}

// onHistory opens the history dialog.
func (t *mappingTab) onHistory() {
	if t.u.b == nil {
		return
	}
	h := &historyDialog{t: t}
	h.build()
	t.history = h
	h.dlg.Show()
	h.load()
}

func (h *historyDialog) build() {
	h.undoLast = &widget.Button{Text: "Undo last save", Icon: theme.ContentUndoIcon(), OnTapped: h.onUndoLast}
	h.undoLast.Disable()
	h.message = &widget.Label{Wrapping: fyne.TextWrapWord, Text: "Loading the history…", Importance: widget.LowImportance}
	h.list = container.NewVBox()
	head := container.NewBorder(nil, nil, nil, h.undoLast, &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: "Every Save All Mappings, newest first: who saved, when, and each client's mapping before → after. " +
			"An undo is saved here too, so it can be undone."})
	content := container.NewBorder(container.NewVBox(head, h.message), nil, nil, nil, container.NewVScroll(h.list))
	h.dlg = dialog.NewCustom("Mapping history", "Close", content, h.t.u.win)
	h.dlg.Resize(fyne.NewSize(900, 600))
}

// load reads the history off the Fyne goroutine and shows it.
func (h *historyDialog) load() {
	h.seq++
	seq, b := h.seq, h.t.u.b
	h.t.u.goWork(func(ctx context.Context) {
		bs, err := b.History(ctx, historyLimit)
		h.t.u.do(func() {
			if seq != h.seq {
				return
			}
			if err != nil {
				h.setMessage("The history could not be read. "+plainError(err), widget.DangerImportance)
				return
			}
			h.show(bs)
		})
	})
}

// show rebuilds the list from the batches.
func (h *historyDialog) show(bs []store.Batch) {
	h.batches = bs
	h.undoBatch, h.undoChange = map[int64]*widget.Button{}, map[int64]*widget.Button{}
	h.list.RemoveAll()
	canUndo := false
	for _, b := range bs {
		canUndo = canUndo || (b.Kind == store.BatchSave && !b.Undone())
		h.list.Add(h.batchBlock(b))
	}
	if len(bs) == 0 {
		h.list.Add(&widget.Label{Text: "Nothing has been saved yet.", Importance: widget.LowImportance})
	}
	if h.message.Importance == widget.LowImportance {
		h.setMessage("", widget.LowImportance)
	}
	enable(h.undoLast, canUndo && !h.busy)
}

func (h *historyDialog) batchBlock(b store.Batch) fyne.CanvasObject {
	what := fmt.Sprintf("saved %s", plural(len(b.Changes), "decision"))
	undo := "Undo this save"
	if b.Kind == store.BatchUndo {
		what, undo = "undid "+b.Undoes, "Undo this undo"
	}
	title := fmt.Sprintf("Batch %d · %s · %s %s", b.ID, when(b.At), orUnknown(b.Actor), what)
	if b.Undone() {
		title += " · undone"
	}
	btn := &widget.Button{Text: undo, Importance: widget.LowImportance, OnTapped: func() { h.run("batch", b.ID) }}
	enable(btn, !b.Undone() && !h.busy)
	h.undoBatch[b.ID] = btn
	box := container.NewVBox(container.NewBorder(nil, nil, nil, btn, &widget.Label{Text: title, TextStyle: fyne.TextStyle{Bold: true}}))
	for _, c := range b.Changes {
		text := fmt.Sprintf("%s: %s → %s", c.LocalName, sideWords(c.Before), sideWords(c.After))
		imp := widget.MediumImportance
		if c.UndoneBy != 0 {
			text += fmt.Sprintf(" (undone by batch %d)", c.UndoneBy)
			imp = widget.LowImportance
		}
		cb := &widget.Button{Text: "Undo this decision", Importance: widget.LowImportance, OnTapped: func() { h.run("decision", c.ID) }}
		enable(cb, c.UndoneBy == 0 && !h.busy)
		h.undoChange[c.ID] = cb
		box.Add(container.NewBorder(nil, nil, widget.NewLabel("   "), cb,
			&widget.Label{Text: text, Importance: imp, Wrapping: fyne.TextWrapWord}))
	}
	box.Add(widget.NewSeparator())
	return box
}

// sideWords says a mapping as the history shows it.
func sideWords(s store.MappingSide) string {
	switch s.State {
	case store.MapOpen:
		return "unmapped"
	case store.MapIgnored:
		return "ignored"
	}
	return fmt.Sprintf("%s “%s”", strings.ToLower(stateText(s.State)), s.HaloName)
}

func orUnknown(s string) string {
	if s == "" {
		return "someone"
	}
	return s
}

func (h *historyDialog) onUndoLast() { h.run("last", 0) }

// run undoes the last save, a batch or a decision off the Fyne goroutine,
// then shows the history and the mappings again.
func (h *historyDialog) run(what string, id int64) {
	if h.busy {
		return
	}
	b := h.t.u.b
	h.busy = true
	h.show(h.batches) // every undo button off while one runs
	h.setMessage("Undoing…", widget.MediumImportance)
	h.t.u.goWork(func(ctx context.Context) {
		var (
			res store.Batch
			err error
		)
		switch what {
		case "batch":
			res, err = b.UndoBatch(ctx, id)
		case "decision":
			res, err = b.UndoDecision(ctx, id)
		default:
			res, err = b.UndoLastSave(ctx)
		}
		h.t.u.do(func() {
			h.busy = false
			switch {
			case errors.Is(err, store.ErrNothingToUndo):
				h.setMessage("There is no saved change left to undo.", widget.MediumImportance)
			case err != nil:
				h.setMessage("Nothing was undone: "+undoError(err), widget.DangerImportance)
			default:
				h.setMessage(fmt.Sprintf("Undid %s: %s put back as before (saved as batch %d, which can be undone too).",
					res.Undoes, plural(len(res.Changes), "mapping"), res.ID), widget.SuccessImportance)
			}
			h.load()
			h.t.reload()
		})
	})
}

// undoError says why an undo was refused: the store's words name the
// client and what to do, which is what the user needs.
func undoError(err error) string {
	if errors.Is(err, store.ErrChangedSince) || errors.Is(err, store.ErrAlreadyUndone) || errors.Is(err, store.ErrNotFound) {
		msg := strings.TrimPrefix(err.Error(), "store: undo: ")
		return strings.ToUpper(msg[:1]) + msg[1:] + "."
	}
	return plainError(err)
}

func (h *historyDialog) setMessage(text string, imp widget.Importance) {
	h.message.Text, h.message.Importance = text, imp
	h.message.Refresh()
}
