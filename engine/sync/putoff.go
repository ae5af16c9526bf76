package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/brainstormmsp/halosync/engine/backoff"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// A delivery whose ticket HaloPSA will not give must not hold up the
// others (see DrainInbox): it is put off, and judged at the end of the
// drain by whether HaloPSA gave other tickets meanwhile.

// maxApplyTries is how often HaloPSA is asked for a delivery's ticket,
// and refuses it while it gives others, before the delivery is set aside;
// maxInARow is how many tickets refused in a row stop a drain.
const (
	maxApplyTries = 5
	maxInARow     = 3
)

// putOff is a delivery whose ticket could not be read, and why.
type putOff struct {
	it     store.InboxItem
	ticket int64
	err    error
}

// asked reports whether HaloPSA was asked for the ticket in this drain,
// rather than it being left alone after a recent refusal: only an ask
// counts as a try.
func (p putOff) asked() bool {
	var na *notAskedError
	return !errors.As(p.err, &na)
}

// askAgain spaces the asks for a ticket HaloPSA would not give: a minute,
// doubling up to 15. A passing failure has time to pass before the
// delivery is given up (the fifth ask comes 15 minutes after the first),
// and a ticket the API agent may not see costs a handful of requests, not
// one per drain while deliveries keep arriving.
var askAgain = backoff.Backoff{Min: time.Minute, Max: 15 * time.Minute}

// refusal is what Tickets remembers of a ticket HaloPSA would not give.
type refusal struct {
	err    error
	asks   int
	next   time.Time // not asked again before
	warned bool      // the log has said so
}

// notAskedError is a ticket left alone because HaloPSA refused it lately.
type notAskedError struct {
	err   error // the last refusal
	until time.Time
}

func (e *notAskedError) Error() string {
	return fmt.Sprintf("%v (asked again after %s)", e.err, e.until.Local().Format(time.TimeOnly))
}

func (e *notAskedError) Unwrap() error { return e.err }

// ForgetRefusals makes the next drain ask HaloPSA again for every ticket it
// would not give lately, as when the owner has just fixed the API agent's
// access and retries the given-up deliveries.
func (ts *Tickets) ForgetRefusals() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.refusals = nil
}

// askTicket fetches ticket id for the apply step or a poll, unless HaloPSA
// would not give it earlier in this run (refused) or lately (before its
// askAgain delay ran out): then it fails the same way without asking. A refusal is
// remembered, and forgotten once HaloPSA gives the ticket.
func (ts *Tickets) askTicket(ctx context.Context, id int64, refused map[int64]error) (halo.Ticket, error) {
	if err, ok := refused[id]; ok {
		return halo.Ticket{}, err
	}
	now := ts.clock()
	ts.mu.Lock()
	r, known := ts.refusals[id]
	ts.mu.Unlock()
	if known && now.Before(r.next) {
		return halo.Ticket{}, &notAskedError{r.err, r.next}
	}
	t, err := ts.Halo.Ticket(ctx, halo.ID(id))
	if err == nil && t.ID.Int() != id {
		err = fmt.Errorf("%w: its id was %d", errWrongTicket, t.ID.Int())
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	switch {
	case err == nil:
		delete(ts.refusals, id)
	case aboutOneTicket(err):
		if ts.refusals == nil {
			ts.refusals = map[int64]refusal{}
		}
		r.err, r.asks = err, r.asks+1
		r.next = now.Add(askAgain.Nth(r.asks))
		ts.refusals[id] = r
	}
	return t, err
}

// putOffs are a drain's put-off deliveries, with what it takes to judge
// them.
type putOffs struct {
	items   []putOff
	refused map[int64]error // the tickets HaloPSA would not give, and why
	inARow  int             // tickets refused since the last delivery read
	readOne bool            // a delivery was read: HaloPSA answers for other tickets
}

// admit reports whether a delivery whose ticket HaloPSA would not give
// (err) is put off: always when that ticket was refused before in the
// drain (several changes to one ticket are one refusal) or left alone
// after a recent refusal, otherwise unless it makes maxInARow tickets
// refused in a row.
func (po *putOffs) admit(ticket int64, err error) bool {
	if _, seen := po.refused[ticket]; seen {
		return true
	}
	if !(putOff{err: err}).asked() {
		return true // left alone after a recent refusal: no request, no evidence
	}
	if po.inARow+1 >= maxInARow {
		return false
	}
	po.inARow++
	if po.refused == nil {
		po.refused = map[int64]error{}
	}
	po.refused[ticket] = err
	return true
}

// aboutOneTicket reports whether err, met reading one delivery's ticket
// from HaloPSA, may concern that ticket alone: HaloPSA answered, but
// refused it (403: the API agent may not see it), rejected the request
// (400), failed on it (5xx, after the client's retries), or sent something
// other than the ticket. Anything else would fail every delivery alike.
func aboutOneTicket(err error) bool {
	if errors.Is(err, errWrongTicket) {
		return true
	}
	var api *halo.APIError
	if !errors.As(err, &api) {
		return false // the store, or the context
	}
	switch {
	case errors.Is(err, halo.ErrPermission), errors.Is(err, halo.ErrValidation), errors.Is(err, halo.ErrServer):
		return true
	case errors.Is(err, halo.ErrNotHalo):
		return api.Status >= 200 && api.Status < 300 // a ticket HaloSync cannot read
	}
	return false
}

// errWrongTicket is an answer to a ticket's fetch that is not that ticket,
// such as an empty object: how HaloPSA answers for a ticket the API agent
// may not see is not known (HALOPSA-API.md section 1).
var errWrongTicket = errors.New("HaloPSA's answer was not the ticket")

// readLately is how recent a delivery read must be for a refusal to count
// against a ticket: the longest askAgain delay, so that a refused ticket's
// own deliveries, arriving alone, still count while others apply between.
const readLately = 15 * time.Minute

// settlePutOff records the drain's put-off deliveries. They count as tried
// only while HaloPSA gives other tickets: when this drain, or one in the
// last readLately, read a delivery. Otherwise the trouble may be HaloPSA's,
// and nothing is held against them. A delivery tried maxApplyTries times
// is set aside (failed, its reason kept in the inbox); the others stay
// pending with one more attempt. One log row per drain names the tickets
// refused for the first time, and one those whose deliveries were set
// aside (an error, so the owner hears of it). It returns how many were
// set aside.
func (ts *Tickets) settlePutOff(ctx context.Context, po *putOffs) (gaveUp int, err error) {
	now := ts.clock()
	ts.mu.Lock()
	if po.readOne {
		ts.lastRead = now
	}
	lately := !ts.lastRead.IsZero() && now.Sub(ts.lastRead) < readLately
	ts.mu.Unlock()
	if len(po.items) == 0 || !lately {
		return 0, nil
	}
	var first, failed []putOff
	_, err = ts.DB.ApplyInbox(ctx, func(b *store.ApplyBatch) error {
		first, failed = nil, nil // in case the batch runs again
		for _, p := range po.items {
			if !p.asked() {
				continue // left alone after a recent refusal: not a try
			}
			why := fmt.Sprintf("could not read ticket %d: %v", p.ticket, p.err)
			if p.it.Attempts+1 >= maxApplyTries {
				failed = append(failed, p)
				if err := b.SetInboxStatus(p.it.ID, store.InboxFailed, why); err != nil {
					return err
				}
				continue
			}
			if ts.warnOnce(p.ticket) {
				first = append(first, p)
			}
			if err := b.PutOffInbox(p.it.ID, why); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if len(first) > 0 {
		last, n := first[len(first)-1], tickets(first)
		msg := fmt.Sprintf("Could not read this ticket from HaloPSA: %v. Its changes wait, and HaloPSA is asked again in a minute, "+
			"then less and less often; the others went on", last.err)
		if n > 1 {
			msg = fmt.Sprintf("Could not read %d tickets from HaloPSA, the last this one: %v. Their changes wait, and HaloPSA is asked again "+
				"in a minute, then less and less often; the others went on", n, last.err)
		}
		ts.log(ctx, store.Warn, store.OpWebhook, fmt.Sprintf("ticket %d", last.ticket), msg)
	}
	if len(failed) > 0 {
		last, n := failed[len(failed)-1], tickets(failed)
		msg := fmt.Sprintf("Gave up changes to this ticket after %d tries, as HaloPSA would not give the ticket: %v. "+
			"Once HaloSync's API agent may see it, Try again under Tickets, given up (or halosyncctl webhook retry); its next change in HaloPSA is tried afresh anyway",
			maxApplyTries, last.err)
		if n > 1 {
			msg = fmt.Sprintf("Gave up changes to %d tickets after %d tries each, as HaloPSA would not give them; the last this one: %v. "+
				"Once HaloSync's API agent may see them, Try again under Tickets, given up (or halosyncctl webhook retry); their next changes in HaloPSA are tried afresh anyway",
				n, maxApplyTries, last.err)
		}
		ts.log(ctx, store.Error, store.OpWebhook, fmt.Sprintf("ticket %d", last.ticket), msg)
	}
	return len(failed), nil
}

// tickets counts the distinct tickets of ps.
func tickets(ps []putOff) int {
	seen := map[int64]bool{}
	for _, p := range ps {
		seen[p.ticket] = true
	}
	return len(seen)
}

// warnOnce reports whether ticket id's refusal is still to be told in the
// log, and marks it told: once per refusal, however many of the ticket's
// deliveries wait and however often HaloPSA is asked.
func (ts *Tickets) warnOnce(id int64) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	r, ok := ts.refusals[id]
	if !ok || r.warned {
		return false
	}
	r.warned = true
	ts.refusals[id] = r
	return true
}
