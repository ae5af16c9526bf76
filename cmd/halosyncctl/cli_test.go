package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

// env is one HaloSync data directory with an in-memory keychain, driven
// through the CLI in this process.
type env struct {
	t   *testing.T
	dir string
	mem *secrets.Memory
}

func newEnv(t *testing.T) *env {
	return &env{t: t, dir: t.TempDir(), mem: secrets.NewMemory()}
}

// result is what one command line did.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%sstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run executes one command line with stdin as standard input (not a
// terminal).
func (e *env) run(stdin string, args ...string) result {
	e.t.Helper()
	return e.runCLI(&cli{stdin: strings.NewReader(stdin)}, args...)
}

// runCLI executes one command line with c's stdin and terminal hooks; the
// output, the keychain and the data directory are the env's.
func (e *env) runCLI(c *cli, args ...string) result {
	e.t.Helper()
	var out, errOut bytes.Buffer
	c.stdout, c.stderr, c.secrets = &out, &errOut, e.mem
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := c.run(ctx, append([]string{"--data-dir", e.dir}, args...))
	return result{code, out.String(), errOut.String()}
}

// must runs a command line that has to succeed.
func (e *env) must(stdin string, args ...string) result {
	e.t.Helper()
	r := e.run(stdin, args...)
	if r.code != 0 {
		e.t.Fatalf("%v: %v", args, r)
	}
	return r
}

// connect connects to the simulator at url with the default client ID.
func (e *env) connect(url, secret string, extra ...string) result {
	e.t.Helper()
	return e.run(secret+"\n", append([]string{"connect", "--url", url, "--client-id", halosim.DefaultClientID}, extra...)...)
}

// status returns `status --json`, decoded.
func (e *env) status() statusJSON {
	e.t.Helper()
	var s statusJSON
	decodeJSON(e.t, e.must("", "status", "--json").stdout, &s)
	return s
}

// logs returns `log --json` with extra flags, decoded.
func (e *env) logs(extra ...string) []logJSON {
	e.t.Helper()
	var rows []logJSON
	decodeJSON(e.t, e.must("", append([]string{"log", "--json"}, extra...)...).stdout, &rows)
	return rows
}

func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

// startSim serves a simulated HaloPSA over real HTTP on loopback.
func startSim(t *testing.T, o halosim.Options) (*halosim.Server, *httptest.Server) {
	t.Helper()
	sim := halosim.New(o)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv
}

// wantImported fails unless s shows exactly the simulator's active data.
func wantImported(t *testing.T, s statusJSON, sim *halosim.Server) {
	t.Helper()
	n := sim.Counts()
	if s.Clients != n.ActiveClients || s.Sites != n.ActiveClientSites || s.Contacts != n.ActiveClientUsers || s.Assets != n.ActiveClientAssets {
		t.Fatalf("status shows %d clients, %d sites, %d contacts, %d assets; HaloPSA has %d, %d, %d, %d active",
			s.Clients, s.Sites, s.Contacts, s.Assets, n.ActiveClients, n.ActiveClientSites, n.ActiveClientUsers, n.ActiveClientAssets)
	}
}

// wantNothingStored fails if the keychain holds a secret or the settings
// say connected.
func (e *env) wantNothingStored() {
	e.t.Helper()
	if n := e.mem.Len(); n != 0 {
		e.t.Errorf("the keychain holds %d secret(s), want none", n)
	}
	if s := e.status(); s.Connected || s.Address != "" {
		e.t.Errorf("status: connected=%v address=%q, want not connected and no settings", s.Connected, s.Address)
	}
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not say %q:\n%s", what, w, got)
		}
	}
}

func TestConnectImports(t *testing.T) {
	t.Parallel()
	sim, srv := startSim(t, halosim.Options{Seed: 1})
	e := newEnv(t)
	r := e.connect(srv.URL, halosim.DefaultClientSecret)
	if r.code != 0 {
		t.Fatal(r)
	}
	wantContains(t, "connect's output", r.stdout, "Connected to "+srv.URL,
		"Granted scopes: read:customers read:assets read:tickets edit:tickets", "Import finished:")
	if got, err := e.mem.Get(app.ClientSecretKey(e.dir, halosim.DefaultClientID, srv.URL)); err != nil || got != halosim.DefaultClientSecret {
		t.Errorf("keychain entry = %q, %v; want the secret", got, err)
	}
	s := e.status()
	if !s.Connected || s.Address != srv.URL || s.ClientID != halosim.DefaultClientID || s.LastSync == nil || s.LastRunStatus != "ok" || s.Errors != 0 {
		t.Errorf("status after connect = %+v", s)
	}
	wantImported(t, s, sim)
	if s.PrimaryContacts != sim.Counts().ActiveClients {
		t.Errorf("%d primary contacts for %d active clients", s.PrimaryContacts, sim.Counts().ActiveClients)
	}
}

func TestConnectNoSync(t *testing.T) {
	t.Parallel()
	sim, srv := startSim(t, halosim.Options{Seed: 2})
	e := newEnv(t)
	r := e.connect(srv.URL, halosim.DefaultClientSecret, "--no-sync")
	if r.code != 0 || strings.Contains(r.stdout, "Import") {
		t.Fatalf("connect --no-sync: %v", r)
	}
	s := e.status()
	if !s.Connected || s.Clients != 0 || s.LastSync != nil || s.LastRunStatus != "" {
		t.Errorf("status after connect --no-sync = %+v, want connected and nothing imported", s)
	}
	if n := sim.Stats().ByPath["/api/users"]; n != 0 {
		t.Errorf("connect --no-sync listed users %d times", n)
	}
	r = e.must("", "sync", "--once")
	wantContains(t, "sync's output", r.stdout, "Import finished:")
	wantImported(t, e.status(), sim)
}

// TestConnectURLForms connects with the address as people type it.
func TestConnectURLForms(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t, halosim.Options{Seed: 3, Clients: 2})
	for _, tc := range []struct{ name, url, stdin string }{
		{"bare", srv.URL, halosim.DefaultClientSecret + "\n"},
		{"api", srv.URL + "/api", halosim.DefaultClientSecret},
		{"slash", srv.URL + "/", halosim.DefaultClientSecret + "\r\n"},
		{"api slash", srv.URL + "/api/", halosim.DefaultClientSecret + "\nignored second line\n"},
		{"spaces", "  " + srv.URL + "/api  ", halosim.DefaultClientSecret + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.run(tc.stdin, "connect", "--no-sync", "--url", tc.url, "--client-id", halosim.DefaultClientID)
			if r.code != 0 {
				t.Fatal(r)
			}
			if s := e.status(); !s.Connected || s.Address != srv.URL {
				t.Errorf("status: connected=%v address=%q, want %q", s.Connected, s.Address, srv.URL)
			}
		})
	}
}

func TestConnectRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.connect("http://halo.example.com", "s3cret-value")
	if r.code != 1 {
		t.Fatalf("want exit 1: %v", r)
	}
	wantContains(t, "the error", r.stderr, "plain http://", "use https://")
	e.wantNothingStored()
}

func TestConnectFailures(t *testing.T) {
	t.Parallel()
	_, good := startSim(t, halosim.Options{Seed: 4, Clients: 2})
	_, noEdit := startSim(t, halosim.Options{Seed: 4, Clients: 2, Scopes: []string{"read:customers", "read:assets", "read:tickets"}})
	down := httptest.NewServer(halosim.New(halosim.Options{Clients: 1}))
	down.Close()
	for _, tc := range []struct {
		name, url, secret string
		want              []string
	}{
		{"wrong secret", good.URL, "not-the-secret", []string{"rejected the client ID or secret"}},
		{"missing scope", noEdit.URL, halosim.DefaultClientSecret, []string{"lacks a needed scope", "edit:tickets"}},
		{"server down", down.URL, halosim.DefaultClientSecret, []string{"cannot be reached"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.connect(tc.url, tc.secret)
			if r.code != 1 {
				t.Fatalf("want exit 1: %v", r)
			}
			wantContains(t, "the error", r.stderr, tc.want...)
			if strings.Contains(r.stdout+r.stderr, tc.secret) {
				t.Errorf("the output shows the secret: %v", r)
			}
			e.wantNothingStored()
			if rows := e.logs("--level", "error"); len(rows) != 1 || rows[0].Operation != "connect" {
				t.Errorf("sync log errors = %+v, want the failed connect", rows)
			}
		})
	}
}

// TestSecretOnlyFromStdin checks that no argument can carry the secret, and
// that none is echoed back.
func TestSecretOnlyFromStdin(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t, halosim.Options{Seed: 5, Clients: 2})
	const leaked = "secret-typed-on-the-command-line"
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"flag", halosim.DefaultClientSecret, []string{"--secret", leaked}, "-secret"},
		{"flag with =", halosim.DefaultClientSecret, []string{"--client-secret=" + leaked}, "-client-secret"},
		{"positional", halosim.DefaultClientSecret, []string{leaked}, "standard input"},
		{"empty stdin", "", nil, "no client secret on standard input"},
		{"blank line", "\n", nil, "no client secret on standard input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			args := append([]string{"connect", "--url", srv.URL, "--client-id", halosim.DefaultClientID}, tc.args...)
			r := e.run(tc.stdin, args...)
			if r.code != 2 {
				t.Fatalf("want exit 2 (usage): %v", r)
			}
			wantContains(t, "the error", r.stderr, tc.want)
			if strings.Contains(r.stdout+r.stderr, leaked) {
				t.Errorf("the output echoes the secret: %v", r)
			}
			e.wantNothingStored()
		})
	}
}

// errReader fails any read: standard input must not be read on a terminal.
type errReader struct{ t *testing.T }

func (r errReader) Read([]byte) (int, error) {
	r.t.Error("read standard input instead of prompting on the terminal")
	return 0, errors.New("unexpected read")
}

func TestSecretFromTerminal(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t, halosim.Options{Seed: 6, Clients: 2})
	args := []string{"connect", "--no-sync", "--url", srv.URL, "--client-id", halosim.DefaultClientID}
	for _, tc := range []struct {
		name     string
		password string
		err      error
		code     int
		want     string
	}{
		{"typed", halosim.DefaultClientSecret, nil, 0, "Granted scopes:"},
		{"nothing typed", "", nil, 2, "no client secret"},
		{"read fails", "", errors.New("terminal gone"), 1, "terminal gone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			prompted := 0
			c := &cli{
				stdin:        errReader{t},
				isTerminal:   func() bool { return true },
				readPassword: func() (string, error) { prompted++; return tc.password, tc.err },
			}
			r := e.runCLI(c, args...)
			if r.code != tc.code || prompted != 1 {
				t.Fatalf("prompted %d times; want exit %d: %v", prompted, tc.code, r)
			}
			wantContains(t, "the output", r.stdout+r.stderr, tc.want)
			if connected := e.status().Connected; connected != (tc.code == 0) {
				t.Errorf("connected = %v after exit %d", connected, r.code)
			}
		})
	}
}

// TestCommandHelpListsItsFlags: `halosyncctl COMMAND --help` prints that
// command's flags on standard output and exits 0.
func TestCommandHelpListsItsFlags(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"status", "--help"}, []string{"Usage of halosyncctl status:", "-json"}},
		{[]string{"log", "-h"}, []string{"Usage of halosyncctl log:", "-level", "-search", "-limit"}},
		{[]string{"tickets", "create", "--help"}, []string{"Usage of halosyncctl tickets create:", "-site", "-contact", "-type", "-priority"}},
		{[]string{"tickets", "fix", "--help"}, []string{"Usage of halosyncctl tickets fix:", "-site", "-contact", "-type", "-priority"}},
		{[]string{"tickets", "fix", "12", "-h"}, []string{"Usage of halosyncctl tickets fix:", "-site"}},
		{[]string{"tickets", "note", "--help"}, []string{"Usage of halosyncctl tickets note:", "-public", "-outcome"}},
		{[]string{"tickets", "notes", "--help"}, []string{"Usage of halosyncctl tickets notes:"}},
		{[]string{"tickets", "show", "--help"}, []string{"Usage of halosyncctl tickets show:"}},
		{[]string{"clients", "defaults", "--help"}, []string{"Usage of halosyncctl clients defaults:", "-site", "-contact", "-type", "-priority"}},
		{[]string{"clients", "--help"}, []string{"halosyncctl clients: its commands", "clients import FILE.csv", "(all of them when no id is given)"}},
		{[]string{"tickets", "-h"}, []string{"tickets fix TICKET", "tickets drop HALO_CLIENT"}},
		{[]string{"map", "help"}, []string{"map suggest"}},
		{[]string{"webhook", "--help"}, []string{"webhook set --mode"}},
	} {
		r := e.run("", c.args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: %v", c.args, r)
		}
		if c.args[1] == "--help" || c.args[1] == "-h" || c.args[1] == "help" {
			if strings.Contains(r.stdout, "set-status and map save") {
				t.Errorf("%v: the group's commands run into the prose after them:\n%s", c.args, r.stdout)
			}
		}
		for _, w := range c.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", c.args, w, r.stdout)
			}
		}
	}
}
