package app

import (
	"context"
	"time"
)

// othersEvery is how often the app looks for writes by other processes.
const othersEvery = 2 * time.Second

// watchOthers tells the GUI, until ctx ends, when another process on this
// data folder wrote to the database: halosyncctl's database-only commands
// (clients import, add, edit, drafts, notes) run beside the app, and its
// events never reach this process. SQLite's data version moves only for
// other connections' commits, so the app's own writes, which all go
// through one connection, do not count. Such a write may have changed the
// book, the mappings or the tickets, so both views are told.
func (a *App) watchOthers(ctx context.Context, every time.Duration) {
	last, err := a.db.DataVersion(ctx)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, verr := a.db.DataVersion(ctx)
		if verr != nil {
			continue // a busy or closing database: look again next time
		}
		if err == nil && v != last {
			a.mappingChanged(MappingElsewhere)
			a.ticketsChanged()
		}
		last, err = v, nil
	}
}
