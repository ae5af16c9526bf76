package sync

import (
	"context"

	"github.com/brainstormmsp/halosync/engine/store"
)

// releasedTo returns the local client the user released a held delivery
// to (store.ReleaseHeldTo), or 0 when it follows its client's mapping. Only
// a delivery held before can have one, so a fresh delivery costs no query.
func (ts *Tickets) releasedTo(ctx context.Context, it store.InboxItem) (int64, error) {
	if it.Attempts == 0 {
		return 0, nil
	}
	return ts.DB.InboxApplyTo(ctx, it.ID)
}
