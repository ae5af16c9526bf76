package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/tunnel"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// DefaultListen is where the webhook receiver listens when a tunnel of the
// user's own (External) forwards to it: loopback only.
const DefaultListen = "127.0.0.1:8787"

// TunnelSettings is how HaloPSA's webhooks reach HaloSync, and how they
// prove they come from HaloPSA.
type TunnelSettings struct {
	Mode        tunnel.Mode // none (polling only), external or ngrok
	ExternalURL string      // External: the public base URL the user's tunnel serves
	NgrokDomain string      // Ngrok: an optional reserved domain
	Listen      string      // External: the local address the tunnel forwards to
	NgrokToken  string      // Ngrok: a new authtoken to keep in the keychain; empty keeps the stored one
	// Auth is what each delivery must carry: Basic credentials (the
	// default), a signature header, or both. Empty keeps the saved choice.
	Auth webhook.AuthMode
	// SignatureHeader names the signature header, as entered in HaloPSA;
	// empty keeps the saved name (at first webhook.DefaultSignatureHeader).
	SignatureHeader string
}

// WebhookAuth is the receiver's authentication these settings ask for.
func (s TunnelSettings) WebhookAuth() webhook.Auth {
	return webhook.Auth{Mode: s.Auth, Header: s.SignatureHeader}
}

// WebhookStatus is what the Connection tab and the status bar show.
type WebhookStatus struct {
	Settings    TunnelSettings // without the token
	LocalURL    string         // the receiver's local URL, "" when none runs
	PublicURL   string         // the URL to enter in HaloPSA, "" when none
	Up          bool
	Problem     string // why it is not up, in words
	Credentials webhook.Credentials
}

// TunnelSettings returns the saved settings.
func (a *App) TunnelSettings(ctx context.Context) (TunnelSettings, error) {
	get := func(k, def string) string { v, _ := a.db.Setting(ctx, k, def); return v }
	mode, err := tunnel.ParseMode(get("tunnel.mode", "none"))
	if err != nil {
		mode = tunnel.None
	}
	auth, err := webhook.ParseAuthMode(get("webhook.auth", string(webhook.AuthBasic)))
	if err != nil {
		auth = webhook.AuthBasic
	}
	return TunnelSettings{Mode: mode, ExternalURL: get("tunnel.external_url", ""),
		NgrokDomain: get("tunnel.ngrok_domain", ""), Listen: get("webhook.listen", DefaultListen),
		Auth: auth, SignatureHeader: get("webhook.signature_header", webhook.DefaultSignatureHeader)}, nil
}

// resolveAuth fills s's empty authentication fields from the saved
// settings and checks the result.
func (a *App) resolveAuth(ctx context.Context, s *TunnelSettings) error {
	saved, err := a.TunnelSettings(ctx)
	if err != nil {
		return err
	}
	if s.Auth == "" {
		s.Auth = saved.Auth
	} else if s.Auth, err = webhook.ParseAuthMode(string(s.Auth)); err != nil {
		return err
	}
	if strings.TrimSpace(s.SignatureHeader) == "" {
		s.SignatureHeader = saved.SignatureHeader
	}
	if s.SignatureHeader, err = webhook.CanonicalHeader(s.SignatureHeader); err != nil {
		return err
	}
	return s.WebhookAuth().Validate()
}

// SetTunnel validates and saves the settings (the ngrok token goes to the
// keychain) and, when the loops run, has the ticket loop restart the
// webhook receiver and tunnel with them; a running import goes on.
func (a *App) SetTunnel(ctx context.Context, s TunnelSettings) error {
	if err := a.resolveAuth(ctx, &s); err != nil {
		return err
	}
	switch s.Mode {
	case tunnel.External:
		u, err := tunnel.NormalizeExternalURL(s.ExternalURL)
		if err != nil {
			return err
		}
		s.ExternalURL = u
		if strings.TrimSpace(s.Listen) == "" {
			s.Listen = DefaultListen
		}
	case tunnel.Ngrok:
		if s.NgrokToken != "" {
			if err := tunnel.SaveNgrokToken(a.secrets, s.NgrokToken); err != nil {
				return err
			}
		}
	case tunnel.None:
	default:
		return fmt.Errorf("unknown tunnel mode %q", s.Mode)
	}
	if s.Auth.NeedsSignature() {
		// Made now, so that the secret to enter in HaloPSA can be shown
		// before the receiver first runs.
		if _, err := a.WebhookCredentials(ctx); err != nil {
			return err
		}
	}
	for k, v := range map[string]string{"tunnel.mode": string(s.Mode), "tunnel.external_url": s.ExternalURL,
		"tunnel.ngrok_domain": s.NgrokDomain, "webhook.listen": s.Listen,
		"webhook.auth": string(s.Auth), "webhook.signature_header": s.SignatureHeader} {
		if err := a.db.SetSetting(ctx, k, v); err != nil {
			return err
		}
	}
	a.log(ctx, store.Info, store.OpWebhook, "", fmt.Sprintf("Webhook delivery set to %s; deliveries must carry %s",
		s.Mode, authWords(s.WebhookAuth())))
	a.webhookChanged(WebhookSettings, nil)
	a.restartWebhook()
	return nil
}

// restartWebhook signals the ticket loop to restart the webhook receiver
// and tunnel with the saved settings. It never blocks; a loop that does not
// run reads the settings when it starts.
func (a *App) restartWebhook() {
	a.run.hookChanged.Store(true)
	send(a.run.ticketWake)
}

// WebhookStatus reports the receiver and tunnel as they are now.
func (a *App) WebhookStatus(ctx context.Context) (WebhookStatus, error) {
	s, err := a.TunnelSettings(ctx)
	if err != nil {
		return WebhookStatus{}, err
	}
	st := WebhookStatus{Settings: s}
	if s.Mode != tunnel.None {
		if st.Credentials, err = a.WebhookCredentials(ctx); err != nil {
			return st, err
		}
	}
	a.mu.Lock()
	st.LocalURL = a.hook.localURL
	t := a.hook.tunnel
	a.mu.Unlock()
	switch {
	case s.Mode == tunnel.None:
		st.Problem = "no webhook: HaloSync polls HaloPSA"
	case t == nil:
		st.Problem = "not running (HaloSync starts it with the sync)"
	default:
		ts := t.State()
		st.Up = ts.Up
		if ts.URL != "" {
			st.PublicURL = tunnel.WebhookURL(ts.URL, st.Credentials)
		}
		if !ts.Up {
			st.Problem = ts.String()
		}
	}
	return st, nil
}

// TestWebhook sends a test delivery through the public URL and waits for
// it to arrive here, proving HaloPSA can reach HaloSync.
//
// The public URL is the running tunnel's or, when HaloSync runs elsewhere
// (halosyncctl serve in another process, sharing this data folder), the
// saved external URL; the test delivery is looked for in the shared inbox.
func (a *App) TestWebhook(ctx context.Context) error {
	a.mu.Lock()
	t := a.hook.tunnel
	a.mu.Unlock()
	public := ""
	if t != nil {
		public = t.PublicURL()
	}
	if public == "" {
		s, err := a.TunnelSettings(ctx)
		if err != nil {
			return err
		}
		if s.Mode == tunnel.External {
			public = s.ExternalURL
		}
	}
	if public == "" {
		return tunnel.ErrNoPublicURL
	}
	creds, err := a.WebhookCredentials(ctx)
	if err != nil {
		return err
	}
	s, err := a.TunnelSettings(ctx)
	if err != nil {
		return err
	}
	err = tunnel.SelfTest(ctx, public, creds, s.WebhookAuth(), nil, tunnel.InboxWaiter(a.db))
	if err != nil {
		a.log(ctx, store.Error, store.OpWebhookTest, "", err.Error())
		a.webhookChanged(WebhookTested, err)
		return err
	}
	a.log(ctx, store.Info, store.OpWebhookTest, "", "A test delivery went through the public URL and arrived")
	a.webhookChanged(WebhookTested, nil)
	return nil
}

// hookState is the running receiver and tunnel, guarded by App.mu.
type hookState struct {
	localURL string
	tunnel   tunnel.Tunnel
}

// startWebhook starts the receiver and tunnel the settings ask for, and
// returns a func that stops them. With no tunnel and no listen address it
// starts nothing: HaloSync polls.
func (a *App) startWebhook(ctx context.Context, listen string) (stop func(), err error) {
	s, err := a.TunnelSettings(ctx)
	if err != nil {
		return nil, err
	}
	if s.Mode == tunnel.External && listen == "" {
		listen = s.Listen
	}
	if s.Mode == tunnel.None && listen == "" {
		return func() {}, nil
	}
	creds, err := a.WebhookCredentials(ctx)
	if err != nil {
		return nil, err
	}
	rcv := &webhook.Receiver{Creds: creds, Auth: s.WebhookAuth(), Sink: a.db,
		OnDelivery: func(int) { a.wakeTickets() },
		Logf: func(format string, args ...any) {
			a.log(ctx, store.Warn, store.OpWebhook, "", fmt.Sprintf(format, args...))
		}}
	ctx, cancel := context.WithCancel(ctx)
	var wait func() error
	if listen != "" {
		url, w, err := webhook.Listen(ctx, listen, rcv)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("start the webhook receiver on %s: %w", listen, err)
		}
		wait = w
		a.mu.Lock()
		a.hook.localURL = url
		a.mu.Unlock()
		a.log(ctx, store.Info, store.OpWebhook, "", "Listening for HaloPSA webhooks on "+listen)
		a.webhookChanged(WebhookListening, nil)
	}
	var h http.Handler = rcv
	t, err := tunnel.Open(ctx, tunnel.Config{Mode: s.Mode, ExternalURL: s.ExternalURL, NgrokDomain: s.NgrokDomain,
		Logf: func(format string, args ...any) {
			// The tunnel logs when it comes up, drops or reconnects.
			a.log(ctx, store.Info, store.OpTunnel, "", fmt.Sprintf(format, args...))
			a.webhookChanged(WebhookTunnel, nil)
		}},
		h, a.secrets)
	if err != nil {
		a.log(ctx, store.Error, store.OpTunnel, "", err.Error())
		a.webhookChanged(WebhookTunnel, err)
		if !errors.Is(err, tunnel.ErrNoNgrokToken) {
			cancel()
			if wait != nil {
				wait()
			}
			return nil, err
		}
	}
	a.mu.Lock()
	a.hook.tunnel = t
	a.mu.Unlock()
	if t != nil {
		a.webhookChanged(WebhookTunnel, nil)
	}
	return func() {
		if t != nil {
			t.Close()
		}
		cancel()
		if wait != nil {
			wait()
		}
		a.mu.Lock()
		a.hook = hookState{}
		a.mu.Unlock()
		a.webhookChanged(WebhookStopped, nil)
	}, nil
}

// authWords says in words what a delivery must carry.
func authWords(auth webhook.Auth) string {
	switch {
	case auth.Mode == webhook.AuthBoth:
		return "Basic credentials and a signature in " + auth.SignatureHeader()
	case auth.Mode.NeedsSignature():
		return "a signature in " + auth.SignatureHeader()
	}
	return "Basic credentials"
}
