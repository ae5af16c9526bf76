package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	gosync "sync"

	"github.com/brainstormmsp/halosync/engine/store"
)

// The mapping history: every Save All (window or `map save`) is a batch
// recording who saved, when, and each client's mapping before and after.
// The last save, any batch, or one decision can be undone; an undo is a
// batch too, so it can be undone in turn.

// osUser is the OS user name the history records, looked up once.
var osUser = gosync.OnceValue(func() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, k := range []string{"USER", "USERNAME", "LOGNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "unknown"
})

// asUser attributes the mapping changes made with ctx to the OS user.
func asUser(ctx context.Context) context.Context { return store.WithActor(ctx, osUser()) }

// History returns the newest batches of the mapping history first, up to
// limit (50 when limit <= 0).
func (a *App) History(ctx context.Context, limit int) ([]store.Batch, error) {
	return a.db.History(ctx, limit)
}

// UndoLastSave undoes the newest Save All whose changes still stand (undos
// are not counted: undoing again goes one save further back). It returns
// the undo's own batch; store.ErrNothingToUndo when there is none.
func (a *App) UndoLastSave(ctx context.Context) (store.Batch, error) {
	id, err := a.db.LastSaveBatch(ctx)
	if err != nil {
		return store.Batch{}, err
	}
	return a.UndoBatch(ctx, id)
}

// UndoBatch undoes one batch of the history, all of it or nothing. It is
// refused, with the client named, when a mapping changed since.
func (a *App) UndoBatch(ctx context.Context, id int64) (store.Batch, error) {
	b, err := a.db.UndoBatch(asUser(ctx), id)
	return a.undone(ctx, fmt.Sprintf("batch %d", id), b, err)
}

// UndoDecision undoes one recorded decision (a change of a batch).
func (a *App) UndoDecision(ctx context.Context, id int64) (store.Batch, error) {
	b, err := a.db.UndoChange(asUser(ctx), id)
	return a.undone(ctx, fmt.Sprintf("decision %d", id), b, err)
}

func (a *App) undone(ctx context.Context, what string, b store.Batch, err error) (store.Batch, error) {
	if err != nil {
		level := store.Error
		if errors.Is(err, store.ErrChangedSince) || errors.Is(err, store.ErrAlreadyUndone) || errors.Is(err, store.ErrNotFound) {
			level = store.Warn // refused as designed, not a failure
		}
		a.log(ctx, level, store.OpUndoMappings, what, "Undo refused: "+err.Error())
		return b, err
	}
	a.log(ctx, store.Info, store.OpUndoMappings, what, fmt.Sprintf("Undid %s: %d mapping(s) put back as they were (recorded as batch %d)", what, len(b.Changes), b.ID))
	a.mappingChanged(MappingUndone)
	// A mapping put back may let held tickets apply.
	if n, err := a.db.ReleaseHeldInbox(ctx); err == nil && n > 0 {
		a.wakeTickets()
	}
	return b, nil
}
