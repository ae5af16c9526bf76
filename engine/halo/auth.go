package halo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokens fetches and caches access tokens with the client-credentials
// grant. One fetch runs at a time, so a burst of requests after expiry
// asks HaloPSA for one token, not one each.
type tokens struct {
	addr     Address
	authURL  string // "" until resolved by discovery
	tenant   string
	clientID string
	secret   string
	scopes   []string
	hc       *http.Client
	now      func() time.Time
	onFetch  func()

	mu        sync.Mutex
	tok       *oauth2.Token
	refreshAt time.Time
}

// token returns a valid access token, fetching one when none is cached or
// the cached one is close to expiry.
func (t *tokens) token(ctx context.Context) (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && t.now().Before(t.refreshAt) {
		return t.tok, nil
	}
	tok, err := t.fetch(ctx, t.scopes)
	if err != nil {
		return nil, err
	}
	// Refresh a minute early, or a fifth of the lifetime for short-lived
	// tokens, so no request goes out with a token about to expire.
	life := tok.Expiry.Sub(t.now())
	if tok.Expiry.IsZero() {
		life = time.Hour
	}
	t.tok, t.refreshAt = tok, t.now().Add(life-min(time.Minute, life/5))
	return tok, nil
}

// invalidate drops the cached token if it is still old, so that of many
// requests that met a 401 with the same token only the first refetches.
func (t *tokens) invalidate(old *oauth2.Token) {
	t.mu.Lock()
	if t.tok == old {
		t.tok = nil
	}
	t.mu.Unlock()
}

// granted returns the scopes HaloPSA reported for the cached token.
func (t *tokens) granted() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == nil {
		return nil
	}
	s, _ := t.tok.Extra("scope").(string)
	return strings.Fields(s)
}

// fetch asks the token endpoint for a token with these scopes. Callers hold mu.
func (t *tokens) fetch(ctx context.Context, scopes []string) (*oauth2.Token, error) {
	if t.authURL == "" {
		authURL, tenant, err := discover(ctx, t.hc, t.addr)
		if err != nil {
			return nil, err
		}
		t.authURL = authURL
		if t.tenant == "" {
			t.tenant = tenant
		}
	}
	cfg := clientcredentials.Config{
		ClientID:     t.clientID,
		ClientSecret: t.secret,
		TokenURL:     tokenURL(t.authURL, t.tenant),
		Scopes:       scopes,
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	if t.onFetch != nil {
		t.onFetch()
	}
	// x/oauth2 hides what came back when it is not OAuth at all ("cannot
	// parse json"), so keep a copy of the answer to tell a web server that
	// is not HaloPSA from HaloPSA failing.
	seen := &seenAnswer{base: t.hc.Transport}
	hc := *t.hc
	hc.Transport = seen
	tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, &hc))
	if err != nil {
		return nil, classifyTokenError(ctx, cfg.TokenURL, seen, err)
	}
	return tok, nil
}

// tokenURL is <auth>/token, with ?tenant= for shared hosted auth servers.
func tokenURL(authURL, tenant string) string {
	u := strings.TrimRight(authURL, "/") + "/token"
	if tenant != "" {
		u += "?tenant=" + url.QueryEscape(tenant)
	}
	return u
}

// discover reads GET <base>/api/authinfo, which hosted instances answer
// anonymously with their auth server and tenant. Any answer other than that
// JSON falls back to <base>/auth; only an unreachable host is an error,
// so a mistyped address is reported at once.
func discover(ctx context.Context, hc *http.Client, addr Address) (authURL, tenant string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr.API()+"/authinfo", nil)
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		return "", "", &APIError{Kind: ErrUnreachable, Op: "GET /api/authinfo", Err: err}
	}
	defer resp.Body.Close()
	var info struct {
		AuthURL  string `json:"auth_url"`
		TenantID string `json:"tenant_id"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &info) == nil && info.AuthURL != "" {
		if u, err := parseAuthURL(info.AuthURL); err == nil {
			return u, info.TenantID, nil
		}
	}
	// HaloPSA answers its API in JSON, even when it has nothing to say
	// here; a web page served as success is some other web server.
	if resp.StatusCode == http.StatusOK && isWebPage(resp.Header, body) {
		return "", "", &APIError{Kind: ErrNotHalo, Op: "GET /api/authinfo", Status: resp.StatusCode,
			Message: "it sent a web page where HaloPSA sends JSON"}
	}
	return addr.DefaultAuthURL(), "", nil
}

// classifyTokenError turns a token endpoint failure into a plain sentence;
// seen holds the answer, if one came.
func classifyTokenError(ctx context.Context, tokenURL string, seen *seenAnswer, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	op := "POST " + redactQuery(tokenURL)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		if seen.status == 0 {
			return &APIError{Kind: ErrUnreachable, Op: op, Err: transportCause(err)}
		}
		// An answer came, but x/oauth2 could not read a token from it.
		e := &APIError{Kind: ErrNotHalo, Op: op, Status: seen.status,
			Message: "it answered the token request with something other than an access token"}
		if isWebPage(seen.header, seen.body) {
			e.Message = "it sent a web page"
		}
		return e
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	code, desc := re.ErrorCode, re.ErrorDescription
	if code == "" {
		// x/oauth2 reads the error only from a JSON content type; read
		// the body ourselves in case HaloPSA labels it otherwise.
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(re.Body, &body) == nil {
			code, desc = body.Error, body.Description
		}
	}
	e := &APIError{Op: op, Status: status, Message: desc}
	switch {
	case code == "invalid_scope":
		e.Kind = ErrMissingScope
	case code == "invalid_client" || code == "unauthorized_client" || status == http.StatusUnauthorized:
		e.Kind = ErrBadCredentials
	case code == "invalid_request" || code == "invalid_grant":
		e.Kind = ErrBadCredentials
		e.Message = strings.TrimSpace("HaloPSA said " + code + ": check the client ID and the tenant. " + desc)
	case status == http.StatusNotImplemented || status == http.StatusMethodNotAllowed:
		// HaloPSA's token endpoint takes POSTs; a server that does not is
		// something else.
		e.Kind = ErrNotHalo
		e.Message = fmt.Sprintf("it answered %d %s to the token request", status, http.StatusText(status))
	case status >= 500:
		e.Kind = ErrServer
	case isWebPage(seen.header, re.Body):
		e.Kind = ErrNotHalo
		e.Message = fmt.Sprintf("it sent a web page (HTTP %d) to the token request; check the address or the auth URL", status)
	default:
		e.Kind = ErrNotHalo
		e.Message = "the token endpoint answered HTTP " + fmt.Sprint(status) + "; check the address or the auth URL"
	}
	return e
}

// seenAnswer is a RoundTripper that keeps the status, headers and the
// start of the body of the last answer it passed on.
type seenAnswer struct {
	base   http.RoundTripper
	status int
	header http.Header
	body   []byte
}

// RoundTrip passes req on and keeps a copy of the answer.
func (s *seenAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	base := s.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	s.status, s.header, s.body = resp.StatusCode, resp.Header, body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// isWebPage tells an HTML answer by its content type or its first bytes.
func isWebPage(h http.Header, body []byte) bool {
	if ct := strings.ToLower(h.Get("Content-Type")); strings.Contains(ct, "html") {
		return true
	}
	b := bytes.ToLower(bytes.TrimSpace(body))
	return bytes.HasPrefix(b, []byte("<!doctype html")) || bytes.HasPrefix(b, []byte("<html"))
}

// redactQuery drops the query so logs never carry more than the endpoint.
func redactQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
