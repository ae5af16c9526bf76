package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/tunnel"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

func TestWebhookAuthSettings(t *testing.T) {
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx := context.Background()
	s, err := a.TunnelSettings(ctx)
	if err != nil || s.Auth != webhook.AuthBasic || s.SignatureHeader != webhook.DefaultSignatureHeader {
		t.Fatalf("defaults: %+v, %v", s, err)
	}
	if err := a.SetTunnel(ctx, TunnelSettings{Mode: tunnel.None, Auth: "HMAC", SignatureHeader: " token: "}); err != nil {
		t.Fatal(err)
	}
	s, _ = a.TunnelSettings(ctx)
	if s.Auth != webhook.AuthHMAC || s.SignatureHeader != "Token" {
		t.Fatalf("after setting hmac: %+v", s)
	}
	// Empty fields keep what was saved: a caller changing the tunnel only
	// does not switch the authentication back.
	if err := a.SetTunnel(ctx, TunnelSettings{Mode: tunnel.None}); err != nil {
		t.Fatal(err)
	}
	if s, _ = a.TunnelSettings(ctx); s.Auth != webhook.AuthHMAC || s.SignatureHeader != "Token" {
		t.Fatalf("a tunnel-only change altered the authentication: %+v", s)
	}
	for _, bad := range []TunnelSettings{
		{Mode: tunnel.None, Auth: "hmak"},
		{Mode: tunnel.None, Auth: webhook.AuthHMAC, SignatureHeader: "X_Halo_Signature"},
		{Mode: tunnel.None, Auth: webhook.AuthBoth, SignatureHeader: "Authorization"},
		{Mode: tunnel.None, Auth: webhook.AuthBoth, SignatureHeader: "Content-Type"},
	} {
		if err := a.SetTunnel(ctx, bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	if s, _ = a.TunnelSettings(ctx); s.Auth != webhook.AuthHMAC || s.SignatureHeader != "Token" {
		t.Fatalf("a refused change was saved: %+v", s)
	}
	logs, _ := a.db.Logs(ctx, store.LogQuery{Search: "deliveries must carry a signature in Token"})
	if len(logs) == 0 {
		t.Error("the change of authentication is not in the sync log")
	}
}

// TestWebhookCredentialsGainASecret checks that credentials kept before
// signatures existed get a secret, keep everything else, and keep the
// secret from then on.
func TestWebhookCredentialsGainASecret(t *testing.T) {
	mem := secrets.NewMemory()
	a := openApp(t, t.TempDir(), mem)
	ctx := context.Background()
	legacy := `{"Path":"/halo/old-path-token-0123456789","Username":"halopsa","Password":"old-password-0123456789"}`
	if err := mem.Set(a.webhookKey(), legacy); err != nil {
		t.Fatal(err)
	}
	c, err := a.WebhookCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != "/halo/old-path-token-0123456789" || c.Password != "old-password-0123456789" || len(c.HMACSecret) < 40 {
		t.Fatalf("credentials %#v: want the old ones with a new secret", c)
	}
	stored, _ := mem.Get(a.webhookKey())
	var kept webhook.Credentials
	if err := json.Unmarshal([]byte(stored), &kept); err != nil || kept.HMACSecret != c.HMACSecret {
		t.Fatalf("the secret was not kept in the keychain: %v", err)
	}
	again, _ := a.WebhookCredentials(ctx)
	if again.HMACSecret != c.HMACSecret {
		t.Fatal("the secret changed on the next read")
	}
	logs, _ := a.db.Logs(ctx, store.LogQuery{Limit: 100})
	for _, l := range logs {
		if strings.Contains(l.Message, c.HMACSecret) || strings.Contains(l.Message, c.Password) {
			t.Errorf("the sync log shows a secret: %+v", l)
		}
	}
}

// TestSignedWebhookSelfTest runs the receiver requiring signatures behind
// a forwarder standing in for the user's tunnel: the self-test signs and
// passes, while a delivery with Basic credentials alone is refused.
func TestSignedWebhookSelfTest(t *testing.T) {
	_, simURL := startSim(t, halosim.Options{Seed: 62, Clients: 5})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(simURL, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	listen := freeAddr(t)
	target, _ := url.Parse("http://" + listen)
	forwarder := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	defer forwarder.Close()
	if err := a.SetTunnel(ctx, TunnelSettings{Mode: tunnel.External, ExternalURL: forwarder.URL, Listen: listen,
		Auth: webhook.AuthHMAC, SignatureHeader: "X-Hook-Signature"}); err != nil {
		t.Fatal(err)
	}
	a.Start(ctx)
	defer a.Stop()
	var st WebhookStatus
	eventually(t, "the receiver and tunnel", func() bool {
		st, _ = a.WebhookStatus(ctx)
		return st.Up && st.LocalURL != ""
	})
	if st.Settings.Auth != webhook.AuthHMAC || st.Credentials.HMACSecret == "" {
		t.Fatalf("status %+v lacks the authentication", st.Settings)
	}
	if err := a.TestWebhook(ctx); err != nil {
		t.Fatalf("signed self-test: %v", err)
	}
	body := `{"id":"basic-only","event":"Ticket Updated","object_id":5}`
	req, _ := http.NewRequest(http.MethodPost, st.PublicURL, strings.NewReader(body))
	req.SetBasicAuth(st.Credentials.Username, st.Credentials.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Basic credentials alone: %d, want 401", resp.StatusCode)
	}
	if _, err := a.db.InboxByDelivery(ctx, "basic-only"); err == nil {
		t.Fatal("a refused delivery was stored")
	}
}
