package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// TicketSyncState says where a ticket stands between the two sides.
type TicketSyncState string

// Ticket sync states.
const (
	TicketSynced   TicketSyncState = "synced"   // both sides agree
	TicketPending  TicketSyncState = "pending"  // a local change waits in the outbox
	TicketConflict TicketSyncState = "conflict" // both sides changed it; the sync log has the loser
	TicketError    TicketSyncState = "error"    // the outbox gave up; SyncError says why
)

// Ticket is a ticket of a mapped client.
type Ticket struct {
	ID             int64
	HaloID         int64 // 0 until it exists in HaloPSA
	LocalClientID  int64
	HaloClientID   int64
	SiteID         int64
	UserID         int64
	Summary        string
	Details        string
	StatusID       int64 // HaloPSA's status id
	TypeID         int64
	PriorityID     int64     // HaloPSA's priority id; 0 for HaloPSA's default
	BaseStatusID   int64     // the status both sides last agreed on
	HaloUpdatedAt  time.Time // HaloPSA's last_update of the newest version applied
	LocalChangedAt time.Time // the user's last change here
	SyncState      TicketSyncState
	SyncError      string
	Ref            string // HaloSync's reference, written into the details of tickets it creates
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// NotesVersion is HaloPSA's change time of the ticket when its notes
	// were last fetched (output only; see SetNotesVersion).
	NotesVersion time.Time
}

const ticketCols = `id, COALESCE(halo_id, 0), COALESCE(local_client_id, 0), halo_client_id, site_id, user_id, summary, details,
	status_id, type_id, priority_id, base_status_id, halo_updated_at, local_changed_at, sync_state, sync_error, ref, created_at, updated_at,
	notes_version`

type scanner interface{ Scan(...any) error }

func scanTicket(r scanner) (Ticket, error) {
	var t Ticket
	var hu, lc, ca, ua, nv sql.NullString
	err := r.Scan(&t.ID, &t.HaloID, &t.LocalClientID, &t.HaloClientID, &t.SiteID, &t.UserID, &t.Summary, &t.Details,
		&t.StatusID, &t.TypeID, &t.PriorityID, &t.BaseStatusID, &hu, &lc, &t.SyncState, &t.SyncError, &t.Ref, &ca, &ua, &nv)
	if err != nil {
		return t, err
	}
	for _, p := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&t.HaloUpdatedAt, hu}, {&t.LocalChangedAt, lc}, {&t.CreatedAt, ca}, {&t.UpdatedAt, ua}, {&t.NotesVersion, nv}} {
		if *p.dst, err = parseTime(p.src); err != nil {
			return t, err
		}
	}
	return t, nil
}

// TicketQuery selects tickets.
type TicketQuery struct {
	LocalClientID int64 // 0: any
	HaloClientID  int64 // 0: any
	Limit         int   // 0: all
}

// Tickets returns tickets, newest first.
func (db *DB) Tickets(ctx context.Context, q TicketQuery) ([]Ticket, error) {
	query := `SELECT ` + ticketCols + ` FROM tickets WHERE 1=1`
	var args []any
	if q.LocalClientID != 0 {
		query += ` AND local_client_id = ?`
		args = append(args, q.LocalClientID)
	}
	if q.HaloClientID != 0 {
		query += ` AND halo_client_id = ?`
		args = append(args, q.HaloClientID)
	}
	query += ` ORDER BY COALESCE(halo_id, 0) = 0 DESC, halo_id DESC, id DESC`
	if q.Limit > 0 {
		query += fmt.Sprintf(` LIMIT %d`, q.Limit)
	}
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: tickets: %w", err)
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("store: tickets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Ticket returns one ticket by HaloSync's id, or ErrNotFound.
func (db *DB) Ticket(ctx context.Context, id int64) (Ticket, error) {
	return db.ticketWhere(ctx, db.r, `id = ?`, id)
}

// TicketByHalo returns one ticket by HaloPSA's id, or ErrNotFound.
func (db *DB) TicketByHalo(ctx context.Context, haloID int64) (Ticket, error) {
	return db.ticketWhere(ctx, db.r, `halo_id = ?`, haloID)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) ticketWhere(ctx context.Context, q querier, where string, arg any) (Ticket, error) {
	t, err := scanTicket(q.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, ErrNotFound
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("store: ticket: %w", err)
	}
	return t, nil
}

// NewRef makes a ticket reference: short enough to read, random enough
// never to repeat ("HS-" and 12 hex digits).
func NewRef() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "HS-" + hex.EncodeToString(b[:])
}

// CreateTicket stores a new local ticket and its create in the outbox, in
// one transaction, and returns it with its id and ref.
func (db *DB) CreateTicket(ctx context.Context, t Ticket) (Ticket, error) {
	if t.HaloClientID == 0 || t.Summary == "" {
		return Ticket{}, errors.New("store: a ticket needs a client and a summary")
	}
	if t.Ref == "" {
		t.Ref = NewRef()
	}
	now := db.stamp()
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO tickets (local_client_id, halo_client_id, site_id, user_id, summary, details,
			status_id, type_id, priority_id, base_status_id, local_changed_at, sync_state, ref, created_at, updated_at)
			VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 'pending', ?, ?, ?)`,
			t.LocalClientID, t.HaloClientID, t.SiteID, t.UserID, t.Summary, t.Details, t.StatusID, t.TypeID, t.PriorityID, now, t.Ref, now, now)
		if err != nil {
			return err
		}
		if t.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (ticket_id, kind, status_id, state, next_attempt_at, created_at) VALUES (?, 'create', ?, 'pending', ?, ?)`,
			t.ID, t.StatusID, now, now)
		return err
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("store: create ticket: %w", err)
	}
	return db.Ticket(ctx, t.ID)
}

// SetTicketStatus records a local status change and queues it for
// HaloPSA, in one transaction. An unsent status change of the same ticket
// is replaced, since only the latest status matters.
func (db *DB) SetTicketStatus(ctx context.Context, id, statusID int64) error {
	now := db.stamp()
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET status_id = ?, local_changed_at = ?, updated_at = ?,
			sync_state = 'pending', sync_error = '' WHERE id = ?`, statusID, now, now, id)
		if err := affectedOne(res, err); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', error = 'replaced by a later change'
			WHERE ticket_id = ? AND kind = 'status' AND state = 'pending'`, id); err != nil {
			return err
		}
		// A ticket whose create has not gone out yet is created with the
		// new status; no separate status change is needed.
		res, err = tx.ExecContext(ctx, `UPDATE outbox SET status_id = ? WHERE ticket_id = ? AND kind = 'create' AND state = 'pending'`, statusID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (ticket_id, kind, status_id, state, next_attempt_at, created_at) VALUES (?, 'status', ?, 'pending', ?, ?)`,
			id, statusID, now, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set ticket %d status: %w", id, err)
	}
	return nil
}
