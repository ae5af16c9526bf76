package gui

import (
	"time"

	"github.com/brainstormmsp/halosync/app"
)

// onImport follows an import through its typed events: the status bar's
// bars and the Sync now buttons while it runs, a notification when a long
// one finished. An import whose Started was missed (the window subscribed
// mid-run) begins at its first progress.
func (u *Window) onImport(e app.ImportEvent) {
	switch e.Phase {
	case app.ImportStarted:
		if !u.importing {
			u.importBegan()
		}
	case app.ImportProgress:
		if !u.importing {
			u.importBegan()
		}
		u.status.progress(e.Progress)
	case app.ImportFinished:
		u.importEnded(e)
	}
}

func (u *Window) importBegan() {
	u.importing, u.syncAsked, u.importStart = true, false, time.Now()
	u.status.importBegan()
	u.conn.setSyncing(true)
}

// importEnded puts the window back after an import. A failed import was
// notified as an error row, or as an outage, so only success is notified
// here; the mapping tab hears of the new HaloPSA clients from the
// MappingChanged event that follows.
func (u *Window) importEnded(e app.ImportEvent) {
	took := time.Since(u.importStart)
	if !u.importing {
		took = 0
	}
	u.importing = false
	u.status.importEnded()
	u.conn.setSyncing(false)
	if e.Err == nil {
		u.notify.importFinished(e.Summary, took)
	}
	u.refreshStatus()
}

// onMappingChanged reloads the Clients & Mapping tab when it shows, and
// otherwise marks it stale so that it reloads when next shown: a reload
// reads the whole book, not worth doing for a tab nobody looks at.
func (u *Window) onMappingChanged() {
	if u.mapping == nil {
		return
	}
	if u.tabs != nil && u.tabs.SelectedIndex() == tabMapping {
		u.refresh.mappingStale = false
		u.mapping.reload()
		return
	}
	u.refresh.mappingStale = true
}
