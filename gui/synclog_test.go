package gui

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

func logEntries() []store.LogEntry {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return []store.LogEntry{
		{ID: 1, Time: at, Level: store.Info, Operation: "connect", Object: "https://acme.halopsa.com", Message: "Connected"},
		{ID: 2, Time: at.Add(time.Second), Level: store.Info, Operation: "import", Message: "Import started", Run: 1},
		{ID: 3, Time: at.Add(2 * time.Second), Level: store.Warn, Operation: "import sites", Message: "2 row(s) could not be read", Run: 1},
		{ID: 4, Time: at.Add(3 * time.Second), Level: store.Error, Operation: "import assets", Message: "import assets: HaloPSA had a server error (GET /api/Asset, HTTP 503)", Run: 1},
		{ID: 5, Time: at.Add(4 * time.Second), Level: store.Error, Operation: "import", Message: "Import failed: clients 3", Run: 1},
	}
}

func messages(t *logTab) (s []string) {
	for _, e := range t.rows {
		s = append(s, fmt.Sprint(e.ID))
	}
	return s
}

func TestLogNewestFirstAndFilters(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), logs: logEntries()}
	u := newTestWindow(t, f, Options{Tab: "log"})
	l := u.synclog
	if got := strings.Join(messages(l), ","); got != "5,4,3,2,1" {
		t.Fatalf("rows %s, want newest first", got)
	}
	ui(u, func() { l.level.SetSelected("Errors only") })
	u.work.wait()
	if q := f.lastQuery(); q.MinLevel != store.Error {
		t.Errorf("query %+v, want errors only", q)
	}
	if got := strings.Join(messages(l), ","); got != "5,4" {
		t.Errorf("errors only: %s", got)
	}
	ui(u, func() { l.level.SetSelected("Warnings and errors") })
	u.work.wait()
	typeText(u, l.search, "sites")
	if q := f.lastQuery(); q.MinLevel != store.Warn || q.Search != "sites" {
		t.Errorf("query %+v", q)
	}
	if got := strings.Join(messages(l), ","); got != "3" {
		t.Errorf("warnings matching sites: %s", got)
	}
	// A new entry shows at once when it passes the filter, else not.
	f.emit(app.Event{Log: &store.LogEntry{ID: 6, Level: store.Info, Operation: "import sites", Message: "fine"}})
	f.emit(app.Event{Log: &store.LogEntry{ID: 7, Level: store.Warn, Operation: "import sites", Message: "odd"}})
	if got := strings.Join(messages(l), ","); got != "7,3" {
		t.Errorf("after events: %s", got)
	}
}

func TestLogCellsAndDetail(t *testing.T) {
	f := &fakeBackend{status: connectedStatus(), logs: logEntries()}
	u := newTestWindow(t, f, Options{Tab: "log"})
	l := u.synclog
	lbl := &widget.Label{}
	l.updateCell(widget.TableCellID{Row: 1, Col: 1}, lbl)
	if lbl.Text != "error" || lbl.Importance != widget.DangerImportance {
		t.Errorf("level cell %q %v", lbl.Text, lbl.Importance)
	}
	l.updateCell(widget.TableCellID{Row: 1, Col: 2}, lbl) // the same label, recycled
	if lbl.Text != "import assets" || lbl.Importance != widget.MediumImportance || lbl.TextStyle.Bold {
		t.Errorf("recycled cell kept old fields: %q %v %+v", lbl.Text, lbl.Importance, lbl.TextStyle)
	}
	l.table.Select(widget.TableCellID{Row: 1, Col: 0})
	if d := l.detail.Text; !strings.Contains(d, "ERROR · import assets") || !strings.Contains(d, "HTTP 503") || !strings.Contains(d, "run 1") {
		t.Errorf("detail %q", d)
	}
}

func TestLogPaging(t *testing.T) {
	var logs []store.LogEntry
	for i := 1; i <= logPage+20; i++ {
		logs = append(logs, store.LogEntry{ID: int64(i), Level: store.Info, Operation: "op", Message: fmt.Sprint(i)})
	}
	f := &fakeBackend{status: connectedStatus(), logs: logs}
	u := newTestWindow(t, f, Options{Tab: "log"})
	l := u.synclog
	if len(l.rows) != logPage || l.more.Disabled() {
		t.Fatalf("%d rows, Load older enabled %v", len(l.rows), !l.more.Disabled())
	}
	tap(u, l.more)
	u.work.wait()
	if len(l.rows) != logPage+20 || l.rows[len(l.rows)-1].ID != 1 || !l.more.Disabled() {
		t.Errorf("after Load older: %d rows, last %d", len(l.rows), l.rows[len(l.rows)-1].ID)
	}
}

func TestExportLog(t *testing.T) {
	var logs []store.LogEntry
	for i := 1; i <= 2500; i++ {
		lvl := store.Info
		if i%2 == 0 {
			lvl = store.Error
		}
		logs = append(logs, store.LogEntry{ID: int64(i), Time: time.Unix(int64(i), 0), Level: lvl, Operation: "op", Message: "m, \"quoted\"", Run: 3})
	}
	f := &fakeBackend{logs: logs}
	var buf bytes.Buffer
	n, err := exportLog(context.Background(), f, store.LogQuery{MinLevel: store.Error, Limit: 10}, &buf)
	if err != nil || n != 1250 {
		t.Fatalf("exported %d rows, %v; want every error row, across pages", n, err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1251 || strings.Join(recs[0], ",") != "time,level,operation,object,message,run" {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	if r := recs[1]; r[0] != "1970-01-01T00:41:40Z" || r[1] != "error" || r[4] != "m, \"quoted\"" || r[5] != "3" {
		t.Errorf("first row %q", r)
	}
}

func TestLogBurstIsShownTogether(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{Tab: "log"})
	ui(u, func() { u.delay = 20 * time.Millisecond })
	for i := 1; i <= 300; i++ {
		f.emit(app.Event{Log: &store.LogEntry{ID: int64(i), Level: store.Warn, Operation: "tickets", Message: fmt.Sprint(i)}})
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int
		var first string
		ui(u, func() {
			n = len(u.synclog.rows)
			if n > 0 {
				first = u.synclog.rows[0].Message
			}
		})
		if n == 300 && first == "300" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the burst: %d rows, first %q", n, first)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
