package app

import (
	"context"
	"time"

	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

// Event is something the GUI may want to show as it happens: a sync-log
// row (errors raise a desktop notification), import progress, or a change
// of HaloSync's standing with HaloPSA. One field is set.
type Event struct {
	Log      *store.LogEntry // a row just written to the sync log
	Progress *sync.Progress  // an import page or resource finished
	Health   *Health         // the health state changed (or moved its times)
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

// log writes a sync-log row and publishes it; logging must never fail the
// caller.
func (a *App) log(ctx context.Context, level store.Level, op store.Operation, object, msg string) {
	e := store.LogEntry{Time: time.Now().UTC(), Level: level, Operation: op, Object: object, Message: msg}
	id, err := a.db.AddLog(context.WithoutCancel(ctx), e)
	if err != nil {
		return
	}
	e.ID = id
	a.publish(Event{Log: &e})
}
