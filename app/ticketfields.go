package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

// Ticket fields and notes: the use cases behind the new-ticket form, the
// per-client defaults, the notes list and "add note". Every write goes
// through the store and the outbox; the ticket loop sends it.

// TicketFields returns HaloPSA's ticket types, priorities and outcomes as
// last loaded (with the statuses, on a ticket sync).
func (a *App) TicketFields(ctx context.Context) (store.TicketFields, error) {
	return a.db.TicketFields(ctx)
}

// NewTicketDraft returns a new ticket for a mapped local client with its
// site, contact, type and priority filled from the client's defaults, else
// its primary contact and that contact's site. The form shows it; the user
// may change any field before CreateTicketWith.
func (a *App) NewTicketDraft(ctx context.Context, localClientID int64) (store.Ticket, error) {
	t, err := sync.NewTicket(ctx, a.db, localClientID)
	if errors.Is(err, store.ErrNotFound) {
		return t, fmt.Errorf("local client %d is not mapped to a HaloPSA client: map it first", localClientID)
	}
	return t, err
}

// CreateTicketWith stores a ticket made from a draft (NewTicketDraft) and
// queues its create; the outbox sends it with its site, contact, type and
// priority. If HaloPSA then asks for a field, the ticket shows what it
// needs (SyncError) and SetTicketFields sends it again.
func (a *App) CreateTicketWith(ctx context.Context, t store.Ticket) (store.Ticket, error) {
	if t.HaloClientID == 0 {
		haloID, err := a.db.HaloClientForLocal(ctx, t.LocalClientID)
		if err != nil {
			return store.Ticket{}, fmt.Errorf("local client %d is not mapped to a HaloPSA client: map it first", t.LocalClientID)
		}
		t.HaloClientID = haloID
	}
	if t.Summary = strings.TrimSpace(t.Summary); t.Summary == "" {
		return store.Ticket{}, errors.New("a ticket needs a summary")
	}
	if t.StatusID == 0 {
		t.StatusID, _ = a.ResolveStatus(ctx, "New") // HaloPSA picks its default when unknown
	}
	t, err := a.db.CreateTicket(ctx, t)
	if err != nil {
		return t, err
	}
	a.log(ctx, store.Info, store.OpTickets, t.Ref, "Created ticket "+t.Ref+"; it goes to HaloPSA with the next push")
	a.ticketsChanged()
	a.wakeTickets()
	return t, nil
}

// SetTicketFields changes the site, contact, type and priority of a ticket
// not yet in HaloPSA (after HaloPSA asked for one) and sends it again now.
func (a *App) SetTicketFields(ctx context.Context, ticketID, siteID, userID, typeID, priorityID int64) error {
	if err := a.db.SetTicketFields(ctx, ticketID, siteID, userID, typeID, priorityID); err != nil {
		return err
	}
	a.log(ctx, store.Info, store.OpTickets, fmt.Sprint(ticketID), fmt.Sprintf("Changed the fields of ticket %d; it goes to HaloPSA again now", ticketID))
	a.ticketsChanged()
	a.wakeTickets()
	return nil
}

// TicketDefaults returns what a local client's new tickets start with.
func (a *App) TicketDefaults(ctx context.Context, localClientID int64) (store.TicketDefaults, error) {
	return a.db.TicketDefaults(ctx, localClientID)
}

// SetTicketDefaults saves what a local client's new tickets start with.
func (a *App) SetTicketDefaults(ctx context.Context, d store.TicketDefaults) error {
	return a.db.SetTicketDefaults(ctx, d)
}

// Notes returns a ticket's notes, oldest first, as stored here.
func (a *App) Notes(ctx context.Context, ticketID int64) ([]store.Note, error) {
	return a.db.Notes(ctx, ticketID)
}

// RefreshNotes reads a ticket's notes from HaloPSA now (the notes list
// calls it when opened: notes written before HaloSync first saw a ticket
// are read this way) and returns how many were new.
func (a *App) RefreshNotes(ctx context.Context, ticketID int64) (int, error) {
	ts, err := a.ticketSync(ctx)
	if err != nil {
		return 0, err
	}
	n, err := ts.RefreshNotes(ctx, ticketID)
	if n > 0 {
		a.ticketsChanged() // another open notes list shows them too
	}
	return n, err
}

// AddNote writes a note on a ticket here and queues it for HaloPSA: private
// (hidden from the customer) unless public is asked for, with outcome 0
// meaning HaloPSA's "Internal Note" (7).
func (a *App) AddNote(ctx context.Context, ticketID int64, text string, private bool, outcomeID int64) (store.Note, error) {
	if strings.TrimSpace(text) == "" {
		return store.Note{}, errors.New("a note needs some text")
	}
	if _, err := a.db.Ticket(ctx, ticketID); err != nil {
		return store.Note{}, noTicket(ticketID, err) // not the foreign key's words
	}
	n, err := a.db.AddNote(ctx, store.Note{TicketID: ticketID, Body: strings.TrimSpace(text), Private: private, OutcomeID: outcomeID})
	if err != nil {
		return n, err
	}
	a.ticketsChanged()
	a.wakeTickets()
	return n, nil
}

// RetryTicketNow sends a ticket's waiting changes at once.
func (a *App) RetryTicketNow(ctx context.Context, ticketID int64) error {
	if err := a.db.RetryTicketNow(ctx, ticketID); err != nil {
		return err
	}
	a.ticketsChanged()
	a.wakeTickets()
	return nil
}

// SetNoteOutcome changes the outcome of a note HaloPSA has not taken yet
// (it refused the outcome) and sends it again now.
func (a *App) SetNoteOutcome(ctx context.Context, noteID, outcomeID int64) error {
	if err := a.db.SetNoteOutcome(ctx, noteID, outcomeID); err != nil {
		return err
	}
	a.ticketsChanged()
	a.wakeTickets()
	return nil
}
