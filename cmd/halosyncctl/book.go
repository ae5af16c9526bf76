package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// clientJSON is the stable shape of one `clients list --json` row.
type clientJSON struct {
	ID     int64  `json:"id"`
	Ref    string `json:"ref"` // the owner's own id, as given
	Name   string `json:"name"`
	Domain string `json:"domain"`
	Phone  string `json:"phone"`
	Notes  string `json:"notes"`
	Origin string `json:"origin"` // book, or halo for a client made from HaloPSA that no row of the book has joined
}

func (c *cli) clients(ctx context.Context, a *app.App, args []string) error {
	sub, args, err := subcommand(args, "clients list|import|export|add|edit|delete|merge|keep-apart|from-halo|defaults")
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		return c.clientsList(ctx, a, args)
	case "defaults":
		return c.clientsDefaults(ctx, a, args) // ticketfields.go
	case "import":
		rest, err := positional(c.flags("clients import"), args, 1, 1, "clients import FILE.csv")
		if err != nil {
			return err
		}
		f, err := os.Open(rest[0])
		if err != nil {
			return err
		}
		defer f.Close()
		res, err := a.ImportClientsCSV(ctx, f)
		if err != nil {
			return fmt.Errorf("%s: %w (nothing was imported)", rest[0], err)
		}
		fmt.Fprintf(c.stdout, "Imported %s: %d joined, %d added, %d to review\n", rest[0], res.Joined, res.Added, res.Review)
		if res.Updated+res.Unchanged > 0 {
			fmt.Fprintf(c.stdout, "Already in the book: %d (%d updated)\n", res.Updated+res.Unchanged, res.Updated)
		}
		for _, d := range res.Duplicates {
			fmt.Fprintf(c.stdout, "Left out: %s\n", d)
		}
		if res.Encoding != "UTF-8" {
			fmt.Fprintf(c.stdout, "Read as %s.\n", res.Encoding)
		}
		if res.Review > 0 {
			fmt.Fprintln(c.stdout, "Review the suggested merges with `map list --state open`, then `clients merge KEEP OTHER` or `clients keep-apart ID`.")
		}
		return nil
	case "export":
		rest, err := positional(c.flags("clients export"), args, 1, 1, "clients export FILE.csv")
		if err != nil {
			return err
		}
		if rest[0] == "-" {
			return a.ExportClientsCSV(ctx, c.stdout)
		}
		return writeFileAtomically(rest[0], func(f *os.File) error { return a.ExportClientsCSV(ctx, f) })
	case "add", "edit":
		return c.clientsAddEdit(ctx, a, sub, args)
	case "delete", "keep-apart":
		rest, err := positional(c.flags("clients "+sub), args, 1, 1, "clients "+sub+" ID")
		if err != nil {
			return err
		}
		id, err := parseID(rest[0], "client")
		if err != nil {
			return err
		}
		if sub == "keep-apart" {
			if err := a.DismissMerge(ctx, id); err != nil {
				return fmt.Errorf("client %d has no merge suggestion: %w", id, err)
			}
			fmt.Fprintf(c.stdout, "Client %d stays apart; Bulk Map will not suggest merging it again.\n", id)
			return nil
		}
		return a.DeleteLocalClient(ctx, id)
	case "merge":
		rest, err := positional(c.flags("clients merge"), args, 2, 2, "clients merge KEEP OTHER")
		if err != nil {
			return err
		}
		keep, err := parseID(rest[0], "client")
		if err != nil {
			return err
		}
		other, err := parseID(rest[1], "client")
		if err != nil {
			return err
		}
		if keep == other {
			return usageError{"KEEP and OTHER are the same client"}
		}
		res, err := a.MergeLocalClients(ctx, keep, other)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Merged %q into client %d %q", res.OtherName, keep, res.Kept.Name)
		if res.MovedMapping {
			fmt.Fprint(c.stdout, "; its mapping moved")
		}
		if res.MovedTickets > 0 {
			fmt.Fprintf(c.stdout, "; %d ticket(s) moved", res.MovedTickets)
		}
		if res.MergedRef != "" {
			fmt.Fprintf(c.stdout, "; id %q still finds it", res.MergedRef)
		}
		fmt.Fprintln(c.stdout)
		return nil
	case "from-halo":
		rest, err := positional(c.flags("clients from-halo"), args, 0, 1<<20, "clients from-halo [HALO_ID...]")
		if err != nil {
			return err
		}
		var ids []int64
		for _, s := range rest {
			id, err := parseID(s, "HaloPSA client")
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		n, err := a.CreateLocalFromUnmapped(ctx, ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Created %d local clients from HaloPSA\n", n)
		return nil
	}
	return usageError{fmt.Sprintf("unknown clients command %q", sub)}
}

func (c *cli) clientsList(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("clients list")
	asJSON := fs.Bool("json", false, "print JSON")
	search := fs.String("search", "", "text in the name")
	if err := parse(fs, args); err != nil {
		return err
	}
	cs, err := a.LocalClients(ctx, *search)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]clientJSON, len(cs))
		for i, l := range cs {
			out[i] = clientJSON{l.ID, l.Ref, l.Name, l.Domain, l.Phone, l.Notes, string(l.Origin)}
		}
		return writeJSON(c.stdout, out)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tYOUR ID\tNAME\tDOMAIN\tPHONE")
	for _, l := range cs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", l.ID, l.Ref, l.Name, l.Domain, l.Phone)
	}
	return tw.Flush()
}

func (c *cli) clientsAddEdit(ctx context.Context, a *app.App, sub string, args []string) error {
	fs := c.flags("clients " + sub)
	ref := fs.String("id", "", "your own id for the client")
	name := fs.String("name", "", "name")
	domain := fs.String("domain", "", "website or e-mail domain")
	phone := fs.String("phone", "", "phone")
	notes := fs.String("notes", "", "notes")
	if sub == "add" {
		if err := parse(fs, args); err != nil {
			return err
		}
		id, err := a.AddLocalClient(ctx, store.LocalClient{Ref: *ref, Name: *name, Domain: *domain, Phone: *phone, Notes: *notes})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Added client %d\n", id)
		return nil
	}
	id, err := oneID(fs, args, "client", "clients edit ID [--id REF] [--name N] [--domain D] [--phone P] [--notes N]")
	if err != nil {
		return err
	}
	cur, err := a.LocalClient(ctx, id)
	if err != nil {
		return fmt.Errorf("client %d: %w", id, err)
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "id":
			cur.Ref = *ref
		case "name":
			cur.Name = *name
		case "domain":
			cur.Domain = *domain
		case "phone":
			cur.Phone = *phone
		case "notes":
			cur.Notes = *notes
		}
	})
	return a.UpdateLocalClient(ctx, cur)
}
