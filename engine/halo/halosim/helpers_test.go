package halosim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is a Server behind a real HTTP listener.
type harness struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	token string
}

// small are options for a quick, fully specified tenant.
func small() Options {
	return Options{Seed: 42, Clients: 12, SitesPerClient: 3, UsersPerClient: 5,
		AssetsPerClient: 4, TicketsPerClient: 3, InactiveClients: 2, UnnamedSites: 4}
}

func start(t *testing.T, o Options) *harness {
	t.Helper()
	srv := New(o)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &harness{t: t, srv: srv, ts: ts}
}

// startAuthed starts a server and fetches a token with the app's scopes.
func startAuthed(t *testing.T, o Options) *harness {
	h := start(t, o)
	h.token = h.login("")
	return h
}

// tokenRequest posts a token request; query is appended to the URL as is.
func (h *harness) tokenRequest(query string, form url.Values) (int, map[string]any) {
	h.t.Helper()
	resp, err := http.PostForm(h.ts.URL+"/auth/token"+query, form)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		h.t.Fatalf("token response: %v", err)
	}
	return resp.StatusCode, m
}

func (h *harness) creds(scope string) url.Values {
	o := h.srv.Options()
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {o.ClientID},
		"client_secret": {o.ClientSecret}, "scope": {scope}}
}

// login returns a token for scope, failing the test if none is issued.
func (h *harness) login(scope string) string {
	h.t.Helper()
	q := ""
	if tn := h.srv.Options().Tenant; tn != "" {
		q = "?tenant=" + tn
	}
	code, m := h.tokenRequest(q, h.creds(scope))
	if code != http.StatusOK {
		h.t.Fatalf("token: %d %v", code, m)
	}
	return m["access_token"].(string)
}

// do sends a request with the harness token and returns status, headers
// and body.
func (h *harness) do(method, path, body string) (int, http.Header, []byte) {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.ts.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func (h *harness) get(path string) (int, []byte) {
	h.t.Helper()
	code, _, b := h.do(http.MethodGet, path, "")
	return code, b
}

// getJSON GETs path, requires 200 and decodes the body into v.
func (h *harness) getJSON(path string, v any) {
	h.t.Helper()
	code, b := h.get(path)
	if code != http.StatusOK {
		h.t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		h.t.Fatalf("GET %s: %v in %s", path, err, b)
	}
}

// all fetches every record of a collection, active and inactive, unpaged.
func (h *harness) all(collection, key string) []map[string]any {
	h.t.Helper()
	var env map[string]json.RawMessage
	sep := "?"
	if strings.Contains(collection, "?") {
		sep = "&"
	}
	h.getJSON("/api/"+collection+sep+"includeactive=true&includeinactive=true", &env)
	var rows []map[string]any
	if err := json.Unmarshal(env[key], &rows); err != nil {
		h.t.Fatal(err)
	}
	return rows
}

// num reads a JSON number field as an int.
func num(m map[string]any, k string) int {
	f, _ := m[k].(float64)
	return int(f)
}
