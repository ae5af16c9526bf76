package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTicketOutboxQueue(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.CreateTicket(ctx, Ticket{HaloClientID: 5}); err == nil {
		t.Fatal("a ticket without a summary was stored")
	}
	tk, err := db.CreateTicket(ctx, Ticket{HaloClientID: 5, Summary: "Laptop", StatusID: 1})
	if err != nil || tk.Ref == "" || tk.SyncState != TicketPending {
		t.Fatalf("created %+v, %v", tk, err)
	}
	// A status change before the create went out rides on the create.
	if err := db.SetTicketStatus(ctx, tk.ID, 2); err != nil {
		t.Fatal(err)
	}
	item, _, err := db.NextOutbox(ctx)
	if err != nil || item.Kind != "create" || item.StatusID != 2 {
		t.Fatalf("outbox head = %+v, %v", item, err)
	}
	if n, _ := db.OutboxPending(ctx); n != 1 {
		t.Fatalf("%d items; the status change must not queue separately", n)
	}
	// Sent and done: later status changes queue, and only the newest unsent one stays.
	if err := db.MarkSending(ctx, item.ID); err != nil {
		t.Fatal(err)
	}
	tk.HaloID, tk.StatusID, tk.BaseStatusID = 900, 2, 2
	if err := db.FinishOutbox(ctx, item.ID, tk); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.TicketByHalo(ctx, 900); got.SyncState != TicketSynced {
		t.Fatalf("after the create: %+v", got)
	}
	db.SetTicketStatus(ctx, tk.ID, 3)
	db.SetTicketStatus(ctx, tk.ID, 4)
	if n, _ := db.OutboxPending(ctx); n != 1 {
		t.Fatalf("%d pending status changes; only the newest matters", n)
	}
	item, _, _ = db.NextOutbox(ctx)
	if item.Kind != "status" || item.StatusID != 4 {
		t.Fatalf("outbox head = %+v", item)
	}
	// A retry in the future is not due yet; an unknown-outcome retry stays sending.
	if err := db.RetryOutbox(ctx, item.ID, "HaloPSA down", time.Now().Add(time.Hour), false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.NextOutbox(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a retry due in an hour came back now: %v", err)
	}
	if err := db.FailOutbox(ctx, item.ID, "refused"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Ticket(ctx, tk.ID); got.SyncState != TicketError || got.SyncError != "refused" {
		t.Fatalf("after giving up: %+v", got)
	}
}

func TestApplyTicketWritesChangeAndLogsInOneTransaction(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	written, err := db.ApplyTicket(ctx, 77, func(cur *Ticket, open []OutboxItem) (TicketChange, error) {
		if cur != nil || len(open) != 0 {
			t.Fatalf("cur = %+v", cur)
		}
		return TicketChange{Ticket: &Ticket{HaloID: 77, HaloClientID: 1, Summary: "x", StatusID: 3, BaseStatusID: 3, SyncState: TicketSynced},
			Logs: []LogEntry{{Level: Warn, Operation: OpConflict, Message: "kept"}}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The rows come back as written, ids and times set, for the caller to
	// publish after the commit.
	if len(written) != 1 || written[0].ID == 0 || written[0].Time.IsZero() || written[0].Operation != OpConflict {
		t.Fatalf("written = %+v", written)
	}
	failing := errors.New("decide failed")
	_, err = db.ApplyTicket(ctx, 77, func(cur *Ticket, _ []OutboxItem) (TicketChange, error) {
		next := *cur
		next.StatusID = 9
		return TicketChange{Ticket: &next, Logs: []LogEntry{{Level: Warn, Message: "never"}}}, failing
	})
	if !errors.Is(err, failing) {
		t.Fatalf("err = %v", err)
	}
	got, _ := db.TicketByHalo(ctx, 77)
	logs, _ := db.Logs(ctx, LogQuery{})
	if got.StatusID != 3 || len(logs) != 1 || logs[0].Message != "kept" {
		t.Fatalf("ticket %+v, logs %+v", got, logs)
	}
}
