package app

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/brainstormmsp/halosync/engine/clientbook"
	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/store"
)

// MappingRow is one local client with its mapping, as the Clients &
// Mapping table and `map list` show it.
type MappingRow struct {
	Local      store.LocalClient
	State      store.MappingState
	HaloID     int64  // 0 when open or ignored
	HaloName   string // the HaloPSA client's name
	Score      float64
	Confidence string
	Reason     string // for an open row, why nothing is suggested, in plain words
	// Merge suggests merging this client of the owner's book into a client
	// made from HaloPSA, named MergeName; nil when there is none.
	Merge     *store.MergeSuggestion
	MergeName string
	// Review, when its Reason is set, says the HaloPSA client changed since
	// the user confirmed the mapping (renamed, inactive, deleted, merged).
	Review store.Review
}

// MappingFilter narrows MappingRows.
type MappingFilter struct {
	State      store.MappingState // MapOpen for unmapped; "all" for everything
	Search     string             // substring of the local or HaloPSA name, any case
	Confidence string             // exact, high, medium, low or none (no band); "" for any
}

// StateAll asks MappingRows for every row.
const StateAll store.MappingState = "all"

// StateNeedsReview asks MappingRows for the mappings whose HaloPSA client
// changed since the user confirmed them.
const StateNeedsReview store.MappingState = "review"

// BulkMapResult says what Bulk Map did.
type BulkMapResult struct {
	Open      int // local clients without a decision
	Suggested int // of those, how many got a suggestion
	Merges    int // of the others, how many look like a client made from HaloPSA: merge suggestions
}

// BulkMap suggests a HaloPSA client for every local client the user has not
// decided yet, one HaloPSA client per local client at most, and never one
// the user already mapped. Suggestions replace earlier ones; decisions stay.
func (a *App) BulkMap(ctx context.Context) (BulkMapResult, error) {
	locals, err := a.db.LocalClients(ctx, "")
	if err != nil {
		return BulkMapResult{}, err
	}
	mappings, err := a.db.Mappings(ctx)
	if err != nil {
		return BulkMapResult{}, err
	}
	m, err := a.matcher(ctx)
	if err != nil {
		return BulkMapResult{}, err
	}
	exclude := map[int64]bool{}
	for _, mp := range mappings {
		if mp.State == store.MapAccepted || mp.State == store.MapManual {
			exclude[mp.HaloID] = true
		}
	}
	var open []match.Local
	for _, l := range locals {
		if !mappings[l.ID].State.Decided() {
			open = append(open, toMatchLocal(l))
		}
	}
	var res BulkMapResult
	res.Open = len(open)
	var ms []store.Mapping
	for _, s := range m.Suggest(open, exclude) {
		if s.Best == nil {
			continue
		}
		ms = append(ms, store.Mapping{LocalID: s.LocalID, HaloID: s.Best.HaloID, Score: s.Best.Score,
			Confidence: s.Best.Band.String(), Reason: s.Best.Reason})
	}
	if err := a.db.ReplaceSuggestions(ctx, ms); err != nil {
		return res, err
	}
	res.Suggested = len(ms)
	if res.Merges, err = a.suggestMerges(ctx, m, locals, mappings, ms); err != nil {
		return res, err
	}
	msg := fmt.Sprintf("Bulk Map suggested a HaloPSA client for %d of %d open local clients", res.Suggested, res.Open)
	if res.Merges > 0 {
		msg += fmt.Sprintf(", and merging %d into clients made from HaloPSA", res.Merges)
	}
	a.log(ctx, store.Info, store.OpBulkMap, "", msg)
	return res, nil
}

// matcher indexes the imported HaloPSA clients. It is rebuilt when an
// import has run since, so the picker and Bulk Map see current names.
func (a *App) matcher(ctx context.Context) (*match.Matcher, error) {
	run, err := a.db.LastRun(ctx, store.KindImport)
	gen := int64(0)
	if err == nil {
		gen = run.ID
	}
	a.mu.Lock()
	m, mgen := a.match, a.matchGen
	a.mu.Unlock()
	if m != nil && mgen == gen {
		return m, nil
	}
	// Built outside a.mu (the database read and the index take a while);
	// callers asking for the same generation share one build.
	v, err, _ := a.builds.Do(fmt.Sprint("matcher ", gen), func() (any, error) {
		// Shared: one caller giving up must not fail the others.
		profiles, err := a.db.HaloProfiles(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		cands := make([]match.Candidate, len(profiles))
		for i, p := range profiles {
			cands[i] = match.Candidate{ID: p.ID, Name: p.Name, Domains: p.Domains, Phones: p.Phones}
		}
		m := match.NewMatcher(cands)
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.match == nil || a.matchGen <= gen { // never replace a newer one
			a.match, a.matchGen = m, gen
		}
		return m, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*match.Matcher), nil
}

func toMatchLocal(l store.LocalClient) match.Local {
	return match.Local{ID: l.ID, Name: l.Name, Domain: l.Domain, Phone: l.Phone}
}

// MappingRows lists local clients with their mapping, by local name.
func (a *App) MappingRows(ctx context.Context, f MappingFilter) ([]MappingRow, error) {
	locals, err := a.db.LocalClients(ctx, "")
	if err != nil {
		return nil, err
	}
	mappings, err := a.db.Mappings(ctx)
	if err != nil {
		return nil, err
	}
	names, err := a.haloNames(ctx)
	if err != nil {
		return nil, err
	}
	reviews, err := a.db.Reviews(ctx)
	if err != nil {
		return nil, err
	}
	search := strings.ToLower(strings.TrimSpace(f.Search))
	var rows []MappingRow
	for _, l := range locals {
		mp := mappings[l.ID]
		r := MappingRow{Local: l, State: mp.State, HaloID: mp.HaloID, HaloName: names[mp.HaloID],
			Score: mp.Score, Confidence: mp.Confidence, Reason: mp.Reason, Review: reviews[l.ID]}
		if f.State == StateNeedsReview {
			if r.Review.Reason == store.ReviewNone {
				continue
			}
		} else if f.State != StateAll && f.State != r.State {
			continue
		}
		if !bandIs(r.Confidence, f.Confidence) {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(l.Name), search) && !strings.Contains(strings.ToLower(r.HaloName), search) {
			continue
		}
		rows = append(rows, r)
	}
	if err := a.explain(ctx, rows, locals, mappings, names); err != nil {
		return nil, err
	}
	return rows, nil
}

func (a *App) haloNames(ctx context.Context) (map[int64]string, error) {
	cs, err := a.db.Clients(ctx, store.ClientQuery{})
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(cs))
	for _, c := range cs {
		names[c.ID] = c.Name
	}
	return names, nil
}

// RankHalo ranks HaloPSA clients for one local client, best first, for the
// picker: all of them by score, or those whose name matches query.
func (a *App) RankHalo(ctx context.Context, localID int64, query string, limit int) ([]match.Scored, error) {
	l, err := a.db.LocalClient(ctx, localID)
	if err != nil {
		return nil, err
	}
	m, err := a.matcher(ctx)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(query) != "" {
		return m.Search(toMatchLocal(l), query, limit), nil
	}
	return m.Rank(toMatchLocal(l), limit), nil
}

// SaveMappings saves the user's decisions in one transaction (Save All
// Mappings). A HaloPSA client picked by hand is scored, so its row shows
// how alike the two names are.
func (a *App) SaveMappings(ctx context.Context, ds []store.Decision) (store.MappingSummary, error) {
	if err := a.scoreDecisions(ctx, ds); err != nil {
		return store.MappingSummary{}, err
	}
	sum, err := a.db.SaveMappings(asUser(ctx), ds) // the history names who saved
	if err != nil {
		a.log(ctx, store.Error, store.OpSaveMappings, "", err.Error())
		return sum, err
	}
	a.log(ctx, store.Info, store.OpSaveMappings, "", fmt.Sprintf("Saved mappings: %d accepted, %d mapped by hand, %d ignored, %d unmapped",
		sum.Accepted, sum.Manual, sum.Ignored, sum.Unmapped))
	a.mappingChanged(MappingSaved)
	// Tickets held for clients that were not mapped may apply now.
	if n, err := a.db.ReleaseHeldInbox(ctx); err == nil && n > 0 {
		a.wakeTickets()
	}
	return sum, nil
}

func (a *App) scoreDecisions(ctx context.Context, ds []store.Decision) error {
	var profiles map[int64]match.Candidate
	for i, d := range ds {
		if d.Action != store.Accept || d.Reason != "" {
			continue
		}
		if profiles == nil {
			ps, err := a.db.HaloProfiles(ctx)
			if err != nil {
				return err
			}
			profiles = make(map[int64]match.Candidate, len(ps))
			for _, p := range ps {
				profiles[p.ID] = match.Candidate{ID: p.ID, Name: p.Name, Domains: p.Domains, Phones: p.Phones}
			}
		}
		l, err := a.db.LocalClient(ctx, d.LocalID)
		if err != nil {
			return fmt.Errorf("local client %d: %w", d.LocalID, err)
		}
		if c, ok := profiles[d.HaloID]; ok {
			s := match.Score(toMatchLocal(l), c)
			ds[i].Score, ds[i].Confidence, ds[i].Reason = s.Score, s.Band.String(), s.Reason
		}
	}
	return nil
}

// DraftDecision records one decision for a later SaveDrafts (the CLI's
// `map accept` and `map ignore`).
func (a *App) DraftDecision(ctx context.Context, d store.Decision) error {
	if _, err := a.db.LocalClient(ctx, d.LocalID); err != nil {
		return fmt.Errorf("local client %d: %w", d.LocalID, err)
	}
	if d.Action == store.Accept && d.HaloID == 0 {
		ms, err := a.db.Mappings(ctx)
		if err != nil {
			return err
		}
		if ms[d.LocalID].HaloID == 0 {
			return fmt.Errorf("local client %d has no suggestion to accept: name the HaloPSA client", d.LocalID)
		}
		d.HaloID = ms[d.LocalID].HaloID
	}
	return a.db.AddDraft(ctx, d)
}

// Drafts returns the decisions not saved yet.
func (a *App) Drafts(ctx context.Context) ([]store.Decision, error) { return a.db.Drafts(ctx) }

// SaveDrafts saves every drafted decision in one transaction.
func (a *App) SaveDrafts(ctx context.Context) (store.MappingSummary, error) {
	ds, err := a.db.Drafts(ctx)
	if err != nil {
		return store.MappingSummary{}, err
	}
	if err := a.scoreDecisions(ctx, ds); err != nil {
		return store.MappingSummary{}, err
	}
	return a.SaveMappings(ctx, ds)
}

// CreateLocalFromUnmapped adds a local client, mapped, for each given
// HaloPSA client no local client is mapped to (all of them when none given).
func (a *App) CreateLocalFromUnmapped(ctx context.Context, haloIDs []int64) (int, error) {
	n, err := a.db.CreateLocalFromHalo(ctx, haloIDs)
	if err != nil {
		return 0, err
	}
	a.log(ctx, store.Info, store.OpClientBook, "", fmt.Sprintf("Created %d local clients from unmapped HaloPSA clients", n))
	a.mappingChanged(MappingBookFilled)
	if released, err := a.db.ReleaseHeldInbox(ctx); err == nil && released > 0 {
		a.wakeTickets()
	}
	return n, nil
}

// ExportClientsCSV writes the whole book as CSV.
func (a *App) ExportClientsCSV(ctx context.Context, w io.Writer) error {
	cs, err := a.db.LocalClients(ctx, "")
	if err != nil {
		return err
	}
	return clientbook.Write(w, cs)
}

// LocalClients lists the book by name, optionally filtered by search.
func (a *App) LocalClients(ctx context.Context, search string) ([]store.LocalClient, error) {
	return a.db.LocalClients(ctx, search)
}

// LocalClient returns one client of the book.
func (a *App) LocalClient(ctx context.Context, id int64) (store.LocalClient, error) {
	return a.db.LocalClient(ctx, id)
}

// AddLocalClient adds one client to the book; its domain may be typed as
// a website or an e-mail address.
func (a *App) AddLocalClient(ctx context.Context, c store.LocalClient) (int64, error) {
	c.Domain = store.Domain(c.Domain)
	id, err := a.db.AddLocalClient(ctx, c)
	return id, a.bookChanged(err)
}

// UpdateLocalClient changes one client of the book, as AddLocalClient takes it.
func (a *App) UpdateLocalClient(ctx context.Context, c store.LocalClient) error {
	c.Domain = store.Domain(c.Domain)
	return a.bookChanged(a.db.UpdateLocalClient(ctx, c))
}

// DeleteLocalClient removes one client of the book with its mapping.
func (a *App) DeleteLocalClient(ctx context.Context, id int64) error {
	return a.bookChanged(a.db.DeleteLocalClient(ctx, id))
}

// bookChanged publishes a MappingBook change when err is nil, and
// returns err.
func (a *App) bookChanged(err error) error {
	if err == nil {
		a.mappingChanged(MappingBook)
	}
	return err
}
