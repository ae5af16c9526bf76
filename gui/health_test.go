package gui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
)

// TestHealthWordsAndColours sends each health state as an event and checks
// that the status bar, the Connection tab and the tray's line say the same
// thing in the same colour.
func TestHealthWordsAndColours(t *testing.T) {
	at := time.Date(2026, 11, 30, 14, 2, 0, 0, time.Local)
	last := time.Date(2026, 11, 30, 14, 0, 0, 0, time.Local)
	for _, c := range []struct {
		name     string
		health   app.Health
		tray     string // the status bar says "● " + this
		conn     string // the Connection tab's line contains this
		colour   widget.Importance
		statusOf func(*app.Status) // changes the status read, if not connected
	}{
		{"in sync", app.Health{State: app.HealthOK},
			"Connected · in sync (last " + when(last) + ")", "Connected to acme.halopsa.com; in sync", widget.SuccessImportance, nil},
		{"syncing", app.Health{State: app.HealthSyncing}, "Syncing…", "syncing with HaloPSA now", widget.HighImportance, nil},
		{"paused", app.Health{State: app.HealthPaused}, "Sync paused", "background sync is paused", widget.WarningImportance, nil},
		{"waiting", app.Health{State: app.HealthWaiting, Since: at, Until: at.Add(3 * time.Minute)},
			"Waiting for HaloPSA's request limit until " + when(at.Add(3*time.Minute)), "resuming at " + when(at.Add(3*time.Minute)),
			widget.WarningImportance, nil},
		{"unreachable", app.Health{State: app.HealthUnreachable, Since: at, RetryAt: at.Add(5 * time.Minute), Attempts: 3,
			Reason: "HaloPSA cannot be reached: connection refused"},
			"HaloPSA unreachable since " + when(at) + " · retrying " + when(at.Add(5*time.Minute)), "connection refused",
			widget.DangerImportance, nil},
		{"credentials rejected", app.Health{State: app.HealthRejected, Since: at, Reason: "HaloPSA rejected the client ID or secret (HTTP 401)"},
			"Credentials rejected: reconnect", "Authorize again", widget.DangerImportance, nil},
		{"not connected", app.Health{State: app.HealthNotConnected}, "Not connected", "Enter the details", widget.MediumImportance,
			func(st *app.Status) { *st = app.Status{} }},
		{"secret missing", app.Health{State: app.HealthNotConnected}, "Not connected: the client secret is missing",
			"the client secret is missing", widget.DangerImportance,
			func(st *app.Status) { st.Connected, st.Problem = false, "the client secret is missing" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := connectedStatus()
			st.Counts.LastSync = last
			if c.statusOf != nil {
				c.statusOf(&st)
			}
			f := &fakeBackend{status: st}
			u := newTestWindow(t, f, Options{})
			f.emit(app.Event{Health: &c.health})
			ui(u, func() {
				if got := u.status.state; got.Text != "● "+c.tray || got.Importance != c.colour {
					t.Errorf("status bar %q (%v); want %q (%v)", got.Text, got.Importance, "● "+c.tray, c.colour)
				}
				if got := u.conn.state; !strings.Contains(got.Text, c.conn) || got.Importance != c.colour {
					t.Errorf("Connection tab %q (%v); want %q in it (%v)", got.Text, got.Importance, c.conn, c.colour)
				}
				if got := stateLine(st, c.health); got != c.tray {
					t.Errorf("tray %q; want %q", got, c.tray)
				}
			})
		})
	}
}

// TestTrayLineDuringAnOutage: the tray no longer says "Connected" while
// HaloPSA is down, whatever the status read says.
func TestTrayLineDuringAnOutage(t *testing.T) {
	at := time.Now()
	line := stateLine(connectedStatus(), app.Health{State: app.HealthUnreachable, Since: at, RetryAt: at.Add(time.Minute)})
	if strings.Contains(line, "Connected") || !strings.Contains(line, "unreachable") {
		t.Errorf("tray line during an outage: %q", line)
	}
}
