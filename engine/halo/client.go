// Package halo is HaloSync's HaloPSA REST client: OAuth2 client
// credentials, a request budget that paces calls under HaloPSA's rolling
// rate limit, retries, paging that never trusts the requested page size,
// and typed errors in plain language.
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
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/brainstormmsp/halosync/engine/backoff"
)

// Defaults for Config's zero values.
const (
	DefaultRateLimit   = 300
	DefaultRateWindow  = 5 * time.Minute
	DefaultMaxInFlight = 8
	DefaultMaxRetries  = 5
	// max429Retries bounds how long one call keeps waiting out 429s: with
	// the back-off capped at a fifth of the window this is about two windows.
	max429Retries = 10
	maxBodyBytes  = 64 << 20
	userAgent     = "HaloSync/1.0"
)

// RequiredScopes are the scopes HaloSync asks for (DESIGN.md, step 1).
var RequiredScopes = []string{"read:customers", "read:assets", "read:tickets", "edit:tickets"}

// Config says how to reach and authenticate with one HaloPSA instance.
type Config struct {
	Address      Address // from ParseAddress
	AuthURL      string  // optional; discovered through /api/authinfo when empty
	Tenant       string  // optional; only shared hosted auth servers need it
	ClientID     string
	ClientSecret string
	Scopes       []string // default RequiredScopes

	RateLimit   int           // requests per RateWindow; default 300, negative = unlimited
	RateWindow  time.Duration // default 5 minutes
	MaxInFlight int           // concurrent requests; default 8
	MaxRetries  int           // retries of a GET after a 5xx or a dropped connection; default 5
	HTTPClient  *http.Client  // default: 60 s timeout

	// OnWait, when set, hears when the request budget holds requests back
	// for at least WaitNotice (default DefaultWaitNotice), and when they
	// flow again: see WaitFunc.
	OnWait     WaitFunc
	WaitNotice time.Duration
	// OnSuccess, when set, is called after every call HaloPSA answered
	// with a 2xx, from the caller's goroutine and outside every lock: the
	// surest sign that HaloPSA is reachable. It must return quickly.
	OnSuccess func()
	// Ledger, when set, shares the request budget with every other
	// process counting through the same ledger: see SharedLedger.
	Ledger SharedLedger
}

// Client talks to one HaloPSA instance. It is safe for concurrent use.
type Client struct {
	cfg    Config
	hc     *http.Client
	tokens *tokens
	budget *Budget
	slots  chan struct{}
	stats  stats
}

// Stats counts what the client did, for the sync log and benchmarks.
type Stats struct {
	Requests    int64 // resource requests sent (not token requests)
	RateLimited int64 // 429 answers met
	Retries     int64 // requests sent again after a failure
	Tokens      int64 // access tokens fetched
}

type stats struct{ requests, rateLimited, retries, tokens atomic.Int64 }

// New builds a client. It does no I/O: the first call discovers the auth
// server and fetches a token.
func New(cfg Config) (*Client, error) {
	if cfg.Address == "" {
		return nil, fmt.Errorf("%w: no address given", ErrBadURL)
	}
	if strings.TrimSpace(cfg.ClientID) == "" || cfg.ClientSecret == "" {
		return nil, fmt.Errorf("%w: the client ID and secret are both needed", ErrBadCredentials)
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = RequiredScopes
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = DefaultRateWindow
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	c := &Client{
		cfg:    cfg,
		hc:     hc,
		budget: NewBudget(cfg.RateLimit, cfg.RateWindow),
		slots:  make(chan struct{}, cfg.MaxInFlight),
	}
	if cfg.Ledger != nil {
		c.budget.Share(cfg.Ledger)
	}
	if cfg.OnWait != nil {
		c.budget.OnWait(cfg.WaitNotice, cfg.OnWait)
	}
	var authURL string
	if cfg.AuthURL != "" {
		u, err := parseAuthURL(cfg.AuthURL)
		if err != nil {
			return nil, err
		}
		authURL = u
	}
	c.tokens = &tokens{
		addr: cfg.Address, authURL: authURL, tenant: cfg.Tenant,
		clientID: strings.TrimSpace(cfg.ClientID), secret: cfg.ClientSecret,
		scopes: cfg.Scopes, hc: hc, now: time.Now,
		onFetch: func() { c.stats.tokens.Add(1) },
	}
	return c, nil
}

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:    c.stats.requests.Load(),
		RateLimited: c.stats.rateLimited.Load(),
		Retries:     c.stats.retries.Load(),
		Tokens:      c.stats.tokens.Load(),
	}
}

// Budget returns the request budget, shared by every call of this client.
func (c *Client) Budget() *Budget { return c.budget }

// MaxInFlight returns how many requests the client sends at once.
func (c *Client) MaxInFlight() int { return c.cfg.MaxInFlight }

// Address returns the HaloPSA instance this client talks to.
func (c *Client) Address() Address { return c.cfg.Address }

// do sends one API call and decodes a 2xx body into out (when non-nil).
// GETs are retried after 5xx answers and dropped connections; every call
// is retried after a 429 (HaloPSA did not act on it) and once after a 401
// with a fresh token.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	op := method + " /api/" + path
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s: encode body: %w", op, err)
		}
	}
	reauthed := false
	limited, failures := 0, 0
	for {
		resp, tok, err := c.send(ctx, method, path, query, payload)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) && apiErr.Kind != ErrUnreachable {
				return err // token failure: already plain
			}
			if method == http.MethodGet && failures < c.cfg.MaxRetries {
				failures++
				if err := c.pause(ctx, failures); err != nil {
					return err
				}
				continue
			}
			return &APIError{Kind: ErrUnreachable, Op: op, Err: transportCause(err)}
		}
		switch {
		case resp.status >= 200 && resp.status < 300:
			c.budget.Succeeded()
			if c.cfg.OnSuccess != nil {
				c.cfg.OnSuccess()
			}
			if out == nil || len(bytes.TrimSpace(resp.body)) == 0 {
				return nil
			}
			if err := json.Unmarshal(resp.body, out); err != nil {
				return &APIError{Kind: ErrNotHalo, Op: op, Status: resp.status, Err: fmt.Errorf("unreadable answer: %w", err)}
			}
			return nil
		case resp.status == http.StatusUnauthorized && !reauthed:
			reauthed = true
			c.tokens.invalidate(tok)
			c.stats.retries.Add(1)
			continue
		case resp.status == http.StatusTooManyRequests && limited < max429Retries:
			limited++
			c.stats.rateLimited.Add(1)
			c.budget.Penalize(retryAfter(resp.header), statedLimit(resp.body))
			c.stats.retries.Add(1)
			continue
		case resp.status >= 500 && method == http.MethodGet && failures < c.cfg.MaxRetries:
			failures++
			if err := c.pause(ctx, failures); err != nil {
				return err
			}
			continue
		}
		return responseError(op, resp)
	}
}

// response is a fully read answer: the body is read before the budget slot
// is released, so the slot's time is the true completion time.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (c *Client) send(ctx context.Context, method, path string, query url.Values, payload []byte) (*response, *oauth2.Token, error) {
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	defer func() { <-c.slots }()
	release, err := c.budget.Acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	// The token is taken last, after any wait for a slot, so that it is
	// fresh when the request leaves.
	tok, err := c.tokens.token(ctx)
	if err != nil {
		return nil, nil, err
	}

	u := c.cfg.Address.API() + "/" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.stats.requests.Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, tok, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return nil, tok, err
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body}, tok, nil
}

// requestRetry spaces one request's retries: doubling from 250 ms up to
// 8 s, with full jitter so parallel requests do not retry in step.
var requestRetry = backoff.Backoff{Min: 250 * time.Millisecond, Max: 8 * time.Second, Jitter: 1}

// pause sleeps before retry n of a request (see requestRetry).
func (c *Client) pause(ctx context.Context, n int) error {
	c.stats.retries.Add(1)
	t := time.NewTimer(requestRetry.Nth(n))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// statedLimit reads N from HaloPSA's 429 text, "Rate Limit Reached - N
// Requests per rolling 5 minute window"; 0 when the text is not that.
func statedLimit(body []byte) int {
	s := string(body)
	i := strings.Index(s, "Rate Limit Reached - ")
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+len("Rate Limit Reached - "):])
	if len(f) < 2 || !strings.EqualFold(f[1], "requests") {
		return 0
	}
	n, _ := strconv.Atoi(f[0])
	return n
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
// HaloPSA is not known to send one, but if it does it knows best.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}
