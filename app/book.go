package app

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/brainstormmsp/halosync/engine/bookcsv"
	"github.com/brainstormmsp/halosync/engine/clientbook"
	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/store"
)

// ImportResult says what ImportClientsCSV did with each row of the file.
// Joined, Added and Review are rows that changed the book's size or its
// HaloPSA-made clients; Updated and Unchanged were in the book already.
type ImportResult struct {
	Joined     int // joined to a client made from HaloPSA, whose mapping stays
	Added      int // added as new clients
	Review     int // added as new clients, each with a suggestion to merge it into a client made from HaloPSA
	Updated    int // in the book already; the row brought new values
	Unchanged  int // in the book already, as the row has it
	Duplicates []bookcsv.Duplicate
	Encoding   string // "UTF-8" or "Windows-1252"
}

// String says it in a line: "12 joined, 3 added, 2 to review", then what
// was in the book already and the rows left out.
func (r ImportResult) String() string {
	s := fmt.Sprintf("%d joined, %d added, %d to review", r.Joined, r.Added, r.Review)
	if r.Updated > 0 {
		s += fmt.Sprintf(", %d updated", r.Updated)
	}
	if r.Unchanged > 0 {
		s += fmt.Sprintf(", %d already in the book", r.Unchanged)
	}
	if n := len(r.Duplicates); n > 0 {
		lines := make([]string, n)
		for i, d := range r.Duplicates {
			lines[i] = d.String()
		}
		s += fmt.Sprintf("; %d repeated row(s) left out: %s", n, strings.Join(lines, ", "))
	}
	return s
}

// ImportClientsCSV imports the owner's client book from CSV (see
// clientbook.ReadFile), all rows or, when a row is bad, none:
//
//   - a row already in the book (the same id; without an id, the same name
//     and domain; or the id or name of a client merged away) changes
//     nothing but the cells it fills in, so importing a file twice changes
//     nothing the second time;
//   - a row that the matcher rates exact or high against the HaloPSA client
//     of a client made from HaloPSA joins that client: the client takes the
//     row's name, id, domain, phone and notes and keeps its mapping (a
//     connect-first book does not double);
//   - a row rated medium against one is added with a suggestion to merge it
//     into that client, for the user to review;
//   - any other row is added, for Bulk Map.
//
// Empty cells never clear what the book has. The sync log gets one row
// saying what happened.
func (a *App) ImportClientsCSV(ctx context.Context, r io.Reader) (ImportResult, error) {
	f, err := clientbook.ReadFile(r)
	if err != nil {
		return ImportResult{}, err
	}
	locals, err := a.db.LocalClients(ctx, "")
	if err != nil {
		return ImportResult{}, err
	}
	aliases, err := a.db.LocalAliases(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Duplicates: f.Duplicates, Encoding: f.Encoding}
	var plan store.BookImport
	id := newIdentity(locals, aliases)
	var rest []clientbook.Row
	for _, m := range id.resolve(f.Rows) {
		switch {
		case !m.found:
			rest = append(rest, m.row)
		case m.client == nil: // a client merged away
			res.Unchanged++
		default:
			if next, changed := fillIn(*m.client, m.row.Client); changed {
				plan.Update = append(plan.Update, next)
			} else {
				res.Unchanged++
			}
		}
	}
	if len(rest) > 0 {
		if err := a.planJoins(ctx, &plan, rest, locals, id.claimed); err != nil {
			return ImportResult{}, err
		}
	}
	sum, err := a.db.ApplyBookImport(ctx, plan)
	if err != nil {
		a.log(ctx, store.Error, store.OpClientBook, "", "Importing the client book failed: "+err.Error())
		return ImportResult{}, err
	}
	res.Joined, res.Added, res.Review, res.Updated = sum.Joined, sum.Added, sum.Review, sum.Updated
	a.log(ctx, store.Info, store.OpClientBook, "", "Imported the client book from CSV: "+res.String())
	a.mappingChanged(MappingBook)
	return res, nil
}

// planJoins sorts the rows that are new to the book into joins, reviews
// and plain additions, with the matcher Bulk Map uses.
func (a *App) planJoins(ctx context.Context, plan *store.BookImport, rows []clientbook.Row, locals []store.LocalClient, claimed map[int64]bool) error {
	mappings, err := a.db.Mappings(ctx)
	if err != nil {
		return err
	}
	m, err := a.matcher(ctx)
	if err != nil {
		return err
	}
	targets, taken := haloMadeTargets(locals, mappings, claimed)
	ms := make([]match.Local, len(rows))
	for i, r := range rows {
		ms[i] = toMatchLocal(r.Client)
		ms[i].ID = int64(i) // rows have no id yet: the index stands in
	}
	for _, s := range m.Suggest(ms, taken) {
		row := rows[s.LocalID].Client
		into, ok := int64(0), false
		if s.Best != nil {
			into, ok = targets[s.Best.HaloID]
		}
		if !ok {
			plan.Add = append(plan.Add, row)
			continue
		}
		j := store.BookJoin{Row: row, Into: into, Score: s.Best.Score, Confidence: s.Best.Band.String(), Reason: s.Best.Reason}
		if s.Best.Band >= match.High {
			plan.Join = append(plan.Join, j)
		} else {
			plan.Review = append(plan.Review, j)
		}
	}
	return nil
}

// haloMadeTargets finds, by HaloPSA client, the clients made from HaloPSA
// (and mapped to it) that a row of the owner's book may join or be merged
// into, skipping those in skip; and the HaloPSA clients that other local
// clients are mapped to, which no row may take.
func haloMadeTargets(locals []store.LocalClient, mappings map[int64]store.Mapping, skip map[int64]bool) (targets map[int64]int64, taken map[int64]bool) {
	targets, taken = map[int64]int64{}, map[int64]bool{}
	for _, l := range locals {
		mp, ok := mappings[l.ID]
		if !ok || (mp.State != store.MapAccepted && mp.State != store.MapManual) {
			continue
		}
		if l.Origin == store.OriginHalo && !skip[l.ID] {
			targets[mp.HaloID] = l.ID
		} else {
			taken[mp.HaloID] = true
		}
	}
	for h := range targets {
		if taken[h] { // also mapped to a client of the owner's: not free to join
			delete(targets, h)
		}
	}
	return targets, taken
}

// suggestMerges is Bulk Map's second pass: an open client of the owner's
// book that got no suggestion because its HaloPSA counterpart is mapped to
// a client made from HaloPSA gets a suggestion to merge the two. It
// replaces the earlier merge suggestions and returns how many it made.
func (a *App) suggestMerges(ctx context.Context, m *match.Matcher, locals []store.LocalClient, mappings map[int64]store.Mapping, suggested []store.Mapping) (int, error) {
	targets, taken := haloMadeTargets(locals, mappings, nil)
	got := map[int64]bool{}
	for _, s := range suggested {
		got[s.LocalID], taken[s.HaloID] = true, true
	}
	var open []match.Local
	for _, l := range locals {
		if l.Origin == store.OriginBook && !mappings[l.ID].State.Decided() && !got[l.ID] {
			open = append(open, toMatchLocal(l))
		}
	}
	var merges []store.MergeSuggestion
	if len(open) > 0 && len(targets) > 0 {
		for _, s := range m.Suggest(open, taken) {
			if s.Best == nil {
				continue
			}
			if into, ok := targets[s.Best.HaloID]; ok {
				merges = append(merges, store.MergeSuggestion{LocalID: s.LocalID, IntoID: into,
					Score: s.Best.Score, Confidence: s.Best.Band.String(), Reason: s.Best.Reason})
			}
		}
	}
	return len(merges), a.db.ReplaceMergeSuggestions(ctx, merges)
}

// MergeLocalClients merges other into keep (see store.MergeLocalClients:
// keep's name stays, other's mapping, tickets and id move to it) and
// deletes other.
func (a *App) MergeLocalClients(ctx context.Context, keep, other int64) (store.MergeResult, error) {
	res, err := a.db.MergeLocalClients(ctx, keep, other)
	if err != nil {
		return res, err
	}
	msg := fmt.Sprintf("Merged %q into %q", res.OtherName, res.Kept.Name)
	if res.MovedMapping {
		msg += "; its mapping moved"
	}
	if res.MovedTickets > 0 {
		msg += fmt.Sprintf("; %d ticket(s) moved", res.MovedTickets)
	}
	a.log(ctx, store.Info, store.OpClientBook, res.Kept.Name, msg)
	a.mappingChanged(MappingBook)
	return res, nil
}

// DismissMerge records that a client is not the one its merge suggestion
// names; Bulk Map does not suggest a merge for it again.
func (a *App) DismissMerge(ctx context.Context, localID int64) error {
	return a.bookChanged(a.db.DismissMergeSuggestion(ctx, localID))
}
