package app

import (
	"context"
	"errors"
	"time"

	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

// Status is the connection state and what the database holds.
type Status struct {
	Connected   bool
	Address     string
	ClientID    string
	Tenant      string
	Scopes      []string
	ConnectedAt time.Time
	Counts      store.Counts
	LastRun     *store.Run // the latest import run, nil when none
	Problem     string     // why Connected is false although settings exist
	Health      Health     // whether HaloPSA answers and requests flow, as this process saw it last
	// Polling says how ticket polling finds changes on this HaloPSA, once
	// it has learned that from HaloPSA's answers ("" until then).
	Polling string
}

// Status reads the state without calling HaloPSA. A run left "running" by
// a process that is gone (killed, crashed) is closed first, with an error
// row, so that the status does not go on saying "running".
func (a *App) Status(ctx context.Context) (Status, error) {
	s, err := a.status(ctx)
	if err == nil {
		a.noteConnected(s.Connected, false)
	}
	s.Health = a.health()
	return s, err
}

func (a *App) status(ctx context.Context) (Status, error) {
	var s Status
	// A full disk can refuse the write; the status still tells the truth
	// below, from what it read.
	closed, _ := a.db.CloseDeadRuns(ctx, false)
	for _, e := range closed {
		a.publish(Event{Log: &e})
	}
	counts, err := a.db.Counts(ctx)
	if err != nil {
		return s, err
	}
	s.Counts = counts
	if run, err := a.db.LastRun(ctx, store.KindImport); err == nil {
		if store.RunDead(run) {
			run.Status, run.Summary = store.StatusInterrupted, "the process stopped before the run finished"
		}
		s.LastRun = &run
	} else if !errors.Is(err, store.ErrNotFound) {
		return s, err
	}
	conn, err := a.db.Connection(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	s.Address, s.ClientID, s.Tenant, s.Scopes, s.ConnectedAt = conn.BaseURL, conn.ClientID, conn.Tenant, conn.Scopes, conn.ConnectedAt
	if m, err := sync.SavedPollMode(ctx, a.db, conn.BaseURL); err == nil && m.Known() {
		s.Polling = m.Describe()
		if m.Strategy() == sync.OpenList {
			// The dear strategy shows what it costs at the pace it runs.
			every := pollSpacing(a.pollEvery(), m.Requests, a.cfg.RateLimit, a.cfg.RateWindow)
			s.Polling += " " + pollCost(every, m.Requests, a.cfg.RateLimit, a.cfg.RateWindow)
		}
	}
	switch _, err := a.clientSecret(conn); {
	case err == nil:
		s.Connected = true
	case errors.Is(err, secrets.ErrNotFound):
		s.Problem = "the client secret is missing from the keychain: connect again"
	default:
		s.Problem = err.Error()
	}
	return s, nil
}
