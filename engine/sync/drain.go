package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// Applying deliveries one transaction each (several, with the notes and the
// inbox mark) kept the apply step at a few hundred a second while the
// receiver was busy: every commit queued behind the receiver's on the one
// writer connection. DrainInbox now works in chunks. It first prepares each
// delivery of a chunk outside any transaction (decoding it and, when its
// payload is partial, fetching HaloPSA's copy), then applies the whole chunk
// in one transaction (store.ApplyBatch), in order, each delivery's effect
// and its inbox mark together. Deliveries about the same ticket read it
// once. A ticket whose notes must be listed from HaloPSA is listed once per
// chunk after the commit, and only then are its deliveries marked applied,
// so that a failed listing leaves them pending as before.

// drainChunk is how many deliveries DrainInbox reads and prepares at a
// time, and the most it applies in one transaction: enough to make a
// commit's cost small per delivery. While the receiver waits to store
// deliveries, a transaction ends after minYield deliveries instead, so that
// HaloPSA's answers wait for a few deliveries' work, not a chunk's.
const (
	drainChunk = 200
	minYield   = 16
)

// prepared is a delivery ready to apply: what it settles to without being
// applied (settle set), or the ticket to apply.
type prepared struct {
	it     store.InboxItem
	settle store.InboxStatus // set when the delivery is only marked
	why    string            // the mark's error text
	log    *store.LogEntry   // a row to write with the mark
	ev     webhook.Event
	t      halo.Ticket // the version to apply, complete
	to     int64       // the local client a held delivery was released to
}

// outcome is what became of a delivery in a chunk.
type outcome struct {
	status store.InboxStatus
	client int64 // the HaloPSA client a held delivery waits for
	notes  bool  // applied, but marked only after its ticket's notes are read
}

// drainTally counts a drain's outcomes for its summary rows.
type drainTally struct {
	applied, settled, unreadable int
	lastBad                      string
	held                         map[int64]int // newly held deliveries by HaloPSA client
}

func (d *drainTally) add(it store.InboxItem, o outcome) {
	d.settled++
	switch {
	case o.status == store.InboxApplied:
		d.applied++
	case o.status == store.InboxUnreadable:
		d.unreadable, d.lastBad = d.unreadable+1, it.DeliveryID
	case o.status == store.InboxHeld && it.Attempts == 0:
		d.held[o.client]++
	}
}

// DrainInbox applies every pending delivery, oldest first. A delivery
// whose client is not mapped is held (and applied once it is); newly held
// ones are logged in one line per drain, not one each, and so are the
// unreadable ones set aside.
//
// A delivery whose ticket HaloPSA would not give (aboutOneTicket) is put
// off, and draining goes on: one ticket the API agent may not see must not
// hold up the others. HaloPSA is asked for that ticket again after a delay
// (askAgain), and the delivery is set aside (failed) once maxApplyTries of
// those asks, in drains that applied others, could not read it.
// Changes to one such ticket are one refusal, asked once per drain;
// maxInARow tickets refused in a row look like HaloPSA's trouble, not the
// tickets': draining stops there, as it does at once for an error that
// would fail every delivery alike (HaloPSA unreachable or limiting, the
// credentials); the delivery stays pending, to be tried again on the next
// call, and so do the others of its chunk not yet committed, which apply
// again harmlessly.
func (ts *Tickets) DrainInbox(ctx context.Context) (applied int, err error) {
	d := &drainTally{held: map[int64]int{}}
	defer func() { // last, after the rows below: one call for the drain
		if d.settled > 0 {
			ts.changed()
		}
	}()
	defer ts.logDrain(ctx, d)
	var po putOffs
	err = ts.drain(ctx, d, &po)
	gaveUp, perr := ts.settlePutOff(ctx, &po)
	d.settled += gaveUp // the window shows them (OnChange)
	if err == nil {
		err = perr
	}
	return d.applied, err
}

// drain is DrainInbox's loop over the pending deliveries, a chunk at a time.
func (ts *Tickets) drain(ctx context.Context, d *drainTally, po *putOffs) error {
	var after int64 // the last delivery read or put off
	for {
		items, err := ts.DB.PendingInboxAfter(ctx, after, drainChunk)
		if err != nil || len(items) == 0 {
			return err
		}
		preps := make([]prepared, 0, len(items))
		var stop error
		for _, it := range items {
			p, err := ts.prepare(ctx, it, po.refused)
			switch {
			case err == nil:
				po.inARow, po.readOne = 0, true
				preps = append(preps, p)
			case aboutOneTicket(err) && po.admit(p.ev.TicketID, err):
				po.items = append(po.items, putOff{it, p.ev.TicketID, err})
			default:
				stop = err // apply those before it, then stop
			}
			if stop != nil {
				break
			}
			after = it.ID
		}
		if err := ts.applyChunk(ctx, preps, d); err != nil {
			return err
		}
		if stop != nil {
			return stop
		}
	}
}

// logDrain writes a drain's summary rows. One row for the lot: a sender
// gone wrong can send thousands, each kept in the inbox with its reason.
func (ts *Tickets) logDrain(ctx context.Context, d *drainTally) {
	switch d.unreadable {
	case 0:
	case 1:
		ts.log(ctx, store.Error, store.OpWebhook, d.lastBad, "A delivery could not be read and was set aside (see the inbox)")
	default:
		ts.log(ctx, store.Error, store.OpWebhook, "", fmt.Sprintf(
			"%d deliveries could not be read and were set aside (see the inbox); the last was %s", d.unreadable, d.lastBad))
	}
	if len(d.held) == 0 {
		return
	}
	n := 0
	for _, k := range d.held {
		n += k
	}
	ts.log(ctx, store.Warn, store.OpTickets, "", fmt.Sprintf(
		"Held %d ticket change(s) of %d HaloPSA client(s) not mapped to a local client; they apply once mapped (Clients & Mapping), "+
			"or release or drop them (Tickets, held; halosyncctl tickets held)", n, len(d.held)))
}

// prepare reads one delivery and fetches what applying it needs from
// HaloPSA, outside any transaction. An error means "try again later"; a
// delivery that can never apply is marked.
//
// refused holds the tickets HaloPSA would not give earlier in the drain
// (see askTicket).
func (ts *Tickets) prepare(ctx context.Context, it store.InboxItem, refused map[int64]error) (prepared, error) {
	p := prepared{it: it}
	events, err := webhook.Decode(it.Body)
	if err != nil || len(events) != 1 || events[0].Err != nil || events[0].TicketID == 0 {
		// DrainInbox logs these, one row per drain.
		p.settle, p.why = store.InboxUnreadable, "not a ticket delivery"
		return p, nil
	}
	p.ev = events[0]
	ev, t := p.ev, p.ev.Ticket
	deleted := isDeletion(ev)
	if p.to, err = ts.releasedTo(ctx, it); err != nil { // held.go
		return p, err
	}
	// A partial payload (event-only, or a small object) is completed from
	// HaloPSA, so that the version check has HaloPSA's timestamps. So is a
	// deletion's, whose ticket is the one that was (HaloPSA's answer now is
	// what counts), and a held one's, which may be long out of date.
	if t == nil || t.ClientID == 0 || t.StatusID == 0 || remoteTime(*t).IsZero() || deleted || p.to != 0 || ts.heldTooLong(ctx, it, *t) {
		full, err := ts.askTicket(ctx, ev.TicketID, refused)
		switch {
		case errors.Is(err, halo.ErrNotFound):
			// Expected after a deletion, so not a warning then.
			level, what := store.Warn, "the delivery"
			if deleted {
				level = store.Info
			}
			if ev.Event != "" {
				what = "the " + ev.Event + " delivery"
			}
			p.settle, p.why = store.InboxApplied, "ticket not found in HaloPSA"
			p.log = &store.LogEntry{Level: level, Operation: store.OpWebhook, Object: fmt.Sprintf("ticket %d", ev.TicketID),
				Message: "HaloPSA no longer has this ticket; " + what + " was skipped"}
			return p, nil
		case err != nil:
			return p, err
		}
		t = &full
	}
	p.t = *t
	return p, nil
}

// applyChunk applies preps in one transaction (or several, when the
// receiver waits), publishes their log rows, then reads the notes the
// chunk's tickets need and marks their deliveries.
func (ts *Tickets) applyChunk(ctx context.Context, preps []prepared, d *drainTally) error {
	if len(preps) == 0 {
		return nil
	}
	outs := make([]outcome, len(preps))
	for next := 0; next < len(preps); {
		start, yielded := time.Now(), false
		logs, err := ts.DB.ApplyInbox(ctx, func(b *store.ApplyBatch) error {
			for i := next; i < len(preps); i++ {
				if i-next >= minYield && b.InboxWaiting() {
					next, yielded = i, true // commit these; the rest go in the next batch
					return nil
				}
				o, err := ts.applyIn(b, preps[i])
				if err != nil {
					return err
				}
				outs[i] = o
			}
			next = len(preps)
			return nil
		})
		if err != nil {
			return err
		}
		ts.publish(logs)
		if yielded {
			// The receiver is busy: leave it the two cores' time as long
			// again, so that a drain costs intake at most half its speed.
			select {
			case <-time.After(time.Since(start)):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	var reads []int64            // tickets whose notes to read, in order
	waiting := map[int64][]int{} // their deliveries, by index in preps
	for i, p := range preps {
		if !outs[i].notes {
			d.add(p.it, outs[i])
			continue
		}
		id := p.t.ID.Int()
		if _, seen := waiting[id]; !seen {
			reads = append(reads, id)
		}
		waiting[id] = append(waiting[id], i)
	}
	return ts.readWaiting(ctx, reads, waiting, preps, d)
}

// applyIn applies one prepared delivery inside b and marks it, except one
// whose ticket's notes must be read from HaloPSA first (outcome.notes).
func (ts *Tickets) applyIn(b *store.ApplyBatch, p prepared) (outcome, error) {
	if p.settle != "" {
		if p.log != nil {
			if err := b.Log(*p.log); err != nil {
				return outcome{}, err
			}
		}
		return outcome{status: p.settle}, b.SetInboxStatus(p.it.ID, p.settle, p.why)
	}
	haloID := p.t.ID.Int()
	_, err := b.TicketByHalo(haloID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return outcome{}, err
	}
	heldBefore := err == nil
	held, err := ts.applyRemoteIn(b, p.t, p.to)
	if err != nil {
		return outcome{}, err
	}
	if held {
		client := p.t.ClientID.Int()
		return outcome{status: store.InboxHeld, client: client},
			b.HoldInbox(p.it.ID, client, fmt.Sprintf("HaloPSA client %d is not mapped", p.t.ClientID))
	}
	read, err := ts.notesIn(b, haloID, p.ev.Action, heldBefore)
	if err != nil || read {
		return outcome{status: store.InboxApplied, notes: read}, err
	}
	return outcome{status: store.InboxApplied}, b.SetInboxStatus(p.it.ID, store.InboxApplied, "")
}

// readWaiting reads the notes of the tickets in reads, once each, and marks
// their waiting deliveries applied. A read that fails for a passing reason
// stops it: the deliveries of that ticket and those after stay pending, and
// applying them again is harmless. Notes must not hold up the ticket
// otherwise: RefreshNotes can read them later.
func (ts *Tickets) readWaiting(ctx context.Context, reads []int64, waiting map[int64][]int, preps []prepared, d *drainTally) error {
	var done []int // indexes in preps
	var stop error
	for _, id := range reads {
		t, err := ts.DB.TicketByHalo(ctx, id)
		if err == nil {
			_, err = ts.readNotes(ctx, t)
		} else if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
		if err != nil && transient(err) {
			stop = err
			break
		}
		if err != nil {
			ts.log(ctx, store.Warn, store.OpTickets, fmt.Sprintf("ticket %d", id), "Could not read the ticket's notes: "+err.Error())
		}
		done = append(done, waiting[id]...)
	}
	if len(done) > 0 {
		_, err := ts.DB.ApplyInbox(ctx, func(b *store.ApplyBatch) error {
			for _, i := range done {
				if err := b.SetInboxStatus(preps[i].it.ID, store.InboxApplied, ""); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, i := range done {
			d.add(preps[i].it, outcome{status: store.InboxApplied})
		}
	}
	return stop
}

// transient reports whether an error may go away by itself: HaloPSA
// unreachable, failing or rate limiting, or the store busy.
func transient(err error) bool {
	var api *halo.APIError
	if errors.As(err, &api) {
		return errors.Is(err, halo.ErrUnreachable) || errors.Is(err, halo.ErrServer) || errors.Is(err, halo.ErrRateLimited)
	}
	return true
}

// heldTooLong reports whether a delivery that waited for its client's
// mapping can now apply: then its copy of the ticket may be long out of
// date (polls skip closed tickets HaloSync does not hold), so HaloPSA's
// current copy is fetched instead.
func (ts *Tickets) heldTooLong(ctx context.Context, it store.InboxItem, t halo.Ticket) bool {
	if it.Attempts == 0 {
		return false
	}
	_, mapped, err := ts.DB.LocalClientForHalo(ctx, t.ClientID.Int())
	return err == nil && mapped
}

// isDeletion reports whether a delivery announces a deleted ticket, by
// event number or by name.
func isDeletion(ev webhook.Event) bool {
	return ev.EventNo == webhook.EventNoTicketDeleted || strings.EqualFold(strings.TrimSpace(ev.Event), "Ticket Deleted")
}
