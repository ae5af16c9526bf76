package app

import (
	"context"

	"github.com/brainstormmsp/halosync/engine/store"
)

// PendingDecision is a decision made but not saved yet (a draft), with what
// the window shows for it. Drafts are shared by the window and the CLI
// (`map accept`, `map ignore`), and survive a quit.
type PendingDecision struct {
	store.Decision
	HaloName string // the chosen HaloPSA client's name, for Accept
}

// PendingDecisions returns the drafted decisions, oldest first, each with
// its HaloPSA client's name and the score of the pair.
func (a *App) PendingDecisions(ctx context.Context) ([]PendingDecision, error) {
	ds, err := a.db.Drafts(ctx)
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	ms, err := a.db.Mappings(ctx)
	if err != nil {
		return nil, err
	}
	// The suggestion accepted keeps Bulk Map's score and reason; another
	// client is scored as Save All would score it.
	for i, d := range ds {
		if m, ok := ms[d.LocalID]; ok && d.Action == store.Accept && m.HaloID == d.HaloID {
			ds[i].Score, ds[i].Confidence, ds[i].Reason = m.Score, m.Confidence, m.Reason
		}
	}
	if err := a.scoreDecisions(ctx, ds); err != nil {
		return nil, err
	}
	names, err := a.haloNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PendingDecision, len(ds))
	for i, d := range ds {
		out[i] = PendingDecision{Decision: d}
		if d.Action == store.Accept {
			out[i].HaloName = names[d.HaloID]
		}
	}
	return out, nil
}

// UpdateDrafts records decisions as drafts (put) and forgets drafts (drop),
// in one transaction: the window calls it as the user decides, so nothing
// decided is lost by a quit.
func (a *App) UpdateDrafts(ctx context.Context, put []store.Decision, drop []int64) error {
	return a.db.UpdateDrafts(ctx, put, drop)
}
