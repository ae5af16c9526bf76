package store

import (
	"context"
	"testing"
	"time"
)

func TestTicketVersionsAndOpenTickets(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.SaveStatuses(ctx, []Status{{ID: 1, Name: "New", LocalState: "new"}, {ID: 8, Name: "Closed", LocalState: "closed"}}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	for id, status := range map[int64]int64{10: 1, 11: 8, 12: 1} {
		_, err := db.ApplyTicket(ctx, id, func(*Ticket, []OutboxItem) (TicketChange, error) {
			return TicketChange{Ticket: &Ticket{HaloID: id, HaloClientID: 1, Summary: "s", StatusID: status,
				BaseStatusID: status, HaloUpdatedAt: at.Add(time.Duration(id) * time.Minute), SyncState: TicketSynced}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A ticket created here and not yet in HaloPSA has no HaloPSA id.
	if _, err := db.CreateTicket(ctx, Ticket{HaloClientID: 1, Summary: "local", StatusID: 1}); err != nil {
		t.Fatal(err)
	}
	v, err := db.TicketVersions(ctx, []int64{10, 11, 99})
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 2 || !v[10].Equal(at.Add(10*time.Minute)) || !v[11].Equal(at.Add(11*time.Minute)) {
		t.Errorf("versions = %v", v)
	}
	open, err := db.OpenTicketVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 2 || open[11] != (time.Time{}) || !open[12].Equal(at.Add(12*time.Minute)) {
		t.Errorf("open tickets = %v; want 10 and 12 (11 is closed, the local one has no HaloPSA id)", open)
	}
	if _, ok := open[11]; ok {
		t.Error("the closed ticket counts as open")
	}
	if v, err := db.TicketVersions(ctx, nil); err != nil || len(v) != 0 {
		t.Errorf("no ids: %v, %v", v, err)
	}
}
