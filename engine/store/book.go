package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// BookImport is an import of the owner's client book as the app planned
// it; ApplyBookImport applies it in one transaction.
type BookImport struct {
	Add    []LocalClient // new clients
	Update []LocalClient // clients of the book whose row brought new values, by ID
	Join   []BookJoin    // rows that join a client made from HaloPSA
	Review []BookJoin    // new clients, each with a suggestion to merge it into Into
}

// BookJoin pairs a row of the owner's book with a client made from HaloPSA
// (Into), scored by the matcher against Into's HaloPSA client.
type BookJoin struct {
	Row        LocalClient
	Into       int64
	Score      float64
	Confidence string
	Reason     string
}

// BookImportSummary counts what ApplyBookImport did.
type BookImportSummary struct {
	Joined  int // rows joined to a client made from HaloPSA
	Added   int // rows added as new clients with nothing to review
	Review  int // rows added as new clients with a merge suggestion
	Updated int // clients whose row brought new values
}

// ApplyBookImport applies an import in one transaction: all of it or, on
// any error, none. A row that was to join a client which meanwhile stopped
// being a HaloPSA-made one (joined or deleted by another process) is added
// as a new client instead, as is a review row whose merge target is gone.
//
// A joining row gives the client its name (the owner's spelling; the
// mapping, which stays, still names the HaloPSA client), its id, and its
// domain, phone and notes where the row has them; the client then belongs
// to the owner's book.
func (db *DB) ApplyBookImport(ctx context.Context, p BookImport) (BookImportSummary, error) {
	var sum BookImportSummary
	for _, list := range [][]LocalClient{p.Add, p.Update} {
		for i := range list {
			if err := list[i].clean(); err != nil {
				return sum, err
			}
		}
	}
	for _, list := range [][]BookJoin{p.Join, p.Review} {
		for i := range list {
			if err := list[i].Row.clean(); err != nil {
				return sum, err
			}
		}
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		sum = BookImportSummary{}
		now := db.stamp()
		for _, c := range p.Update {
			if err := claimRef(ctx, tx, c.Ref, c.ID); err != nil {
				return fmt.Errorf("%q: %w", c.Name, err)
			}
			res, err := tx.ExecContext(ctx, `UPDATE local_clients SET ref = ?, name = ?, domain = ?, phone = ?, notes = ?, updated_at = ? WHERE id = ?`,
				c.Ref, c.Name, c.Domain, c.Phone, c.Notes, now, c.ID)
			if err := affectedOne(res, err); err != nil {
				return fmt.Errorf("%q: %w", c.Name, err)
			}
			sum.Updated++
		}
		for _, j := range p.Join {
			joined, err := joinHaloMade(ctx, tx, j, now)
			if err != nil {
				return fmt.Errorf("%q: %w", j.Row.Name, err)
			}
			if joined {
				sum.Joined++
				continue
			}
			if _, err := insertLocal(ctx, tx, j.Row, now); err != nil {
				return fmt.Errorf("%q: %w", j.Row.Name, err)
			}
			sum.Added++
		}
		for _, c := range p.Add {
			if _, err := insertLocal(ctx, tx, c, now); err != nil {
				return fmt.Errorf("%q: %w", c.Name, err)
			}
			sum.Added++
		}
		for _, r := range p.Review {
			id, err := insertLocal(ctx, tx, r.Row, now)
			if err != nil {
				return fmt.Errorf("%q: %w", r.Row.Name, err)
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO merge_suggestions (local_id, into_id, state, score, confidence, reason, updated_at)
				SELECT ?, id, 'suggested', ?, ?, ?, ? FROM local_clients WHERE id = ? AND origin = 'halo'`,
				id, r.Score, r.Confidence, r.Reason, now, r.Into)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				sum.Review++
			} else {
				sum.Added++
			}
		}
		return nil
	})
	if err != nil {
		return BookImportSummary{}, fmt.Errorf("store: import the client book: %w", err)
	}
	return sum, nil
}

// joinHaloMade gives the HaloPSA-made client j.Into the row's values and
// rescores its mapping for the row's name; false when j.Into is no longer
// a HaloPSA-made client.
func joinHaloMade(ctx context.Context, tx *sql.Tx, j BookJoin, now string) (bool, error) {
	if err := claimRef(ctx, tx, j.Row.Ref, j.Into); err != nil {
		return false, err
	}
	r := j.Row
	res, err := tx.ExecContext(ctx, `UPDATE local_clients SET ref = ?, name = ?,
			domain = CASE WHEN ? = '' THEN domain ELSE ? END,
			phone = CASE WHEN ? = '' THEN phone ELSE ? END,
			notes = CASE WHEN ? = '' THEN notes ELSE ? END,
			origin = 'book', updated_at = ?
		WHERE id = ? AND origin = 'halo'`,
		r.Ref, r.Name, r.Domain, r.Domain, r.Phone, r.Phone, r.Notes, r.Notes, now, j.Into)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	reason := "joined by your book's row"
	if j.Reason != "" {
		reason += ": " + j.Reason
	}
	_, err = tx.ExecContext(ctx, `UPDATE mappings SET score = ?, confidence = ?, reason = ?, updated_at = ?
		WHERE local_id = ? AND state IN ('accepted', 'manual')`, j.Score, j.Confidence, reason, now, j.Into)
	return err == nil, err
}

// NameKey is how a client without an id is recognised in a later import:
// its name with case and spacing folded, and its domain.
func NameKey(name, domain string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " ")) + "\x00" + Domain(domain)
}

// Alias kinds: what identified a client that was merged into another.
const (
	AliasRef  = "ref"  // its Ref
	AliasName = "name" // its NameKey, when it had no Ref
)

// LocalAliases returns the ids and name keys of clients merged away, each
// with the client it was merged into, keyed kind + "\x00" + key.
func (db *DB) LocalAliases(ctx context.Context) (map[string]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT kind, key, local_id FROM local_client_aliases`)
	if err != nil {
		return nil, fmt.Errorf("store: aliases: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var kind, key string
		var id int64
		if err := rows.Scan(&kind, &key, &id); err != nil {
			return nil, fmt.Errorf("store: aliases: %w", err)
		}
		out[kind+"\x00"+key] = id
	}
	return out, rows.Err()
}
