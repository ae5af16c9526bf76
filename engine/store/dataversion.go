package store

import "context"

// DataVersion is SQLite's data version as the writer connection sees it:
// it changes when another connection, in practice another process on the
// data folder, commits a change, and never for this DB's own writes, which
// all go through that connection. The number means nothing by itself;
// compare it with an earlier one.
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.w.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v)
	return v, err
}
