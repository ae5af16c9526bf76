package store

// Operation says what HaloSync was doing when it wrote a sync-log row. The
// value is what the log table stores and what the CLI's `log` search
// matches, so a constant's value never changes: old databases and scripts
// must keep reading the same words. Code branches on these constants,
// never on a row's message.
type Operation string

// The operations of the import (engine/sync's Importer).
const (
	// OpImport is an import run's own rows: it started, finished, failed,
	// was cancelled or stopped on a full disk. Its value is KindImport's,
	// so a run closed after a crash logs under the same operation.
	OpImport Operation = "import"
	// OpMappingReview is the one row per import that says which mappings
	// need review because their HaloPSA client changed.
	OpMappingReview Operation = "mapping review"
)

// OpImportOf is the operation of one resource's import rows ("import
// clients", "import sites", ...): unreadable rows and the resource's failure.
func OpImportOf(r Resource) Operation { return Operation("import " + string(r)) }

// The operations of the ticket sync (engine/sync's Tickets) and of the
// app's own ticket actions.
const (
	OpTickets  Operation = "tickets"  // a ticket cycle failed, changes held or released, a ticket created here
	OpConflict Operation = "conflict" // both sides changed a ticket; the row says which change won
	OpPoll     Operation = "poll"     // polling learned how HaloPSA answers ticket queries
	OpWebhook  Operation = "webhook"  // the receiver, its credentials, and deliveries it could not apply
	// OpPushCreate, OpPushStatus and OpPushNote are the outbox's rows, one
	// per kind of change sent to HaloPSA (OutboxItem.Kind); see OpPushOf.
	OpPushCreate Operation = "push create"
	OpPushStatus Operation = "push status"
	OpPushNote   Operation = "push note"
)

// OpPushOf is the operation of pushing an outbox item of kind ("create",
// "status", "note"): "push " and the kind, as it always was stored.
func OpPushOf(kind string) Operation { return Operation("push " + kind) }

// IsPush reports whether op is an outbox push of any kind.
func (op Operation) IsPush() bool { return len(op) > 5 && op[:5] == "push " }

// The operations of the connection, the webhook's reachability and the
// background loops (package app).
const (
	OpConnect     Operation = "connect"      // Connect: each step and its failure
	OpDisconnect  Operation = "disconnect"   // Disconnect
	OpConnection  Operation = "connection"   // HaloPSA stopped or started answering (one row per outage)
	OpRateLimit   Operation = "rate limit"   // the request budget held requests back
	OpSync        Operation = "sync"         // an import could not start or failed outside a resource
	OpTunnel      Operation = "tunnel"       // the tunnel to the webhook receiver
	OpWebhookTest Operation = "webhook test" // the user's test delivery through the public URL
	OpDemo        Operation = "demo"         // demo mode started
)

// The operations of the user's own work on the client book and mappings
// (package app); their errors show where the user acted.
const (
	OpClientBook   Operation = "client book"   // CSV import, merges, clients made from HaloPSA's
	OpBulkMap      Operation = "bulk map"      // Bulk Map suggested matches
	OpSaveMappings Operation = "save mappings" // Save All Mappings
	OpUndoMappings Operation = "undo mappings" // an undo of saved mappings
)
