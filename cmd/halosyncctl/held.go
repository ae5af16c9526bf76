package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/brainstormmsp/halosync/app"
)

// heldJSON is the stable shape of one `tickets held --json` row.
type heldJSON struct {
	HaloID  int64            `json:"halo_client_id"`
	Name    string           `json:"name"`
	Reason  string           `json:"reason"`
	Why     string           `json:"why"`
	Changes int              `json:"changes"`
	Since   time.Time        `json:"since"`
	Tickets []heldTicketJSON `json:"tickets"`
}

type heldTicketJSON struct {
	ID      int64  `json:"halo_id"`
	Summary string `json:"summary,omitempty"`
}

// held runs `tickets held`, `tickets release` and `tickets drop`.
func (c *cli) held(ctx context.Context, a *app.App, sub string, args []string) error {
	switch sub {
	case "release":
		fs := c.flags("tickets release")
		to := fs.Int64("to", 0, "the local client to apply them to")
		mapIt := fs.Bool("map", false, "also map the HaloPSA client to it, so its later tickets follow")
		id, err := oneID(fs, args, "HaloPSA client", "tickets release HALO_CLIENT --to LOCAL [--map]")
		if err != nil {
			return err
		}
		if *to <= 0 {
			return usageError{"usage: tickets release HALO_CLIENT --to LOCAL [--map]"}
		}
		n, err := a.ReleaseHeld(ctx, id, *to, *mapIt)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Released %d held ticket change(s); applying them...\n", n)
		return c.ticketsOnce(ctx, a)
	case "drop":
		id, err := oneID(c.flags("tickets drop"), args, "HaloPSA client", "tickets drop HALO_CLIENT")
		if err != nil {
			return err
		}
		n, err := a.DropHeld(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Dropped %d held ticket change(s); they will not be applied.\n", n)
		return nil
	}
	fs := c.flags("tickets held")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	hs, err := a.HeldTickets(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]heldJSON, len(hs))
		for i, h := range hs {
			out[i] = heldJSON{h.HaloID, h.Name, string(h.Reason), h.Why, h.Changes, h.Since, []heldTicketJSON{}}
			for _, t := range h.Tickets {
				out[i].Tickets = append(out[i].Tickets, heldTicketJSON{t.ID, t.Summary})
			}
		}
		return writeJSON(c.stdout, out)
	}
	if len(hs) == 0 {
		fmt.Fprintln(c.stdout, "No ticket changes are held.")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HALO\tCLIENT\tCHANGES\tTICKETS\tSINCE\tWHY")
	for _, h := range hs {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\n", h.HaloID, h.Name, h.Changes, len(h.Tickets), formatTime(h.Since), h.Why)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "\nRelease with `tickets release HALO --to LOCAL [--map]`, or drop with `tickets drop HALO`.")
	return nil
}
