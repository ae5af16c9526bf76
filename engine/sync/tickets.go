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
	// that changed tickets, held or given-up deliveries or the outbox (not
	// once per row), after the changes committed; it must return quickly.
	// The GUI reloads its ticket views on it instead of reading log rows.
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
	// refusals holds the tickets HaloPSA would not give the apply step,
	// asked again only after a delay (askTicket).
	refusals map[int64]refusal
	lastRead time.Time // when a drain last read a delivery (settlePutOff)
	// now is the clock of those delays; nil means time.Now.
	now func() time.Time
}

func (ts *Tickets) clock() time.Time {
	if ts.now != nil {
		return ts.now()
	}
	return time.Now()
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

// ApplyRemote applies HaloPSA's version of a ticket. It reports held when
// the ticket's client is not mapped, in which case nothing was written.
func (ts *Tickets) ApplyRemote(ctx context.Context, r halo.Ticket) (held bool, err error) {
	return ts.applyRemote(ctx, r, 0)
}

// applyRemote is ApplyRemote; to, when not 0, is the local client the user
// released a held ticket to, which then stands in for the mapping.
func (ts *Tickets) applyRemote(ctx context.Context, r halo.Ticket, to int64) (held bool, err error) {
	logs, err := ts.DB.ApplyInbox(ctx, func(b *store.ApplyBatch) error {
		held, err = ts.applyRemoteIn(b, r, to)
		return err
	})
	if err != nil {
		return false, err
	}
	ts.publish(logs)
	return held, nil
}

// applyRemoteIn is applyRemote inside an apply batch, whose transaction
// then holds the mapping it read and the change it wrote.
func (ts *Tickets) applyRemoteIn(b *store.ApplyBatch, r halo.Ticket, to int64) (held bool, err error) {
	local, ok, err := b.LocalClientForHalo(r.ClientID.Int())
	if err != nil {
		return false, err
	}
	if to != 0 {
		local, ok = to, true
	}
	if cur, err := b.TicketByHalo(r.ID.Int()); errors.Is(err, store.ErrNotFound) {
		// A ticket HaloSync created whose local commit was lost: link it
		// rather than store it twice.
		if m := refPattern.FindStringSubmatch(r.Details); m != nil {
			if mine, err := b.TicketByRef(m[1]); err == nil && mine.HaloID == 0 {
				if err := b.AdoptHaloID(mine.ID, r.ID.Int()); err != nil {
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
	return false, b.ApplyTicket(r.ID.Int(), func(cur *store.Ticket, open []store.OutboxItem) (store.TicketChange, error) {
		return decide(cur, open, r, local, ts.statusName), nil
	})
}

// publish hands log rows of a committed transaction to OnLog: a conflict's
// rows, say, so that what the GUI shows is in the log.
func (ts *Tickets) publish(logs []store.LogEntry) {
	if ts.OnLog == nil {
		return
	}
	for _, e := range logs {
		ts.OnLog(e)
	}
}
