package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// A delivery whose ticket HaloPSA will not give must not hold up the
// others (see DrainInbox): it is put off, and judged at the end of the
// drain by whether HaloPSA gave other tickets meanwhile.

// maxApplyTries is how many drains that applied other deliveries try one
// whose ticket HaloPSA would not give before it is set aside; maxInARow is
// how many tickets refused in a row stop a drain.
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
// drain (several changes to one ticket are one refusal), otherwise unless
// it makes maxInARow tickets refused in a row.
func (po *putOffs) admit(ticket int64, err error) bool {
	if _, seen := po.refused[ticket]; seen {
		return true
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

// settlePutOff records the drain's put-off deliveries. Only a drain that
// read another delivery counts them as tried: when none could be read, the
// trouble may be HaloPSA's, and nothing is held against them. A delivery
// tried maxApplyTries times is set aside (failed, its reason kept in the
// inbox); the others stay pending with one more attempt. One log row per
// drain says which were put off for the first time, and one which were set
// aside (an error, so the owner hears of it).
func (ts *Tickets) settlePutOff(ctx context.Context, po *putOffs) error {
	if len(po.items) == 0 || !po.readOne {
		return nil
	}
	var first, failed []putOff
	_, err := ts.DB.ApplyInbox(ctx, func(b *store.ApplyBatch) error {
		first, failed = nil, nil // in case the batch runs again
		for _, p := range po.items {
			why := fmt.Sprintf("could not read ticket %d: %v", p.ticket, p.err)
			if p.it.Attempts+1 >= maxApplyTries {
				failed = append(failed, p)
				if err := b.SetInboxStatus(p.it.ID, store.InboxFailed, why); err != nil {
					return err
				}
				continue
			}
			if p.it.Attempts == 0 {
				first = append(first, p)
			}
			if err := b.PutOffInbox(p.it.ID, why); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(first) > 0 {
		last, n := first[len(first)-1], tickets(first)
		msg := fmt.Sprintf("Could not read this ticket from HaloPSA: %v. Its changes are tried again at the next sync; the others went on", last.err)
		if n > 1 {
			msg = fmt.Sprintf("Could not read %d tickets from HaloPSA, the last this one: %v. Their changes are tried again at the next sync; the others went on",
				n, last.err)
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
	return nil
}

// tickets counts the distinct tickets of ps.
func tickets(ps []putOff) int {
	seen := map[int64]bool{}
	for _, p := range ps {
		seen[p.ticket] = true
	}
	return len(seen)
}
