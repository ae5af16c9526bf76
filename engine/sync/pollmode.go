package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/brainstormmsp/halosync/engine/store"
)

// Whether HaloPSA honours a ticket list's date filter and sort order is
// UNCONFIRMED (HALOPSA-API.md, addendum 2). Polling therefore learns it from
// the answers themselves, remembers it per HaloPSA, and picks the cheapest
// correct way to find what changed.

// Verdict is what polling has learned about one list parameter.
type Verdict string

// Verdicts. Unknown is treated hopefully: every answer is checked, so a
// parameter that is not honoured shows itself in the same poll.
const (
	Unknown  Verdict = ""
	Honoured Verdict = "honoured" // the answers keep to it
	Ignored  Verdict = "ignored"  // rows came back that it should have left out, or out of order
	Rejected Verdict = "rejected" // HaloPSA answered 400 to it
)

// Strategy is how a poll finds the tickets that changed.
type Strategy string

// Strategies, cheapest first.
const (
	// ByFilter asks HaloPSA for the tickets changed since the cursor
	// (lastupdatefromdate), open and closed: about 2 requests a poll.
	ByFilter Strategy = "filter"
	// NewestFirst reads tickets sorted by last change, newest first, and
	// stops at the first one older than the cursor: about 2 requests.
	NewestFirst Strategy = "newest-first"
	// OpenList reads every open ticket and fetches, one by one, those
	// HaloSync holds open that left the list (closed ones): as many
	// requests as there are pages of open tickets, plus one per ticket
	// closed since the last poll. Closed history is never read.
	OpenList Strategy = "open-list"
)

// recheckAfter is how long a verdict is trusted before polling tests the
// parameter again: HaloPSA updates can change what it honours.
const recheckAfter = 24 * time.Hour

// PollMode is what polling has learned about this HaloPSA's ticket list.
type PollMode struct {
	Address   string    `json:"address"` // the HaloPSA it was learned from
	Filter    Verdict   `json:"filter"`  // lastupdatefromdate
	Order     Verdict   `json:"order"`   // order=last_update&orderdesc=true
	CheckedAt time.Time `json:"checked_at"`
	// Logged is the strategy last announced in the sync log, so that each
	// change is said once, not every poll.
	Logged Strategy `json:"logged"`
	// OpenTickets and Requests describe the last poll: how many open
	// tickets HaloPSA listed (when the whole open list was read) and what
	// the poll cost.
	OpenTickets int   `json:"open_tickets"`
	Requests    int64 `json:"requests"`
}

// Strategy is the way a poll with these verdicts finds changes.
func (m PollMode) Strategy() Strategy {
	switch {
	case m.Filter != Ignored && m.Filter != Rejected:
		return ByFilter
	case m.Order == Honoured:
		return NewestFirst
	}
	return OpenList
}

// Known reports whether the strategy rests on evidence rather than hope.
func (m PollMode) Known() bool {
	switch m.Strategy() {
	case ByFilter:
		return m.Filter == Honoured
	case NewestFirst:
		return true
	}
	return m.Order == Ignored
}

// Describe says in plain words how polling works on this HaloPSA.
func (m PollMode) Describe() string {
	switch m.Strategy() {
	case NewestFirst:
		return "HaloPSA ignores the ticket date filter but sorts by last change, so each poll reads the newest tickets first " +
			"and stops at the first unchanged one (about 2 requests a poll)."
	case OpenList:
		pages := (m.OpenTickets + 99) / 100
		return fmt.Sprintf("HaloPSA ignores both the ticket date filter and the sort order, so each poll reads all %d open tickets "+
			"(%s) and fetches one by one the tickets that left the open list; closed history is never read. "+
			"The last poll cost %s.", m.OpenTickets, requests(int64(max(pages, 1))), requests(m.Requests))
	}
	if m.Filter == Honoured {
		return "HaloPSA filters tickets by change time, so each poll asks only for what changed (about 2 requests a poll)."
	}
	return "Polling asks HaloPSA for the tickets changed since the last poll and checks every answer for rows it did not ask for."
}

// pollModeKey is the setting that keeps the PollMode.
const pollModeKey = "poll.mode"

// PollMode returns what polling has learned so far about the HaloPSA this
// Tickets talks to (Unknown verdicts when it has not polled it yet).
func (ts *Tickets) PollMode(ctx context.Context) (PollMode, error) {
	return SavedPollMode(ctx, ts.DB, string(ts.Halo.Address()))
}

// SavedPollMode reads what polling learned about the HaloPSA at address
// (Unknown verdicts when nothing was learned about it), without a client.
func SavedPollMode(ctx context.Context, db *store.DB, address string) (PollMode, error) {
	m := PollMode{Address: address}
	raw, err := db.Setting(ctx, pollModeKey, "")
	if err != nil || raw == "" {
		return m, err
	}
	var saved PollMode
	if json.Unmarshal([]byte(raw), &saved) != nil || saved.Address != m.Address {
		return m, nil // another HaloPSA, or unreadable: learn afresh
	}
	return saved, nil
}

// loadMode returns the mode a poll starts from: the saved one, with
// verdicts older than recheckAfter set back to Unknown so that they are
// tested again (the announced strategy is kept, so a confirmed verdict is
// not announced twice).
func (ts *Tickets) loadMode(ctx context.Context, now time.Time) (PollMode, error) {
	m, err := ts.PollMode(ctx)
	if err != nil {
		return m, err
	}
	if m.CheckedAt.IsZero() || now.Sub(m.CheckedAt) > recheckAfter {
		m.Filter, m.Order, m.CheckedAt = Unknown, Unknown, now
	}
	return m, nil
}

// saveMode stores m and, when the strategy it rests on changed, says so
// once in the sync log.
func (ts *Tickets) saveMode(ctx context.Context, m PollMode) error {
	if m.Known() && m.Strategy() != m.Logged {
		level := store.Info
		if m.Strategy() == OpenList {
			level = store.Warn
		}
		ts.log(ctx, level, store.OpPoll, "", m.Describe())
		m.Logged = m.Strategy()
		if ts.OnPollMode != nil {
			defer ts.OnPollMode(m) // once the mode is saved, for readers of Status
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return ts.DB.SetSetting(ctx, pollModeKey, string(b))
}

func requests(n int64) string {
	if n == 1 {
		return "1 request"
	}
	return fmt.Sprintf("%d requests", n)
}
