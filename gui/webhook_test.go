package gui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/tunnel"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// testCreds are made-up webhook credentials.
var testCreds = webhook.Credentials{Path: "/halo/path-token", Username: "halosync-user", Password: "pa55-word-secret"}

func webhookWindow(t *testing.T, tk fakeTickets) (*Window, *fakeBackend, *webhookSection) {
	t.Helper()
	f := &fakeBackend{status: connectedStatus(), tk: tk}
	u := newTestWindow(t, f, Options{})
	return u, f, u.conn.hook
}

func TestWebhookSaveSendsChosenSettings(t *testing.T) {
	for _, c := range []struct {
		name string
		fill func(w *webhookSection)
		want app.TunnelSettings
	}{
		{"none", func(w *webhookSection) { w.mode.SetSelected(choiceNone) },
			app.TunnelSettings{Mode: tunnel.None, Auth: webhook.AuthBasic, SignatureHeader: webhook.DefaultSignatureHeader}},
		{"own tunnel", func(w *webhookSection) {
			w.mode.SetSelected(choiceExternal)
			test.Type(w.external, " https://halo.example.com ")
			test.Type(w.listen, "127.0.0.1:9000")
		}, app.TunnelSettings{Mode: tunnel.External, ExternalURL: "https://halo.example.com", Listen: "127.0.0.1:9000",
			Auth: webhook.AuthBasic, SignatureHeader: webhook.DefaultSignatureHeader}},
		{"ngrok", func(w *webhookSection) {
			w.mode.SetSelected(choiceNgrok)
			test.Type(w.token, "2abcDEF_ghijklmnopqrstuvwxyz0123")
			test.Type(w.domain, "halo.ngrok.app")
		}, app.TunnelSettings{Mode: tunnel.Ngrok, NgrokToken: "2abcDEF_ghijklmnopqrstuvwxyz0123", NgrokDomain: "halo.ngrok.app",
			Auth: webhook.AuthBasic, SignatureHeader: webhook.DefaultSignatureHeader}},
		{"signature header", func(w *webhookSection) {
			w.mode.SetSelected(choiceNone)
			w.auth.SetSelected(authChoiceHMAC)
			w.header.SetText("")
			test.Type(w.header, " Token ")
		}, app.TunnelSettings{Mode: tunnel.None, Auth: webhook.AuthHMAC, SignatureHeader: "Token"}},
		{"both, default header", func(w *webhookSection) {
			w.auth.SetSelected(authChoiceBoth)
			w.header.SetText("")
		}, app.TunnelSettings{Mode: tunnel.None, Auth: webhook.AuthBoth, SignatureHeader: webhook.DefaultSignatureHeader}},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, f, w := webhookWindow(t, fakeTickets{})
			ui(u, func() { c.fill(w) })
			tap(u, w.save)
			u.work.wait()
			f.locked(func() {
				if len(f.tk.tunnels) != 1 || f.tk.tunnels[0] != c.want {
					t.Errorf("SetTunnel calls %+v, want one with %+v", f.tk.tunnels, c.want)
				}
			})
			if w.saveMsg.Text != "Saved." || w.token.Text != "" {
				t.Errorf("after Save: message %q, token left in the form: %v", w.saveMsg.Text, w.token.Text != "")
			}
		})
	}
}

func TestWebhookSaveError(t *testing.T) {
	u, _, w := webhookWindow(t, fakeTickets{tunnelErr: fmt.Errorf("tunnel: %w", tunnel.ErrBadNgrokToken)})
	ui(u, func() { w.mode.SetSelected(choiceNgrok) })
	tap(u, w.save)
	u.work.wait()
	if !strings.Contains(w.saveMsg.Text, "does not look like an ngrok authtoken") || w.saveMsg.Importance != widget.DangerImportance {
		t.Errorf("message %q", w.saveMsg.Text)
	}
	if w.save.Disabled() {
		t.Error("Save stays disabled after a failure")
	}
}

func TestWebhookShowsCredentialsAndCopies(t *testing.T) {
	u, _, w := webhookWindow(t, fakeTickets{tunnel: app.TunnelSettings{Mode: tunnel.External, ExternalURL: "https://halo.example.com",
		Listen: app.DefaultListen}, hookUp: true, hookURL: "https://halo.example.com", creds: testCreds})
	if w.mode.Selected != choiceExternal || w.external.Text != "https://halo.example.com" || w.externalBox.Hidden || !w.ngrokBox.Hidden {
		t.Errorf("form not filled from the saved settings: mode %q, URL %q", w.mode.Selected, w.external.Text)
	}
	if w.state.Importance != widget.SuccessImportance || !strings.Contains(w.state.Text, "Webhook is up") {
		t.Errorf("state %q", w.state.Text)
	}
	if u.status.webhook.Text != "Webhook: up" {
		t.Errorf("status bar webhook %q", u.status.webhook.Text)
	}
	if w.pass.Text != masked || strings.Contains(w.pass.Text, testCreds.Password) {
		t.Error("the password shows before it is revealed")
	}
	clip := u.app.Clipboard()
	for _, c := range []struct {
		b    *widget.Button
		want string
	}{{w.copyURL, "https://halo.example.com/halo/path-token"}, {w.copyUser, "halosync-user"}, {w.copyPass, "pa55-word-secret"}} {
		tap(u, c.b)
		if got := clip.Content(); got != c.want {
			t.Errorf("clipboard %q, want %q", got, c.want)
		}
		if c.b.Text != "Copied" {
			t.Errorf("the button reads %q after copying", c.b.Text)
		}
	}
	tap(u, w.reveal)
	if w.pass.Text != testCreds.Password || w.reveal.Text != "Hide" {
		t.Errorf("after Show the password reads %q", w.pass.Text)
	}
	tap(u, w.reveal)
	if w.pass.Text != masked {
		t.Error("Hide does not mask the password again")
	}
}

func TestWebhookTest(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
		imp  widget.Importance
	}{
		{"works", nil, "It works", widget.SuccessImportance},
		{"not forwarded", fmt.Errorf("tunnel self-test: %w", tunnel.ErrNotForwarded), "does not pass requests on to HaloSync", widget.DangerImportance},
		{"unreachable", fmt.Errorf("tunnel self-test: %w", tunnel.ErrUnreachable), "Nothing answers at the public URL", widget.DangerImportance},
		{"not arrived", fmt.Errorf("tunnel self-test: %w", tunnel.ErrNotArrived), "never reached this HaloSync", widget.DangerImportance},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, f, w := webhookWindow(t, fakeTickets{tunnel: app.TunnelSettings{Mode: tunnel.Ngrok}, hookUp: true,
				hookURL: "https://abc.ngrok.app", creds: testCreds, testErr: c.err})
			if w.test.Disabled() {
				t.Fatal("Test webhook is disabled with a tunnel up")
			}
			tap(u, w.test)
			u.work.wait()
			f.locked(func() {
				if f.tk.tests != 1 {
					t.Errorf("TestWebhook called %d times", f.tk.tests)
				}
			})
			if !strings.Contains(w.testMsg.Text, c.want) || w.testMsg.Importance != c.imp {
				t.Errorf("result %q (importance %v), want it to contain %q", w.testMsg.Text, w.testMsg.Importance, c.want)
			}
			if strings.Contains(w.testMsg.Text, testCreds.Password) || strings.Contains(w.testMsg.Text, testCreds.Path) {
				t.Error("the result shows a credential")
			}
		})
	}
}

func TestWebhookStatusBar(t *testing.T) {
	u, f, w := webhookWindow(t, fakeTickets{})
	if u.status.webhook.Text != "Polling" || !w.details.Hidden || !w.test.Disabled() {
		t.Errorf("without a tunnel: status bar %q, details hidden %v, test disabled %v",
			u.status.webhook.Text, w.details.Hidden, w.test.Disabled())
	}
	f.locked(func() { f.tk.tunnel, f.tk.creds = app.TunnelSettings{Mode: tunnel.Ngrok}, testCreds })
	ui(u, u.onTick)
	u.work.wait()
	if u.status.webhook.Text != "Webhook: problem" || u.status.webhook.Importance != widget.DangerImportance {
		t.Errorf("ngrok not up: status bar %q", u.status.webhook.Text)
	}
	if !strings.Contains(w.state.Text, "ngrok tunnel is not up") || !strings.Contains(w.problem.Text, "ngrok: connecting") || w.url.Text != "(appears once the tunnel is up)" || !w.copyURL.Disabled() {
		t.Errorf("state %q, URL %q", w.state.Text, w.url.Text)
	}
}

func TestDemoSecretKeptInMemory(t *testing.T) {
	demo := &fakeBackend{status: connectedStatus()}
	u := newTestWindow(t, nil, Options{Demo: true, OpenDemo: func(context.Context) (Backend, error) { return demo, nil }})
	if p := u.conn.secret.PlaceHolder; strings.Contains(p, "stored in the system keychain") || !strings.Contains(p, "memory") {
		t.Errorf("demo mode secret placeholder %q", p)
	}
	if p := u.conn.hook.token.PlaceHolder; !strings.Contains(p, "memory") {
		t.Errorf("demo mode authtoken placeholder %q", p)
	}
}

// TestWebhookSignatureAuth shows a webhook that requires the signature
// header: the form shows the choice and header name, the details show the
// header name and the secret masked (with Show and Copy) instead of the
// Basic credentials, and changing the choice asks for a Save.
func TestWebhookSignatureAuth(t *testing.T) {
	creds := testCreds
	creds.HMACSecret = "hmac-secret-do-not-show"
	u, f, w := webhookWindow(t, fakeTickets{tunnel: app.TunnelSettings{Mode: tunnel.External, ExternalURL: "https://halo.example.com",
		Listen: app.DefaultListen, Auth: webhook.AuthHMAC, SignatureHeader: "Token"}, hookUp: true, hookURL: "https://halo.example.com", creds: creds})
	if w.auth.Selected != authChoiceHMAC || w.header.Text != "Token" || w.headerBox.Hidden {
		t.Errorf("form: choice %q, header %q (hidden %v)", w.auth.Selected, w.header.Text, w.headerBox.Hidden)
	}
	if !w.basicRows.Hidden || w.signRows.Hidden || w.headerName.Text != "Token" {
		t.Errorf("details: Basic rows hidden %v, signature rows hidden %v, header %q", w.basicRows.Hidden, w.signRows.Hidden, w.headerName.Text)
	}
	if w.secret.Text != masked {
		t.Errorf("the secret shows before it is revealed: %q", w.secret.Text)
	}
	if w.saveMsg.Visible() {
		t.Errorf("a saved form says %q", w.saveMsg.Text)
	}
	clip := u.app.Clipboard()
	tap(u, w.copySecret)
	if clip.Content() != creds.HMACSecret {
		t.Errorf("clipboard after copying the secret: %q", clip.Content())
	}
	tap(u, w.copyHeader)
	if clip.Content() != "Token" {
		t.Errorf("clipboard after copying the header name: %q", clip.Content())
	}
	tap(u, w.showSecret)
	if w.secret.Text != creds.HMACSecret || w.showSecret.Text != "Hide" {
		t.Errorf("after Show: %q", w.secret.Text)
	}
	tap(u, w.showSecret)
	if w.secret.Text != masked {
		t.Error("Hide does not mask the secret again")
	}

	// Back to Basic: not saved until Save, then sent.
	ui(u, func() { w.auth.SetSelected(authChoiceBasic) })
	if !w.headerBox.Hidden || !strings.Contains(w.saveMsg.Text, "Not saved yet") {
		t.Errorf("after choosing Basic: header shown %v, message %q", !w.headerBox.Hidden, w.saveMsg.Text)
	}
	tap(u, w.save)
	u.work.wait()
	f.locked(func() {
		if n := len(f.tk.tunnels); n != 1 || f.tk.tunnels[0].Auth != webhook.AuthBasic {
			t.Errorf("SetTunnel calls %+v", f.tk.tunnels)
		}
	})
	if w.basicRows.Hidden || !w.signRows.Hidden {
		t.Errorf("after saving Basic: Basic rows hidden %v, signature rows hidden %v", w.basicRows.Hidden, w.signRows.Hidden)
	}
}
