package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TicketType is a HaloPSA ticket type. DefaultPriority is the priority
// HaloPSA gives its new tickets (0 when it gave none).
type TicketType struct {
	ID              int64
	Name            string
	DefaultPriority int64
	Sequence        int
	Gone            bool // HaloPSA no longer lists it (output only)
}

// Priority is a HaloPSA ticket priority.
type Priority struct {
	ID       int64
	Name     string
	Sequence int
	Gone     bool // output only
}

// Outcome is a HaloPSA action outcome; a note is posted with one.
type Outcome struct {
	ID      int64
	Name    string
	Private bool // HaloPSA hides notes with this outcome from the customer
	Gone    bool // output only
}

// TicketFields are HaloPSA's lists a ticket's fields come from.
type TicketFields struct {
	Types      []TicketType
	Priorities []Priority
	Outcomes   []Outcome
}

// SaveTicketFields stores HaloPSA's ticket types, priorities and outcomes
// in one transaction. Rows HaloPSA no longer lists are kept and marked
// gone (tickets and defaults may refer to them); a row that comes back is
// live again. A nil list leaves that table as it is, so a tenant that
// refuses one list does not wipe it.
func (db *DB) SaveTicketFields(ctx context.Context, f TicketFields) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if f.Types != nil {
			if err := markGone(ctx, tx, "ticket_types"); err != nil {
				return err
			}
			for _, t := range f.Types {
				if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_types (id, name, default_priority, sequence) VALUES (?, ?, ?, ?)
					ON CONFLICT (id) DO UPDATE SET name = excluded.name, default_priority = excluded.default_priority,
						sequence = excluded.sequence, gone = 0`, t.ID, t.Name, t.DefaultPriority, t.Sequence); err != nil {
					return fmt.Errorf("ticket type %d: %w", t.ID, err)
				}
			}
		}
		if f.Priorities != nil {
			if err := markGone(ctx, tx, "priorities"); err != nil {
				return err
			}
			for _, p := range f.Priorities {
				if _, err := tx.ExecContext(ctx, `INSERT INTO priorities (id, name, sequence) VALUES (?, ?, ?)
					ON CONFLICT (id) DO UPDATE SET name = excluded.name, sequence = excluded.sequence, gone = 0`,
					p.ID, p.Name, p.Sequence); err != nil {
					return fmt.Errorf("priority %d: %w", p.ID, err)
				}
			}
		}
		if f.Outcomes != nil {
			if err := markGone(ctx, tx, "outcomes"); err != nil {
				return err
			}
			for _, o := range f.Outcomes {
				if _, err := tx.ExecContext(ctx, `INSERT INTO outcomes (id, name, private) VALUES (?, ?, ?)
					ON CONFLICT (id) DO UPDATE SET name = excluded.name, private = excluded.private, gone = 0`,
					o.ID, o.Name, o.Private); err != nil {
					return fmt.Errorf("outcome %d: %w", o.ID, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save ticket fields: %w", err)
	}
	return nil
}

func markGone(ctx context.Context, tx *sql.Tx, table string) error {
	_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET gone = 1`)
	return err
}

// TicketFields returns the stored lists, each in HaloPSA's order, gone
// rows included (marked) so that old tickets still show their names.
func (db *DB) TicketFields(ctx context.Context) (TicketFields, error) {
	var f TicketFields
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, default_priority, sequence, gone FROM ticket_types ORDER BY gone, sequence, id`)
	if err != nil {
		return f, fmt.Errorf("store: ticket types: %w", err)
	}
	for rows.Next() {
		var t TicketType
		if err := rows.Scan(&t.ID, &t.Name, &t.DefaultPriority, &t.Sequence, &t.Gone); err != nil {
			rows.Close()
			return f, err
		}
		f.Types = append(f.Types, t)
	}
	rows.Close()
	if rows, err = db.r.QueryContext(ctx, `SELECT id, name, sequence, gone FROM priorities ORDER BY gone, sequence, id`); err != nil {
		return f, fmt.Errorf("store: priorities: %w", err)
	}
	for rows.Next() {
		var p Priority
		if err := rows.Scan(&p.ID, &p.Name, &p.Sequence, &p.Gone); err != nil {
			rows.Close()
			return f, err
		}
		f.Priorities = append(f.Priorities, p)
	}
	rows.Close()
	if rows, err = db.r.QueryContext(ctx, `SELECT id, name, private, gone FROM outcomes ORDER BY gone, id`); err != nil {
		return f, fmt.Errorf("store: outcomes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o Outcome
		if err := rows.Scan(&o.ID, &o.Name, &o.Private, &o.Gone); err != nil {
			return f, err
		}
		f.Outcomes = append(f.Outcomes, o)
	}
	return f, rows.Err()
}

// TicketDefaults is what a local client's new tickets start with; a 0
// field means none was chosen.
type TicketDefaults struct {
	LocalClientID int64
	SiteID        int64 // HaloPSA site id
	UserID        int64 // HaloPSA contact (user) id
	TypeID        int64 // HaloPSA ticket type id
	PriorityID    int64 // HaloPSA priority id
	UpdatedAt     time.Time
}

// TicketDefaults returns a local client's defaults; a client without any
// gets the zero defaults (and no error).
func (db *DB) TicketDefaults(ctx context.Context, localClientID int64) (TicketDefaults, error) {
	d := TicketDefaults{LocalClientID: localClientID}
	var at sql.NullString
	err := db.r.QueryRowContext(ctx, `SELECT site_id, user_id, tickettype_id, priority_id, updated_at FROM ticket_defaults
		WHERE local_client_id = ?`, localClientID).Scan(&d.SiteID, &d.UserID, &d.TypeID, &d.PriorityID, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("store: ticket defaults: %w", err)
	}
	d.UpdatedAt, err = parseTime(at)
	return d, err
}

// SetTicketDefaults stores a local client's defaults, replacing any.
func (db *DB) SetTicketDefaults(ctx context.Context, d TicketDefaults) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ticket_defaults (local_client_id, site_id, user_id, tickettype_id, priority_id, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (local_client_id) DO UPDATE SET site_id = excluded.site_id, user_id = excluded.user_id,
				tickettype_id = excluded.tickettype_id, priority_id = excluded.priority_id, updated_at = excluded.updated_at`,
			d.LocalClientID, d.SiteID, d.UserID, d.TypeID, d.PriorityID, db.stamp())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set ticket defaults of client %d: %w", d.LocalClientID, err)
	}
	return nil
}

// SetTicketFields changes the site, contact, type and priority of a ticket
// whose create has not reached HaloPSA yet (the fix after HaloPSA asked for
// a field), and makes that create due at once. A ticket already in
// HaloPSA is an error: only creates carry these fields for now.
func (db *DB) SetTicketFields(ctx context.Context, id, siteID, userID, typeID, priorityID int64) error {
	now := db.stamp()
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET site_id = ?, user_id = ?, type_id = ?, priority_id = ?, updated_at = ?,
			sync_state = 'pending', sync_error = '' WHERE id = ? AND halo_id IS NULL`, siteID, userID, typeID, priorityID, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errors.New("no such ticket, or it is in HaloPSA already (change it there)")
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ?, error = '' WHERE ticket_id = ? AND kind = 'create'
			AND state IN ('pending', 'sending')`, now, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set fields of ticket %d: %w", id, err)
	}
	return nil
}

// HoldOutbox keeps an item HaloPSA refused for a reason a person must fix
// (a field its ticket type requires): it stays pending, with the reason,
// until next or until the fix (SetTicketFields) makes it due; its ticket
// shows the reason. Such an item is never dropped.
func (db *DB) HoldOutbox(ctx context.Context, id int64, reason string, next time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending', error = ?, next_attempt_at = ? WHERE id = ?`,
			reason, dbTime(next), id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE tickets SET sync_state = 'error', sync_error = ? WHERE id = (SELECT ticket_id FROM outbox WHERE id = ?)`, reason, id)
		return err
	})
}
