package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The drift watch. For every mapped local client (accepted or by hand) the
// store keeps its HaloPSA client's name and state as the user confirmed them.
// After an import, a mapping whose client was renamed, made inactive,
// deleted or merged is flagged "needs review" until the user confirms it
// again (accepts it) or changes it.
//
// Merged is inferred, since HaloPSA's API does not say it: a client counts
// as merged into another when it is gone from HaloPSA (neither active nor
// inactive) and an active client now holds sites or contacts that were its
// own before the import (HaloPSA moves them, keeping their ids, when it
// merges), or, failing that, exactly one other active client has its name
// (case and spacing aside). Otherwise a vanished client counts as deleted.
// Either way the mapping is only flagged, never changed.

// ReviewReason says why a mapping needs review.
type ReviewReason string

// The reasons. ReviewNone means nothing to review.
const (
	ReviewNone     ReviewReason = ""
	ReviewRenamed  ReviewReason = "renamed"  // HaloPSA renamed the client
	ReviewInactive ReviewReason = "inactive" // HaloPSA made the client inactive
	ReviewDeleted  ReviewReason = "deleted"  // the client is gone from HaloPSA
	ReviewMerged   ReviewReason = "merged"   // gone, and another client took it over
)

// Review is a mapping whose HaloPSA client changed since the user
// confirmed it.
type Review struct {
	LocalID    int64
	HaloID     int64
	Reason     ReviewReason
	OldName    string    // the HaloPSA client's name as the user confirmed it
	NewName    string    // its name now; for merged, the name of the client it went into
	MergedInto int64     // for merged, the HaloPSA client that took it over
	At         time.Time // when an import flagged it
	Run        int64     // the import run that flagged it
}

// Describe says what happened, in a few words: "renamed to "Acme Group"".
func (r Review) Describe() string {
	switch r.Reason {
	case ReviewRenamed:
		return fmt.Sprintf("renamed to %q", r.NewName)
	case ReviewInactive:
		return "made inactive in HaloPSA"
	case ReviewDeleted:
		return "deleted in HaloPSA"
	case ReviewMerged:
		return fmt.Sprintf("merged into %q (HaloPSA client %d)", r.NewName, r.MergedInto)
	}
	return ""
}

// WatchMappings brings the watch up to date with the mappings before an
// import: a mapping made since (or moved to another HaloPSA client by any
// path) is watched from its client as it is now, and a client no longer
// mapped is no longer watched. Flags already raised stay.
func (db *DB) WatchMappings(ctx context.Context) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mapping_review WHERE local_id NOT IN
			(SELECT m.local_id FROM mappings m WHERE m.state IN ('accepted', 'manual') AND m.halo_client_id = mapping_review.halo_client_id)`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO mapping_review (local_id, halo_client_id, confirmed_name, confirmed_state)
			SELECT m.local_id, m.halo_client_id, COALESCE(c.name, ''), COALESCE(c.state, 'deleted')
			FROM mappings m LEFT JOIN clients c ON c.id = m.halo_client_id
			WHERE m.state IN ('accepted', 'manual') ON CONFLICT (local_id) DO NOTHING`)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: watch mappings: %w", err)
	}
	return nil
}

// resetReview makes a local client's current mapping the confirmed one:
// called for every decision saved or undone.
func resetReview(ctx context.Context, tx *sql.Tx, localID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM mapping_review WHERE local_id = ?`, localID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO mapping_review (local_id, halo_client_id, confirmed_name, confirmed_state)
		SELECT m.local_id, m.halo_client_id, COALESCE(c.name, ''), COALESCE(c.state, 'deleted')
		FROM mappings m LEFT JOIN clients c ON c.id = m.halo_client_id
		WHERE m.local_id = ? AND m.state IN ('accepted', 'manual')`, localID)
	return err
}

// DriftEvidence remembers which sites and contacts belonged to watched
// HaloPSA clients that an import found gone, before the import moves them:
// where they turn up afterwards tells a merge from a deletion.
type DriftEvidence struct {
	children map[child]int64 // -> the gone client it belonged to
}

// child is a site or contact: table is "sites" or "contacts".
type child struct {
	table string
	id    int64
}

// GoneEvidence collects DriftEvidence. Call it after the clients of an
// import are settled and before their sites and contacts are imported.
func (db *DB) GoneEvidence(ctx context.Context) (DriftEvidence, error) {
	ev := DriftEvidence{children: map[child]int64{}}
	for _, table := range []string{"sites", "contacts"} {
		// table is one of two constants, never input.
		rows, err := db.r.QueryContext(ctx, `SELECT x.id, x.client_id FROM `+table+` x
			JOIN mapping_review r ON r.halo_client_id = x.client_id
			JOIN clients c ON c.id = r.halo_client_id
			WHERE c.state = 'deleted' AND r.confirmed_state != 'deleted' AND x.state != 'deleted'`)
		if err != nil {
			return ev, fmt.Errorf("store: drift evidence: %w", err)
		}
		for rows.Next() {
			var id, client int64
			if err := rows.Scan(&id, &client); err != nil {
				rows.Close()
				return ev, fmt.Errorf("store: drift evidence: %w", err)
			}
			ev.children[child{table, id}] = client
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return ev, fmt.Errorf("store: drift evidence: %w", err)
		}
	}
	return ev, nil
}

// watched is one row of the watch with its HaloPSA client as it is now.
type watched struct {
	Review
	confirmedState string
	name, state    string // the client now; state "" when never imported
}

// FlagDrift compares every watched mapping with its HaloPSA client as the
// import left it, flags those that changed, clears those whose change was
// reverted in HaloPSA, and returns the mappings flagged anew (or flagged for
// another reason than before), by local client id. ev may be empty.
func (db *DB) FlagDrift(ctx context.Context, run int64, ev DriftEvidence) ([]Review, error) {
	var fresh []Review
	err := db.write(ctx, func(tx *sql.Tx) error {
		ws, err := watchedRows(ctx, tx)
		if err != nil {
			return err
		}
		var active map[string][]int64 // normalised name -> active clients, read when needed
		now := db.now().UTC()
		for _, w := range ws {
			next := w.Review
			next.Reason, next.NewName, next.MergedInto = ReviewNone, "", 0
			gone := w.state == "" || w.state == string(StateDeleted)
			switch {
			case gone && w.confirmedState != string(StateDeleted):
				next.Reason, next.NewName = ReviewDeleted, w.name
				if active == nil {
					if active, err = activeNames(ctx, tx); err != nil {
						return err
					}
				}
				if into, name, err := mergeTarget(ctx, tx, w, ev, active); err != nil {
					return err
				} else if into != 0 {
					next.Reason, next.NewName, next.MergedInto = ReviewMerged, name, into
				} else if w.Reason == ReviewMerged {
					next = w.Review // the evidence is spent: a merge stays a merge
				}
			case w.state == string(StateInactive) && w.confirmedState != string(StateInactive):
				next.Reason, next.NewName = ReviewInactive, w.name
			case !gone && w.name != w.OldName:
				next.Reason, next.NewName = ReviewRenamed, w.name
			}
			if next.Reason == w.Reason && next.NewName == w.NewName && next.MergedInto == w.MergedInto {
				continue
			}
			if next.Reason != ReviewNone && next.Reason != w.Reason {
				next.At, next.Run = now, run
				fresh = append(fresh, next)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE mapping_review SET reason = ?, new_name = ?, merged_into = ?, flagged_at = ?, flagged_run = ?
				WHERE local_id = ?`, string(next.Reason), next.NewName, next.MergedInto, dbTime(next.At), next.Run, w.LocalID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: flag drift: %w", err)
	}
	return fresh, nil
}

// watchedRows reads the watch, only rows whose mapping still stands.
func watchedRows(ctx context.Context, q rowsQuerier) ([]watched, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.local_id, r.halo_client_id, r.reason, r.confirmed_name, r.new_name, r.merged_into,
			r.flagged_at, r.flagged_run, r.confirmed_state, COALESCE(c.name, ''), COALESCE(c.state, '')
		FROM mapping_review r
		JOIN mappings m ON m.local_id = r.local_id AND m.halo_client_id = r.halo_client_id AND m.state IN ('accepted', 'manual')
		LEFT JOIN clients c ON c.id = r.halo_client_id
		ORDER BY r.local_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []watched
	for rows.Next() {
		var w watched
		var at sql.NullString
		if err := rows.Scan(&w.LocalID, &w.HaloID, &w.Reason, &w.OldName, &w.NewName, &w.MergedInto,
			&at, &w.Run, &w.confirmedState, &w.name, &w.state); err != nil {
			return nil, err
		}
		if w.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// sameName compares client names as people see them: case and spacing aside.
func sameName(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func activeNames(ctx context.Context, tx *sql.Tx) (map[string][]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM clients WHERE state = 'active'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[sameName(name)] = append(out[sameName(name)], id)
	}
	return out, rows.Err()
}

// mergeTarget finds the active client a gone one was merged into: the one
// holding most of its former sites and contacts, else the only other
// active client with its name. It returns 0 when there is none.
func mergeTarget(ctx context.Context, tx *sql.Tx, w watched, ev DriftEvidence, active map[string][]int64) (int64, string, error) {
	votes := map[int64]int{}
	for key, from := range ev.children {
		if from != w.HaloID {
			continue
		}
		var to int64
		// key.table is "sites" or "contacts", set by GoneEvidence.
		err := tx.QueryRowContext(ctx, `SELECT x.client_id FROM `+key.table+` x JOIN clients c ON c.id = x.client_id
			WHERE x.id = ? AND x.state != 'deleted' AND c.state = 'active'`, key.id).Scan(&to)
		if err == nil && to != w.HaloID {
			votes[to]++
		}
	}
	var best int64
	for id, n := range votes {
		if best == 0 || n > votes[best] || (n == votes[best] && id < best) {
			best = id
		}
	}
	if best == 0 {
		seen := map[int64]bool{}
		for _, n := range []string{w.OldName, w.name} {
			for _, id := range active[sameName(n)] {
				if id != w.HaloID {
					seen[id] = true
				}
			}
		}
		if len(seen) != 1 {
			return 0, "", nil // none, or no telling which
		}
		for id := range seen {
			best = id
		}
	}
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM clients WHERE id = ?`, best).Scan(&name); err != nil {
		return 0, "", err
	}
	return best, name, nil
}

// Reviews returns the mappings that need review, by local client id.
func (db *DB) Reviews(ctx context.Context) (map[int64]Review, error) {
	ws, err := watchedRows(ctx, db.r)
	if err != nil {
		return nil, fmt.Errorf("store: reviews: %w", err)
	}
	out := map[int64]Review{}
	for _, w := range ws {
		if w.Reason != ReviewNone {
			out[w.LocalID] = w.Review
		}
	}
	return out, nil
}
