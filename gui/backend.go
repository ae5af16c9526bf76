// Package gui is HaloSync's desktop interface in Fyne: one struct per tab,
// the status bar, tray, notifications and dialogs. It holds no business
// rules: everything it shows or does goes through Backend, which *app.App
// implements and tests replace with a fake.
package gui

import (
	"context"
	"io"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

// Backend is what the window needs from the engine. Every method that
// takes a context may block on the network, SQLite or the keychain, so the
// GUI calls them off the Fyne goroutine (goWork) and applies results with
// fyne.Do. The methods without one are the exception: they never block
// (no I/O, no lock that I/O holds; *app.App keeps their state in atomics),
// so widget handlers call them directly. TestHandlersNeverWaitOnTheKeychain
// holds the real app to that.
type Backend interface {
	// Non-blocking: safe on the Fyne goroutine.
	Subscribe(fn func(app.Event)) (cancel func())
	SyncNow()
	SetPaused(paused bool)
	Paused() bool
	SetSyncInterval(d time.Duration)
	SyncInterval() time.Duration
	Syncing() bool

	Status(ctx context.Context) (app.Status, error)
	Connect(ctx context.Context, req app.ConnectRequest) (app.ConnectResult, error)
	Disconnect(ctx context.Context) error
	SyncOnce(ctx context.Context, onProgress func(sync.Progress)) (sync.Summary, error)
	Log(ctx context.Context, q store.LogQuery) ([]store.LogEntry, error)

	BulkMap(ctx context.Context) (app.BulkMapResult, error)
	MappingRows(ctx context.Context, f app.MappingFilter) ([]app.MappingRow, error)
	RankHalo(ctx context.Context, localID int64, query string, limit int) ([]match.Scored, error)
	SaveMappings(ctx context.Context, ds []store.Decision) (store.MappingSummary, error)
	ImportClientsCSV(ctx context.Context, r io.Reader) (app.ImportResult, error)
	ExportClientsCSV(ctx context.Context, w io.Writer) error
	CreateLocalFromUnmapped(ctx context.Context, haloIDs []int64) (int, error)
	AddLocalClient(ctx context.Context, c store.LocalClient) (int64, error)
	UpdateLocalClient(ctx context.Context, c store.LocalClient) error
	DeleteLocalClient(ctx context.Context, id int64) error
	MergeLocalClients(ctx context.Context, keep, other int64) (store.MergeResult, error)
	DismissMerge(ctx context.Context, localID int64) error

	// Unsaved decisions (drafts, shared with the CLI) and the mapping history.
	PendingDecisions(ctx context.Context) ([]app.PendingDecision, error)
	UpdateDrafts(ctx context.Context, put []store.Decision, drop []int64) error
	History(ctx context.Context, limit int) ([]store.Batch, error)
	UndoLastSave(ctx context.Context) (store.Batch, error)
	UndoBatch(ctx context.Context, id int64) (store.Batch, error)
	UndoDecision(ctx context.Context, id int64) (store.Batch, error)

	Tickets(ctx context.Context, localClientID int64) ([]app.TicketRow, error)
	CreateTicket(ctx context.Context, localClientID int64, summary, details string) (store.Ticket, error)
	SetTicketStatus(ctx context.Context, ticketID, statusID int64) error
	Statuses(ctx context.Context) ([]store.Status, error)
	ResolveStatus(ctx context.Context, s string) (int64, error)
	OutboxPending(ctx context.Context) (int, error)
	// A ticket's create fields, a client's defaults and a ticket's notes.
	TicketChoices(ctx context.Context, localClientID int64) (app.TicketChoices, error)
	NewTicketDraft(ctx context.Context, localClientID int64) (store.Ticket, error)
	CreateTicketWith(ctx context.Context, t store.Ticket) (store.Ticket, error)
	SetTicketFields(ctx context.Context, ticketID, siteID, userID, typeID, priorityID int64) error
	SetTicketDefaults(ctx context.Context, d store.TicketDefaults) error
	Notes(ctx context.Context, ticketID int64) ([]store.Note, error)
	RefreshNotes(ctx context.Context, ticketID int64) (int, error)
	AddNote(ctx context.Context, ticketID int64, text string, private bool, outcomeID int64) (store.Note, error)
	SetNoteOutcome(ctx context.Context, noteID, outcomeID int64) error
	HeldTickets(ctx context.Context) ([]app.HeldClient, error)
	ReleaseHeld(ctx context.Context, haloClientID, localID int64, mapClient bool) (int, error)
	DropHeld(ctx context.Context, haloClientID int64) (int, error)
	GivenUpDeliveries(ctx context.Context, limit int) (int, []store.InboxItem, error)
	RetryFailedDeliveries(ctx context.Context) (int, error)

	TunnelSettings(ctx context.Context) (app.TunnelSettings, error)
	SetTunnel(ctx context.Context, s app.TunnelSettings) error
	WebhookStatus(ctx context.Context) (app.WebhookStatus, error)
	TestWebhook(ctx context.Context) error
}

// The app facade is the real Backend.
var _ Backend = (*app.App)(nil)
