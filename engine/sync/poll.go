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

// PollResult says what one poll did.
type PollResult struct {
	Requests int64 // API requests the poll made
	Changed  int   // tickets that changed since the cursor, queued for apply
	Cursor   time.Time
}

// PollOnce asks HaloPSA for tickets changed since the cursor and queues
// them in the inbox, where DrainInbox applies them like webhook
// deliveries. With nothing changed it costs one request. The first poll
// reads the open tickets only: closed history is not imported.
func (ts *Tickets) PollOnce(ctx context.Context) (PollResult, error) {
	return ts.poll(ctx, 0)
}

// Reconcile re-reads the tickets changed in the last window, whatever the
// cursor says: webhook deliveries can be lost, and HaloPSA auto-disables a
// webhook that keeps failing. Tickets already applied are skipped cheaply.
func (ts *Tickets) Reconcile(ctx context.Context, window time.Duration) (PollResult, error) {
	return ts.poll(ctx, window)
}

func (ts *Tickets) poll(ctx context.Context, window time.Duration) (PollResult, error) {
	before := ts.Halo.Stats().Requests
	var res PollResult
	cursor, err := ts.cursor(ctx)
	if err != nil {
		return res, err
	}
	q := halo.TicketQuery{DateColumn: ts.DateColumn}
	since := time.Time{}
	if !cursor.IsZero() {
		since = cursor.Add(-pollOverlap - window)
		q.ChangedSince = since
	}
	newCursor := cursor
	var items []store.InboxItem
	err = ts.Halo.TicketsChanged(ctx, q, func(p halo.Page[halo.Ticket]) error {
		for _, t := range p.Rows {
			at := remoteTime(t)
			// HaloPSA may ignore or widen the date filter: check each ticket.
			if !since.IsZero() && at.Before(since) {
				continue
			}
			if since.IsZero() && bool(t.HasBeenClosed) {
				continue // the first poll imports open tickets only
			}
			if at.After(newCursor) {
				newCursor = at
			}
			body, err := json.Marshal(map[string]any{"id": fmt.Sprintf("poll:%d:%d", t.ID, at.UnixNano()), "event": "poll",
				"object_id": int64(t.ID), "ticket": t})
			if err != nil {
				return err
			}
			items = append(items, store.InboxItem{DeliveryID: fmt.Sprintf("poll:%d:%d", t.ID, at.UnixNano()),
				Event: "poll", ObjectID: int64(t.ID), Body: body})
		}
		return nil
	})
	res.Requests = ts.Halo.Stats().Requests - before
	if err != nil {
		return res, fmt.Errorf("poll tickets: %w", err)
	}
	if len(items) > 0 {
		if res.Changed, err = ts.DB.AddInbox(ctx, items); err != nil {
			return res, err
		}
	}
	if cursor.IsZero() && newCursor.IsZero() {
		newCursor = time.Now().UTC() // nothing open yet: start from now
	}
	res.Cursor = newCursor
	return res, ts.DB.SetSyncState(ctx, store.SyncState{Resource: pollResource, LastSuccess: newCursor, Rows: res.Changed})
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
