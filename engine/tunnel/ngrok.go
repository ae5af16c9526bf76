package tunnel

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/brainstormmsp/halosync/engine/backoff"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

// NgrokTokenKey is the keychain key of the ngrok authtoken.
const NgrokTokenKey = "ngrok-authtoken"

// ErrNoNgrokToken means ngrok was chosen but the keychain holds no
// authtoken.
var ErrNoNgrokToken = errors.New("no ngrok authtoken: add your ngrok authtoken in Connection > Webhooks")

// ErrBadNgrokToken means a string does not look like an ngrok authtoken.
var ErrBadNgrokToken = errors.New("that does not look like an ngrok authtoken (copy it from the ngrok dashboard: letters, digits and _)")

// ErrNgrokAuth means the ngrok service refused the authtoken.
var ErrNgrokAuth = errors.New("ngrok refused the authtoken: check it in Connection > Webhooks")

// SaveNgrokToken checks that token looks like an ngrok authtoken (20 to 200
// letters, digits, '_' or '-', surrounding blanks ignored) and stores it in
// the keychain. Neither its errors nor anything it logs contain the token.
func SaveNgrokToken(s secrets.Store, token string) error {
	token = strings.TrimSpace(token)
	if !tokenShape(token) {
		return fmt.Errorf("tunnel: %w", ErrBadNgrokToken)
	}
	if err := s.Set(NgrokTokenKey, token); err != nil {
		return fmt.Errorf("tunnel: saving the ngrok authtoken: %w", err)
	}
	return nil
}

func tokenShape(token string) bool {
	if len(token) < 20 || len(token) > 200 {
		return false
	}
	for _, r := range token {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// ngrokToken reads the authtoken from the keychain.
func ngrokToken(s secrets.Store) (string, error) {
	if s == nil {
		return "", fmt.Errorf("tunnel: %w", ErrNoNgrokToken)
	}
	token, err := s.Get(NgrokTokenKey)
	switch {
	case errors.Is(err, secrets.ErrNotFound) || err == nil && strings.TrimSpace(token) == "":
		return "", fmt.Errorf("tunnel: %w", ErrNoNgrokToken)
	case err != nil:
		return "", fmt.Errorf("tunnel: reading the ngrok authtoken: %w", err)
	}
	return strings.TrimSpace(token), nil
}

// agent is the little HaloSync needs from ngrok, so that everything around
// it (serving, reconnecting, state, Close) is tested with a loopback fake.
type agent interface {
	// Listen opens a public HTTPS endpoint, at domain when it is not empty,
	// and returns a listener for its connections and its public URL. It
	// blocks until the endpoint is online, fails, or ctx is done; the
	// connection to the service lives until ctx is done or Close.
	Listen(ctx context.Context, domain string) (ln net.Listener, url string, err error)
	// Close disconnects from the service.
	Close() error
}

// newAgentFunc builds an agent that reports the state of its connection to
// the service through link: an error when it drops, nil when it is back.
type newAgentFunc func(link func(error)) (agent, error)

// defaultBackoff bounds the waits between attempts to open the endpoint:
// the first wait is Min, each failure doubles it up to Max, and an
// endpoint that stayed up for Max starts over at Min.
var defaultBackoff = backoff.Backoff{Min: time.Second, Max: time.Minute}

// Server timeouts for deliveries arriving through ngrok, the same as the
// local receiver's (webhook.Listen): a slow client is cut off early.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 5 * time.Second
)

// ngrokTunnel serves h on the endpoints an agent opens, one at a time, and
// opens a new one whenever the current one is lost. One goroutine (run)
// owns the endpoint; the state is shared under mu.
type ngrokTunnel struct {
	cfg   Config
	h     http.Handler
	agent agent
	wait  backoff.Backoff

	cancel    context.CancelFunc
	done      chan struct{} // closed when run has returned
	closeOnce sync.Once
	closeErr  error

	notifyMu sync.Mutex // held while a change is made and reported, so reports keep their order
	mu       sync.Mutex
	url      string
	serving  bool  // an endpoint is open and served
	err      error // why the last endpoint could not be opened or was lost
	linkErr  error // the agent's connection to the service is down, and why
	closed   bool  // run has returned
	last     State // the last state reported
}

// startNgrok builds the agent and starts serving in the background.
func startNgrok(ctx context.Context, cfg Config, h http.Handler, newAgent newAgentFunc, wait backoff.Backoff) (*ngrokTunnel, error) {
	t := &ngrokTunnel{cfg: cfg, h: h, wait: wait, done: make(chan struct{}),
		last: State{Mode: Ngrok}}
	a, err := newAgent(t.link)
	if err != nil {
		return nil, fmt.Errorf("tunnel: starting ngrok: %w", err)
	}
	t.agent = a
	ctx, t.cancel = context.WithCancel(ctx)
	go t.run(ctx)
	return t, nil
}

// PublicURL returns the endpoint's URL, or "" before it first came up.
func (t *ngrokTunnel) PublicURL() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.url
}

// State returns the current state.
func (t *ngrokTunnel) State() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stateLocked()
}

func (t *ngrokTunnel) stateLocked() State {
	s := State{Mode: Ngrok, URL: t.url}
	if t.closed {
		return s
	}
	s.Up = t.serving && t.linkErr == nil
	if !s.Up {
		s.Err = t.linkErr
		if s.Err == nil {
			s.Err = t.err
		}
	}
	return s
}

// update changes the state with f and reports the new state if it differs.
func (t *ngrokTunnel) update(f func()) {
	t.notifyMu.Lock()
	defer t.notifyMu.Unlock()
	t.mu.Lock()
	f()
	s := t.stateLocked()
	changed := !s.same(t.last)
	t.last = s
	t.mu.Unlock()
	if changed && t.cfg.OnState != nil {
		t.cfg.OnState(s)
	}
}

// link records the agent's connection to the service going down (err) or
// coming back (nil).
func (t *ngrokTunnel) link(err error) {
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return // the agent disconnecting after Close is no news
	}
	if err != nil && strings.HasPrefix(err.Error(), "authentication failed") {
		err = fmt.Errorf("%w (%v)", ErrNgrokAuth, err)
	}
	if err != nil {
		t.cfg.logf("tunnel: ngrok connection lost: %v", err)
	}
	t.update(func() { t.linkErr = err })
}

// run opens endpoints and serves them until ctx is done.
func (t *ngrokTunnel) run(ctx context.Context) {
	defer close(t.done)
	// Stopped, by Close or by ctx: no longer up, and no URL to give out.
	defer t.update(func() { t.closed, t.serving, t.url = true, false, "" })
	wait := t.wait
	for {
		ln, url, err := t.agent.Listen(ctx, t.cfg.NgrokDomain)
		if ctx.Err() != nil {
			if ln != nil {
				_ = ln.Close()
			}
			return
		}
		if err != nil {
			t.cfg.logf("tunnel: could not open the ngrok endpoint: %v", err)
			t.update(func() { t.err = fmt.Errorf("could not open the ngrok endpoint: %w", err) })
		} else {
			t.update(func() { t.url, t.serving, t.err = url, true, nil })
			began := time.Now()
			err = t.serve(ctx, ln)
			if ctx.Err() != nil {
				return
			}
			t.cfg.logf("tunnel: the ngrok endpoint was lost, opening it again: %v", err)
			t.update(func() { t.serving, t.err = false, fmt.Errorf("the ngrok endpoint was lost: %w", err) })
			if time.Since(began) >= t.wait.Max {
				wait.Reset() // it had been stable: this is a fresh problem
			}
		}
		timer := time.NewTimer(wait.Next())
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

// serve serves h on ln until ln fails (returning why) or ctx is done (then
// deliveries in progress are finished, for up to shutdownTimeout).
func (t *ngrokTunnel) serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           t.h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(logWriter{t.cfg}, "tunnel: ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-served:
	case <-ctx.Done():
	}
	// Either way, let deliveries being stored finish and be answered, then
	// drop what is left, so no connection outlives this endpoint.
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		_ = srv.Close()
	}
	if err == nil {
		<-served
	}
	return err
}

// Close stops serving, closes the endpoint and disconnects the agent.
func (t *ngrokTunnel) Close() error {
	t.closeOnce.Do(func() {
		t.cancel()
		<-t.done
		t.closeErr = t.agent.Close()
	})
	return t.closeErr
}

// logWriter sends net/http's own messages to Config.Logf.
type logWriter struct{ cfg Config }

func (w logWriter) Write(p []byte) (int, error) {
	w.cfg.logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
