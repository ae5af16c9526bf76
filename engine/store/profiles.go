package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// HaloProfile is what the matcher knows of one active HaloPSA client: its
// name and the domains and phone numbers seen on it, its sites and its
// contacts.
type HaloProfile struct {
	ID      int64
	Name    string
	Domains []string // the website's host and the contacts' e-mail domains, lower case, each once
	Phones  []string // the client's and its sites' numbers, each once
}

// HaloProfiles returns a profile of every active HaloPSA client, by name.
func (db *DB) HaloProfiles(ctx context.Context) ([]HaloProfile, error) {
	var out []HaloProfile
	index := map[int64]int{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name, website, phone FROM clients WHERE state = 'active' ORDER BY name COLLATE NOCASE, id`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var p HaloProfile
			var website, phone string
			if err := rows.Scan(&p.ID, &p.Name, &website, &phone); err != nil {
				rows.Close()
				return err
			}
			p.Domains = appendOnce(p.Domains, Domain(website))
			p.Phones = appendOnce(p.Phones, strings.TrimSpace(phone))
			index[p.ID] = len(out)
			out = append(out, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		add := func(query string, f func(*HaloProfile, string)) error {
			rows, err := tx.QueryContext(ctx, query)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var v string
				if err := rows.Scan(&id, &v); err != nil {
					return err
				}
				if i, ok := index[id]; ok {
					f(&out[i], v)
				}
			}
			return rows.Err()
		}
		if err := add(`SELECT client_id, phone FROM sites WHERE state != 'deleted' AND phone != ''`, func(p *HaloProfile, v string) {
			p.Phones = appendOnce(p.Phones, strings.TrimSpace(v))
		}); err != nil {
			return err
		}
		return add(`SELECT client_id, email FROM contacts WHERE state != 'deleted' AND email LIKE '%@%'`, func(p *HaloProfile, v string) {
			p.Domains = appendOnce(p.Domains, Domain(v))
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: HaloPSA profiles: %w", err)
	}
	return out, nil
}

// readTx runs fn in one read transaction, so that its queries see one
// consistent snapshot even while an import writes.
func (db *DB) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

func appendOnce(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// Domain reduces an e-mail address ("ann@acme.com") or a website as typed
// ("https://www.acme.com/contact") to its lower-case domain without
// "www.", the form in which domains are stored and compared.
func Domain(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if _, d, ok := strings.Cut(s, "@"); ok {
		return d
	}
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#:"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, "www.")
}

// CreateLocalFromHalo adds a local client for each given active HaloPSA
// client that no local client is mapped to, and maps them (accepted), in
// one transaction. With no ids it takes every such HaloPSA client. It
// returns how many were created.
func (db *DB) CreateLocalFromHalo(ctx context.Context, haloIDs []int64) (int, error) {
	created := 0
	err := db.write(ctx, func(tx *sql.Tx) error {
		query := `SELECT c.id, c.name, c.website, c.phone FROM clients c
			WHERE c.state = 'active' AND NOT EXISTS (
				SELECT 1 FROM mappings m WHERE m.halo_client_id = c.id AND m.state IN ('accepted', 'manual'))`
		var args []any
		if len(haloIDs) > 0 {
			query += ` AND c.id IN (SELECT value FROM json_each(?))`
			args = append(args, jsonIDs(haloIDs))
		}
		rows, err := tx.QueryContext(ctx, query+` ORDER BY c.name COLLATE NOCASE, c.id`, args...)
		if err != nil {
			return err
		}
		type halo struct {
			id                   int64
			name, website, phone string
		}
		var hs []halo
		for rows.Next() {
			var h halo
			if err := rows.Scan(&h.id, &h.name, &h.website, &h.phone); err != nil {
				rows.Close()
				return err
			}
			hs = append(hs, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := db.stamp()
		for _, h := range hs {
			res, err := tx.ExecContext(ctx, `INSERT INTO local_clients (name, domain, phone, notes, origin, created_at, updated_at) VALUES (?, ?, ?, '', 'halo', ?, ?)`,
				h.name, Domain(h.website), h.phone, now, now)
			if err != nil {
				return err
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			m := Mapping{HaloID: h.id, State: MapAccepted, Score: 1, Confidence: "exact", Reason: "created from HaloPSA"}
			if err := upsertMapping(ctx, tx, id, m, now); err != nil {
				return err
			}
			created++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: create local clients from HaloPSA: %w", err)
	}
	return created, nil
}
