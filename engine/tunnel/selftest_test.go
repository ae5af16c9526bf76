package tunnel

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// station is one HaloSync: a real receiver on loopback with its own inbox.
type station struct {
	creds webhook.Credentials
	db    *store.DB
	recv  *webhook.Receiver
	base  string // the local receiver's base URL, without the path
}

func newStation(t *testing.T, creds webhook.Credentials) *station {
	t.Helper()
	return newAuthStation(t, creds, webhook.Auth{})
}

// newAuthStation is a station whose receiver authenticates by auth.
func newAuthStation(t *testing.T, creds webhook.Credentials, auth webhook.Auth) *station {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := &station{creds: creds, db: db, recv: &webhook.Receiver{Creds: creds, Auth: auth, Sink: db}}
	ctx, cancel := context.WithCancel(context.Background())
	u, wait, err := webhook.Listen(ctx, "", st.recv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := wait(); err != nil {
			t.Error(err)
		}
	})
	st.base = strings.TrimSuffix(u, creds.Path)
	return st
}

func newCreds(t *testing.T) webhook.Credentials {
	t.Helper()
	c, err := webhook.NewCredentials()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// webhookHandler is a receiver with an inbox, for tests that only need a
// handler.
func webhookHandler(t *testing.T) http.Handler {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &webhook.Receiver{Creds: newCreds(t), Sink: db}
}

// forwarder stands in for cloudflared, ngrok or a reverse proxy: a public
// server that passes every request on to target, with the path rewritten.
func forwarder(t *testing.T, target string, path func(string) string) *httptest.Server {
	t.Helper()
	to, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = to.Scheme, to.Host
			pr.Out.URL.Path, pr.Out.URL.RawPath = path(pr.In.URL.Path), ""
			pr.Out.Host = to.Host
		},
		ErrorLog: quietLog(),
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv
}

func same(p string) string { return p }

// selfTest runs SelfTest with a bounded context and checks that its error
// reveals no secret.
func selfTest(t *testing.T, ctx context.Context, publicURL string, creds webhook.Credentials, wait func(context.Context, string) error) error {
	t.Helper()
	return selfTestAuth(t, ctx, publicURL, creds, webhook.Auth{}, wait)
}

// selfTestAuth is selfTest authenticating as auth asks.
func selfTestAuth(t *testing.T, ctx context.Context, publicURL string, creds webhook.Credentials, auth webhook.Auth,
	wait func(context.Context, string) error) error {
	t.Helper()
	err := SelfTest(ctx, publicURL, creds, auth, &http.Client{}, wait)
	if err != nil {
		for _, secret := range []string{creds.Path, creds.Password, creds.HMACSecret, strings.TrimPrefix(creds.Path, "/halo/")} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q reveals a secret", err)
			}
		}
	}
	return err
}

func TestSelfTestThroughForwarder(t *testing.T) {
	st := newStation(t, newCreds(t))
	fwd := forwarder(t, st.base, same)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := selfTest(t, ctx, fwd.URL, st.creds, InboxWaiter(st.db)); err != nil {
		t.Fatalf("self-test through a working forwarder: %v", err)
	}
	items, err := st.db.InboxByStatus(ctx, store.InboxUnreadable, 10)
	if err != nil || len(items) != 1 || !strings.Contains(string(items[0].Body), SelfTestEvent) {
		t.Fatalf("inbox holds %+v, %v; want the self-test delivery", items, err)
	}
	if _, err := st.db.InboxByDelivery(ctx, items[0].DeliveryID); err != nil {
		t.Error(err)
	}
	// A second run sends a new delivery, not a re-sent one.
	if err := selfTest(t, ctx, fwd.URL, st.creds, InboxWaiter(st.db)); err != nil {
		t.Fatal(err)
	}
}

func TestSelfTestKeepsPathPrefix(t *testing.T) {
	st := newStation(t, newCreds(t))
	// A reverse proxy that publishes HaloSync under /halosync only.
	fwd := forwarder(t, st.base, func(p string) string {
		if rest, ok := strings.CutPrefix(p, "/halosync/"); ok {
			return "/" + rest
		}
		return "/not-halosync" + p
	})
	public, err := NormalizeExternalURL(fwd.URL + "/halosync/")
	if err != nil {
		t.Fatal(err)
	}
	tun, err := Open(context.Background(), Config{Mode: External, ExternalURL: public}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := selfTest(t, ctx, tun.PublicURL(), st.creds, InboxWaiter(st.db)); err != nil {
		t.Fatalf("through %s: %v", tun.PublicURL(), err)
	}
	if err := selfTest(t, ctx, fwd.URL, st.creds, InboxWaiter(st.db)); !errors.Is(err, ErrNotForwarded) {
		t.Fatalf("without the prefix: %v, want ErrNotForwarded", err)
	}
}

func TestSelfTestFailures(t *testing.T) {
	st := newStation(t, newCreds(t))
	// Another HaloSync with the same credentials but its own inbox.
	other := newStation(t, st.creds)
	otherCreds := newCreds(t)
	otherCreds.Path = st.creds.Path // right path, other password

	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + dead.Addr().String()
	dead.Close()

	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example.com"+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer redirect.Close()
	forbidden := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "access denied", http.StatusForbidden)
	}))
	defer forbidden.Close()
	teapot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer teapot.Close()
	stuck := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stuck:
		case <-r.Context().Done():
		}
	}))
	defer hanging.Close()
	defer close(stuck)

	cases := []struct {
		name    string
		public  string
		creds   webhook.Credentials
		want    error
		wantMsg string
	}{
		{"wrong path", forwarder(t, st.base, func(p string) string { return "/hooks" + p }).URL, st.creds,
			ErrNotForwarded, "answered 404: the tunnel does not forward to HaloSync's webhook path"},
		{"wrong credentials", forwarder(t, st.base, same).URL, otherCreds,
			ErrCredentials, "answered 401: the tunnel forwards, but the webhook credentials differ"},
		{"another HaloSync", forwarder(t, other.base, same).URL, st.creds,
			ErrNotArrived, "the delivery was accepted but never reached HaloSync"},
		{"dead URL", deadURL, st.creds, ErrUnreachable, "the public URL does not answer"},
		{"tunnel without HaloSync behind", forwarder(t, deadURL, same).URL, st.creds,
			ErrUpstream, "answered 502 Bad Gateway"},
		{"redirect", redirect.URL, st.creds, ErrRedirected, "towards https://elsewhere.example.com)"},
		{"access policy", forbidden.URL, st.creds, ErrRefused, "answered 403"},
		{"odd answer", teapot.URL, st.creds, ErrUnexpectedAnswer, "418"},
		{"no answer", hanging.URL, st.creds, ErrSlow, "did not answer in time"},
		{"no tunnel", "", st.creds, ErrNoPublicURL, "no public webhook URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The short deadline stands in for the 10 to 15 s bounds.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			err := selfTest(t, ctx, c.public, c.creds, InboxWaiter(st.db))
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.wantMsg) {
				t.Fatalf("got %v\nwant %v containing %q", err, c.want, c.wantMsg)
			}
		})
	}
	n, err := st.db.InboxCounts(context.Background())
	if err != nil || n[store.InboxPending]+n[store.InboxUnreadable] != 0 {
		t.Errorf("failed self-tests stored something in this HaloSync's inbox: %v %v", n, err)
	}
}

func TestSelfTestCancelled(t *testing.T) {
	st := newStation(t, newCreds(t))
	ctx, cancel := context.WithCancel(context.Background())
	wait := func(ctx context.Context, id string) error {
		cancel() // the user pressed Cancel while waiting
		<-ctx.Done()
		return ctx.Err()
	}
	if err := selfTest(t, ctx, st.base, st.creds, wait); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	boom := errors.New("database is locked")
	fail := func(context.Context, string) error { return boom }
	if err := selfTest(t, context.Background(), st.base, st.creds, fail); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the lookup's error", err)
	}
	if err := selfTest(t, context.Background(), st.base, st.creds, nil); err != nil {
		t.Fatalf("answer only: %v", err)
	}
}

func TestNewGUID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id, err := newGUID()
		if err != nil || len(id) != 36 || id[14] != '4' || seen[id] {
			t.Fatalf("newGUID = %q, %v", id, err)
		}
		seen[id] = true
	}
	evs, err := webhook.Decode(selfTestBody("3f2504e0-4f89-41d3-9a0c-0305e82c3301"))
	if err != nil || len(evs) != 1 || evs[0].DeliveryID != "3f2504e0-4f89-41d3-9a0c-0305e82c3301" {
		t.Fatalf("the self-test body decodes as %+v, %v", evs, err)
	}
}

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

// TestSelfTestSigns checks the self-test authenticates as the receiver
// asks: with a signature header it passes, and with Basic credentials
// alone or another secret the receiver refuses it.
func TestSelfTestSigns(t *testing.T) {
	auth := webhook.Auth{Mode: webhook.AuthHMAC, Header: "Token"}
	st := newAuthStation(t, newCreds(t), auth)
	fwd := forwarder(t, st.base, same)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := selfTestAuth(t, ctx, fwd.URL, st.creds, auth, InboxWaiter(st.db)); err != nil {
		t.Fatalf("signed self-test: %v", err)
	}
	wrong := st.creds
	wrong.HMACSecret = newCreds(t).HMACSecret
	if err := selfTestAuth(t, ctx, fwd.URL, wrong, auth, nil); !errors.Is(err, ErrCredentials) {
		t.Fatalf("signed with another secret: %v, want ErrCredentials", err)
	}
	if err := selfTestAuth(t, ctx, fwd.URL, st.creds, webhook.Auth{}, nil); !errors.Is(err, ErrCredentials) {
		t.Fatalf("Basic credentials only: %v, want ErrCredentials", err)
	}
}
