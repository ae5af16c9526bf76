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

	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/store"
)

// pickerLimit is how many HaloPSA clients the picker lists.
const pickerLimit = 50

// picker is a searchable list of HaloPSA clients ranked by how well they
// match one local client; choosing one maps the local client to it.
type picker struct {
	u      *Window
	local  store.LocalClient
	mapped map[int64][]string // HaloPSA client -> local clients mapped to it
	onPick func(match.Scored)

	results  []match.Scored // owned by the Fyne goroutine
	selected int            // index into results, -1 for none
	seq      int

	search *widget.Entry
	list   *widget.List
	status *widget.Label
	pick   *widget.Button
	dlg    *dialog.CustomDialog
	deb    debouncer
}

// showPicker opens the picker for a local client; onPick gets the chosen
// HaloPSA client.
func showPicker(u *Window, local store.LocalClient, mapped map[int64][]string, onPick func(match.Scored)) *picker {
	p := &picker{u: u, local: local, mapped: mapped, onPick: onPick, selected: -1,
		deb: debouncer{delay: u.delay, do: u.do}}
	p.build()
	p.dlg.Show()
	u.win.Canvas().Focus(p.search)
	p.load("")
	return p
}

func (p *picker) build() {
	p.search = &widget.Entry{PlaceHolder: "Type part of a HaloPSA client's name"}
	p.search.OnChanged = func(s string) { p.deb.call(func() { p.load(s) }) }
	p.search.OnSubmitted = func(string) {
		if len(p.results) > 0 {
			p.choose(0)
		}
	}
	p.status = &widget.Label{Text: "Ranking HaloPSA clients…", Importance: widget.LowImportance}
	p.list = &widget.List{
		Length:     func() int { return len(p.results) },
		CreateItem: newPickerItem,
		UpdateItem: p.updateItem,
		OnSelected: func(id widget.ListItemID) {
			p.selected = id
			p.pick.Enable()
		},
	}
	p.list.ExtendBaseWidget(p.list)
	p.pick = &widget.Button{Text: "Map to this client", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance,
		OnTapped: func() { p.choose(p.selected) }}
	p.pick.Disable()
	cancel := &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: func() { p.dlg.Hide() }}
	head := &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: "Best matches for your client first. Search to find any other HaloPSA client."}
	content := container.NewBorder(container.NewVBox(head, p.search, p.status), nil, nil, nil, p.list)
	p.dlg = dialog.NewCustomWithoutButtons(fmt.Sprintf("Map “%s” to a HaloPSA client", p.local.Name), content, p.u.win)
	p.dlg.SetButtons([]fyne.CanvasObject{cancel, p.pick})
	p.dlg.Resize(fyne.NewSize(680, 560))
}

// load ranks HaloPSA clients for the query off the Fyne goroutine; the
// answer to an older query is dropped.
func (p *picker) load(query string) {
	p.seq++
	seq, b := p.seq, p.u.b
	query = strings.TrimSpace(query)
	p.u.goWork(func(ctx context.Context) {
		rs, err := b.RankHalo(ctx, p.local.ID, query, pickerLimit)
		p.u.do(func() {
			if seq != p.seq {
				return
			}
			if err != nil {
				p.status.SetText(plainError(err))
				return
			}
			p.results, p.selected = rs, -1
			p.pick.Disable()
			p.list.UnselectAll()
			p.list.Refresh()
			p.list.ScrollToTop()
			switch {
			case len(rs) == 0 && query != "":
				p.status.SetText("No HaloPSA client matches “" + query + "”.")
			case len(rs) == 0:
				p.status.SetText("No HaloPSA client looks like this one. Search by name to pick one anyway.")
			case len(rs) == 1:
				p.status.SetText("1 HaloPSA client")
			default:
				p.status.SetText(fmt.Sprintf("%d HaloPSA clients, best match first", len(rs)))
			}
		})
	})
}

// choose maps the local client to result i and closes the picker.
func (p *picker) choose(i int) {
	if i < 0 || i >= len(p.results) {
		return
	}
	p.dlg.Hide()
	p.onPick(p.results[i])
}

func newPickerItem() fyne.CanvasObject {
	name := &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis}
	why := &widget.Label{Importance: widget.LowImportance, Truncation: fyne.TextTruncateEllipsis}
	bar := newScoreBar()
	return container.NewBorder(nil, nil, container.NewCenter(container.NewGridWrap(fyne.NewSize(130, bar.MinSize().Height), bar)), nil,
		container.NewVBox(name, why))
}

func (p *picker) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(p.results) {
		return
	}
	s := p.results[id]
	c := o.(*fyne.Container)
	bar := c.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*scoreBar)
	lines := c.Objects[0].(*fyne.Container).Objects
	bar.set(s.Score, s.Band.String())
	lines[0].(*widget.Label).SetText(s.Name)
	why := s.Band.String()
	if s.Reason != "" {
		why += " · " + s.Reason
	}
	if others := p.mapped[s.HaloID]; len(others) > 0 {
		why += " · already mapped to " + strings.Join(others, ", ")
	}
	lines[1].(*widget.Label).SetText(why)
}
