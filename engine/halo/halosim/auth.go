package halosim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The agent the API application impersonates; it appears in the id_token.
const (
	agentID    = 7
	agentName  = "HaloSync API Agent"
	agentEmail = "api-agent@halosim.invalid"
)

// knownScopes are the scope names the simulator recognises. A request for any
// other name is invalid_scope, like read:actions on a live tenant.
var knownScopes = func() map[string]bool {
	m := map[string]bool{"all": true, "all:standard": true, "admin": true}
	for _, area := range []string{"tickets", "calendar", "customers", "crm", "timesheets", "contracts",
		"suppliers", "items", "projects", "sales", "quotes", "sos", "pos", "invoices", "reporting",
		"software", "softwarelicensing", "kb", "assets", "teams"} {
		m["read:"+area] = true
		m["edit:"+area] = true
	}
	return m
}()

// scopeSet is a set of granted scope names.
type scopeSet map[string]bool

func newScopeSet(names []string) scopeSet {
	ss := make(scopeSet, len(names))
	for _, n := range names {
		ss[strings.ToLower(n)] = true
	}
	return ss
}

// allows reports whether the set grants need: "all" grants everything and
// edit:X grants read:X.
func (ss scopeSet) allows(need string) bool {
	if ss["all"] || ss[need] {
		return true
	}
	if area, ok := strings.CutPrefix(need, "read:"); ok {
		return ss["edit:"+area]
	}
	return false
}

// tokenInfo is what the server remembers about an issued access token.
type tokenInfo struct {
	expires time.Time
	scopes  scopeSet
}

// authState holds the issued tokens.
type authState struct {
	mu     sync.Mutex
	tokens map[string]tokenInfo
	issued int // issues since the last prune
}

// ExpireTokens invalidates every token issued so far: the next resource call
// made with one of them gets 401.
func (s *Server) ExpireTokens() {
	s.auth.mu.Lock()
	clear(s.auth.tokens)
	s.auth.mu.Unlock()
}

// serveAuthInfo answers the anonymous discovery call.
func (s *Server) serveAuthInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeJSON(w, http.StatusMethodNotAllowed, messageBody("The requested resource does not support http method '"+r.Method+"'."))
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	o := newObj(128)
	o.str("auth_url", scheme+"://"+r.Host+"/auth")
	o.str("tenant_id", s.opts.Tenant)
	writeJSON(w, http.StatusOK, o.done())
}

// oauthError writes an RFC 6749 error body.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	o := newObj(96)
	o.str("error", code)
	if desc != "" {
		o.str("error_description", desc)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, o.done())
}

// serveToken implements the client_credentials grant. Credentials are read
// only from the form body (client_secret_post); an HTTP Basic header is
// ignored, because nothing confirms Halo accepts it.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "the token endpoint accepts POST only")
		return
	}
	if s.opts.Tenant != "" {
		switch t := r.URL.Query().Get("tenant"); {
		case t == "":
			oauthError(w, http.StatusBadRequest, "invalid_request", "tenant is required")
			return
		case !strings.EqualFold(t, s.opts.Tenant):
			oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown tenant")
			return
		}
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "expected application/x-www-form-urlencoded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	f := r.PostForm
	switch gt := f.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	}
	if !equal(f.Get("client_id"), s.opts.ClientID) || !equal(f.Get("client_secret"), s.opts.ClientSecret) {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "")
		return
	}
	granted := strings.Fields(strings.ToLower(f.Get("scope")))
	if len(granted) == 0 {
		granted = strings.Fields(strings.ToLower(strings.Join(s.opts.Scopes, " ")))
	}
	for _, sc := range granted {
		if !knownScopes[sc] || !s.scope.allows(sc) {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "")
			return
		}
	}
	now := s.now()
	tok := randomToken()
	s.auth.mu.Lock()
	s.auth.tokens[tok] = tokenInfo{expires: now.Add(s.opts.TokenLifetime), scopes: newScopeSet(granted)}
	if s.auth.issued++; s.auth.issued >= 1024 {
		s.auth.issued = 0
		for k, ti := range s.auth.tokens {
			if !now.Before(ti.expires) {
				delete(s.auth.tokens, k)
			}
		}
	}
	s.auth.mu.Unlock()
	s.stats.add(func(st *Stats) { st.TokensIssued++ })

	o := newObj(512)
	o.str("access_token", tok)
	o.str("token_type", "Bearer")
	o.int("expires_in", int(s.opts.TokenLifetime/time.Second))
	o.str("scope", strings.Join(granted, " "))
	o.str("id_token", idToken(now, s.opts.TokenLifetime))
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, o.done())
}

func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// idToken returns a JWT-shaped string naming the impersonated agent. The
// signature is random bytes: nothing should verify it.
func idToken(now time.Time, life time.Duration) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	p := newObj(256)
	p.str("sub", strconv.Itoa(agentID))
	p.str("name", agentName)
	p.str("email", agentEmail)
	p.int("agent_id", agentID)
	p.int("iat", int(now.Unix()))
	p.int("exp", int(now.Add(life).Unix()))
	var sig [64]byte
	_, _ = rand.Read(sig[:])
	return header + "." + enc.EncodeToString(p.done()) + "." + enc.EncodeToString(sig[:])
}

// authenticate checks the bearer token of a resource request and writes the
// 401 itself when it is missing, unknown or expired.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (tokenInfo, bool) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	var ti tokenInfo
	ok := false
	if strings.EqualFold(scheme, "Bearer") && tok != "" {
		s.auth.mu.Lock()
		ti, ok = s.auth.tokens[tok]
		s.auth.mu.Unlock()
		ok = ok && s.now().Before(ti.expires)
	}
	if !ok {
		s.stats.add(func(st *Stats) { st.Unauthorized++ })
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, messageBody("Authorization has been denied for this request."))
	}
	return ti, ok
}

// forbid writes the 403 for a token that lacks need.
func (s *Server) forbid(w http.ResponseWriter, need string) {
	o := newObj(160)
	o.str("ClassName", "HaloPermissionException")
	o.str("Message", "You do not have permission to access this resource (requires scope "+need+").")
	writeJSON(w, http.StatusForbidden, o.done())
}
