// Command halosim serves a simulated HaloPSA instance for local development
// and manual testing of HaloSync.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "halosim:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx is done, then shuts down gracefully.
// The first line written to out is "halosim: serving <base URL>".
func run(ctx context.Context, args []string, out io.Writer) error {
	var o halosim.Options
	fs := flag.NewFlagSet("halosim", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address (loopback by default)")
	fs.Int64Var(&o.Seed, "seed", 1, "seed for the generated data")
	fs.IntVar(&o.Clients, "clients", 50, "number of clients")
	fs.IntVar(&o.SitesPerClient, "sites-per-client", 3, "average sites per client")
	fs.IntVar(&o.UsersPerClient, "users-per-client", 10, "average users per client")
	fs.IntVar(&o.AssetsPerClient, "assets-per-client", 5, "average assets per client (-1 for none)")
	fs.IntVar(&o.TicketsPerClient, "tickets-per-client", 2, "average tickets per client (-1 for none)")
	fs.IntVar(&o.InactiveClients, "inactive-clients", 0, "number of inactive clients (0 = clients/10, -1 for none)")
	fs.DurationVar(&o.Latency, "latency", 0, "delay added to every resource request")
	fs.IntVar(&o.RateLimit, "rate-limit", 0, "requests per rolling window (0 = unlimited)")
	fs.DurationVar(&o.RateWindow, "rate-window", 5*time.Minute, "rolling window of the rate limit")
	fs.Float64Var(&o.ErrorRate, "error-rate", 0, "fraction of resource requests answered 500")
	fs.Float64Var(&o.DropRate, "drop-rate", 0, "fraction of resource requests whose connection is dropped")
	fs.DurationVar(&o.TokenLifetime, "token-lifetime", time.Hour, "access token lifetime")
	fs.StringVar(&o.ClientID, "client-id", halosim.DefaultClientID, "API application client id")
	fs.StringVar(&o.ClientSecret, "client-secret", halosim.DefaultClientSecret, "API application client secret")
	fs.StringVar(&o.Tenant, "tenant", "", "tenant required as ?tenant= on the token URL (empty = none)")
	scopes := fs.String("scopes", "", "space-separated scopes of the API application (empty = read:customers read:assets read:tickets edit:tickets)")
	var hook halosim.WebhookConfig
	fs.StringVar(&hook.URL, "webhook-url", "", "send ticket webhooks to this Payload URL (empty = none)")
	fs.StringVar(&hook.Username, "webhook-user", "", "Basic-auth user name for the webhook (password from $HALOSIM_WEBHOOK_PASSWORD)")
	fs.IntVar(&hook.Batch, "webhook-batch", 0, "group up to N events into one array delivery")
	fs.StringVar(&hook.PayloadType, "webhook-payload", "full", "full, small or event-only")
	fs.Float64Var(&hook.DuplicateRate, "webhook-duplicate-rate", 0, "fraction of deliveries sent twice")
	fs.Float64Var(&hook.LoseRate, "webhook-lose-rate", 0, "fraction of deliveries never sent")
	fs.BoolVar(&hook.Reorder, "webhook-reorder", false, "send each batch window newest first")
	fs.StringVar(&hook.HMACHeader, "webhook-hmac-header", "", "sign each delivery in this header (default "+halosim.DefaultHMACHeader+
		") with base64(HMAC-SHA256) keyed by $HALOSIM_WEBHOOK_HMAC_SECRET; signing is on when that is set")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *scopes != "" {
		o.Scopes = strings.Fields(*scopes)
	}

	// Secrets come from the environment: arguments are visible to every
	// user of the machine.
	hook.HMACSecret = os.Getenv("HALOSIM_WEBHOOK_HMAC_SECRET")
	if hook.HMACHeader != "" && hook.HMACSecret == "" {
		return errors.New("--webhook-hmac-header needs the secret in $HALOSIM_WEBHOOK_HMAC_SECRET")
	}
	sim := halosim.New(o)
	if hook.URL != "" {
		hook.Password = os.Getenv("HALOSIM_WEBHOOK_PASSWORD")
		sim.SetWebhook(hook)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/_sim/", sim.ControlHandler())
	mux.Handle("/", sim)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	eff := sim.Options()
	n := sim.Counts()
	base := "http://" + ln.Addr().String()
	tokenURL := base + "/auth/token"
	if eff.Tenant != "" {
		tokenURL += "?tenant=" + eff.Tenant
	}
	fmt.Fprintf(out, "halosim: serving %s\n", base)
	fmt.Fprintf(out, "  resource server  %s/api\n", base)
	fmt.Fprintf(out, "  token URL        %s\n", tokenURL)
	fmt.Fprintf(out, "  client id        %s\n", eff.ClientID)
	fmt.Fprintf(out, "  client secret    %s\n", eff.ClientSecret)
	fmt.Fprintf(out, "  tenant           %q\n", eff.Tenant)
	fmt.Fprintf(out, "  scopes           %s\n", strings.Join(eff.Scopes, " "))
	fmt.Fprintf(out, "  data             %d clients (%d active), %d sites, %d users, %d assets, %d tickets\n",
		n.Clients, n.ActiveClients, n.Sites, n.Users, n.Assets, n.Tickets)
	fmt.Fprintf(out, "  control          POST %s/_sim/tickets?client_id=N&summary=S, POST %s/_sim/tickets/ID/status?status_id=N\n", base, base)
	if hook.URL != "" {
		fmt.Fprintf(out, "  webhooks to      %s\n", hook.URL)
		if hook.HMACSecret != "" {
			h := hook.HMACHeader
			if h == "" {
				h = halosim.DefaultHMACHeader
			}
			fmt.Fprintf(out, "  signed in        %s (HMAC-SHA256, base64)\n", h)
		}
	}

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(out, "halosim: stopped")
	return nil
}
