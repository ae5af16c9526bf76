package sync

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/store"
)

// TestUnreadableDeliveriesLogOneRowPerDrain sets aside a burst of
// deliveries that are not ticket deliveries and checks that the sync log
// gets one row with their number, not one row each.
func TestUnreadableDeliveriesLogOneRowPerDrain(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	ts := &Tickets{DB: db} // unreadable deliveries never reach HaloPSA
	add := func(prefix string, n int) {
		items := make([]store.InboxItem, n)
		for i := range items {
			id := fmt.Sprintf("%s-%d", prefix, i)
			items[i] = store.InboxItem{DeliveryID: id, Event: "x", Body: []byte(`{"id":"` + id + `","event":"x"}`)}
		}
		if _, err := db.AddInbox(ctx, items); err != nil {
			t.Fatal(err)
		}
	}
	errorRows := func() []store.LogEntry {
		rows, err := db.Logs(ctx, store.LogQuery{MinLevel: store.Warn, Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}

	add("burst", 1200)
	if _, err := ts.DrainInbox(ctx); err != nil {
		t.Fatal(err)
	}
	counts, _ := db.InboxCounts(ctx)
	if counts[store.InboxUnreadable] != 1200 || counts[store.InboxPending] != 0 {
		t.Fatalf("inbox after the drain: %v, want 1200 unreadable", counts)
	}
	rows := errorRows()
	if len(rows) != 1 {
		t.Fatalf("%d warning or error rows for 1200 unreadable deliveries, want 1", len(rows))
	}
	if r := rows[0]; r.Level != store.Error || !strings.Contains(r.Message, "1200 deliveries could not be read and were set aside (see the inbox)") {
		t.Errorf("row = %+v", r)
	}

	// The next drain, with one more, adds one row for that one.
	add("single", 1)
	if _, err := ts.DrainInbox(ctx); err != nil {
		t.Fatal(err)
	}
	rows = errorRows()
	if len(rows) != 2 || rows[0].Object != "single-0" || !strings.Contains(rows[0].Message, "A delivery could not be read and was set aside") {
		t.Errorf("after one more: %+v", rows)
	}
	// A drain with nothing unreadable writes nothing.
	if _, err := ts.DrainInbox(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(errorRows()); n != 2 {
		t.Errorf("an empty drain wrote rows: %d, want 2", n)
	}
}
