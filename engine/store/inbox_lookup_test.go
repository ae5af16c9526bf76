package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestInboxByDelivery(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	items := []InboxItem{
		{DeliveryID: "a", Event: "Ticket Updated", ObjectID: 7, Body: []byte(`{"id":"a"}`)},
		{DeliveryID: "b", Status: InboxUnreadable, Body: []byte(`{"id":"b"}`), Error: "no object_id"},
	}
	if _, err := db.AddInbox(ctx, items); err != nil {
		t.Fatal(err)
	}
	for _, want := range items {
		got, err := db.InboxByDelivery(ctx, want.DeliveryID)
		if err != nil {
			t.Fatalf("%s: %v", want.DeliveryID, err)
		}
		if got.DeliveryID != want.DeliveryID || got.ObjectID != want.ObjectID || string(got.Body) != string(want.Body) {
			t.Errorf("%s: got %+v", want.DeliveryID, got)
		}
	}
	if got, _ := db.InboxByDelivery(ctx, "b"); got.Status != InboxUnreadable || got.Error != "no object_id" {
		t.Errorf("b: status %q, error %q", got.Status, got.Error)
	}
	if _, err := db.InboxByDelivery(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v, want ErrNotFound", err)
	}
}
