package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// LocalClientForHalo returns the local client mapped (accepted or by hand)
// to a HaloPSA client, the lowest id when several are; ok is false when
// none is.
func (db *DB) LocalClientForHalo(ctx context.Context, haloClientID int64) (id int64, ok bool, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT min(local_id) FROM mappings WHERE halo_client_id = ? AND state IN ('accepted', 'manual')`, haloClientID).Scan(&sqlNullInt{&id, &ok})
	if err != nil {
		return 0, false, fmt.Errorf("store: mapping of HaloPSA client %d: %w", haloClientID, err)
	}
	return id, ok, nil
}

// HaloClientForLocal returns the HaloPSA client a local client is mapped to.
func (db *DB) HaloClientForLocal(ctx context.Context, localID int64) (int64, error) {
	var id int64
	err := db.r.QueryRowContext(ctx, `SELECT halo_client_id FROM mappings WHERE local_id = ? AND state IN ('accepted', 'manual')`, localID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

// sqlNullInt scans a nullable integer into a value and a validity flag.
type sqlNullInt struct {
	v  *int64
	ok *bool
}

func (n *sqlNullInt) Scan(src any) error {
	var ni sql.NullInt64
	if err := ni.Scan(src); err != nil {
		return err
	}
	*n.v, *n.ok = ni.Int64, ni.Valid
	return nil
}

// TicketByRef returns the ticket with HaloSync's reference ref, or ErrNotFound.
func (db *DB) TicketByRef(ctx context.Context, ref string) (Ticket, error) {
	return db.ticketWhere(ctx, db.r, `ref = ?`, ref)
}

// AdoptHaloID links a local ticket that HaloPSA created but whose local
// commit was lost (a crash) to its HaloPSA id.
func (db *DB) AdoptHaloID(ctx context.Context, ticketID, haloID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET halo_id = ? WHERE id = ? AND halo_id IS NULL`, haloID, ticketID)
		return affectedOne(res, err)
	})
}

// ReleaseHeldInbox puts every held delivery back in the queue, after a
// mapping change may have made them applicable. It returns how many.
func (db *DB) ReleaseHeldInbox(ctx context.Context) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE inbox SET status = 'pending' WHERE status = 'held'`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
