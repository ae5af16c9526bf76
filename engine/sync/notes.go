package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// Notes travel both ways. A note written here is stored with a reference
// and queued in the outbox; it goes out as POST /api/Actions with the
// reference as its labelled last line. Notes written in HaloPSA arrive with
// a webhook delivery that carries the action, or, when a ticket's change
// time moved past the one its notes were last read at, by listing the
// ticket's actions. Either way a note carrying a reference of ours is ours
// coming back, never a second note.

// InternalNoteOutcome is HaloPSA's built-in "Internal Note" outcome
// (HALOPSA-API.md section 4): the outcome notes go out with unless the
// note or Tickets.NoteOutcome names another.
const InternalNoteOutcome = 7

// errNoTicketYet means a note waits for its ticket's create.
var errNoTicketYet = errors.New("the ticket is not in HaloPSA yet")

// outcomeFor is the outcome a note goes out with.
func (ts *Tickets) outcomeFor(n store.Note) int64 {
	switch {
	case n.OutcomeID != 0:
		return n.OutcomeID
	case ts.NoteOutcome != 0:
		return ts.NoteOutcome
	}
	return InternalNoteOutcome
}

// pushNote posts one note exactly once. Like a create, the item is marked
// "sending" before the request; an item found in that state may have
// reached HaloPSA, so the ticket's actions are searched for its reference
// before it is posted again.
func (ts *Tickets) pushNote(ctx context.Context, item store.OutboxItem, t store.Ticket, obj string) error {
	n, err := ts.DB.Note(ctx, item.NoteID)
	if err != nil {
		return err
	}
	if n.HaloID != 0 { // its echo arrived first and was recognised
		return ts.DB.FinishNote(ctx, item.ID, n.ID, n.HaloID)
	}
	if t.HaloID == 0 {
		// The create is held or retrying: wait for it, without counting
		// an attempt, and let the items behind go.
		return ts.DB.RetryOutbox(ctx, item.ID, errNoTicketYet.Error(), time.Now().Add(time.Minute), false)
	}
	if item.State == store.OutboxSending {
		found, err := ts.findNote(ctx, t, n.Ref)
		if err != nil {
			return ts.pushFailed(ctx, item, t, obj, err)
		}
		if found.ID != 0 {
			ts.log(ctx, store.Info, store.OpPushNote, obj, "Recovered a note HaloPSA had added before the answer was lost")
			return ts.DB.FinishNote(ctx, item.ID, n.ID, found.ID.Int())
		}
	}
	if err := ts.DB.MarkSending(ctx, item.ID); err != nil {
		return err
	}
	a, err := ts.Halo.AddAction(ctx, halo.ActionWrite{TicketID: halo.ID(t.HaloID), OutcomeID: halo.ID(ts.outcomeFor(n)),
		Note: withRef(n.Body, n.Ref), Private: n.Private})
	if err != nil {
		return ts.pushFailed(ctx, item, t, obj, err)
	}
	if err := ts.DB.FinishNote(ctx, item.ID, n.ID, a.ID.Int()); err != nil {
		return err
	}
	ts.log(ctx, store.Info, store.OpPushNote, obj, "Added the note to HaloPSA")
	return nil
}

// findNote looks in the ticket's actions for the one carrying ref.
func (ts *Tickets) findNote(ctx context.Context, t store.Ticket, ref string) (halo.Action, error) {
	as, err := ts.Halo.Actions(ctx, halo.ID(t.HaloID))
	if err != nil {
		return halo.Action{}, err
	}
	for _, a := range as {
		if _, r := splitRef(a.Note); r == ref {
			return a, nil
		}
	}
	return halo.Action{}, nil
}

// RefreshNotes reads a ticket's notes from HaloPSA and stores the new
// ones; it returns how many were new. The app calls it when someone opens
// a ticket's notes: tickets first seen by a poll or webhook have their
// earlier notes read this way rather than all at once (a first poll may
// bring hundreds of tickets, one request each). A ticket not in HaloPSA
// yet has nothing to read.
func (ts *Tickets) RefreshNotes(ctx context.Context, ticketID int64) (int, error) {
	t, err := ts.DB.Ticket(ctx, ticketID)
	if err != nil || t.HaloID == 0 {
		return 0, err
	}
	return ts.readNotes(ctx, t)
}

// readNotes lists the ticket's actions and stores those with text as
// notes, recording the ticket's change time they were read at.
func (ts *Tickets) readNotes(ctx context.Context, t store.Ticket) (int, error) {
	as, err := ts.Halo.Actions(ctx, halo.ID(t.HaloID))
	if err != nil {
		return 0, fmt.Errorf("read the notes of ticket %d: %w", t.HaloID, err)
	}
	return ts.saveActions(ctx, t, as, t.HaloUpdatedAt)
}

// saveActions stores actions of t as notes (see notesOf).
func (ts *Tickets) saveActions(ctx context.Context, t store.Ticket, as []halo.Action, version time.Time) (int, error) {
	n, err := ts.DB.SaveHaloNotes(ctx, t.ID, notesOf(t, as), version)
	if err == nil && n > 0 {
		ts.write(ctx, newNotesRow(t, n))
	}
	return n, err
}

// notesOf returns the actions of t that are notes. Actions without text
// (status changes, say) are not notes; one repeating the ticket's details is
// the ticket's body (HaloPSA keeps it as the first action), not a note.
func notesOf(t store.Ticket, as []halo.Action) []store.Note {
	details, _ := splitRef(t.Details)
	notes := make([]store.Note, 0, len(as))
	for _, a := range as {
		body, ref := splitRef(a.Note)
		if strings.TrimSpace(body) == "" && ref == "" || strings.TrimSpace(body) == strings.TrimSpace(details) && ref == "" {
			continue
		}
		notes = append(notes, store.Note{HaloID: a.ID.Int(), Body: body, Ref: ref, Who: a.Who, At: a.When().Time,
			Private: bool(a.HiddenFromUser), OutcomeID: a.OutcomeID.Int()})
	}
	return notes
}

// newNotesRow is the log row telling of n new notes of t.
func newNotesRow(t store.Ticket, n int) store.LogEntry {
	return store.LogEntry{Level: store.Info, Operation: store.OpTickets, Object: fmt.Sprintf("ticket %d", t.HaloID),
		Message: fmt.Sprintf("%d new note(s) from HaloPSA", n)}
}

// notesIn brings a ticket's new notes, inside the apply batch b, after
// HaloPSA's version of it was applied there: from the action the delivery
// carried, or, for a ticket HaloSync had not held before, none (it starts
// from now; see RefreshNotes). It reports read when the ticket changed
// since its notes were last read, so that they must be listed from
// HaloPSA, which DrainInbox does after the batch committed (readWaiting).
func (ts *Tickets) notesIn(b *store.ApplyBatch, haloID int64, action *halo.Action, heldBefore bool) (read bool, err error) {
	t, err := b.TicketByHalo(haloID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // held for its client's mapping
	}
	if err != nil {
		return false, err
	}
	switch {
	case action != nil:
		n, err := b.SaveHaloNotes(t.ID, notesOf(t, []halo.Action{*action}), time.Time{})
		if err == nil && n > 0 {
			e := newNotesRow(t, n)
			e.Time = time.Now().UTC()
			err = b.Log(e)
		}
		return false, err
	case !heldBefore:
		_, err = b.SaveHaloNotes(t.ID, nil, t.HaloUpdatedAt)
		return false, err
	}
	return t.HaloUpdatedAt.After(t.NotesVersion), nil
}
