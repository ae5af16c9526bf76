package gui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
	engsync "github.com/brainstormmsp/halosync/engine/sync"
)

// fillForm types a connection into the Connection tab.
func fillForm(c *connectionTab, url, id, secret string) {
	c.url.SetText("")
	c.clientID.SetText("")
	c.secret.SetText("")
	test.Type(c.url, url)
	test.Type(c.clientID, id)
	test.Type(c.secret, secret)
}

func TestAuthorizeSuccess(t *testing.T) {
	f := &fakeBackend{connectRes: app.ConnectResult{Address: "https://acme.halopsa.com",
		Scopes: []string{"read:customers", "read:assets", "read:tickets", "edit:tickets"}}}
	u := newTestWindow(t, f, Options{})
	c := u.conn
	fillForm(c, "  acme.halopsa.com ", "client-1", "s3cret")
	test.Type(c.tenant, "acme")
	tap(u, c.authorize)
	u.work.wait()
	f.locked(func() {
		want := app.ConnectRequest{URL: "acme.halopsa.com", ClientID: "client-1", Secret: "s3cret", Tenant: "acme"}
		if len(f.connects) != 1 || f.connects[0] != want {
			t.Fatalf("Connect calls %+v, want one with %+v", f.connects, want)
		}
	})
	if !strings.HasPrefix(c.state.Text, "Connected to acme.halopsa.com;") || c.state.Importance != widget.SuccessImportance {
		t.Errorf("state %q (importance %v), want a green Connected", c.state.Text, c.state.Importance)
	}
	if got := c.scopes.Text; got != "Granted: read:customers, read:assets, read:tickets, edit:tickets" {
		t.Errorf("scopes %q", got)
	}
	if c.secret.Text != "" {
		t.Error("the secret stays in the form after it went to the keychain")
	}
	if c.syncNow.Disabled() || c.disconnect.Disabled() || c.authorize.Disabled() {
		t.Error("Sync now, Disconnect and Authorize should be enabled once connected")
	}
	if u.status.state.Importance != widget.SuccessImportance {
		t.Errorf("status bar %q", u.status.state.Text)
	}
}

func TestAuthorizeFailures(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"bad URL", fmt.Errorf("%w: %q has spaces", halo.ErrBadURL, "acme halopsa"), "That HaloPSA address doesn't look right"},
		{"wrong secret", &halo.APIError{Kind: halo.ErrBadCredentials, Op: "POST /auth/token", Status: 401, Message: "invalid_client"},
			"did not accept the Client ID or Client Secret"},
		{"missing scope", &halo.MissingScopeError{Missing: []string{"edit:tickets"}},
			"missing permissions: edit:tickets"},
		{"unreachable", &halo.APIError{Kind: halo.ErrUnreachable, Op: "GET /api/authinfo", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}},
			"HaloPSA can't be reached"},
		{"not HaloPSA", fmt.Errorf("%w: got text/html", halo.ErrNotHalo), "isn't HaloPSA"},
		{"permission", &halo.APIError{Kind: halo.ErrPermission, Status: 403}, "HaloPSA refused access"},
		{"rate limited", &halo.APIError{Kind: halo.ErrRateLimited, Status: 429}, "Wait a few minutes"},
		{"server", &halo.APIError{Kind: halo.ErrServer, Status: 503}, "problem on its side"},
		{"keychain", fmt.Errorf("store the client secret in the OS keychain: %w", secrets.ErrUnavailable), "keychain is locked"},
		{"no keychain", fmt.Errorf("store the client secret in the OS keychain: %w: %w", secrets.ErrNoKeychain, secrets.ErrUnavailable),
			"no system keychain in this session"},
		{"disk full", fmt.Errorf("save: %w", store.ErrDiskFull), "Free some space"},
		{"timeout", fmt.Errorf("verify: %w", context.DeadlineExceeded), "took too long"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeBackend{connectErr: c.err}
			u := newTestWindow(t, f, Options{})
			fillForm(u.conn, "acme.halopsa.com", "client-1", "wrong")
			tap(u, u.conn.authorize)
			u.work.wait()
			st := u.conn.state
			if !strings.Contains(st.Text, c.want) || st.Importance != widget.DangerImportance {
				t.Errorf("state %q (importance %v), want it to say %q in red", st.Text, st.Importance, c.want)
			}
			if strings.Contains(st.Text, "HTTP") || strings.Contains(st.Text, "/api/") {
				t.Errorf("the message shows technical detail: %q", st.Text)
			}
			if u.conn.authorize.Disabled() || !u.conn.syncNow.Disabled() {
				t.Error("after a failure Authorize should be enabled and Sync now disabled")
			}
		})
	}
}

func TestAuthorizeNeedsEveryField(t *testing.T) {
	f := &fakeBackend{}
	u := newTestWindow(t, f, Options{})
	fillForm(u.conn, "acme.halopsa.com", "", "secret")
	tap(u, u.conn.authorize)
	u.work.wait()
	if !strings.Contains(u.conn.state.Text, "Client ID") {
		t.Errorf("state %q", u.conn.state.Text)
	}
	f.locked(func() {
		if len(f.connects) != 0 {
			t.Error("Connect was called with a field missing")
		}
	})
}

func TestAuthorizeDisabledWhileWorking(t *testing.T) {
	f := &fakeBackend{connectHit: make(chan struct{}), connectGo: make(chan struct{})}
	u := newTestWindow(t, f, Options{})
	fillForm(u.conn, "acme.halopsa.com", "client-1", "secret")
	tap(u, u.conn.authorize)
	select {
	case <-f.connectHit:
	case <-time.After(5 * time.Second):
		t.Fatal("Connect was not called")
	}
	// The Fyne goroutine is free while Connect runs; the button is not.
	if !u.conn.authorize.Disabled() || !strings.Contains(u.conn.state.Text, "Checking") {
		t.Errorf("while connecting: Authorize disabled %v, state %q", u.conn.authorize.Disabled(), u.conn.state.Text)
	}
	tap(u, u.conn.authorize) // ignored
	close(f.connectGo)
	u.work.wait()
	f.locked(func() {
		if len(f.connects) != 1 {
			t.Errorf("Connect called %d times", len(f.connects))
		}
	})
	if u.conn.authorize.Disabled() {
		t.Error("Authorize stays disabled")
	}
}

func TestStoredConnectionFillsForm(t *testing.T) {
	st := connectedStatus()
	st.Tenant = "acme"
	u := newTestWindow(t, &fakeBackend{status: st}, Options{})
	c := u.conn
	if c.url.Text != st.Address || c.clientID.Text != "client-1" || c.tenant.Text != "acme" || c.secret.Text != "" {
		t.Errorf("form: %q %q %q secret %q", c.url.Text, c.clientID.Text, c.tenant.Text, c.secret.Text)
	}
	ui(u, func() {
		c.url.SetText("typing")
		u.refreshStatus()
	})
	u.work.wait()
	if c.url.Text != "typing" {
		t.Error("a status refresh overwrote what the user typed")
	}
}

func TestNotConnectedSaysWhy(t *testing.T) {
	st := connectedStatus()
	st.Connected, st.Problem = false, "the client secret is missing from the keychain: connect again"
	u := newTestWindow(t, &fakeBackend{status: st}, Options{})
	if !strings.Contains(u.conn.state.Text, "missing from the keychain") || u.conn.state.Importance != widget.DangerImportance {
		t.Errorf("state %q", u.conn.state.Text)
	}
	if !u.conn.syncNow.Disabled() {
		t.Error("Sync now is enabled without a connection")
	}
}

func TestIntervalPauseDisconnect(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{})
	c := u.conn
	if c.interval.Selected != "15 minutes" {
		t.Errorf("interval shows %q for the default", c.interval.Selected)
	}
	ui(u, func() { c.interval.SetSelected("1 hour") })
	tap(u, c.pause)
	u.work.wait()
	f.locked(func() {
		if f.interval != time.Hour || !f.paused {
			t.Errorf("interval %v, paused %v", f.interval, f.paused)
		}
	})
	tap(u, c.disconnect)
	tapDialogButton(t, u, "Yes")
	f.locked(func() {
		if f.disconnect != 1 {
			t.Errorf("Disconnect called %d times", f.disconnect)
		}
	})
	if !c.disconnect.Disabled() || !strings.HasPrefix(c.state.Text, "Not connected") {
		t.Errorf("after disconnecting: state %q", c.state.Text)
	}
}

func TestPlainErrorFallsBack(t *testing.T) {
	if got := plainError(errors.New("disk full")); got != "Something went wrong: disk full" {
		t.Errorf("plainError = %q", got)
	}
	if got := plainError(fmt.Errorf("connect: %w", halo.ErrMissingScope)); !strings.Contains(got, "edit:tickets") {
		t.Errorf("a bare missing scope error should name the scopes needed: %q", got)
	}
}

// TestPollingWayShowsOnceLearned: when polling says in the sync log how it
// finds changes on this HaloPSA, the Connection tab shows it at once.
func TestPollingWayShowsOnceLearned(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{})
	if u.conn.polling.Text != "" {
		t.Fatalf("polling before anything was learned: %q", u.conn.polling.Text)
	}
	const way = "HaloPSA ignores both the ticket date filter and the sort order, so each poll reads all 22 open tickets (1 request)."
	f.mu.Lock()
	f.status.Polling = way
	f.mu.Unlock()
	// The row alone (for the Sync Log) is no signal; the typed event is.
	f.emit(app.Event{Log: &store.LogEntry{ID: 9, Time: time.Now(), Level: store.Warn, Operation: "poll", Message: way}})
	u.work.wait()
	var before string
	ui(u, func() { before = u.conn.polling.Text })
	if before != "" {
		t.Fatalf("a log row's text refreshed the Connection tab: %q", before)
	}
	f.emit(app.Event{Polling: &engsync.PollMode{}})
	u.work.wait()
	var got string
	ui(u, func() { got = u.conn.polling.Text })
	if got != "Ticket polling: "+way {
		t.Errorf("Connection tab says %q", got)
	}
}

// TestConnectionStateFollowsHealth: the Connection tab's state line says
// when HaloPSA cannot be reached or requests wait, in words and colour,
// and goes back to a green "Connected".
func TestConnectionStateFollowsHealth(t *testing.T) {
	f := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, f, Options{})
	state := func() (string, widget.Importance) {
		var text string
		var imp widget.Importance
		ui(u, func() { text, imp = u.conn.state.Text, u.conn.state.Importance })
		return text, imp
	}
	if text, imp := state(); !strings.HasPrefix(text, "Connected to acme.halopsa.com; in sync") || imp != widget.SuccessImportance {
		t.Fatalf("at start: %q, %v", text, imp)
	}
	since := time.Date(2026, 11, 30, 14, 2, 0, 0, time.Local)
	f.emit(app.Event{Health: &app.Health{State: app.HealthUnreachable, Since: since, RetryAt: since.Add(5 * time.Minute),
		Reason: "HaloPSA cannot be reached: connection refused (GET /api/Tickets)"}})
	if text, imp := state(); !strings.Contains(text, "cannot be reached since 14:02") || !strings.Contains(text, "14:07") ||
		!strings.Contains(text, "connection refused") || imp != widget.DangerImportance {
		t.Errorf("unreachable: %q, %v", text, imp)
	}
	// A status refresh during the outage keeps saying so.
	ui(u, func() { u.refreshStatus() })
	u.work.wait()
	if text, imp := state(); !strings.Contains(text, "cannot be reached") || imp != widget.DangerImportance {
		t.Errorf("after a refresh during the outage: %q, %v", text, imp)
	}
	f.emit(app.Event{Health: &app.Health{State: app.HealthWaiting, Since: since, Until: since.Add(4 * time.Minute)}})
	if text, imp := state(); !strings.Contains(text, "request limit, resuming at 14:06") || imp != widget.WarningImportance {
		t.Errorf("waiting: %q, %v", text, imp)
	}
	f.emit(app.Event{Health: &app.Health{State: app.HealthOK}})
	if text, imp := state(); !strings.HasPrefix(text, "Connected to acme.halopsa.com; in sync") || imp != widget.SuccessImportance {
		t.Errorf("after recovery: %q, %v", text, imp)
	}
}

// TestConnectionStateStartsFromTheStatusHealth: a window opened during an
// outage says so before any event arrives.
func TestConnectionStateStartsFromTheStatusHealth(t *testing.T) {
	st := connectedStatus()
	since := time.Date(2026, 11, 30, 9, 15, 0, 0, time.Local)
	st.Health = app.Health{State: app.HealthUnreachable, Since: since, RetryAt: since.Add(time.Minute)}
	u := newTestWindow(t, &fakeBackend{status: st}, Options{})
	var text string
	ui(u, func() { text = u.conn.state.Text })
	if !strings.Contains(text, "cannot be reached since 09:15") {
		t.Errorf("state %q", text)
	}
}

// TestAuthorizeSaysHTTPWasUsed: when a loopback address answered only
// over plain http, the Connection tab says so, and keeps saying it.
func TestAuthorizeSaysHTTPWasUsed(t *testing.T) {
	f := &fakeBackend{connectRes: app.ConnectResult{Address: "http://127.0.0.1:8080", Note: app.NoteHTTPS,
		Scopes: []string{"read:customers"}}}
	u := newTestWindow(t, f, Options{})
	c := u.conn
	fillForm(c, "127.0.0.1:8080", "client-1", "s3cret")
	tap(u, c.authorize)
	u.work.wait()
	ui(u, func() {
		if want := "HaloPSA http://127.0.0.1:8080 (https did not answer) · client client-1"; !strings.HasPrefix(c.detail.Text, want) {
			t.Errorf("detail %q; want it to start %q", c.detail.Text, want)
		}
	})
}
