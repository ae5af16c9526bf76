package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// pollResource names the polling cursor in the store's sync state.
const pollResource store.Resource = "tickets"

// pollOverlap re-reads a little before the cursor, since HaloPSA's clock
// and the order in which it stamps changes are not ours to trust.
const pollOverlap = 2 * time.Minute

// maxFetchesPerPoll bounds the one-by-one fetches of an open-list poll (a
// mass close of hundreds of tickets); the rest wait for the next poll.
const maxFetchesPerPoll = 50

// PollResult says what one poll did.
type PollResult struct {
	Requests int64 // API requests the poll made
	Changed  int   // tickets that changed since the cursor, queued for apply
	Cursor   time.Time
	Mode     PollMode // what the poll learned of how HaloPSA answers
}

// PollOnce asks HaloPSA for tickets changed since the cursor and queues
// them in the inbox, where DrainInbox applies them like webhook
// deliveries. It uses the cheapest way this HaloPSA allows (see Strategy):
// about 2 requests when nothing changed. The first poll reads the open
// tickets only: closed history is not imported.
func (ts *Tickets) PollOnce(ctx context.Context) (PollResult, error) {
	return ts.poll(ctx, 0)
}

// Reconcile re-reads the tickets changed in the last window, whatever the
// cursor says: webhook deliveries can be lost, and HaloPSA auto-disables a
// webhook that keeps failing. Tickets already applied are skipped cheaply.
func (ts *Tickets) Reconcile(ctx context.Context, window time.Duration) (PollResult, error) {
	ts.mu.Lock()
	ts.outside = nil // re-fetch tickets that HaloPSA lists as not open
	ts.mu.Unlock()
	return ts.poll(ctx, window)
}

// filterProbe is the date sent with the first poll's filter: before any
// HaloPSA ticket, so that the filter leaves nothing out.
var filterProbe = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// passKind tells the two halves of a poll apart.
type passKind int

const (
	openPass passKind = iota
	closedPass
)

// pollRun is one poll's working state.
type pollRun struct {
	ts     *Tickets
	since  time.Time // zero on the first poll
	mode   PollMode
	cursor time.Time // newest change seen
	items  []store.InboxItem
	// openSeen holds every ticket the open pass listed; openComplete says
	// the pass read HaloPSA's whole open list (see fullOpenList).
	openSeen     map[int64]bool
	openComplete bool
	filterSent   bool // the open pass sent lastupdatefromdate
}

func (ts *Tickets) poll(ctx context.Context, window time.Duration) (PollResult, error) {
	before := ts.Halo.Stats().Requests
	var res PollResult
	cursor, err := ts.cursor(ctx)
	if err != nil {
		return res, err
	}
	mode, err := ts.loadMode(ctx, time.Now())
	if err != nil {
		return res, err
	}
	p := &pollRun{ts: ts, mode: mode, cursor: cursor, openSeen: map[int64]bool{}}
	if !cursor.IsZero() {
		p.since = cursor.Add(-pollOverlap - window)
	}
	err = p.run(ctx)
	res.Requests = ts.Halo.Stats().Requests - before
	p.mode.Requests = res.Requests
	if err != nil {
		// What was learned stays learned, even from a poll that failed.
		_ = ts.saveMode(context.WithoutCancel(ctx), p.mode)
		return res, fmt.Errorf("poll tickets: %w", err)
	}
	if len(p.items) > 0 {
		if res.Changed, err = ts.DB.AddInbox(ctx, p.items); err != nil {
			return res, err
		}
	}
	if err := ts.saveMode(ctx, p.mode); err != nil {
		return res, err
	}
	if p.cursor.IsZero() {
		p.cursor = time.Now().UTC() // nothing open yet: start from now
	}
	res.Cursor, res.Mode = p.cursor, p.mode
	return res, ts.DB.SetSyncState(ctx, store.SyncState{Resource: pollResource, LastSuccess: p.cursor, Rows: res.Changed})
}

// run reads the open tickets, then finds the ones closed since the cursor
// in the cheapest way the verdicts allow.
func (p *pollRun) run(ctx context.Context) error {
	if err := p.pass(ctx, openPass); err != nil {
		return err
	}
	if p.since.IsZero() {
		return nil // the first poll: closed history is not imported
	}
	if p.mode.Strategy() != OpenList {
		done, err := p.closedPass(ctx)
		if err != nil || done {
			return err
		}
		// The closed pass found both parameters ignored: fall back.
	}
	if !p.fullOpenList() {
		// The open pass stopped early on an order the closed pass then
		// showed not to hold: read the whole open list once more.
		p.openSeen = map[int64]bool{}
		if err := p.pass(ctx, openPass); err != nil {
			return err
		}
	}
	return p.fetchLeftOpenList(ctx)
}

// fullOpenList reports whether the open pass read every open ticket: it
// ran to the end, and either sent no date filter or the filter is known
// not to hold.
func (p *pollRun) fullOpenList() bool {
	return p.openComplete && (!p.filterSent || p.mode.Filter == Ignored || p.mode.Filter == Rejected)
}

// closedPass reads the tickets closed since the cursor. It reports false
// when it had to give up because HaloPSA honours neither the filter nor
// the order, so the closed history cannot be read cheaply.
func (p *pollRun) closedPass(ctx context.Context) (bool, error) {
	if err := p.pass(ctx, closedPass); err != nil {
		return false, err
	}
	return p.mode.Strategy() != OpenList, nil
}

// pass reads one half of the ticket list, newest change first, with the
// date filter unless HaloPSA rejected it, and stops as early as the
// verdicts allow.
func (p *pollRun) pass(ctx context.Context, kind passKind) error {
	q := halo.TicketQuery{OpenOnly: kind == openPass, ClosedOnly: kind == closedPass, OrderBy: "last_update", OrderDesc: true}
	filtered := !p.since.IsZero() && p.mode.Filter != Rejected
	switch {
	case filtered:
		q.ChangedSince = p.since
	case p.since.IsZero() && p.mode.Filter == Unknown:
		// The first poll reads every open ticket, but sends the filter
		// with a date before any ticket: a HaloPSA that refuses it says
		// so now rather than on the first idle poll.
		q.ChangedSince = filterProbe
		filtered = true
	}
	stopped := false
	err := p.ts.Halo.TicketPages(ctx, q, func(pg halo.Page[halo.Ticket]) (bool, error) {
		more, err := p.page(ctx, kind, filtered, pg.Rows)
		stopped = !more
		return more, err
	})
	if filtered && errors.Is(err, halo.ErrValidation) {
		// The spec types lastupdatefromdate as a bool: a strict HaloPSA
		// refuses a date in it. Read the list without it.
		p.mode.Filter = Rejected
		return p.pass(ctx, kind)
	}
	if err != nil {
		return err
	}
	if kind == openPass {
		p.filterSent, p.openComplete = filtered, !stopped
	}
	if kind == closedPass && filtered && !stopped && p.mode.Filter == Unknown {
		// A whole closed list came back with nothing older than asked:
		// the filter holds (a tenant with no closed history cannot tell,
		// and then it does not matter).
		p.mode.Filter = Honoured
	}
	return nil
}

// page takes one page of a pass: it updates the verdicts from what the
// page shows, queues the tickets that changed, and says whether the pass
// should read on.
func (p *pollRun) page(ctx context.Context, kind passKind, filtered bool, rows []halo.Ticket) (bool, error) {
	if v := orderVerdict(rows); v == Ignored || (v == Honoured && p.mode.Order == Unknown) {
		p.mode.Order = v
	}
	sawOld := false
	for _, t := range rows {
		if p.older(t) {
			sawOld = true
		}
	}
	if sawOld && filtered {
		p.mode.Filter = Ignored // rows older than asked for came back
	}
	if err := p.queue(ctx, kind, rows); err != nil {
		return false, err
	}
	switch {
	case !sawOld:
		return true, nil
	case p.mode.Order == Honoured:
		return false, nil // sorted newest first: the rest is older still
	case kind == closedPass:
		return false, nil // unsorted closed history: too dear to read
	}
	return true, nil // the open list, unsorted: read it all
}

// older reports whether t changed before the poll's window: a row that a
// date filter would have left out. HaloPSA takes the filter to the second.
func (p *pollRun) older(t halo.Ticket) bool {
	if p.since.IsZero() {
		return false
	}
	at := t.Updated()
	if at.IsZero() {
		at = t.ChangedAt()
	}
	return at.Before(p.since.Truncate(time.Second).Add(-time.Second))
}

// orderVerdict reads a page for evidence of the newest-first order:
// Ignored when a row changed later than the one before it, Honoured when
// enough distinct change times all run newest first, else Unknown.
func orderVerdict(rows []halo.Ticket) Verdict {
	var prev time.Time
	distinct := 0
	for _, t := range rows {
		at := t.Updated()
		if at.IsZero() {
			continue
		}
		if !prev.IsZero() && at.After(prev) {
			return Ignored
		}
		if !at.Equal(prev) {
			distinct++
		}
		prev = at
	}
	if len(rows) >= 5 && distinct >= 3 {
		return Honoured
	}
	return Unknown
}

// queue adds to the poll's inbox items the tickets of rows that HaloSync
// does not hold in this version yet. Closed tickets it never held are
// history and are left out, as every strategy must: an open-list poll
// never sees them.
func (p *pollRun) queue(ctx context.Context, kind passKind, rows []halo.Ticket) error {
	ids := make([]int64, len(rows))
	for i, t := range rows {
		ids[i] = t.ID.Int()
		if kind == openPass {
			p.openSeen[t.ID.Int()] = true
		}
	}
	held, err := p.ts.DB.TicketVersions(ctx, ids)
	if err != nil {
		return err
	}
	for _, t := range rows {
		at := t.ChangedAt()
		if at.After(p.cursor) && !p.older(t) {
			p.cursor = at
		}
		version, ok := held[t.ID.Int()]
		switch {
		case ok && !at.After(version):
			continue // applied already
		case !ok && kind == closedPass:
			continue // closed history
		}
		if err := p.add(t); err != nil {
			return err
		}
	}
	return nil
}

// add queues one ticket as a poll delivery; its id names the version, so
// that the same version queued twice is stored once.
func (p *pollRun) add(t halo.Ticket) error {
	at := t.ChangedAt()
	id := fmt.Sprintf("poll:%d:%d", t.ID, at.UnixNano())
	body, err := json.Marshal(map[string]any{"id": id, "event": "poll", "object_id": int64(t.ID), "ticket": t})
	if err != nil {
		return err
	}
	p.items = append(p.items, store.InboxItem{DeliveryID: id, Event: "poll", ObjectID: int64(t.ID), Body: body})
	return nil
}

// fetchLeftOpenList fetches, one by one, the tickets HaloSync holds open
// that HaloPSA's open list no longer shows: closed (or deleted) since the
// last poll. A ticket HaloPSA keeps off its open list while HaloSync
// groups its status as open is remembered and not fetched again until it
// changes or the next Reconcile.
func (p *pollRun) fetchLeftOpenList(ctx context.Context) error {
	p.mode.OpenTickets = len(p.openSeen)
	held, err := p.ts.DB.OpenTicketVersions(ctx)
	if err != nil {
		return err
	}
	fetched := 0
	var po putOffs // the drain's rule for tickets HaloPSA will not give
	for id, version := range held {
		if p.openSeen[id] || p.ts.knownOutside(id, version) {
			continue
		}
		if fetched == maxFetchesPerPoll {
			break
		}
		fetched++
		t, err := p.ts.askTicket(ctx, id, po.refused)
		switch {
		case errors.Is(err, halo.ErrNotFound):
			p.ts.log(ctx, store.Warn, store.OpPoll, fmt.Sprintf("ticket %d", id), "HaloPSA no longer has this ticket")
			p.ts.markOutside(id, version)
			po.inARow = 0 // HaloPSA answers
			continue
		case err != nil && aboutOneTicket(err) && po.admit(id, err):
			// Most likely a ticket the API agent may no longer see (its team
			// or client restricted), which lists leave out: the poll goes on
			// without it, as the drain does (DrainInbox).
			if (putOff{err: err}).asked() {
				p.ts.log(ctx, store.Warn, store.OpPoll, fmt.Sprintf("ticket %d", id), fmt.Sprintf(
					"HaloPSA would not give this ticket: %v. HaloSync keeps its copy as it was and looks again at the next full check", err))
			}
			p.ts.markOutside(id, version)
			continue
		case err != nil:
			return err
		}
		po.inARow = 0
		if !t.ChangedAt().After(version) {
			p.ts.markOutside(id, version)
			continue
		}
		if t.ChangedAt().After(p.cursor) {
			p.cursor = t.ChangedAt()
		}
		if err := p.add(t); err != nil {
			return err
		}
	}
	return nil
}

func (ts *Tickets) knownOutside(id int64, version time.Time) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	v, ok := ts.outside[id]
	return ok && v.Equal(version)
}

func (ts *Tickets) markOutside(id int64, version time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.outside == nil {
		ts.outside = map[int64]time.Time{}
	}
	ts.outside[id] = version
}

// cursor is the newest HaloPSA change time applied so far (zero: never
// polled), kept as the "tickets" sync state's LastSuccess.
func (ts *Tickets) cursor(ctx context.Context) (time.Time, error) {
	states, err := ts.DB.SyncStates(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return time.Time{}, err
	}
	for _, s := range states {
		if s.Resource == pollResource {
			return s.LastSuccess, nil
		}
	}
	return time.Time{}, nil
}
