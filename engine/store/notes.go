package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// NoteOrigin says which side a note was written on.
type NoteOrigin string

// Note origins.
const (
	NoteLocal NoteOrigin = "local" // written in HaloSync; goes out through the outbox
	NoteHalo  NoteOrigin = "halo"  // written in HaloPSA
)

// Note is one of a ticket's notes (a HaloPSA action).
type Note struct {
	ID        int64
	TicketID  int64 // HaloSync's ticket id
	HaloID    int64 // the action's id in HaloPSA, unique per ticket only; 0 until it is there
	Body      string
	Who       string
	At        time.Time // when it was written
	Private   bool      // hidden from the customer
	OutcomeID int64
	Origin    NoteOrigin
	Ref       string // HaloSync's reference of a local note ("" for HaloPSA's)
	CreatedAt time.Time
}

// Pending reports whether the note is written here and not in HaloPSA yet.
func (n Note) Pending() bool { return n.Origin == NoteLocal && n.HaloID == 0 }

const noteCols = `id, ticket_id, COALESCE(halo_id, 0), body, who, noted_at, private, outcome_id, origin, COALESCE(ref, ''), created_at`

func scanNote(r scanner) (Note, error) {
	var n Note
	var at, ca sql.NullString
	if err := r.Scan(&n.ID, &n.TicketID, &n.HaloID, &n.Body, &n.Who, &at, &n.Private, &n.OutcomeID, &n.Origin, &n.Ref, &ca); err != nil {
		return n, err
	}
	var err error
	if n.At, err = parseTime(at); err != nil {
		return n, err
	}
	n.CreatedAt, err = parseTime(ca)
	return n, err
}

// AddNote stores a note written here and queues it for HaloPSA, in one
// transaction, and returns it with its id and reference. A ticket whose
// create has not gone out yet gets the note after the create.
func (db *DB) AddNote(ctx context.Context, n Note) (Note, error) {
	if strings.TrimSpace(n.Body) == "" {
		return Note{}, errors.New("store: a note needs some text")
	}
	if n.Ref == "" {
		n.Ref = NewRef()
	}
	now := db.stamp()
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO ticket_notes (ticket_id, body, who, noted_at, private, outcome_id, origin, ref, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 'local', ?, ?)`, n.TicketID, n.Body, n.Who, now, n.Private, n.OutcomeID, n.Ref, now)
		if err != nil {
			return err
		}
		if n.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (ticket_id, kind, note_id, state, next_attempt_at, created_at)
			VALUES (?, 'note', ?, 'pending', ?, ?)`, n.TicketID, n.ID, now, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE tickets SET sync_state = 'pending', updated_at = ? WHERE id = ? AND sync_state = 'synced'`, now, n.TicketID)
		return err
	})
	if err != nil {
		return Note{}, fmt.Errorf("store: add note to ticket %d: %w", n.TicketID, err)
	}
	return db.Note(ctx, n.ID)
}

// Note returns one note by HaloSync's id, or ErrNotFound.
func (db *DB) Note(ctx context.Context, id int64) (Note, error) {
	n, err := scanNote(db.r.QueryRowContext(ctx, `SELECT `+noteCols+` FROM ticket_notes WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Note{}, ErrNotFound
	}
	return n, err
}

// Notes returns a ticket's notes, oldest first.
func (db *DB) Notes(ctx context.Context, ticketID int64) ([]Note, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+noteCols+` FROM ticket_notes WHERE ticket_id = ? ORDER BY noted_at, id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: notes: %w", err)
	}
	defer rows.Close()
	var out []Note
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			return nil, fmt.Errorf("store: notes: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// SaveHaloNotes stores notes read from HaloPSA for a ticket and records
// version (the ticket's change time they were read at) as its notes
// version, in one transaction. A note already stored (by HaloPSA id) is
// skipped; one carrying the reference of a note written here is that note
// coming back (an echo, or the answer that was lost), so the local note
// takes its HaloPSA id rather than a copy being stored. It returns how
// many notes were new.
func (db *DB) SaveHaloNotes(ctx context.Context, ticketID int64, notes []Note, version time.Time) (added int, err error) {
	now := db.stamp()
	err = db.write(ctx, func(tx *sql.Tx) error {
		added, err = saveHaloNotes(ctx, tx, ticketID, notes, version, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: save notes of ticket %d: %w", ticketID, err)
	}
	return added, nil
}

// saveHaloNotes is SaveHaloNotes inside tx, stamping new notes with now.
func saveHaloNotes(ctx context.Context, tx *sql.Tx, ticketID int64, notes []Note, version time.Time, now string) (added int, err error) {
	for _, n := range notes {
		var known int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ticket_notes WHERE ticket_id = ? AND halo_id = ?`, ticketID, n.HaloID).Scan(&known); err != nil {
			return 0, err
		}
		if known > 0 {
			continue
		}
		if n.Ref != "" {
			res, err := tx.ExecContext(ctx, `UPDATE ticket_notes SET halo_id = ? WHERE ref = ? AND ticket_id = ? AND halo_id IS NULL`, n.HaloID, n.Ref, ticketID)
			if err != nil {
				return 0, err
			}
			if k, _ := res.RowsAffected(); k > 0 {
				continue
			}
		}
		// An action HaloPSA sent without a date (or with an "unset"
		// sentinel) is kept, dated when HaloSync first saw it: refusing
		// it would stop every later delivery behind it.
		at := dbTime(n.At)
		if n.At.IsZero() {
			at = now
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_notes (ticket_id, halo_id, body, who, noted_at, private, outcome_id, origin, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'halo', ?)`, ticketID, n.HaloID, n.Body, n.Who, at, n.Private, n.OutcomeID, now); err != nil {
			return 0, err
		}
		added++
	}
	if version.IsZero() {
		return added, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE tickets SET notes_version = ? WHERE id = ? AND (notes_version IS NULL OR notes_version < ?)`,
		dbTime(version), ticketID, dbTime(version))
	return added, err
}

// FinishNote marks a note's outbox item done and gives the note its
// HaloPSA id (unless an echo gave it one already), in one transaction. The
// ticket goes back to synced when nothing else of it waits.
func (db *DB) FinishNote(ctx context.Context, itemID, noteID, haloID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'done', error = '' WHERE id = ?`, itemID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ticket_notes SET halo_id = ? WHERE id = ? AND halo_id IS NULL`, haloID, noteID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE tickets SET sync_state = 'synced', sync_error = ''
			WHERE id = (SELECT ticket_id FROM outbox WHERE id = ?) AND sync_state = 'pending'
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = tickets.id AND o.state IN ('pending', 'sending'))`, itemID)
		return err
	})
}

// RetryTicketNow makes every open outbox item of a ticket due at once: a
// person's "try again now" after fixing what stood in the way.
func (db *DB) RetryTicketNow(ctx context.Context, ticketID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE ticket_id = ? AND state IN ('pending', 'sending')`,
			db.stamp(), ticketID)
		return err
	})
}

// SetNoteOutcome changes the outcome of a note not yet in HaloPSA (after
// HaloPSA refused the one it had) and makes its outbox item due at once.
func (db *DB) SetNoteOutcome(ctx context.Context, noteID, outcomeID int64) error {
	now := db.stamp()
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ticket_notes SET outcome_id = ? WHERE id = ? AND halo_id IS NULL AND origin = 'local'`, outcomeID, noteID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errors.New("no such note, or it is in HaloPSA already")
		}
		// The ticket shows the note's refusal until this fix, and no other
		// item's error.
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET sync_state = 'pending', sync_error = ''
			WHERE id = (SELECT ticket_id FROM ticket_notes WHERE id = ?) AND sync_state = 'error'
			AND sync_error = (SELECT error FROM outbox WHERE note_id = ? AND state IN ('pending', 'sending'))`, noteID, noteID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ?, error = '' WHERE note_id = ? AND state IN ('pending', 'sending')`, now, noteID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set the outcome of note %d: %w", noteID, err)
	}
	return nil
}
