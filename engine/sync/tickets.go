package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	gosync "sync"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// Tickets keeps ticket status in sync both ways. Webhook deliveries and
// poll results both land in the inbox and are applied by one idempotent
// path (DrainInbox); local changes go out through the outbox (PushOutbox).
// Its methods are safe for concurrent use, but each of DrainInbox,
// PollOnce and PushOutbox is meant to run from one loop at a time.
type Tickets struct {
	Halo *halo.Client
	DB   *store.DB
	// OnLog, when set, receives every sync-log row written here, after
	// the row's transaction committed.
	OnLog func(store.LogEntry)
	// OnChange, when set, is called once after a DrainInbox or PushOutbox
	// that changed tickets, held deliveries or the outbox (not once per
	// row), after the changes committed; it must return quickly. The GUI
	// reloads its ticket views on it instead of reading log rows.
	OnChange func()
	// OnPollMode, when set, is told the poll mode when polling learned a
	// new way HaloPSA answers (the row saying so is logged too); it must
	// return quickly.
	OnPollMode func(PollMode)
	// NoteOutcome is the HaloPSA outcome notes go out with when the note
	// names none; 0 means InternalNoteOutcome (7, "Internal Note").
	NoteOutcome int64

	mu    gosync.Mutex
	names map[int64]string // status names by id
	// outside holds tickets HaloSync groups as open that HaloPSA's open
	// list leaves out, by the version seen, so that an open-list poll does
	// not fetch them every time.
	outside map[int64]time.Time
}

// LocalState groups a HaloPSA status into HaloSync's own states by its
// name; the user can change the grouping.
func LocalState(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "closed") || strings.Contains(n, "resolved") || strings.Contains(n, "completed") || strings.Contains(n, "cancel"):
		return "closed"
	case strings.Contains(n, "wait") || strings.Contains(n, "hold") || strings.Contains(n, "pending"):
		return "waiting"
	case n == "new":
		return "new"
	}
	return "open"
}

// LoadStatuses reads HaloPSA's ticket statuses into the store, and with
// them the ticket types, priorities and outcomes (LoadTicketFields).
func (ts *Tickets) LoadStatuses(ctx context.Context) error {
	ss, err := ts.Halo.Statuses(ctx)
	if err != nil {
		return fmt.Errorf("load ticket statuses: %w", err)
	}
	rows := make([]store.Status, len(ss))
	for i, s := range ss {
		rows[i] = store.Status{ID: s.ID.Int(), Name: s.Name, LocalState: LocalState(s.Name), Sequence: int(s.Sequence)}
	}
	if err := ts.DB.SaveStatuses(ctx, rows); err != nil {
		return err
	}
	// The other lists a ticket's fields come from are refreshed with the
	// statuses; their failure must not stop ticket sync.
	if err := ts.LoadTicketFields(ctx); err != nil {
		ts.log(ctx, store.Warn, store.OpTickets, "", "Could not refresh HaloPSA's ticket types, priorities and outcomes: "+err.Error())
	}
	ts.mu.Lock()
	ts.names = nil // reload from the store, which keeps the user's grouping
	ts.mu.Unlock()
	return nil
}

// statusName turns a status id into its name for messages.
func (ts *Tickets) statusName(id int64) string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.names == nil {
		ts.names = map[int64]string{}
		if ss, err := ts.DB.Statuses(context.Background()); err == nil {
			for _, s := range ss {
				ts.names[s.ID] = s.Name
			}
		}
	}
	if n, ok := ts.names[id]; ok {
		return n
	}
	return fmt.Sprintf("status %d", id)
}

// ClosedStatusID finds the status named "Closed" (never assumed to be 9).
func (ts *Tickets) ClosedStatusID(ctx context.Context) (int64, error) {
	ss, err := ts.DB.Statuses(ctx)
	if err != nil {
		return 0, err
	}
	for _, s := range ss {
		if strings.EqualFold(strings.TrimSpace(s.Name), "closed") {
			return s.ID, nil
		}
	}
	for _, s := range ss {
		if s.LocalState == "closed" {
			return s.ID, nil
		}
	}
	return 0, errors.New("HaloPSA has no status named Closed")
}

// changed tells OnChange, when set, that tickets or the outbox changed.
func (ts *Tickets) changed() {
	if ts.OnChange != nil {
		ts.OnChange()
	}
}

func (ts *Tickets) log(ctx context.Context, level store.Level, op store.Operation, object, msg string) {
	ts.write(ctx, store.LogEntry{Level: level, Operation: op, Object: object, Message: msg})
}

// write stores e (timed now) and hands it to OnLog.
func (ts *Tickets) write(ctx context.Context, e store.LogEntry) {
	e.Time = time.Now().UTC()
	id, err := ts.DB.AddLog(context.WithoutCancel(ctx), e)
	if err == nil && ts.OnLog != nil {
		e.ID = id
		ts.OnLog(e)
	}
}

// DrainInbox applies every pending delivery, oldest first. A delivery
// whose client is not mapped is held (and applied once it is); newly held
// ones are logged in one line per drain, not one each, and so are the
// unreadable ones set aside. One that fails for a passing reason stays
// pending and draining stops, to be tried again on the next call.
func (ts *Tickets) DrainInbox(ctx context.Context) (applied int, err error) {
	held := map[int64]int{} // newly held deliveries by HaloPSA client
	unreadable, lastBad, settled := 0, "", 0
	defer func() { // last, after the rows below: one call for the drain
		if settled > 0 {
			ts.changed()
		}
	}()
	defer func() {
		// One row for the lot: a sender gone wrong can send thousands,
		// each kept in the inbox with its reason.
		switch unreadable {
		case 0:
		case 1:
			ts.log(ctx, store.Error, store.OpWebhook, lastBad, "A delivery could not be read and was set aside (see the inbox)")
		default:
			ts.log(ctx, store.Error, store.OpWebhook, "", fmt.Sprintf(
				"%d deliveries could not be read and were set aside (see the inbox); the last was %s", unreadable, lastBad))
		}
		if len(held) == 0 {
			return
		}
		n := 0
		for _, k := range held {
			n += k
		}
		ts.log(ctx, store.Warn, store.OpTickets, "", fmt.Sprintf(
			"Held %d ticket change(s) of %d HaloPSA client(s) not mapped to a local client; they apply once mapped (Clients & Mapping), "+
				"or release or drop them (Tickets, held; halosyncctl tickets held)", n, len(held)))
	}()
	for {
		items, err := ts.DB.PendingInbox(ctx, 100)
		if err != nil || len(items) == 0 {
			return applied, err
		}
		for _, it := range items {
			status, why, client, err := ts.applyItem(ctx, it)
			if err != nil {
				return applied, err
			}
			if status == store.InboxHeld {
				err = ts.DB.HoldInbox(ctx, it.ID, client, why) // remembers whose it is
			} else {
				err = ts.DB.SetInboxStatus(ctx, it.ID, status, why)
			}
			if err != nil {
				return applied, err
			}
			settled++
			switch {
			case status == store.InboxApplied:
				applied++
			case status == store.InboxUnreadable:
				unreadable, lastBad = unreadable+1, it.DeliveryID
			case status == store.InboxHeld && it.Attempts == 0:
				held[client]++
			}
		}
	}
}

// applyItem applies one delivery and says what became of it (and, when
// held, for which HaloPSA client). An error means "try again later"; a
// delivery that can never apply is marked.
func (ts *Tickets) applyItem(ctx context.Context, it store.InboxItem) (store.InboxStatus, string, int64, error) {
	events, err := webhook.Decode(it.Body)
	if err != nil || len(events) != 1 || events[0].Err != nil || events[0].TicketID == 0 {
		// DrainInbox logs these, one row per drain.
		return store.InboxUnreadable, "not a ticket delivery", 0, nil
	}
	ev := events[0]
	t := ev.Ticket
	deleted := isDeletion(ev)
	to, err := ts.releasedTo(ctx, it) // held.go
	if err != nil {
		return "", "", 0, err
	}
	// A partial payload (event-only, or a small object) is completed from
	// HaloPSA, so that the version check has HaloPSA's timestamps. So is a
	// deletion's, whose ticket is the one that was (HaloPSA's answer now is
	// what counts), and a held one's, which may be long out of date.
	if t == nil || t.ClientID == 0 || t.StatusID == 0 || remoteTime(*t).IsZero() || deleted || to != 0 || ts.heldTooLong(ctx, it, *t) {
		full, err := ts.Halo.Ticket(ctx, halo.ID(ev.TicketID))
		switch {
		case errors.Is(err, halo.ErrNotFound):
			// Expected after a deletion, so not a warning then.
			level, what := store.Warn, "the delivery"
			if deleted {
				level = store.Info
			}
			if ev.Event != "" {
				what = "the " + ev.Event + " delivery"
			}
			ts.log(ctx, level, store.OpWebhook, fmt.Sprintf("ticket %d", ev.TicketID), "HaloPSA no longer has this ticket; "+what+" was skipped")
			return store.InboxApplied, "ticket not found in HaloPSA", 0, nil
		case err != nil:
			return "", "", 0, err
		}
		t = &full
	}
	_, err = ts.DB.TicketByHalo(ctx, t.ID.Int())
	heldBefore := err == nil
	held, err := ts.applyRemote(ctx, *t, to)
	if err != nil {
		return "", "", 0, err
	}
	if held {
		return store.InboxHeld, fmt.Sprintf("HaloPSA client %d is not mapped", t.ClientID), t.ClientID.Int(), nil
	}
	if err := ts.notesAfterApply(ctx, t.ID.Int(), ev.Action, heldBefore); err != nil {
		if transient(err) {
			return "", "", 0, err // the delivery stays pending; applying it again is harmless
		}
		// Notes must not hold up the ticket: RefreshNotes can read them later.
		ts.log(ctx, store.Warn, store.OpTickets, fmt.Sprintf("ticket %d", t.ID), "Could not read the ticket's notes: "+err.Error())
	}
	return store.InboxApplied, "", 0, nil
}

// transient reports whether an error may go away by itself: HaloPSA
// unreachable, failing or rate limiting, or the store busy.
func transient(err error) bool {
	var api *halo.APIError
	if errors.As(err, &api) {
		return errors.Is(err, halo.ErrUnreachable) || errors.Is(err, halo.ErrServer) || errors.Is(err, halo.ErrRateLimited)
	}
	return true
}

// heldTooLong reports whether a delivery that waited for its client's
// mapping can now apply: then its copy of the ticket may be long out of
// date (polls skip closed tickets HaloSync does not hold), so HaloPSA's
// current copy is fetched instead.
func (ts *Tickets) heldTooLong(ctx context.Context, it store.InboxItem, t halo.Ticket) bool {
	if it.Attempts == 0 {
		return false
	}
	_, mapped, err := ts.DB.LocalClientForHalo(ctx, t.ClientID.Int())
	return err == nil && mapped
}

// isDeletion reports whether a delivery announces a deleted ticket, by
// event number or by name.
func isDeletion(ev webhook.Event) bool {
	return ev.EventNo == webhook.EventNoTicketDeleted || strings.EqualFold(strings.TrimSpace(ev.Event), "Ticket Deleted")
}

// ApplyRemote applies HaloPSA's version of a ticket. It reports held when
// the ticket's client is not mapped, in which case nothing was written.
func (ts *Tickets) ApplyRemote(ctx context.Context, r halo.Ticket) (held bool, err error) {
	return ts.applyRemote(ctx, r, 0)
}

// applyRemote is ApplyRemote; to, when not 0, is the local client the user
// released a held ticket to, which then stands in for the mapping.
func (ts *Tickets) applyRemote(ctx context.Context, r halo.Ticket, to int64) (held bool, err error) {
	local, ok, err := ts.DB.LocalClientForHalo(ctx, r.ClientID.Int())
	if err != nil {
		return false, err
	}
	if to != 0 {
		local, ok = to, true
	}
	if cur, err := ts.DB.TicketByHalo(ctx, r.ID.Int()); errors.Is(err, store.ErrNotFound) {
		// A ticket HaloSync created whose local commit was lost: link it
		// rather than store it twice.
		if m := refPattern.FindStringSubmatch(r.Details); m != nil {
			if mine, err := ts.DB.TicketByRef(ctx, m[1]); err == nil && mine.HaloID == 0 {
				if err := ts.DB.AdoptHaloID(ctx, mine.ID, r.ID.Int()); err != nil {
					return false, err
				}
			}
		} else if !ok {
			return true, nil
		}
	} else if err != nil {
		return false, err
	} else if !ok {
		local = cur.LocalClientID
	}
	logs, err := ts.DB.ApplyTicket(ctx, r.ID.Int(), func(cur *store.Ticket, open []store.OutboxItem) (store.TicketChange, error) {
		return decide(cur, open, r, local, ts.statusName), nil
	})
	if err != nil {
		return false, err
	}
	// A conflict's rows were written in the change's transaction; they are
	// told now that it committed, so what the GUI shows is in the log.
	if ts.OnLog != nil {
		for _, e := range logs {
			ts.OnLog(e)
		}
	}
	return false, nil
}
