package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// table describes one imported-resource table for the generic upsert. Its SQL
// is built once from the column list, so the four resources share one
// carefully tested code path.
type table struct {
	name string
	cols []string // content columns in bind order (after id); state is last

	selectSQL   string // content of the rows whose ids are in a JSON array
	insertSQL   string
	updateSQL   string
	touchSQL    string // marks unchanged rows as seen
	unseenSQL   string
	setStateSQL string
}

func newTable(name string, cols ...string) *table {
	t := &table{name: name, cols: cols}
	t.selectSQL = fmt.Sprintf("SELECT id, %s FROM %s WHERE id IN (SELECT value FROM json_each(?))",
		strings.Join(cols, ", "), name)
	t.insertSQL = fmt.Sprintf("INSERT INTO %s (id, %s, seen_run, changed_at) VALUES (?%s, ?, ?)",
		name, strings.Join(cols, ", "), strings.Repeat(", ?", len(cols)))
	t.updateSQL = fmt.Sprintf("UPDATE %s SET %s = ?, seen_run = ?, changed_at = ? WHERE id = ?",
		name, strings.Join(cols, " = ?, "))
	t.touchSQL = fmt.Sprintf("UPDATE %s SET seen_run = ? WHERE id IN (SELECT value FROM json_each(?))", name)
	t.unseenSQL = fmt.Sprintf("SELECT id FROM %s WHERE seen_run < ? AND state <> 'deleted' ORDER BY id", name)
	// Only rows whose state really changes are touched, so changed_at keeps
	// meaning "content changed".
	t.setStateSQL = fmt.Sprintf(`UPDATE %s SET state = ?1,
		inactive = CASE ?1 WHEN 'active' THEN 0 WHEN 'inactive' THEN 1 ELSE inactive END,
		changed_at = ?2
		WHERE id IN (SELECT value FROM json_each(?3)) AND state <> ?1`, name)
	return t
}

var (
	clientsTable = newTable("clients",
		"name", "website", "phone", "top_level", "inactive", "halo_updated_at", "state")
	sitesTable = newTable("sites",
		"client_id", "name", "phone", "address", "inactive", "halo_updated_at", "state")
	contactsTable = newTable("contacts",
		"client_id", "site_id", "name", "email", "phone", "is_primary", "inactive", "halo_updated_at", "state")
	assetsTable = newTable("assets",
		"client_id", "site_id", "tag", "name", "type", "inactive", "halo_updated_at", "state")
)

// The values functions below return a record's content in its table's column
// order. Every value is an int64, a string or nil (exactly what the driver
// scans back), so stored and incoming content compare with ==.

// UpsertClients writes one page of clients, in one transaction, by HaloPSA id,
// and marks each as seen by run (a BeginRun id). A new id is Inserted. A known
// id whose content differs, or whose state must change (HaloPSA's inactive
// flag flipped, or a deleted record reappeared and is revived), is Updated.
// Anything else is Unchanged: only its seen_run moves, so its change time
// keeps saying when it really changed. An id repeated within rows counts the
// later copy against the earlier one, as if they came in separate calls. The
// State field of rows is ignored.
func (db *DB) UpsertClients(ctx context.Context, run int64, rows []Client) (UpsertResult, error) {
	return upsert(ctx, db, clientsTable, run, rows, func(c *Client) (int64, []any) {
		return c.ID, []any{c.Name, c.Website, c.Phone, c.TopLevel, b2i(c.Inactive),
			dbTime(c.UpdatedAt), stateOf(c.Inactive)}
	})
}

// UpsertSites writes one page of sites, exactly as UpsertClients writes clients.
func (db *DB) UpsertSites(ctx context.Context, run int64, rows []Site) (UpsertResult, error) {
	return upsert(ctx, db, sitesTable, run, rows, func(s *Site) (int64, []any) {
		return s.ID, []any{s.ClientID, s.Name, s.Phone, s.Address, b2i(s.Inactive),
			dbTime(s.UpdatedAt), stateOf(s.Inactive)}
	})
}

// UpsertContacts writes one page of contacts, exactly as UpsertClients writes clients.
func (db *DB) UpsertContacts(ctx context.Context, run int64, rows []Contact) (UpsertResult, error) {
	return upsert(ctx, db, contactsTable, run, rows, func(c *Contact) (int64, []any) {
		return c.ID, []any{c.ClientID, c.SiteID, c.Name, c.Email, c.Phone, b2i(c.Primary),
			b2i(c.Inactive), dbTime(c.UpdatedAt), stateOf(c.Inactive)}
	})
}

// UpsertAssets writes one page of assets, exactly as UpsertClients writes clients.
func (db *DB) UpsertAssets(ctx context.Context, run int64, rows []Asset) (UpsertResult, error) {
	return upsert(ctx, db, assetsTable, run, rows, func(a *Asset) (int64, []any) {
		return a.ID, []any{a.ClientID, a.SiteID, a.Tag, a.Name, a.Type, b2i(a.Inactive),
			dbTime(a.UpdatedAt), stateOf(a.Inactive)}
	})
}

// upsert implements the four Upsert methods (see UpsertClients) for table t.
// It reads the page's stored rows with one query and compares in Go, so each
// row costs one statement at most, and all unchanged rows share one.
func upsert[T any](ctx context.Context, db *DB, t *table, run int64, rows []T,
	values func(*T) (int64, []any)) (UpsertResult, error) {
	if run <= 0 {
		return UpsertResult{}, fmt.Errorf("store: upsert %s: run must be positive, got %d", t.name, run)
	}
	if len(rows) == 0 {
		return UpsertResult{}, nil
	}
	ids := make([]int64, len(rows))
	vals := make([][]any, len(rows))
	for i := range rows {
		ids[i], vals[i] = values(&rows[i])
	}
	now := db.stamp()

	var res UpsertResult
	err := db.write(ctx, func(tx *sql.Tx) error {
		res = UpsertResult{}
		stored, err := t.stored(ctx, tx, ids)
		if err != nil {
			return err
		}
		var ins, upd *sql.Stmt
		var same []int64
		args := make([]any, 0, len(t.cols)+3)
		for i, id := range ids {
			old, found := stored[id]
			switch {
			case !found:
				if ins == nil {
					if ins, err = tx.PrepareContext(ctx, t.insertSQL); err != nil {
						return err
					}
					defer ins.Close()
				}
				args = append(append(append(args[:0], id), vals[i]...), run, now)
				if _, err := ins.ExecContext(ctx, args...); err != nil {
					return fmt.Errorf("insert id %d: %w", id, err)
				}
				res.Inserted++
			case equal(old, vals[i]):
				same = append(same, id)
				res.Unchanged++
			default:
				if upd == nil {
					if upd, err = tx.PrepareContext(ctx, t.updateSQL); err != nil {
						return err
					}
					defer upd.Close()
				}
				args = append(append(args[:0], vals[i]...), run, now, id)
				if _, err := upd.ExecContext(ctx, args...); err != nil {
					return fmt.Errorf("update id %d: %w", id, err)
				}
				res.Updated++
			}
			stored[id] = vals[i]
		}
		if len(same) > 0 {
			if _, err := tx.ExecContext(ctx, t.touchSQL, run, jsonIDs(same)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return UpsertResult{}, fmt.Errorf("store: upsert %s: %w", t.name, err)
	}
	return res, nil
}

// stored returns the current content of the rows of t with the given ids.
func (t *table) stored(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64][]any, error) {
	rows, err := tx.QueryContext(ctx, t.selectSQL, jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := make(map[int64][]any, len(ids))
	dest := make([]any, 1+len(t.cols))
	for rows.Next() {
		var id int64
		vals := make([]any, len(t.cols))
		dest[0] = &id
		for j := range vals {
			dest[j+1] = &vals[j]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		m[id] = vals
	}
	return m, rows.Err()
}

// equal compares two rows of content values (int64, string or nil each).
func equal(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		// The driver scans TEXT as string; should a value ever arrive as bytes,
		// compare it as text rather than panic on an uncomparable slice.
		if v, ok := x.([]byte); ok {
			x = string(v)
		}
		if v, ok := y.([]byte); ok {
			y = string(v)
		}
		if x != y {
			return false
		}
	}
	return true
}

// jsonIDs encodes ids as a JSON array for json_each: one bound parameter
// instead of an IN list whose length would make every page a new statement.
func jsonIDs(ids []int64) string {
	b := make([]byte, 0, 2+len(ids)*8)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}
