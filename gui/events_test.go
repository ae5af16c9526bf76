package gui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
	engsync "github.com/brainstormmsp/halosync/engine/sync"
	"github.com/brainstormmsp/halosync/engine/tunnel"
)

// importStarted, importProgress and importFinished are the events the app
// publishes around an import.
func importStarted(run int64) app.Event {
	return app.Event{Import: &app.ImportEvent{Phase: app.ImportStarted, Run: run}}
}

func importProgress(r store.Resource, rows, total int) app.Event {
	return app.Event{Import: &app.ImportEvent{Phase: app.ImportProgress, Run: 1, Progress: *progress(r, rows, total)}}
}

func importFinished(sum engsync.Summary, err error) app.Event {
	return app.Event{Import: &app.ImportEvent{Phase: app.ImportFinished, Run: sum.Run, Summary: sum, Err: err}}
}

// clients400 is the summary of an import of 400 new clients.
func clients400() engsync.Summary {
	return engsync.Summary{Run: 1, Resources: map[store.Resource]engsync.ResourceSummary{
		store.Clients: {UpsertResult: store.UpsertResult{Inserted: 400}}}}
}

// TestClientsTabFillsAfterTheImport is the first run: the book is empty
// when the window opens, the first import fills it, and the Clients &
// Mapping tab shows the clients without Bulk Map being pressed.
func TestClientsTabFillsAfterTheImport(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u, m := mappingWindow(t, f)
	if len(m.all) != 0 || !strings.HasPrefix(m.summary.Text, "0 clients") {
		t.Fatalf("before the import: %d rows, %q", len(m.all), m.summary.Text)
	}
	f.emit(importStarted(1))
	f.locked(func() { f.rows = sampleRows() }) // CreateLocalFromUnmapped filled the book
	f.emit(importFinished(clients400(), nil))
	f.emit(app.Event{MappingChanged: &app.MappingChange{Cause: app.MappingBookFilled}})
	u.work.wait()
	if len(m.all) != len(sampleRows()) || !strings.HasPrefix(m.summary.Text, fmt.Sprintf("%d clients", len(sampleRows()))) {
		t.Fatalf("after the import: %d rows, %q", len(m.all), m.summary.Text)
	}
	f.locked(func() {
		if f.bulkCalls != 0 {
			t.Error("the tab needed Bulk Map to show the book")
		}
	})
}

// TestHiddenClientsTabReloadsWhenShown: a mapping change while another tab
// shows marks the Clients & Mapping tab stale; it reloads when selected,
// and not again when nothing changed.
func TestHiddenClientsTabReloadsWhenShown(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{Tab: "log"})
	m := u.mapping
	f.locked(func() { f.rows = sampleRows() })
	f.emit(app.Event{MappingChanged: &app.MappingChange{Cause: app.MappingSaved}})
	u.work.wait()
	if len(m.all) != 0 {
		t.Fatalf("a hidden tab read the whole book: %d rows", len(m.all))
	}
	ui(u, func() { u.tabs.SelectIndex(tabMapping) })
	u.work.wait()
	if len(m.all) != len(sampleRows()) {
		t.Fatalf("shown after a change: %d rows", len(m.all))
	}
	// Unchanged since: showing it again reads nothing.
	f.locked(func() { f.rows = nil })
	ui(u, func() { u.tabs.SelectIndex(tabLog) })
	ui(u, func() { u.tabs.SelectIndex(tabMapping) })
	u.work.wait()
	if len(m.all) != len(sampleRows()) {
		t.Errorf("reloaded with nothing changed: %d rows", len(m.all))
	}
}

// TestConflictRowReachesTheSyncLog: the conflict's row, published after
// its transaction, shows in the Sync Log tab at once.
func TestConflictRowReachesTheSyncLog(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), logs: logEntries()}
	u := newTestWindow(t, f, Options{Tab: "log"})
	l := u.synclog
	f.emit(app.Event{Log: &store.LogEntry{ID: 42, Level: store.Warn, Operation: store.OpConflict, Object: "ticket 7",
		Message: `Both sides changed the status: HaloPSA's "Closed" won over the local "Waiting"`}})
	u.work.wait()
	var first store.LogEntry
	ui(u, func() { first = l.rows[0] })
	if first.ID != 42 || first.Operation != store.OpConflict {
		t.Fatalf("newest row %+v; want the conflict", first)
	}
}

// TestImportEventsDriveTheStatusBar: Started shows the bars and disables
// Sync now, Progress moves them (its total never below its rows), and
// Finished, even a failed one, puts everything back. No log row needed.
func TestImportEventsDriveTheStatusBar(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{})
	f.emit(importStarted(7))
	u.work.wait()
	if u.status.running.Hidden || !u.conn.syncNow.Disabled() {
		t.Fatal("an import started and the window did not say so")
	}
	f.emit(importProgress(store.Contacts, 3601, 3601))
	if got := u.status.bars[store.Contacts].bar.TextFormatter(); got != "contacts 3601/3601" {
		t.Errorf("bar %q", got)
	}
	f.emit(importFinished(engsync.Summary{Run: 7}, context.Canceled))
	u.work.wait()
	if !u.status.running.Hidden || u.conn.syncNow.Disabled() {
		t.Error("the import finished and the window still shows it running")
	}
}

// TestWebhookEventRefreshesTheWebhookState: the tunnel comes up; the
// app's Webhook event, not a log row or the timer, updates the status bar.
func TestWebhookEventRefreshesTheWebhookState(t *testing.T) {
	u, f, _ := webhookWindow(t, fakeTickets{})
	f.locked(func() {
		f.tk.tunnel, f.tk.creds, f.tk.hookUp, f.tk.hookURL = app.TunnelSettings{Mode: tunnel.Ngrok}, testCreds, true, "https://x.ngrok.app"
	})
	f.emit(app.Event{Log: &store.LogEntry{ID: 3, Level: store.Info, Operation: store.OpTunnel, Message: "ngrok tunnel up"}})
	u.work.wait()
	var text string
	ui(u, func() { text = u.status.webhook.Text })
	if text != "Polling" {
		t.Fatalf("a log row refreshed the webhook state: %q", text)
	}
	f.emit(app.Event{Webhook: &app.WebhookChange{What: app.WebhookTunnel}})
	u.work.wait()
	ui(u, func() { text = u.status.webhook.Text })
	if text != "Webhook: up" {
		t.Errorf("after the Webhook event the status bar says %q", text)
	}
}
