package app

import (
	"context"
	"time"

	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

// Event is something the GUI may want to show as it happens. Exactly one
// field is set. The GUI decides what to do from the field and its typed
// contents (phases, causes, errors.Is on errors), never from log text: a
// sync-log row's message is for people.
type Event struct {
	Log            *store.LogEntry // a row just written (and committed) to the sync log, conflicts included
	Import         *ImportEvent    // an import started, progressed or finished
	TicketsChanged *TicketsChange  // tickets, held deliveries or the outbox changed
	MappingChanged *MappingChange  // mappings, the client book or its drafts changed
	Webhook        *WebhookChange  // the receiver, the tunnel or the webhook settings changed
	Polling        *sync.PollMode  // polling learned (again) how HaloPSA answers ticket queries
	Health         *Health         // the health state changed (or moved its times)
}

// ImportPhase is where an import is: every import publishes one
// ImportStarted, any number of ImportProgress, then one ImportFinished.
type ImportPhase int

// The import phases, in order.
const (
	ImportStarted  ImportPhase = iota + 1 // Run is set
	ImportProgress                        // Progress is set
	ImportFinished                        // Summary and Err are set
)

// String names the phase for logs and test failures.
func (p ImportPhase) String() string {
	switch p {
	case ImportStarted:
		return "started"
	case ImportProgress:
		return "progress"
	case ImportFinished:
		return "finished"
	}
	return "unknown"
}

// ImportEvent is one step of an import: the background loop's, SyncOnce's
// or one handed over by another process.
type ImportEvent struct {
	Phase    ImportPhase
	Run      int64         // the import run's id (every phase once the run began; 0 if it never did)
	Progress sync.Progress // ImportProgress: one resource's page or end
	Summary  sync.Summary  // ImportFinished: what the run did
	// Err is the run's error at ImportFinished, nil on success. Callers
	// branch with errors.Is (context.Canceled, halo.ErrUnreachable, ...).
	Err error
}

// TicketsChange says tickets or the outbox changed: a poll or deliveries
// applied, the outbox pushed or failed, held changes released or dropped,
// a ticket created or edited here. It comes once per change of state (a
// drain, a push, an action), not once per ticket.
type TicketsChange struct{}

// MappingCause says what changed the mappings or the client book.
type MappingCause int

// The causes of a MappingChange.
const (
	// MappingImported: an import refreshed HaloPSA's clients (names,
	// states, drift flags for review).
	MappingImported MappingCause = iota + 1
	// MappingBookFilled: local clients were made from unmapped HaloPSA
	// clients (the first import does so for an empty book).
	MappingBookFilled
	MappingSaved  // decisions were saved (Save All, here or handed over by the CLI)
	MappingUndone // a save, batch or decision was undone
	MappingBook   // the client book changed: CSV import, a client added, edited, deleted, merged
	// MappingElsewhere: another process (halosyncctl beside the app)
	// wrote to the database; what it changed is not known.
	MappingElsewhere
)

// MappingChange says the Clients & Mapping view is out of date.
type MappingChange struct{ Cause MappingCause }

// WebhookWhat says what changed about the webhook.
type WebhookWhat int

// The webhook changes.
const (
	WebhookSettings  WebhookWhat = iota + 1 // the user saved new webhook or tunnel settings
	WebhookListening                        // the local receiver started
	WebhookStopped                          // the receiver and tunnel stopped
	WebhookTunnel                           // the tunnel came up, went down or failed to start
	WebhookTested                           // a test delivery finished (Err says how)
)

// WebhookChange says the webhook's state changed; WebhookStatus reads it.
type WebhookChange struct {
	What WebhookWhat
	Err  error // WebhookTunnel: why it failed to start; WebhookTested: the test's error, nil when it arrived
}

// Subscribe calls fn with every event from now on, until cancel is called.
// fn runs on the goroutine that caused the event and must return quickly
// (the GUI hands it to fyne.Do).
func (a *App) Subscribe(fn func(Event)) (cancel func()) {
	a.subMu.Lock()
	defer a.subMu.Unlock()
	a.subID++
	id := a.subID
	if a.subs == nil {
		a.subs = map[int]func(Event){}
	}
	a.subs[id] = fn
	return func() {
		a.subMu.Lock()
		delete(a.subs, id)
		a.subMu.Unlock()
	}
}

func (a *App) publish(e Event) {
	a.subMu.Lock()
	fns := make([]func(Event), 0, len(a.subs))
	for _, fn := range a.subs {
		fns = append(fns, fn)
	}
	a.subMu.Unlock()
	for _, fn := range fns {
		fn(e)
	}
}

// publishLog publishes a row already written and committed.
func (a *App) publishLog(e store.LogEntry) { a.publish(Event{Log: &e}) }

// ticketsChanged publishes a TicketsChange.
func (a *App) ticketsChanged() { a.publish(Event{TicketsChanged: &TicketsChange{}}) }

// mappingChanged publishes a MappingChange.
func (a *App) mappingChanged(c MappingCause) {
	a.publish(Event{MappingChanged: &MappingChange{Cause: c}})
}

// webhookChanged publishes a WebhookChange.
func (a *App) webhookChanged(w WebhookWhat, err error) {
	a.publish(Event{Webhook: &WebhookChange{What: w, Err: err}})
}

// log writes a sync-log row and publishes it; logging must never fail the
// caller.
func (a *App) log(ctx context.Context, level store.Level, op store.Operation, object, msg string) {
	e := store.LogEntry{Time: time.Now().UTC(), Level: level, Operation: op, Object: object, Message: msg}
	id, err := a.db.AddLog(context.WithoutCancel(ctx), e)
	if err != nil {
		return
	}
	e.ID = id
	a.publishLog(e)
}

// logError writes err as an error row (its text the message) and
// publishes it with err attached, for the GUI to explain with errors.Is.
func (a *App) logError(ctx context.Context, op store.Operation, object string, err error) {
	e := store.LogEntry{Time: time.Now().UTC(), Level: store.Error, Operation: op, Object: object, Message: err.Error(), Err: err}
	id, aerr := a.db.AddLog(context.WithoutCancel(ctx), e)
	if aerr != nil {
		return
	}
	e.ID = id
	a.publishLog(e)
}
