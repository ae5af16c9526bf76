package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OutboxState is where a queued local change stands.
type OutboxState string

// Outbox states (see migration 0004).
const (
	OutboxPending   OutboxState = "pending"
	OutboxSending   OutboxState = "sending"
	OutboxDone      OutboxState = "done"
	OutboxCancelled OutboxState = "cancelled"
	OutboxFailed    OutboxState = "failed"
)

// OutboxItem is one local change on its way to HaloPSA.
type OutboxItem struct {
	ID            int64
	TicketID      int64
	Kind          string // "create", "status" or "note"
	StatusID      int64
	NoteID        int64 // the note to post, for kind "note"
	State         OutboxState
	Attempts      int
	Error         string
	NextAttemptAt time.Time
	SentAt        time.Time // when the last attempt went out
	CreatedAt     time.Time
}

const outboxCols = `id, ticket_id, kind, status_id, COALESCE(note_id, 0), state, attempts, error, next_attempt_at, sent_at, created_at`

func scanOutbox(r scanner) (OutboxItem, error) {
	var o OutboxItem
	var next, sent, created sql.NullString
	if err := r.Scan(&o.ID, &o.TicketID, &o.Kind, &o.StatusID, &o.NoteID, &o.State, &o.Attempts, &o.Error, &next, &sent, &created); err != nil {
		return o, err
	}
	var err error
	if o.NextAttemptAt, err = parseTime(next); err != nil {
		return o, err
	}
	if o.SentAt, err = parseTime(sent); err != nil {
		return o, err
	}
	o.CreatedAt, err = parseTime(created)
	return o, err
}

// TicketChange is what applying a HaloPSA version of a ticket writes, all
// in one transaction.
type TicketChange struct {
	Ticket *Ticket    // insert (ID 0) or update (ID set); nil for none
	Cancel []int64    // outbox items a conflict made moot
	Done   []int64    // outbox items this version shows applied
	Logs   []LogEntry // sync-log rows, e.g. the loser of a conflict
}

// ApplyTicket runs decide inside one write transaction with the ticket
// that has HaloPSA id haloID (nil when there is none yet) and its open
// outbox items, and writes the change decide returns. Deciding and writing
// in one transaction means a local edit can never slip in between.
//
// It returns the change's sync-log rows with their ids once the
// transaction has committed, for the caller to publish: a row published
// from inside the transaction could be rolled back after the GUI showed it.
func (db *DB) ApplyTicket(ctx context.Context, haloID int64, decide func(cur *Ticket, open []OutboxItem) (TicketChange, error)) ([]LogEntry, error) {
	var logs []LogEntry
	err := db.write(ctx, func(tx *sql.Tx) error {
		logs = nil // a retried transaction starts again
		var cur *Ticket
		t, err := db.ticketWhere(ctx, tx, `halo_id = ?`, haloID)
		switch {
		case err == nil:
			cur = &t
		case !errors.Is(err, ErrNotFound):
			return err
		}
		var open []OutboxItem
		if cur != nil {
			if open, err = openOutbox(ctx, tx, cur.ID); err != nil {
				return err
			}
		}
		ch, err := decide(cur, open)
		if err != nil {
			return err
		}
		logs, err = db.writeChange(ctx, tx, ch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: apply HaloPSA ticket %d: %w", haloID, err)
	}
	return logs, nil
}

func openOutbox(ctx context.Context, tx *sql.Tx, ticketID int64) ([]OutboxItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE ticket_id = ? AND state IN ('pending', 'sending') ORDER BY id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		o, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// writeChange writes ch inside tx and returns its log rows as written
// (ids set, times filled in).
func (db *DB) writeChange(ctx context.Context, tx *sql.Tx, ch TicketChange) ([]LogEntry, error) {
	now := db.stamp()
	for _, id := range ch.Cancel {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', error = 'HaloPSA had a newer change' WHERE id = ?`, id); err != nil {
			return nil, err
		}
	}
	for _, id := range ch.Done {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'done' WHERE id = ?`, id); err != nil {
			return nil, err
		}
	}
	if t := ch.Ticket; t != nil {
		if t.Ref == "" {
			t.Ref = NewRef()
		}
		var err error
		if t.ID == 0 {
			var res sql.Result
			res, err = tx.ExecContext(ctx, `INSERT INTO tickets (halo_id, local_client_id, halo_client_id, site_id, user_id, summary, details,
				status_id, type_id, priority_id, base_status_id, halo_updated_at, local_changed_at, sync_state, sync_error, ref, created_at, updated_at)
				VALUES (NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				t.HaloID, t.LocalClientID, t.HaloClientID, t.SiteID, t.UserID, t.Summary, t.Details, t.StatusID, t.TypeID, t.PriorityID,
				t.BaseStatusID, dbTime(t.HaloUpdatedAt), dbTime(t.LocalChangedAt), string(t.SyncState), t.SyncError, t.Ref, now, now)
			if err == nil {
				t.ID, err = res.LastInsertId() // ApplyBatch keeps the ticket as written
			}
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE tickets SET halo_id = NULLIF(?, 0), local_client_id = NULLIF(?, 0), halo_client_id = ?,
				site_id = ?, user_id = ?, summary = ?, details = ?, status_id = ?, type_id = ?, priority_id = ?, base_status_id = ?, halo_updated_at = ?,
				local_changed_at = ?, sync_state = ?, sync_error = ?, updated_at = ? WHERE id = ?`,
				t.HaloID, t.LocalClientID, t.HaloClientID, t.SiteID, t.UserID, t.Summary, t.Details, t.StatusID, t.TypeID, t.PriorityID,
				t.BaseStatusID, dbTime(t.HaloUpdatedAt), dbTime(t.LocalChangedAt), string(t.SyncState), t.SyncError, now, t.ID)
		}
		if err != nil {
			return nil, err
		}
	}
	written := make([]LogEntry, 0, len(ch.Logs))
	for _, e := range ch.Logs {
		if e.Level == "" {
			e.Level = Info
		}
		if e.Time.IsZero() {
			e.Time = db.now().UTC()
		}
		id, err := db.insertLog(ctx, tx, e)
		if err != nil {
			return nil, err
		}
		e.ID = id
		written = append(written, e)
	}
	return written, nil
}

// NextOutbox returns the oldest open outbox item that is due, with its
// ticket, or ErrNotFound. A "sending" item left by a crash is due at once
// (its next attempt time is in the past) and needs recovery.
func (db *DB) NextOutbox(ctx context.Context) (OutboxItem, Ticket, error) {
	o, err := scanOutbox(db.r.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? ORDER BY id LIMIT 1`, db.stamp()))
	if errors.Is(err, sql.ErrNoRows) {
		return OutboxItem{}, Ticket{}, ErrNotFound
	}
	if err != nil {
		return OutboxItem{}, Ticket{}, fmt.Errorf("store: outbox: %w", err)
	}
	t, err := db.Ticket(ctx, o.TicketID)
	return o, t, err
}

// NextOutboxDue returns when the next pending item is due, or ErrNotFound.
func (db *DB) NextOutboxDue(ctx context.Context) (time.Time, error) {
	var s sql.NullString
	err := db.r.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM outbox WHERE state IN ('pending', 'sending')`).Scan(&s)
	if err != nil {
		return time.Time{}, err
	}
	if !s.Valid {
		return time.Time{}, ErrNotFound
	}
	return parseTime(s)
}

// MarkSending records that an item is about to go out. For a create this
// is committed before the request, so that after a crash the outcome is
// known to be unknown.
func (db *DB) MarkSending(ctx context.Context, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1, sent_at = ? WHERE id = ?`, db.stamp(), id)
		return affectedOne(res, err)
	})
}

// FinishOutbox marks an item done and stores the ticket as HaloPSA now has
// it, in one transaction. The ticket stays pending if other changes wait.
func (db *DB) FinishOutbox(ctx context.Context, id int64, t Ticket) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'done', error = '' WHERE id = ?`, id); err != nil {
			return err
		}
		var more int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE ticket_id = ? AND state IN ('pending', 'sending')`, t.ID).Scan(&more); err != nil {
			return err
		}
		t.SyncState, t.SyncError = TicketSynced, ""
		if more > 0 {
			t.SyncState = TicketPending
		}
		_, err := db.writeChange(ctx, tx, TicketChange{Ticket: &t}) // no log rows
		return err
	})
}

// RetryOutbox schedules an item to be tried again at next. An item whose
// outcome is unknown (a create that may have reached HaloPSA) stays
// "sending", so the next attempt looks for it before sending again.
func (db *DB) RetryOutbox(ctx context.Context, id int64, errText string, next time.Time, outcomeUnknown bool) error {
	state := OutboxPending
	if outcomeUnknown {
		state = OutboxSending
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, error = ?, next_attempt_at = ? WHERE id = ?`, string(state), errText, dbTime(next), id)
		return err
	})
}

// OutboxItemByID returns one outbox item, or ErrNotFound.
func (db *DB) OutboxItemByID(ctx context.Context, id int64) (OutboxItem, error) {
	o, err := scanOutbox(db.r.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return OutboxItem{}, ErrNotFound
	}
	return o, err
}

// FailOutbox gives up on an item; its ticket shows the error.
func (db *DB) FailOutbox(ctx context.Context, id int64, errText string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'failed', error = ? WHERE id = ?`, errText, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE tickets SET sync_state = 'error', sync_error = ? WHERE id = (SELECT ticket_id FROM outbox WHERE id = ?)`, errText, id)
		return err
	})
}

// OutboxPending counts the changes still waiting to reach HaloPSA.
func (db *DB) OutboxPending(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')`).Scan(&n)
	return n, err
}
