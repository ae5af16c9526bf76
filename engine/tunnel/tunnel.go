// Package tunnel makes HaloSync's local webhook receiver reachable from HaloPSA's servers.
//
// HaloPSA posts webhook deliveries from its own servers, so a receiver
// listening on a workstation's loopback address needs a public URL in front
// of it. There are three ways ([Mode]): an embedded ngrok agent ([Ngrok]), a
// public URL the user runs themselves with cloudflared, Tailscale Funnel or
// a reverse proxy ([External]), or none at all, in which case HaloSync polls
// ([None]). [SelfTest] checks that a public URL really delivers to this
// HaloSync.
package tunnel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// Mode is how the receiver is made reachable.
type Mode string

// The modes.
const (
	None     Mode = "none"     // no tunnel: HaloSync polls for changes
	External Mode = "external" // a public URL the user runs, forwarding to the local receiver
	Ngrok    Mode = "ngrok"    // the embedded ngrok agent
)

// ParseMode reads a mode as stored in settings; "" is None.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return None, nil
	case None, External, Ngrok:
		return m, nil
	}
	return "", fmt.Errorf("tunnel: unknown mode %q (want none, external or ngrok)", s)
}

// Config says which tunnel to open. Its plain fields are settings (no
// secrets: the ngrok authtoken lives in the keychain under NgrokTokenKey);
// the callbacks are not saved.
type Config struct {
	Mode Mode // "" is None
	// ExternalURL is the public base URL the user runs for External, e.g.
	// https://halo.example.com or https://host/prefix, forwarding to the
	// local receiver. HaloPSA is given ExternalURL + the receiver's path.
	ExternalURL string
	// NgrokDomain is an optional reserved ngrok domain, e.g.
	// "acme-halo.ngrok.app". Without one ngrok assigns a random URL, which
	// changes whenever the endpoint has to be opened again, and HaloPSA's
	// webhook then has to be updated.
	NgrokDomain string

	// OnState, when set, is called with the new State whenever it changes
	// (connecting, up, down with an error, closed). Calls come one at a time
	// from the tunnel's own goroutines, in order; OnState must not block and
	// must not call Close. A GUI hands the State to its UI goroutine.
	OnState func(State) `json:"-"`
	// Logf, when set, receives one line per problem. It is never given a
	// secret: not the authtoken, not the receiver's path.
	Logf func(format string, args ...any) `json:"-"`
}

func (c Config) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

// State is where a tunnel stands, for a status bar.
type State struct {
	Mode Mode
	// URL is the public base URL (without the receiver's path); for Ngrok
	// the last one the endpoint had, kept while it reconnects; "" for None
	// and before ngrok first came up.
	URL string
	// Up reports that the public URL is expected to reach the receiver: for
	// Ngrok the endpoint is online; for External the URL is configured
	// (only SelfTest can tell whether the user's tool really forwards).
	Up bool
	// Err is why it is not up, when known (a connection or authtoken
	// problem); nil while connecting and after Close.
	Err error
}

// String describes s in plain language, e.g. "ngrok: reconnecting (...)".
func (s State) String() string {
	switch {
	case s.Mode == None || s.Mode == "":
		return "no tunnel: polling for changes"
	case s.Up:
		return fmt.Sprintf("%s: %s", s.Mode, s.URL)
	case s.Err != nil:
		return fmt.Sprintf("%s: not reachable: %v", s.Mode, s.Err)
	default:
		return fmt.Sprintf("%s: connecting", s.Mode)
	}
}

// same reports whether a and b would show the same; errors compare by text,
// because not every error type is comparable.
func (s State) same(o State) bool {
	errText := func(err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	return s.Mode == o.Mode && s.URL == o.URL && s.Up == o.Up &&
		(s.Err == nil) == (o.Err == nil) && errText(s.Err) == errText(o.Err)
}

// Tunnel is an open tunnel. Its methods are safe for concurrent use.
type Tunnel interface {
	// PublicURL is the public base URL, without the receiver's path (give
	// HaloPSA WebhookURL(PublicURL(), creds)); "" for None and while ngrok
	// has not come up yet.
	PublicURL() string
	// State is the tunnel's current state; Config.OnState reports changes.
	State() State
	// Close stops the tunnel and waits until its goroutines are gone. Later
	// calls do nothing and return nil.
	Close() error
}

// Open starts the tunnel that cfg describes in front of h, the webhook
// receiver. The tunnel runs until ctx is done or Close is called (call Close
// in any case: it waits for everything to stop).
//
//   - None returns a tunnel that does nothing.
//   - External checks ExternalURL (see NormalizeExternalURL) and returns it;
//     the receiver keeps listening locally (webhook.Listen) and the user's
//     tool forwards to it.
//   - Ngrok reads the authtoken from store (ErrNoNgrokToken when there is
//     none) and returns at once; the agent then connects in the background
//     and serves h on the ngrok endpoint itself, without a local port. It
//     reconnects with back-off whenever the endpoint is lost; State and
//     OnState tell when it is up and at which URL.
func Open(ctx context.Context, cfg Config, h http.Handler, store secrets.Store) (Tunnel, error) {
	if cfg.Mode == "" {
		cfg.Mode = None
	}
	switch cfg.Mode {
	case None:
		return fixed{State{Mode: None}}, nil
	case External:
		u, err := NormalizeExternalURL(cfg.ExternalURL)
		if err != nil {
			return nil, err
		}
		return fixed{State{Mode: External, URL: u, Up: true}}, nil
	case Ngrok:
		if h == nil {
			return nil, errors.New("tunnel: ngrok needs the webhook receiver to serve")
		}
		domain, err := normalizeDomain(cfg.NgrokDomain)
		if err != nil {
			return nil, err
		}
		cfg.NgrokDomain = domain
		token, err := ngrokToken(store)
		if err != nil {
			return nil, err
		}
		return startNgrok(ctx, cfg, h, func(link func(error)) (agent, error) {
			return newNgrokAgent(token, cfg.Logf, link)
		}, defaultBackoff)
	}
	return nil, fmt.Errorf("tunnel: unknown mode %q", cfg.Mode)
}

// fixed is a tunnel that needs no running parts: None and External.
type fixed struct{ s State }

func (f fixed) PublicURL() string { return f.s.URL }
func (f fixed) State() State      { return f.s }
func (f fixed) Close() error      { return nil }

// ErrInsecureURL means an external URL is plain http on a public host:
// HaloPSA's deliveries carry the webhook password, so they need https.
var ErrInsecureURL = errors.New("the public URL must start with https:// (plain http is only for this computer)")

// NormalizeExternalURL checks a public base URL the user entered for
// External and returns it in the form PublicURL reports: scheme and host
// lower-cased, any path prefix kept, no trailing slash. It must be https,
// except on a loopback host (localhost, 127.0.0.0/8, ::1) for testing, and
// must have no query, fragment or user name.
func NormalizeExternalURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("tunnel: enter the public URL that forwards to HaloSync")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("tunnel: %q is not a web address like https://halo.example.com", s)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", errors.New("tunnel: the public URL must not contain a user name, '?' or '#'")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("tunnel: %w", ErrInsecureURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// normalizeDomain accepts "name.ngrok.app" or "https://name.ngrok.app" and
// returns the host, or "" for none.
func normalizeDomain(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	host := strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	host = strings.TrimSuffix(host, "/")
	if host == "" || strings.ContainsAny(host, "/?#@: ") {
		return "", fmt.Errorf("tunnel: %q is not a domain like acme-halo.ngrok.app", s)
	}
	return strings.ToLower(host), nil
}

// WebhookURL is the URL to give HaloPSA: the public base URL followed by the
// receiver's secret path; "" when there is no public URL. It contains a
// secret: show it to the user, never log it.
func WebhookURL(publicURL string, creds webhook.Credentials) string {
	if publicURL == "" {
		return ""
	}
	return strings.TrimRight(publicURL, "/") + creds.Path
}

// WaitUp waits until t is up or ctx is done, for callers without an
// OnState callback (the command line). It returns the up state, or ctx's
// error joined with the last state's error.
func WaitUp(ctx context.Context, t Tunnel) (State, error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		s := t.State()
		if s.Up {
			return s, nil
		}
		if s.Mode == None {
			return s, errors.New("tunnel: no tunnel is configured")
		}
		select {
		case <-ctx.Done():
			return s, errors.Join(ctx.Err(), s.Err)
		case <-tick.C:
		}
	}
}
