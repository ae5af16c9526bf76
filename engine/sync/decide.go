package sync

import (
	"fmt"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// The conflict rule, in one place: when both sides changed a ticket's
// status since they last agreed, the later change wins, by the time each
// side made it (HaloPSA's last_update against the local edit's time); a
// tie goes to HaloPSA, the system of record. The losing value is written
// to the sync log as a conflict and the ticket shows "conflict" until the
// next change, so no change is ever lost silently.

// remoteTime is when HaloPSA last changed the ticket.
func remoteTime(t halo.Ticket) time.Time { return t.ChangedAt() }

// decide computes what applying HaloPSA's version r of a ticket changes
// locally. cur is the local ticket (nil when new), open its outbox items
// waiting to reach HaloPSA, localClient the local client r's client is
// mapped to, and name turns a status id into words for the log.
func decide(cur *store.Ticket, open []store.OutboxItem, r halo.Ticket, localClient int64, name func(int64) string) store.TicketChange {
	rs, ru := r.StatusID.Int(), remoteTime(r)
	// HaloSync's reference line is kept apart (Ticket.Ref), not shown as
	// part of the details.
	details, _ := splitRef(r.Details)
	if cur == nil {
		return store.TicketChange{Ticket: &store.Ticket{
			HaloID: r.ID.Int(), LocalClientID: localClient, HaloClientID: r.ClientID.Int(), SiteID: r.SiteID.Int(),
			UserID: r.UserID.Int(), Summary: r.Summary, Details: details, StatusID: rs, TypeID: r.TicketTypeID.Int(), PriorityID: r.PriorityID.Int(),
			BaseStatusID: rs, HaloUpdatedAt: ru, SyncState: store.TicketSynced,
		}}
	}
	if !ru.IsZero() && ru.Before(cur.HaloUpdatedAt) {
		return store.TicketChange{} // a stale version: a newer one was applied already
	}
	if ru.Equal(cur.HaloUpdatedAt) && rs == cur.BaseStatusID {
		return store.TicketChange{} // the same version again (a duplicate, or our own change echoing back)
	}
	next := *cur
	next.HaloUpdatedAt, next.HaloClientID, next.Summary = ru, r.ClientID.Int(), r.Summary
	// A small webhook payload leaves these out: absent is not "none".
	for _, f := range []struct {
		dst *int64
		v   halo.ID
	}{{&next.SiteID, r.SiteID}, {&next.UserID, r.UserID}, {&next.TypeID, r.TicketTypeID}, {&next.PriorityID, r.PriorityID}} {
		if f.v != 0 {
			*f.dst = f.v.Int()
		}
	}
	if details != "" {
		next.Details = details
	}
	if localClient != 0 {
		next.LocalClientID = localClient
	}
	var statusItems []int64
	createPending, notesPending := false, false
	for _, o := range open {
		switch o.Kind {
		case "status":
			statusItems = append(statusItems, o.ID)
		case "create":
			createPending = true
		case "note":
			notesPending = true
		}
	}
	ch := store.TicketChange{Ticket: &next}
	obj := fmt.Sprintf("ticket %d", r.ID)
	switch {
	case len(statusItems) == 0:
		next.StatusID, next.BaseStatusID = rs, rs
		if !createPending {
			next.SyncState, next.SyncError = store.TicketSynced, ""
		}
	case rs == cur.StatusID:
		// Both sides agree: our change arrived (its echo), or HaloPSA made
		// the same change. Nothing is left to push.
		next.BaseStatusID, next.SyncState, next.SyncError = rs, store.TicketSynced, ""
		ch.Done = statusItems
	case rs == cur.BaseStatusID:
		// HaloPSA has not seen our change yet: keep it queued.
	case !cur.LocalChangedAt.After(ru):
		next.StatusID, next.BaseStatusID, next.SyncState = rs, rs, store.TicketConflict
		next.SyncError = fmt.Sprintf("both sides changed the status; HaloPSA's later %q was kept", name(rs))
		ch.Cancel = statusItems
		ch.Logs = append(ch.Logs, store.LogEntry{Level: store.Warn, Operation: store.OpConflict, Object: obj, Message: fmt.Sprintf(
			"Both sides changed the status. Kept HaloPSA's %q (changed %s); discarded HaloSync's %q (changed %s)",
			name(rs), ru.Format(time.RFC3339), name(cur.StatusID), cur.LocalChangedAt.Format(time.RFC3339))})
	default:
		// Ours is later: it still goes out, and overwrites HaloPSA's.
		next.BaseStatusID, next.SyncState = rs, store.TicketConflict
		next.SyncError = fmt.Sprintf("both sides changed the status; HaloSync's later %q wins", name(cur.StatusID))
		ch.Logs = append(ch.Logs, store.LogEntry{Level: store.Warn, Operation: store.OpConflict, Object: obj, Message: fmt.Sprintf(
			"Both sides changed the status. Kept HaloSync's %q (changed %s); HaloPSA's %q (changed %s) will be overwritten",
			name(cur.StatusID), cur.LocalChangedAt.Format(time.RFC3339), name(rs), ru.Format(time.RFC3339))})
	}
	if notesPending && next.SyncState == store.TicketSynced {
		next.SyncState = store.TicketPending // a note of it still waits in the outbox
	}
	return ch
}
