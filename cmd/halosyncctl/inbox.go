package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// inboxJSON is the stable shape of `webhook inbox --json`.
type inboxJSON struct {
	Counts     map[string]int  `json:"counts"`
	Failed     []inboxItemJSON `json:"failed"`
	Unreadable []inboxItemJSON `json:"unreadable"`
}

type inboxItemJSON struct {
	DeliveryID string    `json:"delivery_id"`
	ReceivedAt time.Time `json:"received_at"`
	Event      string    `json:"event"`
	ObjectID   int64     `json:"object_id"`
	Attempts   int       `json:"attempts"`
	Why        string    `json:"why"`
}

// webhookInbox is `webhook inbox`: the deliveries in each state, and the
// ones that did not apply with why.
func (c *cli) webhookInbox(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("webhook inbox")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 50, "list at most this many deliveries of each kind")
	if err := parse(fs, args); err != nil {
		return err
	}
	r, err := a.Inbox(ctx, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		out := inboxJSON{Counts: map[string]int{}, Failed: itemsJSON(r.Failed), Unreadable: itemsJSON(r.Unreadable)}
		for s, n := range r.Counts {
			out.Counts[string(s)] = n
		}
		return writeJSON(c.stdout, out)
	}
	fmt.Fprintf(c.stdout, "Deliveries: %d applied, %d pending, %d held, %d given up, %d unreadable.\n",
		r.Counts[store.InboxApplied], r.Counts[store.InboxPending], r.Counts[store.InboxHeld],
		r.Counts[store.InboxFailed], r.Counts[store.InboxUnreadable])
	for _, group := range []struct {
		title string
		items []store.InboxItem
		after string
	}{
		{"Given up (HaloPSA would not give the ticket):", r.Failed,
			"Once HaloSync's API agent may see those tickets, `halosyncctl webhook retry` tries them again."},
		{"Unreadable (kept as received):", r.Unreadable, ""},
	} {
		if len(group.items) == 0 {
			continue
		}
		fmt.Fprintln(c.stdout, "\n"+group.title)
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RECEIVED\tEVENT\tOBJECT\tTRIES\tWHY")
		for _, it := range group.items {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", formatTime(it.ReceivedAt), it.Event, it.ObjectID, it.Attempts, it.Error)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if group.after != "" {
			fmt.Fprintln(c.stdout, group.after)
		}
	}
	if held := r.Counts[store.InboxHeld]; held > 0 {
		fmt.Fprintln(c.stdout, "\nHeld changes wait for their client's mapping: see `halosyncctl tickets held`.")
	}
	return nil
}

func itemsJSON(items []store.InboxItem) []inboxItemJSON {
	out := make([]inboxItemJSON, len(items))
	for i, it := range items {
		out[i] = inboxItemJSON{it.DeliveryID, it.ReceivedAt, it.Event, it.ObjectID, it.Attempts, it.Error}
	}
	return out
}

// webhookRetry is `webhook retry`: the given-up deliveries become pending
// and a ticket cycle applies them, here or in the process that owns the
// data folder (which must forget the refusals it remembers).
func (c *cli) webhookRetry(ctx context.Context, a *app.App, args []string) error {
	if err := parse(c.flags("webhook retry"), args); err != nil {
		return err
	}
	return c.exclusive(ctx, a, app.OpRetryGivenUp, func() error {
		out, err := a.RetryGivenUp(ctx)
		if out != "" {
			fmt.Fprintln(c.stdout, out)
		}
		return err
	})
}
