package halo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fake is a minimal HaloPSA for unit tests of one behaviour at a time; the
// full simulator (halosim) is exercised by engine/sync's tests.
type fake struct {
	srv     *httptest.Server
	mux     *http.ServeMux
	granted string // scope field of the token answer
	refuse  map[string]bool
	tokens  atomic.Int32
	mu      sync.Mutex
	valid   map[string]bool
}

func newFake(t *testing.T) *fake {
	f := &fake{mux: http.NewServeMux(), granted: strings.Join(RequiredScopes, " "), refuse: map[string]bool{}, valid: map[string]bool{}}
	f.mux.HandleFunc("GET /api/authinfo", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"auth_url":%q,"tenant_id":""}`, f.srv.URL+"/auth")
	})
	f.mux.HandleFunc("POST /auth/token", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("client_id") != "id" || r.FormValue("client_secret") != "secret" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
			return
		}
		for _, s := range strings.Fields(r.FormValue("scope")) {
			if f.refuse[s] {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"error":"invalid_scope"}`)
				return
			}
		}
		tok := fmt.Sprintf("tok%d", f.tokens.Add(1))
		f.mu.Lock()
		f.valid[tok] = true
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600, "scope": f.granted})
	})
	f.srv = httptest.NewServer(f.mux)
	t.Cleanup(f.srv.Close)
	return f
}

// handle registers a resource handler that only runs for a valid token.
func (f *fake) handle(pattern string, h http.HandlerFunc) {
	f.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		ok := f.valid[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h(w, r)
	})
}

// revoke makes every token issued so far invalid.
func (f *fake) revoke() {
	f.mu.Lock()
	clear(f.valid)
	f.mu.Unlock()
}

func (f *fake) client(t *testing.T, mod func(*Config)) *Client {
	t.Helper()
	addr, err := ParseAddress(f.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Address: addr, ClientID: "id", ClientSecret: "secret", RateLimit: -1, HTTPClient: &http.Client{Timeout: 5 * time.Second}}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
