package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/tunnel"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

func (c *cli) webhook(ctx context.Context, a *app.App, args []string) error {
	sub, args, err := subcommand(args, "webhook info|set|test|inbox|retry")
	if err != nil {
		return err
	}
	switch sub {
	case "info":
		return c.webhookInfo(ctx, a, args)
	case "set":
		return c.webhookSet(ctx, a, args)
	case "inbox":
		return c.webhookInbox(ctx, a, args)
	case "retry":
		return c.webhookRetry(ctx, a, args)
	case "test":
		if err := parse(c.flags("webhook test"), args); err != nil {
			return err
		}
		if err := a.TestWebhook(ctx); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "A test delivery went through the public URL and reached HaloSync.")
		return nil
	}
	return usageError{fmt.Sprintf("unknown webhook command %q", sub)}
}

// webhookSet changes how deliveries reach HaloSync (--mode and its flags)
// and how they authenticate (--auth, --header); either may be given
// alone, and what is not given stays as saved.
func (c *cli) webhookSet(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("webhook set")
	mode := fs.String("mode", "", "none (polling only), external or ngrok")
	public := fs.String("public-url", "", "external: the public base URL your tunnel serves")
	listen := fs.String("listen", app.DefaultListen, "external: the local address your tunnel forwards to")
	domain := fs.String("ngrok-domain", "", "ngrok: a reserved domain (optional)")
	tokenStdin := fs.Bool("ngrok-token-stdin", false, "ngrok: read the authtoken from standard input")
	auth := fs.String("auth", "", "basic (the default), hmac (a signature header) or both")
	header := fs.String("header", "", "hmac: the signature header's name, as entered in HaloPSA (default "+webhook.DefaultSignatureHeader+")")
	if err := parse(fs, args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var s app.TunnelSettings
	if *mode == "" {
		if !given["auth"] && !given["header"] {
			return usageError{"--mode must be none, external or ngrok (or change only --auth and --header)"}
		}
		for _, f := range []string{"public-url", "listen", "ngrok-domain", "ngrok-token-stdin"} {
			if given[f] {
				return usageError{"--" + f + " needs --mode"}
			}
		}
		saved, err := a.TunnelSettings(ctx)
		if err != nil {
			return err
		}
		s = saved
	} else {
		m, err := tunnel.ParseMode(*mode)
		if err != nil {
			return usageError{"--mode must be none, external or ngrok"}
		}
		s = app.TunnelSettings{Mode: m, ExternalURL: *public, Listen: *listen, NgrokDomain: *domain}
		if *tokenStdin {
			if s.NgrokToken, err = c.readSecret(); err != nil {
				return err
			}
		}
	}
	// Empty keeps the saved authentication (see app.TunnelSettings).
	s.Auth, s.SignatureHeader = "", *header
	if *auth != "" {
		m, err := webhook.ParseAuthMode(*auth)
		if err != nil {
			return usageError{"--auth must be basic, hmac or both"}
		}
		s.Auth = m
	}
	if err := a.SetTunnel(ctx, s); err != nil {
		return err
	}
	saved, err := a.TunnelSettings(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Webhook delivery: %s; authentication: %s.\n", saved.Mode, authSummary(saved))
	fmt.Fprintln(c.stdout, "See `halosyncctl webhook info` for what to enter in HaloPSA; run `halosyncctl serve`, then `halosyncctl webhook test`.")
	return nil
}

// authSummary names the authentication in a few words.
func authSummary(s app.TunnelSettings) string {
	switch s.Auth {
	case webhook.AuthHMAC:
		return "signature header " + s.SignatureHeader
	case webhook.AuthBoth:
		return "Basic and signature header " + s.SignatureHeader
	}
	return "Basic"
}

func (c *cli) webhookInfo(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("webhook info")
	public := fs.String("public-url", "", "the public base URL your tunnel forwards to HaloSync's receiver")
	reveal := fs.Bool("reveal", false, "print the webhook password and signature secret (they are kept in the OS keychain and hidden otherwise)")
	if err := parse(fs, args); err != nil {
		return err
	}
	creds, err := a.WebhookCredentials(ctx)
	if err != nil {
		return err
	}
	s, err := a.TunnelSettings(ctx)
	if err != nil {
		return err
	}
	hidden := strings.Repeat("•", 12) + "  (add --reveal to print it)"
	password, secret := hidden, hidden
	if *reveal {
		password, secret = creds.Password, creds.HMACSecret
	}
	base := strings.TrimRight(*public, "/")
	if base == "" && s.Mode == tunnel.External {
		base = s.ExternalURL
	}
	if base == "" {
		base = "https://<your public tunnel URL>"
	}
	w := c.stdout
	fmt.Fprintf(w, `In HaloPSA, go to Configuration > Integrations > Webhooks > New and set:
  Payload URL:     %s%s
  Method:          POST, content type application/json
`, base, creds.Path)
	if s.Auth.NeedsBasic() {
		fmt.Fprintf(w, `  Authentication:  Basic Authentication
    Username:      %s
    Password:      %s
`, creds.Username, password)
	}
	if s.Auth.NeedsSignature() {
		signatureInfo(w, s, secret)
	}
	fmt.Fprint(w, `  Payload type:    Full object with linked objects (smaller payloads work too)
  Events:          New Ticket Logged, Ticket Status Changed, Ticket Updated, Closed

HaloSync receives them with: halosyncctl serve (see halosyncctl webhook set)
and a tunnel (ngrok, cloudflared, Tailscale Funnel) from the public URL to it.
Without a webhook HaloSync polls HaloPSA once a minute.
`)
	return nil
}

// signatureInfo prints what HaloPSA must send in the signature header.
// HaloPSA documents only None and Basic; the header form comes from one
// production integration (HALOPSA-API.md, addendum 2), so the text says
// what the header must hold rather than promise a form field.
func signatureInfo(w io.Writer, s app.TunnelSettings, secret string) {
	label := "Authentication:"
	if s.Auth == webhook.AuthBoth {
		label = "and also:      "
	}
	fmt.Fprintf(w, `  %s  API Key, a request header (authentication_type 3 through the API)
    Header name:   %s
    Secret:        %s
    The header's value must be base64(HMAC-SHA256(secret, raw body));
    hex, URL-safe base64 and a "sha256=" prefix are accepted too.
`, label, s.SignatureHeader, secret)
	if s.Auth == webhook.AuthBoth {
		fmt.Fprintln(w, "    Both are required: choose this only if what sends the deliveries (HaloPSA, or a\n"+
			"    proxy in front of HaloSync) sends both; otherwise set --auth basic or hmac.")
	}
}
