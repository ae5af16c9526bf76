package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MappingState says where a local client stands in the mapping to HaloPSA.
type MappingState string

// Mapping states. A local client without a mapping row is open.
const (
	MapOpen      MappingState = ""          // nothing suggested or decided
	MapSuggested MappingState = "suggested" // Bulk Map proposed a HaloPSA client
	MapAccepted  MappingState = "accepted"  // the user accepted the suggestion
	MapManual    MappingState = "manual"    // the user chose the HaloPSA client by hand
	MapIgnored   MappingState = "ignored"   // the user said there is no HaloPSA counterpart
)

// Decided reports whether the state is the user's decision, which Bulk Map
// never overwrites.
func (s MappingState) Decided() bool {
	return s == MapAccepted || s == MapManual || s == MapIgnored
}

// Mapping links a local client to a HaloPSA client.
type Mapping struct {
	LocalID    int64
	HaloID     int64 // 0 when ignored
	State      MappingState
	Score      float64 // the matcher's score for the pair, 0 when unknown
	Confidence string  // the matcher's band: exact, high, medium, low, none
	Reason     string  // why the matcher scored it so, in words
	UpdatedAt  time.Time
}

// Action is what a user decided for one local client.
type Action string

// The decisions a user can make.
const (
	Accept Action = "accept" // map to HaloID (the suggestion, or another client)
	Ignore Action = "ignore" // no HaloPSA counterpart
	Unmap  Action = "unmap"  // forget any mapping or suggestion
)

// Decision is one user decision, saved with the others by SaveMappings.
type Decision struct {
	LocalID int64
	Action  Action
	HaloID  int64 // for Accept
	// Score, Confidence and Reason describe the chosen pair when the user
	// picked a different client than suggested; optional.
	Score      float64
	Confidence string
	Reason     string
}

// MappingSummary counts what SaveMappings did.
type MappingSummary struct{ Accepted, Manual, Ignored, Unmapped int }

// Mappings returns every mapping row by local client id.
func (db *DB) Mappings(ctx context.Context) (map[int64]Mapping, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT local_id, COALESCE(halo_client_id, 0), state, score, confidence, reason, updated_at FROM mappings`)
	if err != nil {
		return nil, fmt.Errorf("store: mappings: %w", err)
	}
	defer rows.Close()
	out := map[int64]Mapping{}
	for rows.Next() {
		var m Mapping
		var at sql.NullString
		if err := rows.Scan(&m.LocalID, &m.HaloID, &m.State, &m.Score, &m.Confidence, &m.Reason, &at); err != nil {
			return nil, fmt.Errorf("store: mappings: %w", err)
		}
		if m.UpdatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out[m.LocalID] = m
	}
	return out, rows.Err()
}

// ReplaceSuggestions drops every undecided suggestion and stores these, in
// one transaction. A suggestion for a local client the user has decided is
// skipped: Bulk Map never overwrites a decision.
func (db *DB) ReplaceSuggestions(ctx context.Context, ms []Mapping) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mappings WHERE state = 'suggested'`); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO mappings (local_id, halo_client_id, state, score, confidence, reason, updated_at)
			VALUES (?, ?, 'suggested', ?, ?, ?, ?) ON CONFLICT (local_id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		now := db.stamp()
		for _, m := range ms {
			if m.HaloID == 0 {
				continue
			}
			if _, err := stmt.ExecContext(ctx, m.LocalID, m.HaloID, m.Score, m.Confidence, m.Reason, now); err != nil {
				return fmt.Errorf("local client %d: %w", m.LocalID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save suggestions: %w", err)
	}
	return nil
}

// SaveMappings applies every decision in one transaction: all are saved,
// or, on any error, none. Accepting the suggested HaloPSA client makes the
// mapping accepted; accepting any other makes it manual. What changed is
// recorded in the mapping history as one batch (see WithActor).
func (db *DB) SaveMappings(ctx context.Context, ds []Decision) (MappingSummary, error) {
	var sum MappingSummary
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		sum, err = db.applyRecorded(ctx, tx, ds) // history.go
		return err
	})
	if err != nil {
		return MappingSummary{}, fmt.Errorf("store: save mappings: %w", err)
	}
	return sum, nil
}

// ErrUnknownHaloClient is returned for a decision naming a HaloPSA client
// that is not imported (or was deleted in HaloPSA).
var ErrUnknownHaloClient = errors.New("no such HaloPSA client")

func (db *DB) applyDecisions(ctx context.Context, tx *sql.Tx, ds []Decision) (MappingSummary, error) {
	var sum MappingSummary
	now := db.stamp()
	for _, d := range ds {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM local_clients WHERE id = ?`, d.LocalID).Scan(&exists); err != nil {
			return sum, err
		}
		if exists == 0 {
			return sum, fmt.Errorf("local client %d: %w", d.LocalID, ErrNotFound)
		}
		switch d.Action {
		case Accept:
			var prev Mapping
			err := tx.QueryRowContext(ctx, `SELECT COALESCE(halo_client_id, 0), state, score, confidence, reason FROM mappings WHERE local_id = ?`, d.LocalID).
				Scan(&prev.HaloID, &prev.State, &prev.Score, &prev.Confidence, &prev.Reason)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return sum, err
			}
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM clients WHERE id = ? AND state != 'deleted'`, d.HaloID).Scan(&exists); err != nil {
				return sum, err
			}
			if exists == 0 {
				return sum, fmt.Errorf("local client %d: HaloPSA client %d: %w", d.LocalID, d.HaloID, ErrUnknownHaloClient)
			}
			next := Mapping{HaloID: d.HaloID, State: MapManual, Score: d.Score, Confidence: d.Confidence, Reason: d.Reason}
			if prev.HaloID == d.HaloID && (prev.State == MapSuggested || prev.State == MapAccepted) {
				next = prev
				next.State = MapAccepted
			} else if prev.HaloID == d.HaloID && prev.State == MapManual {
				next = prev
			}
			if next.Reason == "" && next.State == MapManual {
				next.Reason = "mapped by hand"
			}
			if err := upsertMapping(ctx, tx, d.LocalID, next, now); err != nil {
				return sum, err
			}
			if next.State == MapAccepted {
				sum.Accepted++
			} else {
				sum.Manual++
			}
		case Ignore:
			if err := upsertMapping(ctx, tx, d.LocalID, Mapping{State: MapIgnored, Reason: "no HaloPSA counterpart"}, now); err != nil {
				return sum, err
			}
			sum.Ignored++
		case Unmap:
			if _, err := tx.ExecContext(ctx, `DELETE FROM mappings WHERE local_id = ?`, d.LocalID); err != nil {
				return sum, err
			}
			sum.Unmapped++
		default:
			return sum, fmt.Errorf("local client %d: unknown action %q", d.LocalID, d.Action)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mapping_drafts WHERE local_id = ?`, d.LocalID); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

func upsertMapping(ctx context.Context, tx *sql.Tx, localID int64, m Mapping, now string) error {
	var halo any
	if m.State != MapIgnored {
		halo = m.HaloID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO mappings (local_id, halo_client_id, state, score, confidence, reason, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (local_id) DO UPDATE SET halo_client_id = excluded.halo_client_id, state = excluded.state,
			score = excluded.score, confidence = excluded.confidence, reason = excluded.reason, updated_at = excluded.updated_at`,
		localID, halo, string(m.State), m.Score, m.Confidence, m.Reason, now)
	return err
}

// AddDraft records a decision to be saved later by SaveDrafts, replacing
// any earlier draft for the same local client.
func (db *DB) AddDraft(ctx context.Context, d Decision) error {
	var halo any
	if d.Action == Accept {
		halo = d.HaloID
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO mapping_drafts (local_id, action, halo_client_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (local_id) DO UPDATE SET action = excluded.action, halo_client_id = excluded.halo_client_id, created_at = excluded.created_at`,
			d.LocalID, string(d.Action), halo, db.stamp())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: draft decision for local client %d: %w", d.LocalID, err)
	}
	return nil
}

// Drafts returns the unsaved decisions, oldest first.
func (db *DB) Drafts(ctx context.Context) ([]Decision, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT local_id, action, COALESCE(halo_client_id, 0) FROM mapping_drafts ORDER BY created_at, local_id`)
	if err != nil {
		return nil, fmt.Errorf("store: drafts: %w", err)
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.LocalID, &d.Action, &d.HaloID); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// SaveDrafts applies every draft decision in one transaction and clears
// them: Save All Mappings for the CLI.
func (db *DB) SaveDrafts(ctx context.Context) (MappingSummary, error) {
	var sum MappingSummary
	err := db.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT local_id, action, COALESCE(halo_client_id, 0) FROM mapping_drafts ORDER BY created_at, local_id`)
		if err != nil {
			return err
		}
		var ds []Decision
		for rows.Next() {
			var d Decision
			if err := rows.Scan(&d.LocalID, &d.Action, &d.HaloID); err != nil {
				rows.Close()
				return err
			}
			ds = append(ds, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		sum, err = db.applyRecorded(ctx, tx, ds) // history.go
		return err
	})
	if err != nil {
		return MappingSummary{}, fmt.Errorf("store: save mappings: %w", err)
	}
	return sum, nil
}
