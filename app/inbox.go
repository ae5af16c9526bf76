package app

import (
	"context"
	"fmt"

	"github.com/brainstormmsp/halosync/engine/store"
)

// The webhook inbox as the owner sees it: how many deliveries are in each
// state, the ones that did not apply with their reasons, and a retry for
// those given up (after the owner fixed what they failed on, such as the
// API agent's access to a ticket).

// InboxReport is the inbox's counts by status and the deliveries that did
// not apply, oldest first.
type InboxReport struct {
	Counts     map[store.InboxStatus]int
	Failed     []store.InboxItem // given up: HaloPSA would not give the ticket
	Unreadable []store.InboxItem // set aside: not a ticket delivery HaloSync can read
}

// Inbox reports the inbox, listing up to limit deliveries of each kind
// that did not apply (100 when limit <= 0).
func (a *App) Inbox(ctx context.Context, limit int) (InboxReport, error) {
	var r InboxReport
	var err error
	if r.Counts, err = a.db.InboxCounts(ctx); err != nil {
		return r, err
	}
	if r.Failed, err = a.db.InboxByStatus(ctx, store.InboxFailed, limit); err != nil {
		return r, err
	}
	r.Unreadable, err = a.db.InboxByStatus(ctx, store.InboxUnreadable, limit)
	return r, err
}

// GivenUpDeliveries returns how many deliveries were given up and the
// oldest limit of them (100 when limit <= 0): what the window shows after
// every sync, so it reads neither the other states nor their counts.
func (a *App) GivenUpDeliveries(ctx context.Context, limit int) (int, []store.InboxItem, error) {
	n, err := a.db.InboxCount(ctx, store.InboxFailed)
	if err != nil || n == 0 {
		return n, nil, err
	}
	items, err := a.db.InboxByStatus(ctx, store.InboxFailed, limit)
	return n, items, err
}

// RetryFailedDeliveries makes the given-up deliveries pending again and
// wakes the ticket loop to apply them, asking HaloPSA at once for tickets
// it refused lately; it returns how many.
func (a *App) RetryFailedDeliveries(ctx context.Context) (int, error) {
	n, err := a.db.RetryFailedInbox(ctx)
	if err != nil || n == 0 {
		return n, err
	}
	a.mu.Lock()
	ts := a.tickets
	a.mu.Unlock()
	if ts != nil {
		ts.ForgetRefusals()
	}
	a.log(ctx, store.Info, store.OpWebhook, "", fmt.Sprintf("%d given-up ticket change(s) will be tried again (by %s)", n, osUser()))
	a.wakeTickets()
	return n, nil
}

// RetryGivenUp is RetryFailedDeliveries followed by a ticket cycle that
// applies them, said in words: `halosyncctl webhook retry` runs it, or
// hands it to the folder's owner (OpRetryGivenUp), whose memory of refused
// tickets it must clear.
func (a *App) RetryGivenUp(ctx context.Context) (string, error) {
	n, err := a.RetryFailedDeliveries(ctx)
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "No delivery was given up: nothing to try again.", nil
	}
	head := fmt.Sprintf("Trying %d given-up ticket change(s) again...", n)
	res, err := a.TicketsOnce(ctx)
	if err != nil {
		return head, fmt.Errorf("ticket sync: %w (the changes stay queued and go with the next sync)", err)
	}
	return head + fmt.Sprintf("\nTicket sync done: %d changed in HaloPSA since the last poll.", res.Changed), nil
}
