package tunnel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/backoff"
)

// fakeAgent stands in for ngrok: each endpoint is a loopback listener, so the
// tunnel's own logic runs for real, without the ngrok service.
type fakeAgent struct {
	mu      sync.Mutex
	fail    int  // the next fail calls to Listen fail
	block   bool // Listen blocks until ctx is done, as the SDK does while it cannot connect
	lns     []net.Listener
	calls   []time.Time
	domains []string
	closed  int
	link    func(error)
}

func (f *fakeAgent) Listen(ctx context.Context, domain string) (net.Listener, string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, time.Now())
	f.domains = append(f.domains, domain)
	if f.block {
		f.mu.Unlock()
		<-ctx.Done()
		return nil, "", ctx.Err()
	}
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		return nil, "", errors.New("fake: the service cannot be reached")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	f.lns = append(f.lns, ln)
	return ln, "http://" + ln.Addr().String(), nil
}

func (f *fakeAgent) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed++
	return nil
}

// drop closes the current endpoint, as when ngrok loses it.
func (f *fakeAgent) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lns[len(f.lns)-1].Close()
}

func (f *fakeAgent) callTimes() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.calls...)
}

// recorder keeps every State reported through OnState.
type recorder struct {
	mu     sync.Mutex
	states []State
}

func (r *recorder) add(s State) {
	r.mu.Lock()
	r.states = append(r.states, s)
	r.mu.Unlock()
}

// wait returns the first state from index from on that satisfies ok, and
// the index after it.
func (r *recorder) wait(t *testing.T, from int, what string, ok func(State) bool) (State, int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for i := from; i < len(r.states); i++ {
			if ok(r.states[i]) {
				s := r.states[i]
				r.mu.Unlock()
				return s, i + 1
			}
		}
		r.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t.Fatalf("no state %s; got %v", what, r.states)
	return State{}, 0
}

func isUp(s State) bool { return s.Up }

// startFake starts a tunnel over f serving h.
func startFake(t *testing.T, ctx context.Context, f *fakeAgent, h http.Handler, wait backoff.Backoff) (*ngrokTunnel, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg := Config{Mode: Ngrok, NgrokDomain: "acme.ngrok.app", OnState: rec.add, Logf: t.Logf}
	tun, err := startNgrok(ctx, cfg, h, func(link func(error)) (agent, error) {
		f.link = link
		return f, nil
	}, wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tun.Close() })
	return tun, rec
}

// pong answers every request with its path.
var pong = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong "+r.URL.Path) })

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestNgrokServesAndReconnects(t *testing.T) {
	f := &fakeAgent{fail: 3}
	tun, rec := startFake(t, context.Background(), f, pong, backoff.Backoff{Min: 10 * time.Millisecond, Max: 40 * time.Millisecond})

	down, i := rec.wait(t, 0, "with an error", func(s State) bool { return s.Err != nil })
	if down.Up || down.URL != "" || !strings.Contains(down.Err.Error(), "could not open the ngrok endpoint") {
		t.Errorf("while failing: %+v", down)
	}
	up, i := rec.wait(t, i, "up", isUp)
	if up.Err != nil || up.URL == "" || tun.PublicURL() != up.URL || tun.State() != up {
		t.Fatalf("up: %+v, PublicURL %q", up, tun.PublicURL())
	}
	calls := f.callTimes()
	for n, least := range []time.Duration{10, 20, 40} { // doubling, capped at max
		if gap := calls[n+1].Sub(calls[n]); gap < least*time.Millisecond {
			t.Errorf("attempt %d came %v after the one before, want at least %v ms", n+2, gap, least)
		}
	}
	c := &http.Client{}
	defer c.CloseIdleConnections()
	if got := get(t, c, up.URL+"/halo/x"); got != "pong /halo/x" {
		t.Errorf("through the endpoint: %q", got)
	}

	f.drop()
	lost, i := rec.wait(t, i, "down after the drop", func(s State) bool { return !s.Up })
	if lost.Err == nil || !strings.Contains(lost.Err.Error(), "endpoint was lost") || lost.URL != up.URL {
		t.Errorf("after the drop: %+v", lost)
	}
	again, _ := rec.wait(t, i, "up again", isUp)
	if again.URL == up.URL || tun.PublicURL() != again.URL {
		t.Errorf("after reconnecting: %+v, PublicURL %q (was %q)", again, tun.PublicURL(), up.URL)
	}
	if got := get(t, c, again.URL+"/y"); got != "pong /y" {
		t.Errorf("through the new endpoint: %q", got)
	}
	f.mu.Lock()
	for _, d := range f.domains {
		if d != "acme.ngrok.app" {
			t.Errorf("agent asked for domain %q", d)
		}
	}
	f.mu.Unlock()
}

func TestNgrokBackoffIsBounded(t *testing.T) {
	// Unbounded doubling from 1 ms would take 4 s for 12 failures; capped
	// at 4 ms it takes about 50 ms.
	f := &fakeAgent{fail: 12}
	_, rec := startFake(t, context.Background(), f, pong, backoff.Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond})
	start := time.Now()
	rec.wait(t, 0, "up", isUp)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("12 failed attempts took %v", d)
	}
}

func TestNgrokLinkState(t *testing.T) {
	f := &fakeAgent{}
	tun, rec := startFake(t, context.Background(), f, pong, backoff.Backoff{Min: time.Millisecond, Max: time.Millisecond})
	up, i := rec.wait(t, 0, "up", isUp)

	f.link(errors.New("authentication failed: The authtoken you specified is not valid. ERR_NGROK_107"))
	s := tun.State()
	if s.Up || !errors.Is(s.Err, ErrNgrokAuth) || s.URL != up.URL {
		t.Errorf("after an authentication failure: %+v", s)
	}
	f.link(errors.New("failed to dial ngrok server: no route to host"))
	if s := tun.State(); s.Up || s.Err == nil || errors.Is(s.Err, ErrNgrokAuth) {
		t.Errorf("network down: %+v", s)
	}
	f.link(nil)
	if s, _ := rec.wait(t, i, "up again", isUp); s != up {
		t.Errorf("after reconnecting: %+v, want %+v", s, up)
	}
}

func TestNgrokCloseStopsEverything(t *testing.T) {
	settle := func(want int) int {
		n := runtime.NumGoroutine()
		for deadline := time.Now().Add(3 * time.Second); n > want && time.Now().Before(deadline); n = runtime.NumGoroutine() {
			time.Sleep(10 * time.Millisecond)
		}
		return n
	}
	before := runtime.NumGoroutine()

	f := &fakeAgent{}
	tun, rec := startFake(t, context.Background(), f, pong, backoff.Backoff{Min: time.Millisecond, Max: time.Millisecond})
	up, i := rec.wait(t, 0, "up", isUp)
	c := &http.Client{} // keeps its connection open after the request
	if got := get(t, c, up.URL+"/"); got != "pong /" {
		t.Fatalf("got %q", got)
	}

	if err := tun.Close(); err != nil {
		t.Fatal(err)
	}
	if s := tun.State(); s.Up || s.URL != "" || s.Err != nil || tun.PublicURL() != "" {
		t.Errorf("after Close: %+v", s)
	}
	if last, _ := rec.wait(t, i, "closed", func(s State) bool { return !s.Up }); last.URL != "" {
		t.Errorf("last report %+v", last)
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(up.URL, "http://"), time.Second); err == nil {
		t.Error("the endpoint still accepts connections after Close")
	}
	if err := tun.Close(); err != nil || f.closed != 1 {
		t.Errorf("second Close: %v, agent closed %d times", err, f.closed)
	}
	c.CloseIdleConnections()
	if after := settle(before); after > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after Close:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func TestNgrokCloseIsPrompt(t *testing.T) {
	cases := map[string]*fakeAgent{
		"while connecting":   {block: true},   // the SDK retrying a dead network
		"while backing off":  {fail: 1 << 30}, // between attempts
		"with a failed link": {block: true},   // nothing ever came up
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			tun, rec := startFake(t, context.Background(), f, pong, backoff.Backoff{Min: time.Hour, Max: time.Hour})
			if name == "with a failed link" {
				f.link(errors.New("authentication failed: bad token"))
				rec.wait(t, 0, "with the link error", func(s State) bool { return errors.Is(s.Err, ErrNgrokAuth) })
			}
			for len(f.callTimes()) == 0 {
				time.Sleep(time.Millisecond)
			}
			start := time.Now()
			if err := tun.Close(); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Close took %v", d)
			}
			if s := tun.State(); s.Up || s.Err != nil {
				t.Errorf("after Close: %+v", s)
			}
		})
	}
}

func TestNgrokEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakeAgent{}
	tun, rec := startFake(t, ctx, f, pong, backoff.Backoff{Min: time.Millisecond, Max: time.Millisecond})
	_, i := rec.wait(t, 0, "up", isUp)
	cancel()
	rec.wait(t, i, "stopped", func(s State) bool { return !s.Up && s.URL == "" })
	if err := tun.Close(); err != nil || f.closed != 1 {
		t.Errorf("Close after ctx ended: %v, agent closed %d times", err, f.closed)
	}
}

func TestNgrokSelfTest(t *testing.T) {
	st := newStation(t, newCreds(t)) // its local listener is unused: ngrok serves the receiver itself
	f := &fakeAgent{}
	tun, rec := startFake(t, context.Background(), f, st.recv, backoff.Backoff{Min: time.Millisecond, Max: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	up, i := rec.wait(t, 0, "up", isUp)
	if err := selfTest(t, ctx, tun.PublicURL(), st.creds, InboxWaiter(st.db)); err != nil {
		t.Fatalf("self-test through the ngrok endpoint: %v", err)
	}
	f.drop()
	rec.wait(t, i, "up at a new URL", func(s State) bool { return s.Up && s.URL != up.URL })
	if err := selfTest(t, ctx, tun.PublicURL(), st.creds, InboxWaiter(st.db)); err != nil {
		t.Fatalf("self-test after reconnecting: %v", err)
	}
	if err := selfTest(t, ctx, up.URL, st.creds, InboxWaiter(st.db)); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("self-test through the lost endpoint: %v, want ErrUnreachable", err)
	}
}
