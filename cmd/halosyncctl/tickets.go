package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"text/tabwriter"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo"
)

// serve runs headless until SIGINT or SIGTERM (the context ends).
func (c *cli) serve(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("serve")
	listen := fs.String("listen", "", "webhook receiver address, e.g. 127.0.0.1:8787 (default: polling only)")
	poll := fs.Duration("poll", 0, "poll interval (default 1m without webhooks, 5m with)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *listen != "" {
		host, _, err := net.SplitHostPort(*listen)
		if err != nil {
			return usageError{fmt.Sprintf("--listen %q: %v", *listen, err)}
		}
		if !halo.IsLoopback(host) {
			fmt.Fprintf(c.stderr, "warning: the webhook receiver listens on %s, not only on this machine\n", host)
		}
	}
	// One owner per data folder: a second serve (or the app) on it would
	// import beside it and push the outbox twice.
	if err := a.Own(ctx, app.OwnOptions{OnWait: c.waiting}); err != nil {
		return err
	}
	fmt.Fprintln(c.stderr, "HaloSync is running; stop it with Ctrl+C.")
	err := a.Serve(ctx, app.ServeOptions{Listen: *listen, PollInterval: *poll, OnListening: func(url string) {
		fmt.Fprintf(c.stderr, "Webhook receiver: %s (see `halosyncctl webhook info`)\n", url)
	}})
	fmt.Fprintln(c.stderr, "Stopped.")
	return err
}

// ticketJSON is the stable shape of one `tickets list --json` row.
type ticketJSON struct {
	ID        int64  `json:"id"`
	HaloID    int64  `json:"halo_id,omitempty"`
	Ref       string `json:"ref"`
	ClientID  int64  `json:"local_client_id"`
	Client    string `json:"client"`
	Summary   string `json:"summary"`
	StatusID  int64  `json:"status_id"`
	Status    string `json:"status"`
	SyncState string `json:"sync_state"`
	SyncError string `json:"sync_error,omitempty"`
	SiteID    int64  `json:"site_id,omitempty"`
	ContactID int64  `json:"contact_id,omitempty"`
	TypeID    int64  `json:"type_id,omitempty"`
	Priority  int64  `json:"priority_id,omitempty"`
}

func (c *cli) tickets(ctx context.Context, a *app.App, args []string) error {
	sub, args, err := subcommand(args, "tickets list|show|create|fix|notes|note|set-status|sync|statuses|status-state|held|release|drop")
	if err != nil {
		return err
	}
	switch sub {
	case "held", "release", "drop":
		return c.held(ctx, a, sub, args) // held.go
	case "list":
		fs := c.flags("tickets list")
		client := fs.Int64("client", 0, "local client id")
		asJSON := fs.Bool("json", false, "print JSON")
		if err := parse(fs, args); err != nil {
			return err
		}
		rows, err := a.Tickets(ctx, *client)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]ticketJSON, len(rows))
			for i, r := range rows {
				out[i] = ticketJSON{r.ID, r.HaloID, r.Ref, r.LocalClientID, r.ClientName, r.Summary, r.StatusID, r.StatusName,
					string(r.SyncState), r.SyncError, r.SiteID, r.UserID, r.TypeID, r.PriorityID}
			}
			return writeJSON(c.stdout, out)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tHALO\tCLIENT\tSUMMARY\tSTATUS\tSYNC")
		for _, r := range rows {
			halo := "-"
			if r.HaloID != 0 {
				halo = fmt.Sprint(r.HaloID)
			}
			state := string(r.SyncState)
			if r.SyncError != "" {
				state += ": " + r.SyncError // the plain reason, e.g. the field HaloPSA asks for
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, halo, r.ClientName, r.Summary, r.StatusName, state)
		}
		return tw.Flush()
	case "create":
		return c.ticketsCreate(ctx, a, args) // ticketfields.go
	case "show":
		return c.ticketsShow(ctx, a, args)
	case "fix":
		return c.ticketsFix(ctx, a, args)
	case "notes":
		return c.ticketsNotes(ctx, a, args)
	case "note":
		return c.ticketsNote(ctx, a, args)
	case "set-status":
		rest, err := positional(c.flags("tickets set-status"), args, 2, 2, "tickets set-status TICKET STATUS (id or name, e.g. Closed)")
		if err != nil {
			return err
		}
		id, err := parseID(rest[0], "ticket")
		if err != nil {
			return err
		}
		status, err := a.ResolveStatus(ctx, rest[1])
		if err != nil {
			return err
		}
		if err := a.SetTicketStatus(ctx, id, status); err != nil {
			return err
		}
		name := rest[1]
		if ss, err := a.Statuses(ctx); err == nil {
			for _, st := range ss {
				if st.ID == status {
					name = st.Name
				}
			}
		}
		fmt.Fprintf(c.stdout, "Ticket %d set to %s; pushing it to HaloPSA...\n", id, name)
		return c.ticketsOnce(ctx, a)
	case "sync":
		if err := parse(c.flags("tickets sync"), args); err != nil {
			return err
		}
		return c.ticketsOnce(ctx, a)
	case "statuses":
		if err := parse(c.flags("tickets statuses"), args); err != nil {
			return err
		}
		ss, err := a.Statuses(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tHALOPSA STATUS\tHALOSYNC STATE")
		for _, s := range ss {
			state := s.LocalState
			if s.UserSet {
				state += " (set by you)"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\n", s.ID, s.Name, state)
		}
		return tw.Flush()
	case "status-state":
		rest, err := positional(c.flags("tickets status-state"), args, 2, 2, "tickets status-state STATUS new|open|waiting|closed")
		if err != nil {
			return err
		}
		id, err := a.ResolveStatus(ctx, rest[0])
		if err != nil {
			return err
		}
		return a.SetStatusState(ctx, id, rest[1])
	}
	return usageError{fmt.Sprintf("unknown tickets command %q", sub)}
}

// ticketsOnce runs one ticket cycle and reports what is still waiting.
// The folder's owner runs it when one runs: the outbox has one pusher.
func (c *cli) ticketsOnce(ctx context.Context, a *app.App) error {
	return c.exclusive(ctx, a, app.OpTicketsSync, func() error {
		res, err := a.TicketsOnce(ctx)
		if err != nil {
			if errors.Is(err, app.ErrNotConnected) {
				return err
			}
			// main prefixes "halosyncctl tickets: "; a "ticket sync: " here
			// would say the same twice.
			return fmt.Errorf("%w; changes stay queued and go out with the next sync", err)
		}
		fmt.Fprintf(c.stdout, "Ticket sync done: %d changed in HaloPSA since the last poll.\n", res.Changed)
		return nil
	})
}
