package tunnel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

func TestNormalizeExternalURL(t *testing.T) {
	cases := []struct {
		in, want string
		err      error // nil: any error is wrong; errAny: some error
	}{
		{"https://halo.example.com", "https://halo.example.com", nil},
		{"  https://halo.example.com/  ", "https://halo.example.com", nil},
		{"HTTPS://Halo.Example.COM/hooks/", "https://halo.example.com/hooks", nil},
		{"https://example.com/a/b//", "https://example.com/a/b", nil},
		{"https://example.com:8443/x", "https://example.com:8443/x", nil},
		{"https://tail1234.ts.net", "https://tail1234.ts.net", nil},
		{"http://127.0.0.1:8080/prefix/", "http://127.0.0.1:8080/prefix", nil},
		{"http://localhost:9000", "http://localhost:9000", nil},
		{"http://[::1]:9000", "http://[::1]:9000", nil},
		{"http://halo.example.com", "", ErrInsecureURL},
		{"http://192.168.1.10:8080", "", ErrInsecureURL},
		{"http://localhost.example.com", "", ErrInsecureURL},
		{"", "", errAny},
		{"halo.example.com", "", errAny},
		{"ftp://halo.example.com", "", errAny},
		{"https://", "", errAny},
		{"https://user:pw@halo.example.com", "", errAny},
		{"https://halo.example.com/?x=1", "", errAny},
		{"https://halo.example.com/#frag", "", errAny},
		{"https://halo.example.com/?", "", errAny},
	}
	for _, c := range cases {
		got, err := NormalizeExternalURL(c.in)
		switch {
		case c.err == nil && (err != nil || got != c.want):
			t.Errorf("NormalizeExternalURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
		case c.err == errAny && err == nil:
			t.Errorf("NormalizeExternalURL(%q) = %q, want an error", c.in, got)
		case c.err != nil && c.err != errAny && !errors.Is(err, c.err):
			t.Errorf("NormalizeExternalURL(%q) error %v, want %v", c.in, err, c.err)
		}
		if c.in != "" && err != nil && strings.Contains(err.Error(), "user:pw") {
			t.Errorf("error %q repeats a password", err)
		}
	}
}

var errAny = errors.New("any error")

func TestOpenNoneAndExternal(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []Mode{"", None} {
		tun, err := Open(ctx, Config{Mode: mode}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tun.PublicURL() != "" || tun.State() != (State{Mode: None}) || tun.Close() != nil {
			t.Errorf("mode %q: url %q, state %+v", mode, tun.PublicURL(), tun.State())
		}
	}
	tun, err := Open(ctx, Config{Mode: External, ExternalURL: "https://Halo.example.com/in/"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := tun.State(); got != (State{Mode: External, URL: "https://halo.example.com/in", Up: true}) {
		t.Errorf("state %+v", got)
	}
	creds := webhook.Credentials{Path: "/halo/secret"}
	if got := WebhookURL(tun.PublicURL(), creds); got != "https://halo.example.com/in/halo/secret" {
		t.Errorf("WebhookURL = %q", got)
	}
	if WebhookURL("", creds) != "" {
		t.Error("WebhookURL without a public URL should be empty")
	}
	if _, err := Open(ctx, Config{Mode: External, ExternalURL: "http://halo.example.com"}, nil, nil); !errors.Is(err, ErrInsecureURL) {
		t.Errorf("plain http: %v", err)
	}
	if _, err := Open(ctx, Config{Mode: "carrier-pigeon"}, nil, nil); err == nil {
		t.Error("an unknown mode opened")
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": None, "none": None, " Ngrok ": Ngrok, "external": External} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseMode("vpn"); err == nil {
		t.Error("ParseMode(vpn) succeeded")
	}
}

// A real token's shape: base62 with an underscore, about 49 characters.
const goodToken = "2abcDEFghiJKLmnoPQRstuVWX_1a2B3c4D5e6F7g8H9i0JkLm"

func TestSaveNgrokToken(t *testing.T) {
	s := secrets.NewMemory()
	for _, bad := range []string{"", "short_token", "has space in the middle of it ok", "semi;colon;semi;colon;semi;colon", strings.Repeat("a", 201)} {
		err := SaveNgrokToken(s, bad)
		if !errors.Is(err, ErrBadNgrokToken) {
			t.Errorf("SaveNgrokToken(%q) = %v, want ErrBadNgrokToken", bad, err)
		}
		if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error %q repeats the token", err)
		}
	}
	if s.Len() != 0 {
		t.Fatal("a bad token was stored")
	}
	if err := SaveNgrokToken(s, " "+goodToken+"\n"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(NgrokTokenKey); got != goodToken {
		t.Errorf("stored %q", got)
	}
	s.SetFailure(fmt.Errorf("locked: %w", secrets.ErrUnavailable))
	if err := SaveNgrokToken(s, goodToken); !errors.Is(err, secrets.ErrUnavailable) || strings.Contains(err.Error(), goodToken) {
		t.Errorf("locked keychain: %v", err)
	}
}

func TestOpenNgrokNeedsToken(t *testing.T) {
	ctx := context.Background()
	h := webhookHandler(t)
	s := secrets.NewMemory()
	_, err := Open(ctx, Config{Mode: Ngrok}, h, s)
	if !errors.Is(err, ErrNoNgrokToken) || !strings.Contains(err.Error(), "add your ngrok authtoken in Connection > Webhooks") {
		t.Errorf("no token: %v", err)
	}
	if _, err := Open(ctx, Config{Mode: Ngrok}, h, nil); !errors.Is(err, ErrNoNgrokToken) {
		t.Errorf("no store: %v", err)
	}
	s.SetFailure(fmt.Errorf("locked: %w", secrets.ErrUnavailable))
	if _, err := Open(ctx, Config{Mode: Ngrok}, h, s); !errors.Is(err, secrets.ErrUnavailable) {
		t.Errorf("locked keychain: %v", err)
	}
	s.SetFailure(nil)
	_ = s.Set(NgrokTokenKey, goodToken)
	if _, err := Open(ctx, Config{Mode: Ngrok, NgrokDomain: "https://x.ngrok.app/path"}, h, s); err == nil {
		t.Error("a domain with a path was accepted")
	}
	if _, err := Open(ctx, Config{Mode: Ngrok}, nil, s); err == nil {
		t.Error("ngrok without a handler was accepted")
	}
}

func TestNormalizeDomain(t *testing.T) {
	for in, want := range map[string]string{
		"": "", " acme.ngrok.app ": "acme.ngrok.app", "https://Acme.ngrok.app/": "acme.ngrok.app",
		"http://acme.ngrok.dev": "acme.ngrok.dev",
	} {
		if got, err := normalizeDomain(in); err != nil || got != want {
			t.Errorf("normalizeDomain(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"https://", "a b.ngrok.app", "acme.ngrok.app/x", "acme.ngrok.app:443", "u@acme.ngrok.app"} {
		if _, err := normalizeDomain(bad); err == nil {
			t.Errorf("normalizeDomain(%q) accepted", bad)
		}
	}
}

func TestStateString(t *testing.T) {
	cases := map[string]State{
		"no tunnel: polling for changes":         {Mode: None},
		"ngrok: https://a.ngrok.app":             {Mode: Ngrok, URL: "https://a.ngrok.app", Up: true},
		"ngrok: connecting":                      {Mode: Ngrok},
		"ngrok: not reachable: no route to host": {Mode: Ngrok, Err: errors.New("no route to host")},
	}
	for want, s := range cases {
		if got := s.String(); got != want {
			t.Errorf("%+v: %q, want %q", s, got, want)
		}
	}
}
