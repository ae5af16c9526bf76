package app

import (
	"context"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// requestLedger lets the halo client count its requests in the database's
// ledger, shared with every process that opens the same data folder.
// engine/halo knows no SQLite and engine/store no halo; their two state
// types have the same fields, so this adapter converts pointers only.
type requestLedger struct{ l *store.RequestLedger }

// ledgerFor returns the ledger of the HaloPSA instance and API client c
// names: HaloPSA counts requests per instance, and two client ids on one
// instance are two budgets as far as is known.
func (a *App) ledgerFor(c store.Connection) halo.SharedLedger {
	return requestLedger{a.db.RequestLedger(c.ClientID + "@" + c.BaseURL)}
}

// Reserve implements halo.SharedLedger.
func (r requestLedger) Reserve(ctx context.Context, now time.Time, window time.Duration, take func(*halo.LedgerState) bool) (int64, error) {
	return r.l.Reserve(ctx, now, window, func(w *store.RequestWindow) bool { return take((*halo.LedgerState)(w)) })
}

// Finish implements halo.SharedLedger.
func (r requestLedger) Finish(ctx context.Context, slot int64, at time.Time) error {
	return r.l.Finish(ctx, slot, at)
}

// Update implements halo.SharedLedger.
func (r requestLedger) Update(ctx context.Context, now time.Time, window time.Duration, fn func(*halo.LedgerState)) error {
	return r.l.Update(ctx, now, window, func(w *store.RequestWindow) { fn((*halo.LedgerState)(w)) })
}
