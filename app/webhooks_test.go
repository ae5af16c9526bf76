package app

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/tunnel"
)

// freeAddr finds a free loopback port for the receiver.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestExternalTunnelSelfTest plays the user's own tunnel (cloudflared, a
// reverse proxy) with a loopback forwarder to the receiver, and checks the
// self-test proves the path end to end, and fails clearly without one.
func TestExternalTunnelSelfTest(t *testing.T) {
	_, simURL := startSim(t, halosim.Options{Seed: 61, Clients: 5})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(simURL, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	if err := a.TestWebhook(ctx); !errors.Is(err, tunnel.ErrNoPublicURL) {
		t.Fatalf("self-test without a tunnel: %v", err)
	}
	listen := freeAddr(t)
	target, _ := url.Parse("http://" + listen)
	forwarder := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	defer forwarder.Close()

	if err := a.SetTunnel(ctx, TunnelSettings{Mode: tunnel.External, ExternalURL: "http://ftp.example.com"}); err == nil {
		t.Fatal("plain http to a remote host was accepted")
	}
	if err := a.SetTunnel(ctx, TunnelSettings{Mode: tunnel.External, ExternalURL: forwarder.URL, Listen: listen}); err != nil {
		t.Fatal(err)
	}
	a.Start(ctx)
	defer a.Stop()
	var st WebhookStatus
	eventually(t, "the receiver and tunnel", func() bool {
		st, _ = a.WebhookStatus(ctx)
		return st.Up && st.LocalURL != ""
	})
	if st.PublicURL != forwarder.URL+st.Credentials.Path {
		t.Fatalf("public URL = %q", st.PublicURL)
	}
	if err := a.TestWebhook(ctx); err != nil {
		t.Fatalf("self-test through the forwarder: %v", err)
	}
	// A second, separate HaloSync (another data folder) does not see it.
	other := openApp(t, t.TempDir(), secrets.NewMemory())
	if err := other.SetTunnel(ctx, TunnelSettings{Mode: tunnel.External, ExternalURL: forwarder.URL}); err != nil {
		t.Fatal(err)
	}
	if err := other.TestWebhook(ctx); err == nil {
		t.Fatal("a HaloSync whose receiver is not behind the URL passed the self-test")
	}
}

// TestWebhookSettingsRestartOnlyTheReceiver: a new listen address brings
// the receiver up there while an import runs on, uncancelled.
func TestWebhookSettingsRestartOnlyTheReceiver(t *testing.T) {
	_, simURL := startSim(t, halosim.Options{Seed: 33, Clients: 300, Latency: 100 * time.Millisecond})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(simURL, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	first, second := freeAddr(t), freeAddr(t)
	set := func(listen string) {
		t.Helper()
		if err := a.SetTunnel(ctx, TunnelSettings{Mode: tunnel.External, ExternalURL: "https://hooks.example.com", Listen: listen}); err != nil {
			t.Fatal(err)
		}
	}
	listening := func(addr string) bool {
		st, err := a.WebhookStatus(ctx)
		return err == nil && strings.Contains(st.LocalURL, addr)
	}
	set(first)
	a.Start(ctx)
	defer a.Stop()
	var run store.Run
	eventually(t, "the import to start and the receiver to listen", func() bool {
		var err error
		run, err = a.db.LastRun(ctx, store.KindImport)
		return err == nil && run.Status == store.StatusRunning && a.Syncing() && listening(first)
	})

	set(second)
	eventually(t, "the receiver on its new address", func() bool { return listening(second) })
	if c, err := net.Dial("tcp", second); err != nil {
		t.Errorf("nothing listens on the new address: %v", err)
	} else {
		c.Close()
	}
	if c, err := net.Dial("tcp", first); err == nil {
		c.Close()
		t.Error("the receiver still listens on the old address")
	}
	now, err := a.db.LastRun(ctx, store.KindImport)
	if err != nil || now.ID != run.ID || now.Status != store.StatusRunning || !a.Syncing() {
		t.Fatalf("the import did not run on through the restart: %+v (was %+v), %v", now, run, err)
	}
	eventually(t, "the import to finish", func() bool {
		now, err = a.db.LastRun(ctx, store.KindImport)
		return err == nil && now.Status != store.StatusRunning
	})
	if now.ID != run.ID || now.Status != store.StatusOK {
		t.Fatalf("the import ended %+v, want run %d succeeded", now, run.ID)
	}
}
