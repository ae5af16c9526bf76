package halosim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAuthInfo(t *testing.T) {
	o := small()
	o.Tenant = "acme"
	h := start(t, o)
	code, _, b := h.do(http.MethodGet, "/API/AuthInfo", "")
	if code != http.StatusOK {
		t.Fatalf("authinfo: %d %s", code, b)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["auth_url"] != h.ts.URL+"/auth" || m["tenant_id"] != "acme" {
		t.Fatalf("authinfo = %v", m)
	}
}

func TestToken(t *testing.T) {
	type tc struct {
		name      string
		opts      func(*Options)
		query     string
		form      func(h *harness) url.Values
		wantCode  int
		wantError string
		wantScope string
	}
	good := func(scope string) func(h *harness) url.Values {
		return func(h *harness) url.Values { return h.creds(scope) }
	}
	with := func(k, v string) func(h *harness) url.Values {
		return func(h *harness) url.Values { f := h.creds(""); f.Set(k, v); return f }
	}
	tests := []tc{
		{name: "default scopes", form: good(""), wantCode: 200,
			wantScope: "read:customers read:assets read:tickets edit:tickets"},
		{name: "subset", form: good("read:customers read:tickets"), wantCode: 200, wantScope: "read:customers read:tickets"},
		{name: "bad secret", form: with("client_secret", "nope"), wantCode: 401, wantError: "invalid_client"},
		{name: "bad id", form: with("client_id", "00000000-0000-0000-0000-000000000000"), wantCode: 401, wantError: "invalid_client"},
		{name: "no grant type", form: with("grant_type", ""), wantCode: 400, wantError: "invalid_request"},
		{name: "wrong grant type", form: with("grant_type", "password"), wantCode: 400, wantError: "unsupported_grant_type"},
		{name: "all not granted", form: good("all"), wantCode: 400, wantError: "invalid_scope"},
		{name: "edit customers not granted", form: good("read:customers edit:customers"), wantCode: 400, wantError: "invalid_scope"},
		{name: "unknown scope", form: good("read:actions"), wantCode: 400, wantError: "invalid_scope"},
		{name: "app has all", opts: func(o *Options) { o.Scopes = []string{"all"} }, form: good("all"), wantCode: 200, wantScope: "all"},
		{name: "edit implies read", opts: func(o *Options) { o.Scopes = []string{"edit:customers"} },
			form: good("read:customers"), wantCode: 200, wantScope: "read:customers"},
		{name: "tenant missing", opts: func(o *Options) { o.Tenant = "acme" }, form: good(""), wantCode: 400, wantError: "invalid_request"},
		{name: "tenant wrong", opts: func(o *Options) { o.Tenant = "acme" }, query: "?tenant=other", form: good(""),
			wantCode: 401, wantError: "invalid_client"},
		{name: "tenant right", opts: func(o *Options) { o.Tenant = "acme" }, query: "?tenant=acme", form: good("read:tickets"),
			wantCode: 200, wantScope: "read:tickets"},
		{name: "tenant ignored when not configured", query: "?tenant=whatever", form: good(""), wantCode: 200,
			wantScope: "read:customers read:assets read:tickets edit:tickets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := small()
			if tt.opts != nil {
				tt.opts(&o)
			}
			h := start(t, o)
			code, m := h.tokenRequest(tt.query, tt.form(h))
			if code != tt.wantCode {
				t.Fatalf("code = %d, want %d (%v)", code, tt.wantCode, m)
			}
			if tt.wantError != "" {
				if m["error"] != tt.wantError {
					t.Fatalf("error = %v, want %s", m["error"], tt.wantError)
				}
				return
			}
			if m["token_type"] != "Bearer" || m["access_token"] == "" || m["expires_in"] != 3600.0 || m["scope"] != tt.wantScope {
				t.Fatalf("token response = %v", m)
			}
			parts := strings.Split(m["id_token"].(string), ".")
			if len(parts) != 3 {
				t.Fatalf("id_token has %d parts", len(parts))
			}
			payload, err := base64.RawURLEncoding.DecodeString(parts[1])
			if err != nil || !strings.Contains(string(payload), `"agent_id":7`) {
				t.Fatalf("id_token payload %s, %v", payload, err)
			}
			if got := h.srv.Stats().TokensIssued; got != 1 {
				t.Fatalf("TokensIssued = %d", got)
			}
		})
	}
}

func TestTokenRejectsNonForm(t *testing.T) {
	h := start(t, small())
	for _, tt := range []struct {
		method, ctype string
		want          int
	}{
		{http.MethodGet, "", http.StatusMethodNotAllowed},
		{http.MethodPost, "application/json", http.StatusBadRequest},
	} {
		req, _ := http.NewRequest(tt.method, h.ts.URL+"/auth/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
		if tt.ctype != "" {
			req.Header.Set("Content-Type", tt.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.ctype, resp.StatusCode, tt.want)
		}
	}
}

func TestResourceAuth(t *testing.T) {
	h := start(t, small())
	readCustomers := h.login("read:customers")
	readTickets := h.login("read:tickets")
	tests := []struct {
		name, token, method, path, body string
		want                            int
		wantClass                       bool
	}{
		{"no token", "", "GET", "/api/Client", "", 401, false},
		{"unknown token", "garbage", "GET", "/api/Client", "", 401, false},
		{"scoped ok", readCustomers, "GET", "/api/Users?count=1", "", 200, false},
		{"assets need read:assets", readCustomers, "GET", "/api/Asset", "", 403, true},
		{"tickets need read:tickets", readCustomers, "GET", "/api/Tickets", "", 403, true},
		{"status under tickets", readTickets, "GET", "/api/Status", "", 200, false},
		{"post needs edit:tickets", readTickets, "POST", "/api/Tickets", `[{"summary":"x","client_id":1}]`, 403, true},
		{"unknown resource", readTickets, "GET", "/api/Nope", "", 404, false},
		{"put not allowed", readCustomers, "PUT", "/api/Client", "", 405, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.token = tt.token
			code, _, b := h.do(tt.method, tt.path, tt.body)
			if code != tt.want {
				t.Fatalf("code = %d, want %d: %s", code, tt.want, b)
			}
			var m map[string]any
			if code != 200 {
				if err := json.Unmarshal(b, &m); err != nil || m["Message"] == nil {
					t.Fatalf("error body %s: %v", b, err)
				}
				if _, ok := m["ClassName"]; ok != tt.wantClass {
					t.Fatalf("ClassName present = %v, want %v", ok, tt.wantClass)
				}
			}
		})
	}
	if got := h.srv.Stats().Unauthorized; got != 2 {
		t.Fatalf("Unauthorized = %d, want 2", got)
	}
}

func TestTokenExpiry(t *testing.T) {
	clk := newClock()
	o := small()
	o.Now = clk.Now
	o.TokenLifetime = 10 * time.Minute
	h := startAuthed(t, o)
	if code, b := h.get("/api/Client"); code != 200 {
		t.Fatalf("fresh token: %d %s", code, b)
	}
	clk.Add(10 * time.Minute)
	if code, _ := h.get("/api/Client"); code != 401 {
		t.Fatalf("expired token: %d, want 401", code)
	}
	h.token = h.login("")
	if code, _ := h.get("/api/Client"); code != 200 {
		t.Fatalf("new token: %d", code)
	}
	h.srv.ExpireTokens()
	if code, _ := h.get("/api/Client"); code != 401 {
		t.Fatalf("after ExpireTokens: %d, want 401", code)
	}
	h.token = h.login("")
	if code, _ := h.get("/api/Client"); code != 200 {
		t.Fatalf("token after ExpireTokens: %d", code)
	}
}
