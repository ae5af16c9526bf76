package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Applying webhook deliveries one transaction each made the apply step
// cost several commits per delivery, each queued behind the receiver's
// inbox commits on the single writer connection. ApplyInbox instead runs
// many deliveries in one transaction: their effects and their inbox marks
// commit together, so a crash mid-batch leaves every delivery of the batch
// pending, to be applied again, and none half-applied or marked applied
// without its effect. The same holds on power loss: these commits are not
// synced one by one (synchronous=NORMAL), so the last batches may be lost,
// but each with its marks, and the deliveries are pending again.

// ApplyBatch is one write transaction applying many inbox deliveries; see
// DB.ApplyInbox. It keeps the tickets, outbox items and client mappings it
// read, as this transaction left them, so that deliveries about the same
// ticket do not read it again. It is valid only inside the function given
// to ApplyInbox and is not safe for concurrent use.
type ApplyBatch struct {
	db    *DB
	ctx   context.Context
	tx    *sql.Tx
	now   string
	stmts map[string]*sql.Stmt // prepared once per batch, by query

	tickets map[int64]*Ticket      // by HaloPSA id; nil: none in the store
	byID    map[int64]*Ticket      // the same tickets by HaloSync's id
	open    map[int64][]OutboxItem // open outbox items by HaloSync's ticket id
	clients map[int64]clientLink   // mappings by HaloPSA client id
	logs    []LogEntry             // rows written, ids set
}

// clientLink is a HaloPSA client's local client, when mapped.
type clientLink struct {
	id int64
	ok bool
}

// ApplyInbox runs fn in one write transaction and commits it when fn
// returns nil; on an error nothing fn wrote is kept. It returns the
// sync-log rows written through the batch, with their ids, once the
// transaction committed, for the caller to publish: a row published from
// inside the transaction could be rolled back after the GUI showed it.
func (db *DB) ApplyInbox(ctx context.Context, fn func(*ApplyBatch) error) ([]LogEntry, error) {
	var logs []LogEntry
	err := db.write(ctx, func(tx *sql.Tx) error {
		b := &ApplyBatch{db: db, ctx: ctx, tx: tx, now: db.stamp(), stmts: map[string]*sql.Stmt{},
			tickets: map[int64]*Ticket{}, byID: map[int64]*Ticket{}, open: map[int64][]OutboxItem{},
			clients: map[int64]clientLink{}}
		defer b.close()
		if err := fn(b); err != nil {
			return err
		}
		logs = b.logs
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: apply inbox: %w", err)
	}
	return logs, nil
}

func (b *ApplyBatch) close() {
	for _, st := range b.stmts {
		st.Close()
	}
}

// stmt returns query prepared in the batch's transaction.
func (b *ApplyBatch) stmt(query string) (*sql.Stmt, error) {
	if st, ok := b.stmts[query]; ok {
		return st, nil
	}
	st, err := b.tx.PrepareContext(b.ctx, query)
	if err != nil {
		return nil, err
	}
	b.stmts[query] = st
	return st, nil
}

// exec runs a statement that must change exactly one row.
func (b *ApplyBatch) exec(query string, args ...any) error {
	st, err := b.stmt(query)
	if err != nil {
		return err
	}
	res, err := st.ExecContext(b.ctx, args...)
	return affectedOne(res, err)
}

// QueryRowContext lets ticketWhere read through the batch's prepared
// statements.
func (b *ApplyBatch) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := b.stmt(query)
	if err != nil {
		return b.tx.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return st.QueryRowContext(ctx, args...)
}

// InboxWaiting reports whether the receiver's inbox writer is waiting for
// this batch's transaction to end. Deliveries are answered only after their
// commit, so a caller applying many should then commit what it has and go
// on in a new batch: the receiver's commit slips in between.
func (b *ApplyBatch) InboxWaiting() bool { return b.db.inbox.waiting.Load() }

// LocalClientForHalo is DB.LocalClientForHalo read in the batch.
func (b *ApplyBatch) LocalClientForHalo(haloClientID int64) (id int64, ok bool, err error) {
	if l, seen := b.clients[haloClientID]; seen {
		return l.id, l.ok, nil
	}
	err = b.QueryRowContext(b.ctx, `SELECT min(local_id) FROM mappings WHERE halo_client_id = ? AND state IN ('accepted', 'manual')`,
		haloClientID).Scan(&sqlNullInt{&id, &ok})
	if err != nil {
		return 0, false, fmt.Errorf("mapping of HaloPSA client %d: %w", haloClientID, err)
	}
	b.clients[haloClientID] = clientLink{id, ok}
	return id, ok, nil
}

// TicketByHalo is DB.TicketByHalo read in the batch: the ticket as this
// transaction left it, or ErrNotFound.
func (b *ApplyBatch) TicketByHalo(haloID int64) (Ticket, error) {
	t, err := b.ticket(haloID)
	if err != nil {
		return Ticket{}, err
	}
	if t == nil {
		return Ticket{}, ErrNotFound
	}
	return *t, nil
}

// ticket returns the batch's copy of the ticket with HaloPSA id haloID,
// reading it the first time; nil when there is none.
func (b *ApplyBatch) ticket(haloID int64) (*Ticket, error) {
	if t, seen := b.tickets[haloID]; seen {
		return t, nil
	}
	t, err := b.db.ticketWhere(b.ctx, b, `halo_id = ?`, haloID)
	switch {
	case errors.Is(err, ErrNotFound):
		b.tickets[haloID] = nil
		return nil, nil
	case err != nil:
		return nil, err
	}
	b.keep(&t)
	return &t, nil
}

// keep records t as the batch's copy of its ticket.
func (b *ApplyBatch) keep(t *Ticket) {
	if t.HaloID != 0 {
		b.tickets[t.HaloID] = t
	}
	b.byID[t.ID] = t
}

// TicketByRef is DB.TicketByRef read in the batch.
func (b *ApplyBatch) TicketByRef(ref string) (Ticket, error) {
	return b.db.ticketWhere(b.ctx, b, `ref = ?`, ref)
}

// AdoptHaloID is DB.AdoptHaloID in the batch.
func (b *ApplyBatch) AdoptHaloID(ticketID, haloID int64) error {
	if err := b.exec(`UPDATE tickets SET halo_id = ? WHERE id = ? AND halo_id IS NULL`, haloID, ticketID); err != nil {
		return err
	}
	// Both copies are out of date now: read the ticket again when needed.
	delete(b.tickets, haloID)
	if t := b.byID[ticketID]; t != nil {
		delete(b.tickets, t.HaloID)
		delete(b.byID, ticketID)
	}
	return nil
}

// ApplyTicket is DB.ApplyTicket in the batch: decide sees the ticket and
// its open outbox items as this transaction left them, and the change's
// log rows are returned by ApplyInbox.
func (b *ApplyBatch) ApplyTicket(haloID int64, decide func(cur *Ticket, open []OutboxItem) (TicketChange, error)) error {
	cur, err := b.ticket(haloID)
	if err != nil {
		return err
	}
	var open []OutboxItem
	if cur != nil {
		var seen bool
		if open, seen = b.open[cur.ID]; !seen {
			if open, err = openOutbox(b.ctx, b.tx, cur.ID); err != nil {
				return err
			}
			b.open[cur.ID] = open
		}
		c := *cur // decide may keep a pointer; the batch's copy changes only below
		cur = &c
	}
	ch, err := decide(cur, slices.Clone(open))
	if err != nil {
		return err
	}
	logs, err := b.db.writeChange(b.ctx, b.tx, ch)
	if err != nil {
		return err
	}
	b.logs = append(b.logs, logs...)
	if ch.Ticket != nil {
		t := *ch.Ticket // as written: writeChange set its id and ref
		if cur != nil {
			t.CreatedAt = cur.CreatedAt
		}
		b.keep(&t)
	}
	if cur != nil && len(ch.Cancel)+len(ch.Done) > 0 {
		b.open[cur.ID] = slices.DeleteFunc(open, func(o OutboxItem) bool {
			return slices.Contains(ch.Cancel, o.ID) || slices.Contains(ch.Done, o.ID)
		})
	}
	return nil
}

// SaveHaloNotes is DB.SaveHaloNotes in the batch.
func (b *ApplyBatch) SaveHaloNotes(ticketID int64, notes []Note, version time.Time) (int, error) {
	n, err := saveHaloNotes(b.ctx, b.tx, ticketID, notes, version, b.now)
	if err != nil {
		return 0, err
	}
	if t := b.byID[ticketID]; t != nil && version.After(t.NotesVersion) {
		t.NotesVersion = version.UTC()
	}
	return n, nil
}

// Log writes e to the sync log in the batch; ApplyInbox returns it.
func (b *ApplyBatch) Log(e LogEntry) error {
	if e.Level == "" {
		e.Level = Info
	}
	if e.Time.IsZero() {
		e.Time = b.db.now().UTC()
	}
	id, err := b.db.insertLog(b.ctx, b.tx, e)
	if err != nil {
		return err
	}
	e.ID = id
	b.logs = append(b.logs, e)
	return nil
}

// SetInboxStatus is DB.SetInboxStatus in the batch.
func (b *ApplyBatch) SetInboxStatus(id int64, s InboxStatus, errText string) error {
	if !s.valid() {
		return fmt.Errorf("set inbox status: unknown status %q", s)
	}
	err := b.exec(`UPDATE inbox SET status = ?, error = ?, attempts = attempts + ?, updated_at = ? WHERE id = ?`,
		string(s), errText, b2i(s.countsAttempt()), b.now, id)
	if err != nil {
		return fmt.Errorf("inbox item %d: %w", id, err)
	}
	return nil
}

// PutOffInbox records a failed try at item id that leaves it pending: one
// more attempt, and why ("" to clear it).
func (b *ApplyBatch) PutOffInbox(id int64, why string) error {
	err := b.exec(`UPDATE inbox SET error = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`, why, b.now, id)
	if err != nil {
		return fmt.Errorf("put off inbox item %d: %w", id, err)
	}
	return nil
}

// HoldInbox is DB.HoldInbox in the batch.
func (b *ApplyBatch) HoldInbox(id, haloClientID int64, why string) error {
	err := b.exec(`UPDATE inbox SET status = 'held', error = ?, halo_client_id = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`,
		why, haloClientID, b.now, id)
	if err != nil {
		return fmt.Errorf("hold inbox item %d: %w", id, err)
	}
	return nil
}
