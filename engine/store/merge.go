package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrMergeConflict is returned when the two clients to merge are mapped to
// different HaloPSA clients: merging would silently drop one mapping.
var ErrMergeConflict = errors.New("both clients are mapped, to different HaloPSA clients: unmap one first")

// MergeResult says what MergeLocalClients did.
type MergeResult struct {
	Kept         LocalClient // the kept client as it is now
	OtherName    string      // the name of the client merged away
	MovedMapping bool        // the other's mapping is now the kept client's
	MovedTickets int         // tickets that now belong to the kept client
	MergedRef    string      // the other's id, kept as an alias of the kept client ('' when none)
}

// MergeLocalClients merges other into keep in one transaction and deletes
// other. keep keeps its name and id and takes other's domain, phone and id
// where it has none (other's notes are added to its own); other's mapping
// moves to keep unless keep has one of its own (a real mapping beats
// "ignored"); other's tickets move to keep; and other's id (or, without
// one, its name and domain) becomes an alias of keep, so that re-importing
// the file other came from finds keep instead of adding other again.
// ErrNotFound when either is gone, ErrMergeConflict when both are mapped to
// different HaloPSA clients.
func (db *DB) MergeLocalClients(ctx context.Context, keepID, otherID int64) (MergeResult, error) {
	var res MergeResult
	if keepID == otherID {
		return res, errors.New("store: merge a client with itself")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		keep, err := localInTx(ctx, tx, keepID)
		if err != nil {
			return fmt.Errorf("client %d: %w", keepID, err)
		}
		other, err := localInTx(ctx, tx, otherID)
		if err != nil {
			return fmt.Errorf("client %d: %w", otherID, err)
		}
		km, kok, err := mappingInTx(ctx, tx, keepID)
		if err != nil {
			return err
		}
		om, ook, err := mappingInTx(ctx, tx, otherID)
		if err != nil {
			return err
		}
		res = MergeResult{OtherName: other.Name}
		mapped := func(m Mapping, ok bool) bool { return ok && (m.State == MapAccepted || m.State == MapManual) }
		switch {
		case mapped(km, kok) && mapped(om, ook) && km.HaloID != om.HaloID:
			return fmt.Errorf("%q and %q: %w", keep.Name, other.Name, ErrMergeConflict)
		case mapped(om, ook) && !mapped(km, kok), ook && om.State == MapIgnored && !(kok && km.State.Decided()):
			if err := upsertMapping(ctx, tx, keepID, om, db.stamp()); err != nil {
				return err
			}
			res.MovedMapping = true
		}

		n, err := tx.ExecContext(ctx, `UPDATE tickets SET local_client_id = ? WHERE local_client_id = ?`, keepID, otherID)
		if err != nil {
			return err
		}
		moved, _ := n.RowsAffected()
		res.MovedTickets = int(moved)
		if _, err := tx.ExecContext(ctx, `UPDATE local_client_aliases SET local_id = ? WHERE local_id = ?`, keepID, otherID); err != nil {
			return err
		}
		// other goes before keep takes its id: refs are unique.
		if _, err := tx.ExecContext(ctx, `DELETE FROM local_clients WHERE id = ?`, otherID); err != nil {
			return err
		}
		switch {
		case keep.Ref == "" && other.Ref != "":
			keep.Ref = other.Ref
		case other.Ref != "" && other.Ref != keep.Ref:
			res.MergedRef = other.Ref
			if err := addAlias(ctx, tx, AliasRef, other.Ref, keepID); err != nil {
				return err
			}
		case other.Ref == "" && other.Origin == OriginBook:
			if err := addAlias(ctx, tx, AliasName, NameKey(other.Name, other.Domain), keepID); err != nil {
				return err
			}
		}
		keep.Domain = firstNonEmpty(keep.Domain, other.Domain)
		keep.Phone = firstNonEmpty(keep.Phone, other.Phone)
		if other.Notes != "" && other.Notes != keep.Notes {
			keep.Notes = joinNonEmpty(keep.Notes, other.Notes)
		}
		if other.Origin == OriginBook {
			keep.Origin = OriginBook // a row of the owner's book has joined it
		}
		_, err = tx.ExecContext(ctx, `UPDATE local_clients SET ref = ?, domain = ?, phone = ?, notes = ?, origin = ?, updated_at = ? WHERE id = ?`,
			keep.Ref, keep.Domain, keep.Phone, keep.Notes, string(keep.Origin), db.stamp(), keepID)
		res.Kept = keep
		return err
	})
	if err != nil {
		return MergeResult{}, fmt.Errorf("store: merge clients: %w", err)
	}
	return res, nil
}

func addAlias(ctx context.Context, tx *sql.Tx, kind, key string, localID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO local_client_aliases (kind, key, local_id) VALUES (?, ?, ?)
		ON CONFLICT (kind, key) DO UPDATE SET local_id = excluded.local_id`, kind, key, localID)
	return err
}

func localInTx(ctx context.Context, tx *sql.Tx, id int64) (LocalClient, error) {
	var c LocalClient
	err := tx.QueryRowContext(ctx, `SELECT id, ref, name, domain, phone, notes, origin FROM local_clients WHERE id = ?`, id).
		Scan(&c.ID, &c.Ref, &c.Name, &c.Domain, &c.Phone, &c.Notes, &c.Origin)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

func mappingInTx(ctx context.Context, tx *sql.Tx, localID int64) (Mapping, bool, error) {
	m := Mapping{LocalID: localID}
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(halo_client_id, 0), state, score, confidence, reason FROM mappings WHERE local_id = ?`, localID).
		Scan(&m.HaloID, &m.State, &m.Score, &m.Confidence, &m.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	return m, err == nil, err
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func joinNonEmpty(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

// MergeSuggestion proposes that LocalID is the same client as IntoID, a
// client made from HaloPSA, scored by the matcher against IntoID's HaloPSA
// client.
type MergeSuggestion struct {
	LocalID, IntoID int64
	Score           float64
	Confidence      string
	Reason          string
}

// MergeSuggestions returns the open merge suggestions by LocalID.
func (db *DB) MergeSuggestions(ctx context.Context) (map[int64]MergeSuggestion, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT local_id, into_id, score, confidence, reason FROM merge_suggestions WHERE state = 'suggested'`)
	if err != nil {
		return nil, fmt.Errorf("store: merge suggestions: %w", err)
	}
	defer rows.Close()
	out := map[int64]MergeSuggestion{}
	for rows.Next() {
		var m MergeSuggestion
		if err := rows.Scan(&m.LocalID, &m.IntoID, &m.Score, &m.Confidence, &m.Reason); err != nil {
			return nil, fmt.Errorf("store: merge suggestions: %w", err)
		}
		out[m.LocalID] = m
	}
	return out, rows.Err()
}

// ReplaceMergeSuggestions drops every open merge suggestion and stores
// these, in one transaction. A client the user said is no duplicate
// (DismissMergeSuggestion) gets none.
func (db *DB) ReplaceMergeSuggestions(ctx context.Context, ms []MergeSuggestion) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM merge_suggestions WHERE state = 'suggested'`); err != nil {
			return err
		}
		now := db.stamp()
		for _, m := range ms {
			if _, err := tx.ExecContext(ctx, `INSERT INTO merge_suggestions (local_id, into_id, state, score, confidence, reason, updated_at)
				VALUES (?, ?, 'suggested', ?, ?, ?, ?) ON CONFLICT (local_id) DO NOTHING`,
				m.LocalID, m.IntoID, m.Score, m.Confidence, m.Reason, now); err != nil {
				return fmt.Errorf("local client %d: %w", m.LocalID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save merge suggestions: %w", err)
	}
	return nil
}

// DismissMergeSuggestion records that localID is not the client its merge
// suggestion names; ErrNotFound when it has none.
func (db *DB) DismissMergeSuggestion(ctx context.Context, localID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE merge_suggestions SET state = 'dismissed', updated_at = ? WHERE local_id = ? AND state = 'suggested'`,
			db.stamp(), localID)
		return affectedOne(res, err)
	})
}
