package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/engine/backoff"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// pushRetry spaces a change's retries: 5 s after the first failure,
// doubling up to 15 minutes. The attempts are counted in its outbox row.
var pushRetry = backoff.Backoff{Min: 5 * time.Second, Max: 15 * time.Minute}

// maxPushAttempts bounds retries of one outbox item before it is failed.
const maxPushAttempts = 12

// PushOutbox sends queued local changes to HaloPSA, oldest first and one
// at a time (parallel creates race in HaloPSA's ticket numbering). It
// returns when the outbox is empty or the next item is not due yet, with
// how many went out. When HaloPSA cannot be reached it records the retry
// on the item and stops with that error (wrapping halo.ErrUnreachable or
// halo.ErrServer): the next item would only fail the same way, and the
// caller decides when to try again. OnChange hears of it once, at the end.
func (ts *Tickets) PushOutbox(ctx context.Context) (pushed int, err error) {
	tried := false // an item pushed, retried or failed changed the outbox
	defer func() {
		if tried {
			ts.changed()
		}
	}()
	for {
		item, t, err := ts.DB.NextOutbox(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return pushed, nil
		}
		if err != nil {
			return pushed, err
		}
		tried = true
		if err := ts.pushOne(ctx, item, t); err != nil {
			return pushed, err
		}
		pushed++
	}
}

// pushOne sends one item and records the outcome. It returns an error
// when the store fails or HaloPSA cannot be reached; HaloPSA's other
// failures are only recorded on the item.
func (ts *Tickets) pushOne(ctx context.Context, item store.OutboxItem, t store.Ticket) error {
	obj := fmt.Sprintf("ticket %s", t.Ref)
	if t.HaloID != 0 {
		obj = fmt.Sprintf("ticket %d", t.HaloID)
	}
	if item.Kind == "note" {
		return ts.pushNote(ctx, item, t, obj) // notes.go
	}
	var sent halo.Ticket
	var err error
	switch item.Kind {
	case "create":
		sent, err = ts.pushCreate(ctx, item, t)
	default:
		sent, err = ts.pushStatus(ctx, item, t)
	}
	if err != nil {
		return ts.pushFailed(ctx, item, t, obj, err)
	}
	if sent.ID == 0 { // nothing to send after all
		return nil
	}
	t.HaloID, t.StatusID, t.BaseStatusID = sent.ID.Int(), sent.StatusID.Int(), sent.StatusID.Int()
	if at := remoteTime(sent); at.After(t.HaloUpdatedAt) {
		t.HaloUpdatedAt = at
	}
	if err := ts.DB.FinishOutbox(ctx, item.ID, t); err != nil {
		return err
	}
	if item.Kind == "create" {
		// The notes HaloPSA has so far are the ones HaloSync sent: later
		// changes to the ticket are what may bring new ones.
		if _, err := ts.DB.SaveHaloNotes(ctx, t.ID, nil, t.HaloUpdatedAt); err != nil {
			return err
		}
	}
	ts.log(ctx, store.Info, store.OpPushOf(item.Kind), obj, pushMessage(item, t, ts.statusName))
	return nil
}

// heldFor is how long an item HaloPSA refused for a missing field waits
// before it is tried again on its own; fixing the field (SetTicketFields)
// sends it at once. HaloPSA's own settings may change meanwhile, so it is
// tried again now and then rather than parked for good.
const heldFor = time.Hour

// pushFailed records a failed push: held with a plain reason when HaloPSA
// wants a field a person must supply (never dropped), failed when retrying
// cannot help, else retried later. It returns an error only when the store
// fails or HaloPSA cannot be reached.
func (ts *Tickets) pushFailed(ctx context.Context, item store.OutboxItem, t store.Ticket, obj string, err error) error {
	var ve *halo.ValidationError
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &ve) && item.Kind != "status":
		reason := ts.needs(ctx, ve, item, t)
		ts.log(ctx, store.Error, store.OpPushOf(item.Kind), obj, reason+"; the change waits in the outbox until that is fixed")
		return ts.DB.HoldOutbox(ctx, item.ID, reason, time.Now().Add(heldFor))
	case permanent(err) || item.Attempts+1 >= maxPushAttempts:
		ts.write(ctx, store.LogEntry{Level: store.Error, Operation: store.OpPushOf(item.Kind), Object: obj,
			Message: "HaloPSA refused the change: " + err.Error(), Err: err})
		return ts.DB.FailOutbox(ctx, item.ID, err.Error())
	}
	next := time.Now().Add(pushRetry.Nth(item.Attempts + 1))
	ts.log(ctx, store.Warn, store.OpPushOf(item.Kind), obj, fmt.Sprintf("Will retry at %s: %v", next.Format(time.TimeOnly), err))
	// A create or note that may have reached HaloPSA stays "sending", so
	// the next attempt looks for it before sending again.
	if serr := ts.DB.RetryOutbox(ctx, item.ID, err.Error(), next, item.Kind == "create" || item.Kind == "note"); serr != nil {
		return serr
	}
	if errors.Is(err, halo.ErrUnreachable) || errors.Is(err, halo.ErrServer) {
		return fmt.Errorf("push %s: %w", obj, err)
	}
	return nil
}

// needs says plainly what HaloPSA wants, e.g. "HaloPSA needs a site for
// ticket type Service Request (HaloPSA: Please select a Site ...)".
func (ts *Tickets) needs(ctx context.Context, ve *halo.ValidationError, item store.OutboxItem, t store.Ticket) string {
	what := "HaloPSA refused the ticket"
	if item.Kind == "note" {
		what = "HaloPSA refused the note"
	}
	if ve.Field != "" {
		what = "HaloPSA needs " + halo.FieldLabel(ve.Field)
		if item.Kind == "note" {
			what += " for the note"
		} else if name := ts.typeName(ctx, t.TypeID); name != "" {
			what += " for ticket type " + name
		}
	}
	if ve.Message == "" {
		return what
	}
	return what + " (HaloPSA: " + strings.TrimSpace(ve.Message) + ")"
}

func pushMessage(item store.OutboxItem, t store.Ticket, name func(int64) string) string {
	if item.Kind == "create" {
		return fmt.Sprintf("Created HaloPSA ticket %d (%s)", t.HaloID, t.Ref)
	}
	return fmt.Sprintf("Set the status to %q in HaloPSA", name(t.StatusID))
}

// permanent reports whether retrying cannot help.
func permanent(err error) bool {
	return errors.Is(err, halo.ErrValidation) || errors.Is(err, halo.ErrPermission) ||
		errors.Is(err, halo.ErrNotFound) || errors.Is(err, halo.ErrMissingScope)
}

// pushCreate creates the ticket in HaloPSA exactly once. The item is
// marked "sending" in the store before the request; an item found in that
// state was cut off (a crash, a dropped connection) and HaloPSA may have
// created the ticket, so its reference is looked for before sending again.
func (ts *Tickets) pushCreate(ctx context.Context, item store.OutboxItem, t store.Ticket) (halo.Ticket, error) {
	if t.HaloID != 0 { // adopted by the apply path already
		return halo.Ticket{ID: halo.ID(t.HaloID), StatusID: halo.ID(t.StatusID)}, nil
	}
	if item.State == store.OutboxSending {
		found, err := ts.findByRef(ctx, t, item.SentAt)
		if err != nil {
			return halo.Ticket{}, err
		}
		if found.ID != 0 {
			ts.log(ctx, store.Info, store.OpPushCreate, fmt.Sprintf("ticket %d", found.ID),
				fmt.Sprintf("Recovered %s: HaloPSA had created it before the answer was lost", t.Ref))
			return found, nil
		}
	}
	if err := ts.DB.MarkSending(ctx, item.ID); err != nil {
		return halo.Ticket{}, err
	}
	return ts.Halo.SaveTicket(ctx, halo.TicketWrite{
		Summary: t.Summary, Details: withRef(t.Details, t.Ref),
		ClientID: halo.ID(t.HaloClientID), SiteID: halo.ID(t.SiteID), UserID: halo.ID(t.UserID),
		StatusID: halo.ID(item.StatusID), TicketTypeID: halo.ID(t.TypeID), PriorityID: halo.ID(t.PriorityID),
	})
}

// findByRef looks in HaloPSA for the client's tickets opened since just
// before the lost attempt, for one carrying t's reference.
func (ts *Tickets) findByRef(ctx context.Context, t store.Ticket, sentAt time.Time) (halo.Ticket, error) {
	var found halo.Ticket
	// Newest first and stopping at the first ticket opened before the
	// attempt keeps this cheap whether or not HaloPSA honours datesearch.
	from := sentAt.Add(-10 * time.Minute)
	q := halo.TicketQuery{ClientID: halo.ID(t.HaloClientID), DateSearch: "dateoccured", DateFrom: from, OrderBy: "id", OrderDesc: true}
	err := ts.Halo.TicketPages(ctx, q, func(p halo.Page[halo.Ticket]) (bool, error) {
		sawOld, newestFirst := false, len(p.Rows) > 1
		for i, r := range p.Rows {
			if strings.Contains(r.Details, t.Ref) {
				found = r
			}
			if !r.DateOccurred.IsZero() && r.DateOccurred.Before(from) {
				sawOld = true
			}
			if i > 0 && r.ID >= p.Rows[i-1].ID {
				newestFirst = false
			}
		}
		// Stop early only where HaloPSA visibly sorted newest first: a
		// ticket missed here would be created a second time.
		return found.ID == 0 && !(sawOld && newestFirst), nil
	})
	return found, err
}

// pushStatus sends a status change. It first reads HaloPSA's copy, so that
// a change made there meanwhile is settled by the conflict rule instead of
// being overwritten blindly.
func (ts *Tickets) pushStatus(ctx context.Context, item store.OutboxItem, t store.Ticket) (halo.Ticket, error) {
	if t.HaloID == 0 {
		return halo.Ticket{}, errors.New("the ticket is not in HaloPSA yet")
	}
	remote, err := ts.Halo.Ticket(ctx, halo.ID(t.HaloID))
	if err != nil {
		return halo.Ticket{}, err
	}
	if _, err := ts.ApplyRemote(ctx, remote); err != nil {
		return halo.Ticket{}, err
	}
	still, err := ts.DB.Ticket(ctx, t.ID)
	if err != nil {
		return halo.Ticket{}, err
	}
	if now, err := ts.DB.OutboxItemByID(ctx, item.ID); err != nil || (now.State != store.OutboxPending && now.State != store.OutboxSending) {
		return halo.Ticket{}, err // the conflict rule settled it: nothing to send
	}
	if err := ts.DB.MarkSending(ctx, item.ID); err != nil {
		return halo.Ticket{}, err
	}
	return ts.Halo.SaveTicket(ctx, halo.TicketWrite{ID: halo.ID(t.HaloID), StatusID: halo.ID(still.StatusID)})
}
