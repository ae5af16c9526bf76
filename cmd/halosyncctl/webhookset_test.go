package main

import (
	"context"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/app"
)

func TestWebhookSetAndTest(t *testing.T) {
	e := newEnv(t)
	if r := e.run("", "webhook", "test"); r.code != 1 || !strings.Contains(r.stderr, "no public webhook URL") {
		t.Fatalf("test without a tunnel: %v", r)
	}
	if r := e.run("", "webhook", "set", "--mode", "bogus"); r.code != 2 {
		t.Fatalf("bad mode: %v", r)
	}
	if r := e.run("", "webhook", "set", "--mode", "external", "--public-url", "http://halo-hooks.example.com"); r.code != 1 {
		t.Fatalf("plain http to a remote host: %v", r)
	}
	r := e.must("", "webhook", "set", "--mode", "external", "--public-url", "https://hooks.example.com/halosync/")
	wantContains(t, "set", r.stdout, "external")
	info := e.must("", "webhook", "info").stdout
	wantContains(t, "info", info, "Payload URL:     https://hooks.example.com/halosync/")
	if r := e.run("", "webhook", "set", "--mode", "ngrok", "--ngrok-token-stdin"); r.code != 2 {
		t.Fatalf("ngrok without a token on stdin: %v", r)
	}
	e.must("", "webhook", "set", "--mode", "none")
}

// TestWebhookSetAuth switches the webhook to a signature header and back,
// and checks what `webhook info` tells the user to enter in HaloPSA, the
// secret only with --reveal.
func TestWebhookSetAuth(t *testing.T) {
	e := newEnv(t)
	for _, bad := range [][]string{
		{"--auth", "bogus"},
		{"--public-url", "https://hooks.example.com"}, // needs --mode
		{},
	} {
		if r := e.run("", append([]string{"webhook", "set"}, bad...)...); r.code != 2 {
			t.Errorf("webhook set %v: want exit 2: %v", bad, r)
		}
	}
	if r := e.run("", "webhook", "set", "--auth", "hmac", "--header", "X_Halo_Signature"); r.code != 1 || !strings.Contains(r.stderr, "underscores") {
		t.Errorf("a header name with underscores: %v", r)
	}
	r := e.must("", "webhook", "set", "--auth", "hmac")
	wantContains(t, "set --auth hmac", r.stdout, "Webhook delivery: none", "signature header X-Halo-Signature")

	a, err := app.Open(app.Config{DataDir: e.dir, Secrets: e.mem})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := a.WebhookCredentials(context.Background())
	a.Close()
	if err != nil || creds.HMACSecret == "" {
		t.Fatalf("credentials %v, %v", creds, err)
	}
	hidden := e.must("", "webhook", "info").stdout
	wantContains(t, "info", hidden, "API Key", "Header name:   X-Halo-Signature", "base64(HMAC-SHA256(secret, raw body))", "--reveal")
	if strings.Contains(hidden, creds.HMACSecret) || strings.Contains(hidden, "Basic Authentication") || strings.Contains(hidden, creds.Password) {
		t.Errorf("info in hmac mode shows a secret or Basic credentials:\n%s", hidden)
	}
	shown := e.must("", "webhook", "info", "--reveal").stdout
	wantContains(t, "info --reveal", shown, "Secret:        "+creds.HMACSecret)

	// A tunnel change keeps the authentication; --auth both asks for both.
	e.must("", "webhook", "set", "--mode", "external", "--public-url", "https://hooks.example.com")
	wantContains(t, "info after a tunnel change", e.must("", "webhook", "info").stdout, "Header name:   X-Halo-Signature")
	r = e.must("", "webhook", "set", "--auth", "both", "--header", "token:")
	wantContains(t, "set --auth both", r.stdout, "Webhook delivery: external", "Basic and signature header Token")
	both := e.must("", "webhook", "info", "--reveal").stdout
	wantContains(t, "info in both modes", both, "Basic Authentication", "Password:      "+creds.Password,
		"Header name:   Token", "Secret:        "+creds.HMACSecret, "Both are required")
	e.must("", "webhook", "set", "--auth", "basic")
	if basic := e.must("", "webhook", "info").stdout; strings.Contains(basic, "Header name") || !strings.Contains(basic, "Basic Authentication") {
		t.Errorf("info back in basic mode:\n%s", basic)
	}
	for _, l := range e.logs("--limit", "100") {
		if strings.Contains(l.Message, creds.HMACSecret) {
			t.Errorf("the sync log shows the signature secret: %+v", l)
		}
	}
}
