package store

import (
	"context"
	"testing"
)

// TestOperationValues pins what each operation stores: old databases and
// the CLI's `log` searches read these words, so a constant may be added
// but its value never changed.
func TestOperationValues(t *testing.T) {
	for op, want := range map[Operation]string{
		OpImport: "import", OpMappingReview: "mapping review", OpImportOf(Contacts): "import contacts",
		OpTickets: "tickets", OpConflict: "conflict", OpPoll: "poll", OpWebhook: "webhook",
		OpPushCreate: "push create", OpPushStatus: "push status", OpPushOf("status"): "push status", OpPushNote: "push note",
		OpConnect: "connect", OpDisconnect: "disconnect", OpConnection: "connection", OpRateLimit: "rate limit",
		OpSync: "sync", OpTunnel: "tunnel", OpWebhookTest: "webhook test", OpDemo: "demo",
		OpClientBook: "client book", OpBulkMap: "bulk map", OpSaveMappings: "save mappings", OpUndoMappings: "undo mappings",
	} {
		if string(op) != want {
			t.Errorf("operation %q, want %q", op, want)
		}
	}
	if OpImport != Operation(KindImport) {
		t.Error("an import run closed after a crash would log under another operation than the import")
	}
	for op, want := range map[Operation]bool{OpPushCreate: true, OpPushOf("status"): true, "push": false, OpPoll: false, "pusher": false} {
		if op.IsPush() != want {
			t.Errorf("%q.IsPush() = %v", op, !want)
		}
	}
}

// TestOperationReadsOldRows checks that a row written as plain text (by a
// build before Operation was a type) reads back as its constant.
func TestOperationReadsOldRows(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.w.ExecContext(ctx, `INSERT INTO log (time, level, operation, object, message) VALUES ('2025-07-01T09:00:00.000000000Z', 2, 'conflict', 'ticket 1', 'both changed')`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Logs(ctx, LogQuery{Search: "conflict"})
	if err != nil || len(rows) != 1 || rows[0].Operation != OpConflict {
		t.Fatalf("rows %+v, %v", rows, err)
	}
}
