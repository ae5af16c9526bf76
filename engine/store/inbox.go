package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// InboxStatus is where a webhook delivery stands in the inbox.
type InboxStatus string

// The inbox statuses.
const (
	InboxPending    InboxStatus = "pending"    // stored, waiting to be applied
	InboxApplied    InboxStatus = "applied"    // applied to the local data
	InboxHeld       InboxStatus = "held"       // waiting on something else, e.g. an unmapped client
	InboxUnreadable InboxStatus = "unreadable" // could not be read; kept raw for diagnosis
	InboxFailed     InboxStatus = "failed"     // applying it failed; Error says why
)

// valid reports whether s is one of the inbox statuses.
func (s InboxStatus) valid() bool {
	switch s {
	case InboxPending, InboxApplied, InboxHeld, InboxUnreadable, InboxFailed:
		return true
	}
	return false
}

// countsAttempt reports whether moving an item to s counts as an attempt
// that did not finish it.
func (s InboxStatus) countsAttempt() bool { return s == InboxFailed || s == InboxHeld }

// InboxItem is one webhook delivery (one element of a batched delivery) as
// the receiver stored it.
type InboxItem struct {
	ID int64 // assigned by the store; ids grow in order of receipt
	// DeliveryID is HaloPSA's per-delivery GUID (the payload's "id"); for a
	// body with no id it is "sha256:<hex of the element's bytes>". A second
	// item with the same DeliveryID is a re-sent delivery and is not stored.
	DeliveryID string
	ReceivedAt time.Time   // AddInbox uses now when zero
	Event      string      // the event name as HaloPSA sent it; may be empty
	ObjectID   int64       // the id of the object the event is about; 0 when unknown
	Status     InboxStatus // AddInbox uses InboxPending when empty
	Body       []byte      // the raw JSON element, or the whole raw body when unreadable
	Error      string      // why it is unreadable, held or failed
	Attempts   int         // how often it was held, failed or put off; AddInbox ignores it
}

// defaultInboxLimit bounds a list call that passes no limit.
const defaultInboxLimit = 100

// PendingInbox returns up to limit pending items, oldest first (100 when
// limit <= 0).
func (db *DB) PendingInbox(ctx context.Context, limit int) ([]InboxItem, error) {
	return db.InboxByStatus(ctx, InboxPending, limit)
}

// PendingInboxAfter is PendingInbox for the items received after the one
// with id after: a drain that put some off reads on past them.
func (db *DB) PendingInboxAfter(ctx context.Context, after int64, limit int) ([]InboxItem, error) {
	if limit <= 0 {
		limit = defaultInboxLimit
	}
	return queryAll(ctx, db, "inbox", `
		SELECT id, delivery_id, received_at, event, object_id, status, body, error, attempts
		FROM inbox WHERE status = 'pending' AND id > ? ORDER BY id LIMIT ?`,
		[]any{after, limit}, scanInbox)
}

// HeldInbox returns up to limit held items, oldest first (100 when limit <= 0).
func (db *DB) HeldInbox(ctx context.Context, limit int) ([]InboxItem, error) {
	return db.InboxByStatus(ctx, InboxHeld, limit)
}

// InboxByStatus returns up to limit items with status s in order of receipt
// (100 when limit <= 0), for example the unreadable ones for diagnosis.
func (db *DB) InboxByStatus(ctx context.Context, s InboxStatus, limit int) ([]InboxItem, error) {
	if !s.valid() {
		return nil, fmt.Errorf("store: inbox: unknown status %q", s)
	}
	if limit <= 0 {
		limit = defaultInboxLimit
	}
	return queryAll(ctx, db, "inbox", `
		SELECT id, delivery_id, received_at, event, object_id, status, body, error, attempts
		FROM inbox WHERE status = ? ORDER BY id LIMIT ?`,
		[]any{string(s), limit}, scanInbox)
}

func scanInbox(rs *sql.Rows, it *InboxItem) error {
	var (
		at     sql.NullString
		status string
		err    error
	)
	if err = rs.Scan(&it.ID, &it.DeliveryID, &at, &it.Event, &it.ObjectID, &status,
		&it.Body, &it.Error, &it.Attempts); err != nil {
		return err
	}
	if it.Body == nil {
		it.Body = []byte{} // a stored empty body is an empty slice, as it went in
	}
	it.Status = InboxStatus(status)
	it.ReceivedAt, err = parseTime(at)
	return err
}

// SetInboxStatus records the outcome of applying item id: its new status and
// the error text ("" to clear it). Moving it to InboxFailed or InboxHeld
// counts one more attempt. An unknown id is ErrNotFound.
func (db *DB) SetInboxStatus(ctx context.Context, id int64, s InboxStatus, errText string) error {
	if !s.valid() {
		return fmt.Errorf("store: set inbox status: unknown status %q", s)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE inbox SET status = ?, error = ?, attempts = attempts + ?, updated_at = ?
			WHERE id = ?`,
			string(s), errText, b2i(s.countsAttempt()), db.stamp(), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = ErrNotFound
		}
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: inbox item %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: set inbox status: %w", err)
	}
	return nil
}

// RetryFailedInbox makes every failed item pending again, for one more
// round of tries (after the owner fixed what they failed on), and returns
// how many. Their attempts start again from 0, except for an item once held
// and released to a local client: its count stays above 0, as that is what
// tells the apply step to look up where it was released to.
func (db *DB) RetryFailedInbox(ctx context.Context) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE inbox SET status = 'pending', error = '', updated_at = ?,
				attempts = CASE WHEN apply_to_local IS NULL THEN 0 ELSE 1 END
			WHERE status = 'failed'`, db.stamp())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: retry failed inbox items: %w", err)
	}
	return int(n), nil
}

// InboxCount returns how many items have status s: one read of the status
// index, cheap enough for a window to ask after every sync (InboxCounts
// reads every item).
func (db *DB) InboxCount(ctx context.Context, s InboxStatus) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM inbox WHERE status = ?`, string(s)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: inbox count: %w", err)
	}
	return n, nil
}

// InboxCounts returns how many items the inbox holds in each status. Every
// status is present in the map, with 0 when it has none.
func (db *DB) InboxCounts(ctx context.Context) (map[InboxStatus]int, error) {
	rs, err := db.r.QueryContext(ctx, `SELECT status, count(*) FROM inbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: inbox counts: %w", err)
	}
	defer rs.Close()
	out := map[InboxStatus]int{
		InboxPending: 0, InboxApplied: 0, InboxHeld: 0, InboxUnreadable: 0, InboxFailed: 0,
	}
	for rs.Next() {
		var (
			s string
			n int
		)
		if err := rs.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("store: inbox counts: %w", err)
		}
		out[InboxStatus(s)] = n
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: inbox counts: %w", err)
	}
	return out, nil
}
