package gui

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/tunnel"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// fakeClosedID is the fake's "Closed" status: not HaloPSA's usual 9, so a
// window that assumes an id is caught.
const fakeClosedID = 8

// fakeTickets is the fake backend's ticket and webhook state, guarded by
// fakeBackend.mu.
type fakeTickets struct {
	rows      []app.TicketRow
	statuses  []store.Status
	nextID    int64
	created   []createCall
	createErr error
	setStatus [][2]int64 // ticket id, status id
	ticketQs  []int64    // the client ids Tickets was asked for
	outbox    int
	tunnel    app.TunnelSettings
	tunnels   []app.TunnelSettings // what SetTunnel was given
	tunnelErr error
	hookUp    bool
	hookURL   string
	creds     webhook.Credentials
	testErr   error
	tests     int
	resolveQ  []string
	block     chan struct{} // when set, SetTicketStatus waits for it
	fields    fakeFields    // create fields, defaults and notes: fake_notes_test.go
}

type createCall struct {
	localID          int64
	summary, details string
	fields           [4]int64 // site, contact, type, priority
}

func fakeStatuses() []store.Status {
	return []store.Status{{ID: 1, Name: "New", LocalState: "new"}, {ID: 2, Name: "In Progress", LocalState: "open"},
		{ID: 4, Name: "Waiting on Customer", LocalState: "waiting"}, {ID: fakeClosedID, Name: "Closed", LocalState: "closed"},
		{ID: 9, Name: "On Hold", LocalState: "waiting"}}
}

func (f *fakeBackend) Tickets(_ context.Context, localClientID int64) ([]app.TicketRow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.ticketQs = append(f.tk.ticketQs, localClientID)
	var out []app.TicketRow
	for _, r := range f.tk.rows {
		if localClientID == 0 || r.LocalClientID == localClientID {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeBackend) CreateTicket(_ context.Context, localClientID int64, summary, details string) (store.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.created = append(f.tk.created, createCall{localClientID, summary, details, [4]int64{}})
	if f.tk.createErr != nil {
		return store.Ticket{}, f.tk.createErr
	}
	f.tk.nextID++
	t := store.Ticket{ID: 1000 + f.tk.nextID, LocalClientID: localClientID, Summary: strings.TrimSpace(summary),
		Details: details, StatusID: 1, SyncState: store.TicketPending, Ref: "HS-TEST"}
	f.tk.rows = append([]app.TicketRow{{Ticket: t, StatusName: "New"}}, f.tk.rows...)
	f.tk.outbox++
	return t, nil
}

func (f *fakeBackend) SetTicketStatus(_ context.Context, ticketID, statusID int64) error {
	f.mu.Lock()
	block := f.tk.block
	f.mu.Unlock()
	if block != nil {
		<-block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.setStatus = append(f.tk.setStatus, [2]int64{ticketID, statusID})
	for i := range f.tk.rows {
		if f.tk.rows[i].ID == ticketID {
			f.tk.rows[i].StatusID, f.tk.rows[i].SyncState = statusID, store.TicketPending
			for _, s := range f.tk.statuses {
				if s.ID == statusID {
					f.tk.rows[i].StatusName = s.Name
				}
			}
			f.tk.outbox++
			return nil
		}
	}
	return store.ErrNotFound
}

func (f *fakeBackend) Statuses(context.Context) ([]store.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.tk.statuses), nil
}

func (f *fakeBackend) ResolveStatus(_ context.Context, s string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.resolveQ = append(f.tk.resolveQ, s)
	for _, st := range f.tk.statuses {
		if strings.EqualFold(st.Name, s) {
			return st.ID, nil
		}
	}
	return 0, errors.New("no status " + s)
}

func (f *fakeBackend) OutboxPending(context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tk.outbox, nil
}

func (f *fakeBackend) TunnelSettings(context.Context) (app.TunnelSettings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tk.tunnel, nil
}

func (f *fakeBackend) SetTunnel(_ context.Context, s app.TunnelSettings) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.tunnels = append(f.tk.tunnels, s)
	if f.tk.tunnelErr != nil {
		return f.tk.tunnelErr
	}
	s.NgrokToken = ""
	f.tk.tunnel = s
	return nil
}

func (f *fakeBackend) WebhookStatus(context.Context) (app.WebhookStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.tk.tunnel
	if s.Mode == "" {
		s.Mode = tunnel.None
	}
	st := app.WebhookStatus{Settings: s, Up: f.tk.hookUp}
	if s.Mode == tunnel.None {
		st.Up, st.Problem = false, "no webhook: HaloSync polls HaloPSA"
		return st, nil
	}
	st.Credentials = f.tk.creds
	if f.tk.hookURL != "" {
		st.PublicURL = tunnel.WebhookURL(f.tk.hookURL, f.tk.creds)
	}
	if !st.Up {
		st.Problem = "ngrok: connecting"
	}
	return st, nil
}

func (f *fakeBackend) TestWebhook(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.tests++
	return f.tk.testErr
}
