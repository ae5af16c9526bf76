package gui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/engine/store"
)

// The merge dialog's choices of which client stays.
const (
	keepThis  = "Keep this one"
	keepOther = "Keep the other"
)

// mergeDialog merges the selected local client with another one: the user
// picks the other from the book (the suggested one first) and which of the
// two stays. It searches the rows the tab holds, so it needs no backend
// until Merge.
type mergeDialog struct {
	b     *bookActions
	this  store.LocalClient
	other int64 // the chosen client; 0 for none

	results []int // indexes into the tab's rows, owned by the Fyne goroutine

	search *widget.Entry
	list   *widget.List
	keep   *widget.RadioGroup
	note   *widget.Label
	ok     *widget.Button
	dlg    *dialog.CustomDialog
}

func (b *bookActions) onMerge() {
	i, ok := b.current()
	if !ok {
		return
	}
	r := b.t.all[i]
	m := &mergeDialog{b: b, this: r.Local}
	if r.Merge != nil {
		m.other = r.Merge.IntoID
	}
	m.build()
	m.filter("")
	m.dlg.Show()
	b.merger = m
}

func (m *mergeDialog) build() {
	m.search = &widget.Entry{PlaceHolder: "Type part of the other client's name"}
	m.search.ExtendBaseWidget(m.search)
	m.search.OnChanged = m.filter
	m.list = &widget.List{
		Length: func() int { return len(m.results) },
		CreateItem: func() fyne.CanvasObject {
			return &widget.Label{Truncation: fyne.TextTruncateEllipsis}
		},
		UpdateItem: func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(m.results) {
				o.(*widget.Label).SetText(m.describe(m.results[id]))
			}
		},
		OnSelected: func(id widget.ListItemID) {
			if id < len(m.results) {
				m.other = m.b.t.all[m.results[id]].Local.ID
				m.changed()
			}
		},
	}
	m.list.ExtendBaseWidget(m.list)
	m.keep = &widget.RadioGroup{Options: []string{keepThis, keepOther}, Horizontal: true, Required: true,
		OnChanged: func(string) { m.changed() }}
	m.keep.ExtendBaseWidget(m.keep)
	m.keep.SetSelected(keepThis)
	m.note = &widget.Label{Wrapping: fyne.TextWrapWord}
	m.ok = &widget.Button{Text: "Merge", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: m.onOK}
	cancel := &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: func() { m.dlg.Hide() }}
	head := &widget.Label{Wrapping: fyne.TextWrapWord, Text: "Pick the client that is the same as this one. " +
		"The client you keep keeps its name; the other's mapping, tickets and id move to it, and the other is deleted."}
	bottom := container.NewVBox(m.keep, m.note)
	content := container.NewBorder(container.NewVBox(head, m.search), bottom, nil, nil, m.list)
	m.dlg = dialog.NewCustomWithoutButtons("Merge “"+m.this.Name+"” with another client", content, m.b.t.u.win)
	m.dlg.SetButtons([]fyne.CanvasObject{cancel, m.ok})
	m.dlg.Resize(fyne.NewSize(620, 520))
	m.changed()
}

// describe is how the list shows row i: its name and what it is.
func (m *mergeDialog) describe(i int) string {
	r := &m.b.t.all[i]
	s := r.Local.Name
	if r.Local.Ref != "" {
		s += " [" + r.Local.Ref + "]"
	}
	if r.Local.Origin == store.OriginHalo {
		s += " · made from HaloPSA"
	}
	if r.HaloName != "" && r.State != store.MapSuggested {
		s += " · mapped to " + r.HaloName
	}
	if r.Local.ID == m.other {
		s = "✓ " + s
	}
	return s
}

// filter lists the other clients whose name or id contains the query, the
// chosen one first.
func (m *mergeDialog) filter(query string) {
	q := strings.ToLower(strings.TrimSpace(query))
	m.results = m.results[:0]
	chosen := -1
	for i := range m.b.t.all {
		l := &m.b.t.all[i].Local
		if l.ID == m.this.ID || (q != "" && !strings.Contains(strings.ToLower(l.Name+"\x00"+l.Ref), q)) {
			continue
		}
		if l.ID == m.other {
			chosen = len(m.results)
		}
		m.results = append(m.results, i)
	}
	if chosen > 0 {
		c := m.results[chosen]
		copy(m.results[1:chosen+1], m.results[:chosen])
		m.results[0] = c
	}
	m.list.UnselectAll()
	m.list.Refresh()
}

// changed says what Merge will do and enables it once a client is chosen.
func (m *mergeDialog) changed() {
	if m.ok == nil {
		return // still building
	}
	j, ok := m.b.t.indexOf(m.other)
	if !ok {
		m.other = 0
		m.note.SetText("Choose the other client above.")
		m.ok.Disable()
		return
	}
	keep, gone := m.this.Name, m.b.t.all[j].Local.Name
	if m.keep.Selected == keepOther {
		keep, gone = gone, keep
	}
	m.note.SetText(fmt.Sprintf("“%s” stays. “%s” is deleted; its mapping (unless “%s” has one), tickets and id move to “%s”.",
		keep, gone, keep, keep))
	m.ok.Enable()
	m.list.Refresh()
}

// onOK merges off the Fyne goroutine, then reloads the tab.
func (m *mergeDialog) onOK() {
	if m.other == 0 {
		return
	}
	keep, other := m.this.ID, m.other
	if m.keep.Selected == keepOther {
		keep, other = other, keep
	}
	t := m.b.t
	if _, ok := t.pending[other]; ok {
		dialog.ShowInformation("Save your mappings first",
			"The client to merge away has a decision that is not saved yet. Save All Mappings or undo it first.", t.u.win)
		return
	}
	m.dlg.Hide()
	be := t.u.b
	t.setBusy(true)
	t.u.goWork(func(ctx context.Context) {
		res, err := be.MergeLocalClients(ctx, keep, other)
		t.u.do(func() {
			t.setBusy(false)
			if err != nil {
				t.setMessage("The clients were not merged: "+bookError(err), widget.DangerImportance)
				return
			}
			delete(t.pending, other)
			msg := fmt.Sprintf("Merged “%s” into “%s”", res.OtherName, res.Kept.Name)
			if res.MovedMapping {
				msg += "; its mapping moved"
			}
			if res.MovedTickets > 0 {
				msg += fmt.Sprintf("; %d tickets moved", res.MovedTickets)
			}
			t.setMessage(msg+".", widget.SuccessImportance)
			t.reload()
		})
	})
}
