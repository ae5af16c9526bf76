package store

import (
	"context"
	"fmt"
)

// InboxByDelivery returns the inbox item stored for HaloPSA's delivery id
// (InboxItem.DeliveryID), whatever its status, or an error matching
// ErrNotFound when none is. The tunnel self-test uses it to see its own
// delivery arrive.
func (db *DB) InboxByDelivery(ctx context.Context, deliveryID string) (InboxItem, error) {
	items, err := queryAll(ctx, db, "inbox by delivery", `
		SELECT id, delivery_id, received_at, event, object_id, status, body, error, attempts
		FROM inbox WHERE delivery_id = ? LIMIT 1`,
		[]any{deliveryID}, scanInbox)
	if err != nil {
		return InboxItem{}, err
	}
	if len(items) == 0 {
		return InboxItem{}, fmt.Errorf("store: inbox delivery %q: %w", deliveryID, ErrNotFound)
	}
	return items[0], nil
}
