package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// Migration 9 rebuilds the outbox to let notes in: items queued before it
// keep their ids and state, and new items never reuse an old id.
func TestMigration9KeepsTheOutbox(t *testing.T) {
	ctx := context.Background()
	names, _ := migrationFiles.ReadDir("migrations")
	old := fstest.MapFS{}
	for _, e := range names {
		if strings.HasPrefix(e.Name(), "0009") || e.Name() > "0009" {
			continue
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		old["migrations/"+e.Name()] = &fstest.MapFile{Data: b}
	}
	path := filepath.Join(t.TempDir(), "v8.db")
	db, err := open(ctx, path, old)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := db.createTicketV8(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(path)
	if err != nil {
		t.Fatalf("migrating to 9: %v", err)
	}
	defer db.Close()
	item, got, err := db.NextOutbox(ctx)
	if err != nil || item.ID != 3 || item.Kind != "create" || item.State != OutboxSending || got.ID != tk {
		t.Fatalf("the queued create after the migration: %+v %+v %v", item, got, err)
	}
	n, err := db.AddNote(ctx, Note{TicketID: tk, Body: "after the upgrade"})
	if err != nil {
		t.Fatal(err)
	}
	var noteItem int64
	if err := db.r.QueryRowContext(ctx, `SELECT id FROM outbox WHERE note_id = ?`, n.ID).Scan(&noteItem); err != nil || noteItem <= 9 {
		t.Fatalf("the note's outbox id %d (%v) reuses an old one", noteItem, err)
	}
}

// createTicketV8 writes a ticket and outbox rows as a version 8 database
// held them: an item done, one cancelled and a create in flight (id 3),
// and a newer item since deleted.
func (db *DB) createTicketV8(ctx context.Context) (int64, error) {
	res, err := db.w.ExecContext(ctx, `INSERT INTO tickets (halo_client_id, summary, sync_state, ref, created_at, updated_at)
		VALUES (5, 'Old ticket', 'pending', 'HS-000000000001', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`)
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	for i, state := range []string{"done", "cancelled", "sending"} {
		if _, err := db.w.ExecContext(ctx, `INSERT INTO outbox (id, ticket_id, kind, state, next_attempt_at, sent_at, created_at)
			VALUES (?, ?, 'create', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`, i+1, id, state); err != nil {
			return 0, err
		}
	}
	// A deleted newest item: the counter is ahead of the ids left.
	if _, err := db.w.ExecContext(ctx, `INSERT INTO outbox (id, ticket_id, kind, state, next_attempt_at, created_at)
		VALUES (9, ?, 'status', 'done', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`, id); err != nil {
		return 0, err
	}
	_, err = db.w.ExecContext(ctx, `DELETE FROM outbox WHERE id = 9`)
	return id, err
}
