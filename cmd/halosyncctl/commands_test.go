package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

// TestStatusJSON checks the documented keys and their values before and
// after an import, on the raw JSON rather than through statusJSON.
func TestStatusJSON(t *testing.T) {
	t.Parallel()
	sim, srv := startSim(t, halosim.Options{Seed: 7})
	e := newEnv(t)
	raw := func() map[string]any {
		var m map[string]any
		decodeJSON(t, e.must("", "status", "--json").stdout, &m)
		for _, k := range []string{"connected", "clients", "sites", "contacts", "assets", "last_sync", "errors"} {
			if _, ok := m[k]; !ok {
				t.Errorf("status --json has no %q: %v", k, m)
			}
		}
		return m
	}
	before := raw()
	for k, want := range map[string]any{"connected": false, "clients": 0.0, "sites": 0.0, "contacts": 0.0, "assets": 0.0, "last_sync": nil, "errors": 0.0} {
		if before[k] != want {
			t.Errorf("before connecting %s = %v, want %v", k, before[k], want)
		}
	}

	start := time.Now().Add(-time.Second)
	if r := e.connect(srv.URL, halosim.DefaultClientSecret); r.code != 0 {
		t.Fatal(r)
	}
	e.connect(srv.URL, "wrong") // one error row in the sync log
	after := raw()
	n := sim.Counts()
	for k, want := range map[string]any{
		"connected": true, "clients": float64(n.ActiveClients), "sites": float64(n.ActiveClientSites),
		"contacts": float64(n.ActiveClientUsers), "assets": float64(n.ActiveClientAssets), "errors": 1.0,
	} {
		if after[k] != want {
			t.Errorf("after the import %s = %v, want %v", k, after[k], want)
		}
	}
	last, _ := after["last_sync"].(string)
	if at, err := time.Parse(time.RFC3339, last); err != nil || at.Before(start) || at.After(time.Now()) {
		t.Errorf("last_sync = %v (%v), want an RFC 3339 time of the import", after["last_sync"], err)
	}

	text := e.must("", "status").stdout
	wantContains(t, "status", text, "Connected to "+srv.URL, "Errors in log: 1")
}

func TestLogFilters(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t, halosim.Options{Seed: 8, Clients: 3})
	e := newEnv(t)
	for range 3 {
		e.connect(srv.URL, "wrong") // an info and an error row each
	}
	if r := e.connect(srv.URL, halosim.DefaultClientSecret); r.code != 0 {
		t.Fatal(r)
	}
	e.connect("http://halo.example.com", "x") // the newest error

	all := e.logs("--limit", "1000")
	if len(all) < 10 {
		t.Fatalf("only %d log rows: %+v", len(all), all)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID || parseTime(t, all[i].Time).After(parseTime(t, all[i-1].Time)) {
			t.Fatalf("log not newest first at row %d: %+v then %+v", i, all[i-1], all[i])
		}
	}
	var errs []logJSON
	for _, r := range all {
		if r.Level == "error" {
			errs = append(errs, r)
		}
	}
	if len(errs) != 4 {
		t.Fatalf("%d error rows, want 4: %+v", len(errs), all)
	}
	got := e.logs("--level", "error", "--limit", "2")
	if !slices.Equal(got, errs[:2]) {
		t.Errorf("--level error --limit 2 = %+v, want the two newest errors %+v", got, errs[:2])
	}
	if !strings.Contains(got[0].Message, "plain http://") || got[0].Object != "http://halo.example.com" {
		t.Errorf("newest error = %+v, want the refused http:// address", got[0])
	}
	for _, r := range e.logs("--level", "warn") {
		if r.Level != "warn" && r.Level != "error" {
			t.Errorf("--level warn shows a %s row: %+v", r.Level, r)
		}
	}
	if got := e.logs("--limit", "3"); !slices.Equal(got, all[:3]) {
		t.Errorf("--limit 3 = %+v, want the 3 newest rows", got)
	}
	if got := e.logs("--search", "halo.example"); len(got) != 1 || got[0] != errs[0] {
		t.Errorf("--search = %+v, want only the refused address", got)
	}

	text := e.must("", "log", "--level", "error", "--limit", "1").stdout
	if lines := strings.Split(strings.TrimSpace(text), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "ERROR connect [http://halo.example.com]") {
		t.Errorf("log as text = %q", text)
	}
	for _, bad := range [][]string{{"--level", "bogus"}, {"--limit", "many"}, {"extra"}} {
		if r := e.run("", append([]string{"log"}, bad...)...); r.code != 2 {
			t.Errorf("log %v: want exit 2: %v", bad, r)
		}
	}
}

func TestDisconnectKeepsData(t *testing.T) {
	t.Parallel()
	sim, srv := startSim(t, halosim.Options{Seed: 9})
	e := newEnv(t)
	if r := e.connect(srv.URL, halosim.DefaultClientSecret); r.code != 0 {
		t.Fatal(r)
	}
	before := e.status()
	r := e.must("", "disconnect")
	wantContains(t, "disconnect's output", r.stdout, "removed from the keychain")
	e.wantNothingStored()
	after := e.status()
	wantImported(t, after, sim)
	if after.LastSync == nil || *after.LastSync != *before.LastSync {
		t.Errorf("last_sync after disconnect = %v, want %v", after.LastSync, *before.LastSync)
	}
	if r := e.run("", "sync", "--once"); r.code != 1 || !strings.Contains(r.stderr, "connect first") {
		t.Errorf("sync after disconnect: want exit 1 saying connect first: %v", r)
	}
	e.must("", "disconnect") // twice is fine

	// Reconnecting imports again without duplicating anything.
	if r := e.connect(srv.URL, halosim.DefaultClientSecret); r.code != 0 {
		t.Fatal(r)
	}
	wantImported(t, e.status(), sim)
}

// TestSecretMissingFromKeychain: settings without their secret (the keychain
// was reset, say) read as not connected, with the reason.
func TestSecretMissingFromKeychain(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t, halosim.Options{Seed: 10, Clients: 2})
	e := newEnv(t)
	if r := e.connect(srv.URL, halosim.DefaultClientSecret, "--no-sync"); r.code != 0 {
		t.Fatal(r)
	}
	if err := e.mem.Delete(app.ClientSecretKey(e.dir, halosim.DefaultClientID, srv.URL)); err != nil {
		t.Fatal(err)
	}
	if s := e.status(); s.Connected || s.Address != srv.URL || !strings.Contains(s.Problem, "missing from the keychain") {
		t.Errorf("status = %+v, want not connected because the secret is missing", s)
	}
	if r := e.run("", "sync", "--once"); r.code != 1 || !strings.Contains(r.stderr, "connect first") {
		t.Errorf("sync without the secret: want exit 1 saying connect first: %v", r)
	}
}

func TestSyncNotConnected(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.run("", "sync", "--once")
	if r.code != 1 {
		t.Fatalf("want exit 1: %v", r)
	}
	wantContains(t, "the error", r.stderr, "not connected", "connect first")
	rows := e.logs("--level", "error")
	if len(rows) != 1 || rows[0].Operation != "sync" {
		t.Errorf("sync log errors = %+v, want the failed sync", rows)
	}
	if s := e.status(); s.Errors != 1 || s.LastSync != nil {
		t.Errorf("status = %+v, want one error and no sync", s)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"--bogus", "status"},
		{"sync"},
		{"sync", "--once", "now"},
		{"status", "--yaml"},
		{"disconnect", "--force"},
		{"connect", "--url", "halo.example.com"},
		{"connect", "--client-id", "id"},
	} {
		r := e.run("secret\n", args...)
		if r.code != 2 || r.stderr == "" || r.stdout != "" {
			t.Errorf("%q: want exit 2 with a message on stderr only: %v", args, r)
		}
	}
	if s := e.status(); s.Connected || s.Errors != 0 {
		t.Errorf("usage errors changed the state: %+v", s)
	}
}

// TestStatusShape guards the stable JSON field names of status and log.
func TestStatusShape(t *testing.T) {
	b, err := json.Marshal(statusJSON{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"connected":false,"clients":0,"inactive_clients":0,"sites":0,"contacts":0,"primary_contacts":0,"assets":0,"last_sync":null,"errors":0}`
	if string(b) != want {
		t.Errorf("empty status = %s\nwant %s", b, want)
	}
	b, err = json.Marshal(logJSON{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":0,"time":"","level":"","operation":"","object":"","message":""}`; string(b) != want {
		t.Errorf("empty log row = %s\nwant %s", b, want)
	}
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}
