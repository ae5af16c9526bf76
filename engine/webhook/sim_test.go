package webhook

import (
	"context"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// TestFromSimulator runs the simulated HaloPSA's webhooks into the receiver
// and the real store, with batching, duplicates and reordering: every event
// lands in the inbox exactly once, readable.
func TestFromSimulator(t *testing.T) {
	for _, typ := range []string{"full", "small", "event-only"} {
		t.Run(typ, func(t *testing.T) {
			rg := startRig(t, nil)
			sim := halosim.New(halosim.Options{Seed: 7, Clients: 5})
			sim.SetWebhook(halosim.WebhookConfig{URL: rg.url, Username: rg.creds.Username,
				Password: rg.creds.Password, Batch: 3, DuplicateRate: 0.5, Reorder: true,
				Delay: 20 * time.Millisecond, PayloadType: typ})
			client := sim.ActiveClientIDs()[0]
			for range 10 {
				id, err := sim.CreateTicket(client, "Mail bounces")
				if err != nil {
					t.Fatal(err)
				}
				if err := sim.SetTicketStatus(id, sim.ClosedStatusID()); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := sim.FlushWebhooks(ctx); err != nil {
				t.Fatal(err)
			}
			st := sim.WebhookStats()
			if st.Events != 30 || st.Failed != 0 || st.Duplicated == 0 {
				t.Fatalf("simulator stats %+v", st)
			}
			items := rg.items(store.InboxPending)
			if len(items) != st.Events || rg.total() != st.Events {
				t.Fatalf("%d pending of %d stored; want every one of %d events once", len(items), rg.total(), st.Events)
			}
			for _, it := range items {
				ev := mustDecode(t, it.Body)
				if ev.DeliveryID != it.DeliveryID || ev.ObjectID == 0 || ev.Event == "" || ev.Timestamp.IsZero() ||
					(ev.Ticket != nil) != (typ != "event-only") {
					t.Errorf("%s: decoded %+v", it.Body, ev)
				}
			}
		})
	}
}
