package gui

import (
	"context"
	"fmt"
	"slices"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// fakeHistory is the fake backend's drafts, mapping history and held
// tickets, guarded by fakeBackend.mu. Its drafts outlive a window, as the
// real ones outlive the process.
type fakeHistory struct {
	drafts    map[int64]store.Decision
	draftErr  error
	draftPuts [][]store.Decision // what UpdateDrafts was given
	draftDrop [][]int64
	batches   []store.Batch
	undos     []string // "last", "batch N", "decision N"
	undoErr   error
	held      []app.HeldClient
	released  [][3]int64 // HaloPSA client, local client, 1 when mapped
	dropped   []int64
	gate      chan struct{} // when set, UpdateDrafts waits for it to close
}

func (f *fakeBackend) PendingDecisions(context.Context) ([]app.PendingDecision, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []app.PendingDecision
	for _, d := range f.fh.drafts {
		p := app.PendingDecision{Decision: d}
		for _, r := range f.rows {
			if d.Action == store.Accept && r.HaloID == d.HaloID {
				p.HaloName = r.HaloName
			}
		}
		for _, s := range f.rank {
			if d.Action == store.Accept && s.HaloID == d.HaloID {
				p.HaloName = s.Name
			}
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b app.PendingDecision) int { return int(a.LocalID - b.LocalID) })
	return out, nil
}

func (f *fakeBackend) UpdateDrafts(ctx context.Context, put []store.Decision, drop []int64) error {
	f.mu.Lock()
	gate := f.fh.gate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if err := ctx.Err(); err != nil {
		return err // as a store write on a cancelled context would
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fh.draftPuts = append(f.fh.draftPuts, slices.Clone(put))
	f.fh.draftDrop = append(f.fh.draftDrop, slices.Clone(drop))
	if f.fh.draftErr != nil {
		return f.fh.draftErr
	}
	if f.fh.drafts == nil {
		f.fh.drafts = map[int64]store.Decision{}
	}
	for _, d := range put {
		// The store keeps the action and the client only.
		f.fh.drafts[d.LocalID] = store.Decision{LocalID: d.LocalID, Action: d.Action, HaloID: d.HaloID}
	}
	for _, id := range drop {
		delete(f.fh.drafts, id)
	}
	return nil
}

// draftsNow returns a copy of the fake's drafts.
func (f *fakeBackend) draftsNow() map[int64]store.Decision {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int64]store.Decision{}
	for k, v := range f.fh.drafts {
		out[k] = v
	}
	return out
}

func (f *fakeBackend) History(_ context.Context, limit int) ([]store.Batch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.fh.batches[:min(limit, len(f.fh.batches))]), nil
}

func (f *fakeBackend) undo(what string) (store.Batch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fh.undos = append(f.fh.undos, what)
	if f.fh.undoErr != nil {
		return store.Batch{}, f.fh.undoErr
	}
	b := store.Batch{ID: int64(len(f.fh.batches) + 1), Kind: store.BatchUndo, Undoes: what, Actor: "tester",
		Changes: []store.Change{{ID: 900, LocalName: "acme ltd"}}}
	f.fh.batches = append([]store.Batch{b}, f.fh.batches...)
	return b, nil
}

func (f *fakeBackend) UndoLastSave(context.Context) (store.Batch, error) { return f.undo("last") }

func (f *fakeBackend) UndoBatch(_ context.Context, id int64) (store.Batch, error) {
	return f.undo(fmt.Sprint("batch ", id))
}

func (f *fakeBackend) UndoDecision(_ context.Context, id int64) (store.Batch, error) {
	return f.undo(fmt.Sprint("decision ", id))
}

func (f *fakeBackend) HeldTickets(context.Context) ([]app.HeldClient, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.fh.held), nil
}

func (f *fakeBackend) ReleaseHeld(_ context.Context, haloClientID, localID int64, mapClient bool) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := int64(0)
	if mapClient {
		m = 1
	}
	f.fh.released = append(f.fh.released, [3]int64{haloClientID, localID, m})
	return f.takeHeld(haloClientID), nil
}

func (f *fakeBackend) DropHeld(_ context.Context, haloClientID int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fh.dropped = append(f.fh.dropped, haloClientID)
	return f.takeHeld(haloClientID), nil
}

// takeHeld removes a client's held changes and says how many there were.
func (f *fakeBackend) takeHeld(haloClientID int64) int {
	for i, h := range f.fh.held {
		if h.HaloID == haloClientID {
			f.fh.held = slices.Delete(f.fh.held, i, i+1)
			return h.Changes
		}
	}
	return 0
}
