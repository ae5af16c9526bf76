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
	cfg, err := parseArgs(args, out)
	if err != nil {
		return err
	}
	o, hook := cfg.opts, cfg.hook
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
	ln, err := net.Listen("tcp", cfg.addr)
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
	if eff.OpenTickets > 0 {
		fmt.Fprintf(out, "  open tickets     %d (all others closed)\n", min(eff.OpenTickets, n.Tickets))
	}
	fmt.Fprintf(out, "  behaviour        %s: %s\n", dialectName(eff.Behaviour), eff.Behaviour)
	fmt.Fprintf(out, "  control          POST %s/_sim/tickets?client_id=N&summary=S, POST %s/_sim/tickets/ID/status?status_id=N\n", base, base)
	fmt.Fprintf(out, "                   POST %s/_sim/tickets/ID/access?hidden=true|broken=true (hide it from the API agent, or fail it)\n", base)
	fmt.Fprintf(out, "                   GET|POST %s/_sim/behaviour?dialect=NAME&ticket_order=...\n", base)
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
	shutCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		// Past the grace period what is left is cut: requests still
		// running, or an HTTP client's spare connection that never sent
		// one (net/http waits 5 s for those). A simulator keeps nothing.
		_ = srv.Close()
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(out, "halosim: stopped")
	return nil
}
