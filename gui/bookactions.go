package gui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/bookcsv"
	"github.com/brainstormmsp/halosync/engine/store"
)

// bookActions are the Clients & Mapping tab's actions on the client book
// itself: add, edit, delete and merge local clients, unmap a saved
// mapping, keep a suggested merge apart, and export the book. The row
// actions work on the selected row. Like the tab's other actions, each
// backend call runs off the Fyne goroutine with the buttons disabled.
type bookActions struct {
	t        *mappingTab
	selected int64 // the local client of the selected row; 0 for none

	add, exportCSV                     *widget.Button
	edit, merge, keepApart, unmap, del *widget.Button
	rowBar                             *fyne.Container

	form   *clientForm  // the add or edit form last opened
	merger *mergeDialog // the merge dialog last opened
}

func newBookActions(t *mappingTab) *bookActions {
	b := &bookActions{t: t}
	b.add = &widget.Button{Text: "Add client…", Icon: theme.ContentAddIcon(), OnTapped: b.onAdd}
	b.exportCSV = &widget.Button{Text: "Export CSV…", Icon: theme.DocumentSaveIcon(), OnTapped: b.onExport}
	b.edit = &widget.Button{Text: "Edit…", Icon: theme.DocumentCreateIcon(), Importance: widget.LowImportance, OnTapped: b.onEdit}
	b.merge = &widget.Button{Text: "Merge…", Icon: theme.ContentPasteIcon(), Importance: widget.LowImportance, OnTapped: b.onMerge}
	b.keepApart = &widget.Button{Text: "Not the same", Icon: theme.CancelIcon(), Importance: widget.LowImportance, OnTapped: b.onKeepApart}
	b.unmap = &widget.Button{Text: "Unmap", Icon: theme.ContentClearIcon(), Importance: widget.LowImportance, OnTapped: b.onUnmap}
	b.del = &widget.Button{Text: "Delete…", Icon: theme.DeleteIcon(), Importance: widget.LowImportance, OnTapped: b.onDelete}
	b.rowBar = container.NewHBox(&widget.Label{Text: "Selected client:", Importance: widget.LowImportance},
		b.edit, b.merge, b.keepApart, b.unmap, b.del)
	return b
}

// selectRow makes row i (an index into the tab's rows) the one the row
// actions work on; -1 for none.
func (b *bookActions) selectRow(i int) {
	b.selected = 0
	if i >= 0 && i < len(b.t.all) {
		b.selected = b.t.all[i].Local.ID
	}
	b.updateButtons()
}

// current is the selected row's index, if it is still there.
func (b *bookActions) current() (int, bool) {
	if b.selected == 0 {
		return 0, false
	}
	return b.t.indexOf(b.selected)
}

func (b *bookActions) updateButtons() {
	idle := !b.t.busy && b.t.u.b != nil
	enable(b.add, idle)
	enable(b.exportCSV, idle)
	i, ok := b.current()
	ok = ok && idle
	var r *app.MappingRow
	pending := false
	if ok {
		r = &b.t.all[i]
		_, pending = b.t.pending[r.Local.ID]
	}
	enable(b.edit, ok)
	enable(b.del, ok)
	enable(b.merge, ok && !pending)
	enable(b.keepApart, ok && !pending && r.Merge != nil)
	enable(b.unmap, ok && !pending && (r.State.Decided()))
}

func (b *bookActions) onAdd() {
	b.form = showClientForm(b.t.u, "Add a client to your book", store.LocalClient{}, func(c store.LocalClient) {
		b.save(c, true)
	})
}

func (b *bookActions) onEdit() {
	i, ok := b.current()
	if !ok {
		return
	}
	b.form = showClientForm(b.t.u, "Edit “"+b.t.all[i].Local.Name+"”", b.t.all[i].Local, func(c store.LocalClient) {
		b.save(c, false)
	})
}

// save adds or changes a client off the Fyne goroutine, then reloads.
func (b *bookActions) save(c store.LocalClient, isNew bool) {
	t, be := b.t, b.t.u.b
	t.setBusy(true)
	t.u.goWork(func(ctx context.Context) {
		var err error
		if isNew {
			_, err = be.AddLocalClient(ctx, c)
		} else {
			err = be.UpdateLocalClient(ctx, c)
		}
		t.u.do(func() {
			t.setBusy(false)
			if err != nil {
				t.setMessage("“"+c.Name+"” was not saved: "+bookError(err), widget.DangerImportance)
				return
			}
			if isNew {
				t.setMessage("Added “"+c.Name+"” to your book. Bulk Map matches it to HaloPSA.", widget.SuccessImportance)
			} else {
				t.setMessage("Saved “"+c.Name+"”.", widget.SuccessImportance)
			}
			t.reload()
		})
	})
}

func (b *bookActions) onDelete() {
	i, ok := b.current()
	if !ok {
		return
	}
	l := b.t.all[i].Local
	dialog.ShowConfirm("Delete “"+l.Name+"”?",
		"It leaves your client book, with its mapping. Its tickets stay, without a client.\nTo join it to another client instead, use Merge….",
		func(yes bool) {
			if yes {
				b.run("delete", l, func(ctx context.Context) (string, error) {
					return "Deleted “" + l.Name + "”.", b.t.u.b.DeleteLocalClient(ctx, l.ID)
				})
			}
		}, b.t.u.win)
}

func (b *bookActions) onKeepApart() {
	i, ok := b.current()
	if !ok || b.t.all[i].Merge == nil {
		return
	}
	r := b.t.all[i]
	b.run("keep apart", r.Local, func(ctx context.Context) (string, error) {
		return "“" + r.Local.Name + "” and “" + r.MergeName + "” stay apart.", b.t.u.b.DismissMerge(ctx, r.Local.ID)
	})
}

// run calls the backend for one client off the Fyne goroutine, shows the
// outcome and reloads; a decision pending for a deleted client goes too.
func (b *bookActions) run(what string, l store.LocalClient, call func(context.Context) (string, error)) {
	t := b.t
	t.setBusy(true)
	t.u.goWork(func(ctx context.Context) {
		msg, err := call(ctx)
		t.u.do(func() {
			t.setBusy(false)
			if err != nil {
				t.setMessage(fmt.Sprintf("Could not %s “%s”: %s", what, l.Name, bookError(err)), widget.DangerImportance)
				return
			}
			if what == "delete" {
				delete(t.pending, l.ID)
			}
			t.setMessage(msg, widget.SuccessImportance)
			t.reload()
		})
	})
}

// onUnmap forgets the selected row's saved mapping, as a decision that
// Save All Mappings saves with the others.
func (b *bookActions) onUnmap() {
	i, ok := b.current()
	if !ok || !b.t.all[i].State.Decided() {
		return
	}
	r := b.t.all[i]
	b.t.decide(i, pendingDecision{Decision: store.Decision{LocalID: r.Local.ID, Action: store.Unmap}})
	b.t.setMessage("“"+r.Local.Name+"” will be unmapped when you Save All Mappings.", widget.MediumImportance)
}

func (b *bookActions) onExport() {
	if b.t.busy || b.t.u.b == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		b.exportTo(w)
	}, b.t.u.win)
	d.SetFileName("clients.csv")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".CSV"}))
	d.Show()
}

// exportTo writes the book to w off the Fyne goroutine, then closes it.
func (b *bookActions) exportTo(w fyne.URIWriteCloser) {
	t, be := b.t, b.t.u.b
	t.setBusy(true)
	t.u.goWork(func(ctx context.Context) {
		err := be.ExportClientsCSV(ctx, w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		t.u.do(func() {
			t.setBusy(false)
			if err != nil {
				t.setMessage("The book was not exported to "+w.URI().Name()+": "+plainError(err), widget.DangerImportance)
				return
			}
			t.setMessage("Exported your client book, with your ids, to "+w.URI().Name()+".", widget.SuccessImportance)
		})
	})
}

// showImported says what an import did, in the message line and a dialog.
func (b *bookActions) showImported(name string, res app.ImportResult) {
	head := fmt.Sprintf("Imported %s: %d joined, %d added, %d to review.", name, res.Joined, res.Added, res.Review)
	b.t.setMessage(head+" Run Bulk Map to match the added ones to HaloPSA.", widget.SuccessImportance)
	var more []string
	if res.Joined > 0 {
		more = append(more, "Joined rows took over the clients made from HaloPSA that they match, which keep their mappings.")
	}
	if res.Review > 0 {
		more = append(more, "Rows to review look like a client made from HaloPSA: they read “Merge into …?”. "+
			"Select one, then Merge… or Not the same.")
	}
	if n := res.Updated + res.Unchanged; n > 0 {
		more = append(more, fmt.Sprintf("%d rows were in your book already (%d with new details).", n, res.Updated))
	}
	for _, d := range res.Duplicates {
		more = append(more, "Left out: "+d.String()+".")
	}
	if res.Encoding != "" && res.Encoding != "UTF-8" {
		more = append(more, "The file was read as "+res.Encoding+".")
	}
	msg := &widget.Label{Text: head + "\n\n" + strings.Join(more, "\n"), Wrapping: fyne.TextWrapWord}
	d := dialog.NewCustom("Client book imported", "OK", msg, b.t.u.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}

// bookError says in plain words why a change to the book failed.
func bookError(err error) string {
	var line *bookcsv.LineError
	switch {
	case errors.As(err, &line):
		return line.Error() + ". Fix that line of the file and import it again."
	case errors.Is(err, store.ErrRefTaken):
		return "that id is another client's already. Ids in your book must be unique."
	case errors.Is(err, store.ErrEmptyName):
		return "a client needs a name."
	case errors.Is(err, store.ErrMergeConflict):
		return "both clients are mapped, to different HaloPSA clients. Unmap one of them first (Unmap, then Save All Mappings)."
	case errors.Is(err, store.ErrNotFound):
		return "the client is gone; another window or halosyncctl may have changed the book."
	}
	return plainError(err)
}

// clientForm is the add and edit form of one local client.
type clientForm struct {
	name, ref, domain, phone, notes *widget.Entry
	dlg                             *dialog.FormDialog
}

// showClientForm opens the form with c's values; onSave gets the values
// typed, with c's ID.
func showClientForm(u *Window, title string, c store.LocalClient, onSave func(store.LocalClient)) *clientForm {
	f := &clientForm{
		name:   &widget.Entry{Text: c.Name, Validator: func(s string) error { return nonEmpty(s) }},
		ref:    &widget.Entry{Text: c.Ref, PlaceHolder: "your own id, e.g. CUST-0042 (optional)"},
		domain: &widget.Entry{Text: c.Domain, PlaceHolder: "website or e-mail domain (optional)"},
		phone:  &widget.Entry{Text: c.Phone},
		notes:  &widget.Entry{Text: c.Notes, MultiLine: true, Wrapping: fyne.TextWrapWord},
	}
	for _, e := range []*widget.Entry{f.name, f.ref, f.domain, f.phone, f.notes} {
		e.ExtendBaseWidget(e)
	}
	items := []*widget.FormItem{
		{Text: "Name", Widget: f.name}, {Text: "Your id", Widget: f.ref}, {Text: "Domain", Widget: f.domain},
		{Text: "Phone", Widget: f.phone}, {Text: "Notes", Widget: f.notes},
	}
	f.dlg = dialog.NewForm(title, "Save", "Cancel", items, func(ok bool) {
		if ok {
			onSave(store.LocalClient{ID: c.ID, Name: f.name.Text, Ref: f.ref.Text, Domain: f.domain.Text, Phone: f.phone.Text, Notes: f.notes.Text})
		}
	}, u.win)
	f.dlg.Resize(fyne.NewSize(480, 0))
	f.dlg.Show()
	return f
}

func nonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return store.ErrEmptyName
	}
	return nil
}

// bandPasses reports whether a row showing band passes the confidence
// filter want: "" lets every row through, "none" the rows without a band.
func bandPasses(band, want string) bool {
	switch want {
	case "":
		return true
	case "none":
		return band == "" || band == "none"
	}
	return band == want
}

// mergesNote tells, after Bulk Map, about the clients it suggests merging.
func mergesNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" %d more look like clients made from HaloPSA: they read “Merge into …?”; select one, then Merge… or Not the same.", n)
}
