package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// webhookKey names the webhook credentials in the keychain;
// each data folder has its own receiver, so its own credentials.
func (a *App) webhookKey() string { return "webhook-credentials:" + a.db.Path() }

// WebhookCredentials returns the receiver's path, Basic-auth credentials
// and signature secret, made on first use and kept in the keychain: the
// user pastes them into HaloPSA's webhook form once. Credentials kept
// before HaloSync could check signatures get a secret added, the rest
// unchanged.
func (a *App) WebhookCredentials(ctx context.Context) (webhook.Credentials, error) {
	var c webhook.Credentials
	s, err := a.secrets.Get(a.webhookKey())
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(s), &c); err == nil && c.Path != "" {
			if c.HMACSecret != "" {
				return c, nil
			}
			if c.HMACSecret, err = webhook.NewHMACSecret(); err != nil {
				return c, err
			}
			if err := a.saveWebhookCredentials(c); err != nil {
				return c, err
			}
			a.log(ctx, store.Info, store.OpWebhook, "", "Made a webhook signature secret beside the existing webhook password")
			return c, nil
		}
	case !errors.Is(err, secrets.ErrNotFound):
		return c, fmt.Errorf("read the webhook credentials from the OS keychain: %w", err)
	}
	if c, err = webhook.NewCredentials(); err != nil {
		return c, err
	}
	if err := a.saveWebhookCredentials(c); err != nil {
		return c, err
	}
	a.log(ctx, store.Info, store.OpWebhook, "", "Made new webhook credentials; enter them in HaloPSA's webhook")
	return c, nil
}

func (a *App) saveWebhookCredentials(c webhook.Credentials) error {
	b, _ := json.Marshal(c)
	if err := a.secrets.Set(a.webhookKey(), string(b)); err != nil {
		return fmt.Errorf("store the webhook credentials in the OS keychain: %w", err)
	}
	return nil
}

// TicketRow is a ticket with the names the Tickets tab and the CLI show.
type TicketRow struct {
	store.Ticket
	ClientName string
	StatusName string
}

// Tickets lists tickets, newest first, optionally of one local client.
func (a *App) Tickets(ctx context.Context, localClientID int64) ([]TicketRow, error) {
	ts, err := a.db.Tickets(ctx, store.TicketQuery{LocalClientID: localClientID})
	if err != nil {
		return nil, err
	}
	names, err := a.haloNames(ctx)
	if err != nil {
		return nil, err
	}
	statuses, err := a.statusNames(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]TicketRow, len(ts))
	for i, t := range ts {
		rows[i] = TicketRow{Ticket: t, ClientName: names[t.HaloClientID], StatusName: statuses[t.StatusID]}
	}
	return rows, nil
}

func (a *App) statusNames(ctx context.Context) (map[int64]string, error) {
	ss, err := a.db.Statuses(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(ss))
	for _, s := range ss {
		m[s.ID] = s.Name
	}
	return m, nil
}

// Statuses returns HaloPSA's ticket statuses (loaded on the first ticket
// sync) with HaloSync's grouping of them.
func (a *App) Statuses(ctx context.Context) ([]store.Status, error) { return a.db.Statuses(ctx) }

// ResolveStatus finds a status by id or by name (any case).
func (a *App) ResolveStatus(ctx context.Context, s string) (int64, error) {
	ss, err := a.db.Statuses(ctx)
	if err != nil {
		return 0, err
	}
	if len(ss) == 0 {
		return 0, errors.New("no ticket statuses yet: run a ticket sync (halosyncctl serve, or the app) first")
	}
	id, numErr := strconv.ParseInt(s, 10, 64)
	var names []string
	for _, st := range ss {
		if (numErr == nil && st.ID == id) || strings.EqualFold(st.Name, strings.TrimSpace(s)) {
			return st.ID, nil
		}
		names = append(names, st.Name)
	}
	return 0, fmt.Errorf("no status %q; HaloPSA has: %s", s, strings.Join(names, ", "))
}

// CreateTicket creates a ticket for a mapped local client with the
// client's default site, contact, type and priority (NewTicketDraft). It
// is stored at once and sent to HaloPSA by the outbox.
func (a *App) CreateTicket(ctx context.Context, localClientID int64, summary, details string) (store.Ticket, error) {
	t, err := a.NewTicketDraft(ctx, localClientID)
	if err != nil {
		return t, err
	}
	t.Summary, t.Details = summary, details
	return a.CreateTicketWith(ctx, t)
}

// SetTicketStatus changes a ticket's status here; the outbox sends it.
func (a *App) SetTicketStatus(ctx context.Context, ticketID, statusID int64) error {
	if err := a.db.SetTicketStatus(ctx, ticketID, statusID); err != nil {
		return err
	}
	a.ticketsChanged()
	a.wakeTickets()
	return nil
}

// TicketsOnce runs one ticket cycle now: statuses, a poll, the inbox and
// the outbox. The CLI uses it; the app's loop does the same continuously.
func (a *App) TicketsOnce(ctx context.Context) (sync.PollResult, error) {
	a.cycleMu.Lock() // the loop's cycle may run beside it in the owner
	defer a.cycleMu.Unlock()
	ts, err := a.ticketSync(ctx)
	if err != nil {
		return sync.PollResult{}, err
	}
	if err := ts.LoadStatuses(ctx); err != nil {
		return sync.PollResult{}, err
	}
	res, err := ts.PollOnce(ctx)
	if err != nil {
		return res, err
	}
	if _, err := ts.DrainInbox(ctx); err != nil {
		return res, err
	}
	_, err = ts.PushOutbox(ctx)
	return res, err
}

func (a *App) ticketSync(ctx context.Context) (*sync.Tickets, error) {
	c, err := a.haloClient(ctx)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	// One Tickets per HaloPSA client: it caches status names and what
	// polling learned about tickets HaloPSA keeps off its open list.
	if a.tickets == nil || a.tickets.Halo != c {
		a.tickets = &sync.Tickets{Halo: c, DB: a.db, OnLog: a.publishLog, OnChange: a.ticketsChanged,
			OnPollMode: func(m sync.PollMode) { a.publish(Event{Polling: &m}) }}
	}
	return a.tickets, nil
}

// wakeTickets asks the ticket loop to drain and push now.
func (a *App) wakeTickets() { send(a.run.ticketNow) }

// pollInterval is how often the ticket loop polls: often without a
// webhook, rarely with one (deliveries do the work; the poll and the
// sweep only catch what got lost).
func pollInterval(webhooks bool) time.Duration {
	if webhooks {
		return 5 * time.Minute
	}
	return time.Minute
}

// OutboxPending counts local changes still on their way to HaloPSA, for
// the status bar.
func (a *App) OutboxPending(ctx context.Context) (int, error) { return a.db.OutboxPending(ctx) }

// SetStatusState regroups a HaloPSA status into one of HaloSync's own
// states (new, open, waiting, closed); later imports keep the choice.
func (a *App) SetStatusState(ctx context.Context, statusID int64, state string) error {
	ok := false
	for _, s := range store.LocalStates {
		ok = ok || s == state
	}
	if !ok {
		return fmt.Errorf("%q is not one of %s", state, strings.Join(store.LocalStates, ", "))
	}
	return a.db.SetStatusLocalState(ctx, statusID, state)
}
