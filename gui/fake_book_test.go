package gui

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// fakeBook records the client book's own actions; the fake's rows are the
// book, so the window sees what they did when it reloads.
type fakeBook struct {
	csv       []string          // files imported
	importRes *app.ImportResult // what an import returns; nil: every line added
	importErr error
	added     []store.LocalClient // AddLocalClient calls
	updated   []store.LocalClient // UpdateLocalClient calls
	deleted   []int64
	merged    [][2]int64 // keep, other
	mergeErr  error
	dismissed []int64
	exported  int
	nextID    int64
}

func (f *fakeBackend) ImportClientsCSV(_ context.Context, r io.Reader) (app.ImportResult, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return app.ImportResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bk.csv = append(f.bk.csv, string(b))
	if f.bk.importErr != nil {
		return app.ImportResult{}, f.bk.importErr
	}
	if f.bk.importRes != nil {
		return *f.bk.importRes, nil
	}
	return app.ImportResult{Added: strings.Count(string(b), "\n") - 1}, nil
}

func (f *fakeBackend) ExportClientsCSV(_ context.Context, w io.Writer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bk.exported++
	fmt.Fprintln(w, "id,name")
	for _, r := range f.rows {
		fmt.Fprintf(w, "%s,%s\n", r.Local.Ref, r.Local.Name)
	}
	return nil
}

func (f *fakeBackend) AddLocalClient(_ context.Context, c store.LocalClient) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bk.added = append(f.bk.added, c)
	if f.bk.nextID == 0 {
		f.bk.nextID = 1000
	}
	f.bk.nextID++
	c.ID = f.bk.nextID
	f.rows = append(f.rows, app.MappingRow{Local: c})
	return c.ID, nil
}

func (f *fakeBackend) UpdateLocalClient(_ context.Context, c store.LocalClient) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bk.updated = append(f.bk.updated, c)
	for i := range f.rows {
		if f.rows[i].Local.ID == c.ID {
			f.rows[i].Local = c
			return nil
		}
	}
	return store.ErrNotFound
}

func (f *fakeBackend) DeleteLocalClient(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bk.deleted = append(f.bk.deleted, id)
	return f.dropRow(id)
}

// dropRow removes a local client's row; f.mu is held.
func (f *fakeBackend) dropRow(id int64) error {
	i := slices.IndexFunc(f.rows, func(r app.MappingRow) bool { return r.Local.ID == id })
	if i < 0 {
		return store.ErrNotFound
	}
	f.rows = slices.Delete(slices.Clone(f.rows), i, i+1)
	return nil
}

func (f *fakeBackend) MergeLocalClients(_ context.Context, keep, other int64) (store.MergeResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bk.merged = append(f.bk.merged, [2]int64{keep, other})
	if f.bk.mergeErr != nil {
		return store.MergeResult{}, f.bk.mergeErr
	}
	var k, o *app.MappingRow
	for i := range f.rows {
		switch f.rows[i].Local.ID {
		case keep:
			k = &f.rows[i]
		case other:
			o = &f.rows[i]
		}
	}
	if k == nil || o == nil {
		return store.MergeResult{}, store.ErrNotFound
	}
	res := store.MergeResult{OtherName: o.Local.Name}
	if o.State.Decided() && !k.State.Decided() {
		k.State, k.HaloID, k.HaloName, k.Score, k.Confidence = o.State, o.HaloID, o.HaloName, o.Score, o.Confidence
		res.MovedMapping = true
	}
	k.Merge, k.MergeName = nil, ""
	res.Kept = k.Local
	return res, f.dropRow(other)
}

func (f *fakeBackend) DismissMerge(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bk.dismissed = append(f.bk.dismissed, id)
	for i := range f.rows {
		if f.rows[i].Local.ID == id && f.rows[i].Merge != nil {
			f.rows[i].Merge, f.rows[i].MergeName = nil, ""
			return nil
		}
	}
	return store.ErrNotFound
}
