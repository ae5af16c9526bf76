package sync

import (
	"context"
	"fmt"
	"strings"

	"github.com/brainstormmsp/halosync/engine/store"
)

// driftWatch is one import's watch on the HaloPSA clients that local clients
// are mapped to (see store.FlagDrift): it notes the mappings before the
// import, what became of vanished clients' sites and contacts, and at the
// end flags the mappings whose client was renamed, made inactive, deleted
// or merged, in one sync-log row. A failure here never fails the import.
type driftWatch struct {
	im *Importer
	ok bool // the watch is up to date with the mappings
	ev store.DriftEvidence
}

// maxDriftNames bounds the clients named in the one log row.
const maxDriftNames = 5

// watchDrift starts the watch; call it before the clients are imported.
func (im *Importer) watchDrift(ctx context.Context, run int64) *driftWatch {
	w := &driftWatch{im: im}
	if err := im.DB.WatchMappings(ctx); err != nil {
		w.fail(ctx, run, err)
		return w
	}
	w.ok = true
	return w
}

// clientsSettled collects the evidence of merges; call it once the clients
// are imported and retired, before their sites and contacts are.
func (w *driftWatch) clientsSettled(ctx context.Context, run int64) {
	if !w.ok {
		return
	}
	ev, err := w.im.DB.GoneEvidence(ctx)
	if err != nil {
		w.fail(ctx, run, err)
		return
	}
	w.ev = ev
}

// finish flags what changed and logs one row about it.
func (w *driftWatch) finish(ctx context.Context, run int64) {
	if !w.ok {
		return
	}
	fresh, err := w.im.DB.FlagDrift(ctx, run, w.ev)
	if err != nil {
		w.fail(ctx, run, err)
		return
	}
	if len(fresh) == 0 {
		return
	}
	var parts []string
	seen := map[int64]bool{}
	for _, r := range fresh {
		if seen[r.HaloID] {
			continue // two local clients mapped to one HaloPSA client: name it once
		}
		seen[r.HaloID] = true
		if len(parts) < maxDriftNames {
			parts = append(parts, fmt.Sprintf("%q %s", r.OldName, r.Describe()))
		}
	}
	if n := len(seen) - len(parts); n > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", n))
	}
	w.im.log(ctx, run, store.Warn, store.OpMappingReview, "", fmt.Sprintf(
		"%d mapping(s) need review, since their HaloPSA client changed (Clients & Mapping, filter Needs review): %s",
		len(fresh), strings.Join(parts, "; ")))
}

func (w *driftWatch) fail(ctx context.Context, run int64, err error) {
	w.ok = false
	w.im.log(ctx, run, store.Error, store.OpMappingReview, "", "Could not check the mapped HaloPSA clients for changes: "+err.Error())
}
