package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

// config is what the command line asks for.
type config struct {
	addr string
	opts halosim.Options
	hook halosim.WebhookConfig
}

// behaviourFlags maps each behaviour flag to its halosim.Behaviour.Set
// parameter, so the flags and POST /_sim/behaviour share one parser.
var behaviourFlags = map[string]string{
	"ticket-date-filter":       "ticket_date_filter",
	"ticket-order":             "ticket_order",
	"past-end-repeats":         "past_end_repeats",
	"asset-page-size":          "asset_page_size",
	"unpaged-limit":            "unpaged_limit",
	"ticket-time-key":          "ticket_time_key",
	"halo-dates":               "halo_dates",
	"action-note-key":          "action_note_key",
	"validation-answer":        "validation_answer",
	"priority-id-key":          "priority_id_key",
	"restricted-ticket-answer": "restricted_ticket_answer",
}

// parseArgs reads the command line. Usage and flag errors go to out.
func parseArgs(args []string, out io.Writer) (config, error) {
	var cfg config
	o := &cfg.opts
	fs := flag.NewFlagSet("halosim", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8090", "listen address (loopback by default)")
	fs.Int64Var(&o.Seed, "seed", 1, "seed for the generated data")
	fs.IntVar(&o.Clients, "clients", 50, "number of clients")
	fs.IntVar(&o.SitesPerClient, "sites-per-client", 3, "average sites per client")
	fs.IntVar(&o.UsersPerClient, "users-per-client", 10, "average users per client")
	fs.IntVar(&o.AssetsPerClient, "assets-per-client", 5, "average assets per client (-1 for none)")
	fs.IntVar(&o.TicketsPerClient, "tickets-per-client", 2, "average tickets per client (-1 for none)")
	fs.IntVar(&o.OpenTickets, "open-tickets", 0, "exactly this many tickets open, all others closed (0 = a random mix)")
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
	hook := &cfg.hook
	fs.StringVar(&hook.URL, "webhook-url", "", "send ticket webhooks to this Payload URL (empty = none)")
	fs.StringVar(&hook.Username, "webhook-user", "", "Basic-auth user name for the webhook (password from $HALOSIM_WEBHOOK_PASSWORD)")
	fs.IntVar(&hook.Batch, "webhook-batch", 0, "group up to N events into one array delivery")
	fs.StringVar(&hook.PayloadType, "webhook-payload", "full", "full, small or event-only")
	fs.Float64Var(&hook.DuplicateRate, "webhook-duplicate-rate", 0, "fraction of deliveries sent twice")
	fs.Float64Var(&hook.LoseRate, "webhook-lose-rate", 0, "fraction of deliveries never sent")
	fs.BoolVar(&hook.Reorder, "webhook-reorder", false, "send each batch window newest first")
	fs.StringVar(&hook.HMACHeader, "webhook-hmac-header", "", "sign each delivery in this header (default "+halosim.DefaultHMACHeader+
		") with base64(HMAC-SHA256) keyed by $HALOSIM_WEBHOOK_HMAC_SECRET; signing is on when that is set")

	// Where HaloPSA's behaviour is unconfirmed: a preset, then single flags
	// on top of it. The flag defaults are the friendly dialect's.
	dialect := fs.String("dialect", "friendly", "behaviour preset: "+dialectNames())
	fs.String("ticket-date-filter", "honour", "how /Tickets treats date filters: honour, ignore or reject (overrides --dialect)")
	fs.String("ticket-order", "honour", "how /Tickets treats order/orderdesc: honour or ignore (overrides --dialect)")
	fs.Bool("past-end-repeats", false, "a page past the end answers the last page again (overrides --dialect)")
	fs.Int("asset-page-size", 0, "rows per /Asset page whatever page_size asks (0 = the page cap; overrides --dialect)")
	fs.Int("unpaged-limit", 0, "rows a list returns without pageinate or count (0 = all; overrides --dialect)")
	fs.String("ticket-time-key", "last_update", "JSON key of a ticket's change time: last_update, lastupdate or flastupdate (overrides --dialect)")
	fs.Bool("halo-dates", false, "change time as UTC with Z and 7 digits, unset dates as sentinels (overrides --dialect)")
	fs.String("action-note-key", "note", "key of an action's text on POST and GET /Actions: note or note_html (overrides --dialect)")
	fs.String("validation-answer", "fields", "a missing required ticket field is answered keyed by field (fields) or as {\"Message\"} (message) (overrides --dialect)")
	fs.String("priority-id-key", "id", "key of a priority's id on /Priority: id or priorityid (overrides --dialect)")

	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *scopes != "" {
		o.Scopes = strings.Fields(*scopes)
	}
	if o.OpenTickets < 0 {
		return cfg, fmt.Errorf("--open-tickets: %d is not valid (want 0 or more)", o.OpenTickets)
	}
	b, err := halosim.DialectBehaviour(*dialect)
	if err != nil {
		return cfg, fmt.Errorf("--dialect: %w", err)
	}
	var errs []error
	fs.Visit(func(f *flag.Flag) {
		param, ok := behaviourFlags[f.Name]
		if !ok {
			return
		}
		if err := b.Set(param, f.Value.String()); err != nil {
			// Set names its parameter; name the flag instead.
			errs = append(errs, fmt.Errorf("--%s: %s", f.Name, strings.TrimPrefix(err.Error(), param+": ")))
		}
	})
	if len(errs) > 0 {
		return cfg, errors.Join(errs...)
	}
	o.Behaviour = b
	return cfg, nil
}

func dialectNames() string {
	var names []string
	for _, d := range halosim.Dialects() {
		names = append(names, d.Name)
	}
	return strings.Join(names, ", ")
}

// dialectName names the preset b acts as, or "custom".
func dialectName(b halosim.Behaviour) string {
	for _, d := range halosim.Dialects() {
		if d.Behaviour.String() == b.String() {
			return "dialect " + d.Name
		}
	}
	return "custom"
}
