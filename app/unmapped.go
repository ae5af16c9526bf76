package app

import (
	"context"
	"fmt"

	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/store"
)

// tieMargin is how close two scores are to count as a tie for the reason
// shown: the matcher withdraws a suggestion whose runner-up is this close
// (its ambiguity margin), so the user has to pick.
const tieMargin = 0.02

// explain adds to rows their merge suggestions and, to each open row, why
// nothing is suggested for it, in plain words.
func (a *App) explain(ctx context.Context, rows []MappingRow, locals []store.LocalClient, mappings map[int64]store.Mapping, names map[int64]string) error {
	merges, err := a.db.MergeSuggestions(ctx)
	if err != nil {
		return err
	}
	localName := make(map[int64]string, len(locals))
	for _, l := range locals {
		localName[l.ID] = l.Name
	}
	mappedTo, suggestedFor := map[int64]string{}, map[int64]string{}
	for _, l := range locals { // in name order, so the name shown is stable
		switch mp := mappings[l.ID]; mp.State {
		case store.MapAccepted, store.MapManual:
			if mappedTo[mp.HaloID] == "" {
				mappedTo[mp.HaloID] = l.Name
			}
		case store.MapSuggested:
			suggestedFor[mp.HaloID] = l.Name
		}
	}
	var m *match.Matcher
	for i := range rows {
		r := &rows[i]
		if ms, ok := merges[r.Local.ID]; ok && !r.State.Decided() && localName[ms.IntoID] != "" {
			r.Merge, r.MergeName = &ms, localName[ms.IntoID]
		}
		if r.State != store.MapOpen {
			continue
		}
		if len(names) == 0 {
			r.Reason = "HaloPSA's clients are not imported yet"
			continue
		}
		if m == nil {
			if m, err = a.matcher(ctx); err != nil {
				return err
			}
		}
		r.Reason = whyUnmapped(m.Rank(toMatchLocal(r.Local), 5), r, mappedTo, suggestedFor)
	}
	return nil
}

// whyUnmapped says why an open row has no suggestion, from its ranked
// candidates.
func whyUnmapped(ranked []match.Scored, r *MappingRow, mappedTo, suggestedFor map[int64]string) string {
	if len(ranked) == 0 {
		return fmt.Sprintf("no HaloPSA client scores above %.2f", match.LowThreshold)
	}
	best := ranked[0]
	if owner := mappedTo[best.HaloID]; owner != "" {
		s := fmt.Sprintf("its best match, “%s” (%.2f), is mapped to “%s”", best.Name, best.Score, owner)
		if r.Merge != nil && r.MergeName == owner {
			s += ": merge the two if they are one client"
		}
		return s
	}
	ties := 0
	for _, c := range ranked {
		if c.Band >= match.Medium && c.Score >= best.Score-tieMargin && mappedTo[c.HaloID] == "" {
			ties++
		}
	}
	switch {
	case ties >= 2:
		return fmt.Sprintf("%d HaloPSA clients fit equally: pick one", ties)
	case best.Band < match.Medium:
		return fmt.Sprintf("its best match, “%s”, scores only %.2f (%s): pick it by hand if it is right", best.Name, best.Score, best.Band)
	case suggestedFor[best.HaloID] != "":
		return fmt.Sprintf("its best match, “%s”, is suggested for “%s”", best.Name, suggestedFor[best.HaloID])
	}
	return fmt.Sprintf("“%s” fits (%.2f): run Bulk Map to suggest it", best.Name, best.Score)
}

// bandIs reports whether a row's confidence band passes a filter: "" lets
// every row through, "none" the rows without a band.
func bandIs(conf, want string) bool {
	switch want {
	case "":
		return true
	case match.None.String():
		return conf == "" || conf == want
	}
	return conf == want
}
