package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// fieldFlags are --site, --contact, --type and --priority: each an id or
// a name from the client's imported lists, "none" to leave it to
// HaloPSA, or unset to keep what the ticket (or the defaults) had.
type fieldFlags struct{ site, contact, typ, priority *string }

func addFieldFlags(fs *flag.FlagSet) fieldFlags {
	return fieldFlags{
		site:     fs.String("site", "", "HaloPSA site: id or name (\"none\" for none)"),
		contact:  fs.String("contact", "", "HaloPSA contact: id or name (\"none\" for none)"),
		typ:      fs.String("type", "", "ticket type: id or name, e.g. \"Service Request\" (\"none\" for HaloPSA's default)"),
		priority: fs.String("priority", "", "priority: id or name, e.g. High (\"none\" for the type's default)"),
	}
}

// set reports whether any of the flags was given.
func (f fieldFlags) set() bool {
	return *f.site != "" || *f.contact != "" || *f.typ != "" || *f.priority != ""
}

// apply resolves the flags given against the choices and sets the fields
// they name; the others keep their values.
func (f fieldFlags) apply(c app.TicketChoices, site, contact, typ, priority *int64) error {
	for _, x := range []struct {
		flag, what string
		dst        *int64
		n          int
		entry      func(int) (int64, string)
	}{
		{*f.site, "site", site, len(c.Sites), func(i int) (int64, string) { return c.Sites[i].ID, app.SiteLabel(c.Sites[i]) }},
		{*f.contact, "contact", contact, len(c.Contacts), func(i int) (int64, string) { return c.Contacts[i].ID, c.Contacts[i].Name }},
		{*f.typ, "ticket type", typ, len(c.Types), func(i int) (int64, string) { return c.Types[i].ID, c.Types[i].Name }},
		{*f.priority, "priority", priority, len(c.Priorities), func(i int) (int64, string) { return c.Priorities[i].ID, c.Priorities[i].Name }},
	} {
		if x.flag == "" {
			continue
		}
		id, err := app.ResolveChoice(x.flag, x.what, x.n, x.entry)
		if err != nil && !errors.Is(err, app.ErrNoChoice) {
			return err
		}
		*x.dst = id
	}
	return nil
}

// describeFields names a ticket's (or defaults') fields in one line.
func describeFields(c app.TicketChoices, site, contact, typ, priority int64) string {
	name := func(id int64, n string, none string) string {
		switch {
		case id == 0:
			return none
		case n == "":
			return fmt.Sprintf("#%d", id)
		}
		return fmt.Sprintf("%s (%d)", n, id)
	}
	return fmt.Sprintf("site %s, contact %s, type %s, priority %s",
		name(site, c.SiteName(site), "none"), name(contact, c.ContactName(contact), "none"),
		name(typ, c.TypeName(typ), "HaloPSA's default"), name(priority, c.PriorityName(priority), "the type's default"))
}

// ticketsCreate is `tickets create`: a draft with the client's defaults,
// changed by the flags given, stored, then pushed like every push.
func (c *cli) ticketsCreate(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("tickets create")
	client := fs.Int64("client", 0, "local client id")
	summary := fs.String("summary", "", "summary")
	details := fs.String("details", "", "details")
	ff := addFieldFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *client == 0 || strings.TrimSpace(*summary) == "" {
		return usageError{"usage: tickets create --client ID --summary S [--details D] [--site S] [--contact C] [--type T] [--priority P]"}
	}
	t, err := a.NewTicketDraft(ctx, *client)
	if err != nil {
		return err
	}
	if ff.set() {
		choices, err := a.TicketChoices(ctx, *client)
		if err != nil {
			return err
		}
		if err := ff.apply(choices, &t.SiteID, &t.UserID, &t.TypeID, &t.PriorityID); err != nil {
			return err
		}
	}
	t.Summary, t.Details = *summary, *details
	if t, err = a.CreateTicketWith(ctx, t); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Created ticket %d (%s); pushing it to HaloPSA...\n", t.ID, t.Ref)
	return c.pushAndSay(ctx, a, t.ID)
}

// pushAndSay runs a ticket cycle (here or in the owner), then says what
// still stops the ticket, if anything: a create HaloPSA refused for a
// field, or a note refused for its outcome, waits in the outbox, which is
// no failure of the command.
func (c *cli) pushAndSay(ctx context.Context, a *app.App, ticketID int64) error {
	if err := c.ticketsOnce(ctx, a); err != nil {
		return err
	}
	r, err := a.Ticket(ctx, ticketID)
	if err != nil || r.SyncState != store.TicketError {
		return nil
	}
	switch {
	case r.HaloID == 0:
		fmt.Fprintf(c.stdout, "Ticket %d is not in HaloPSA yet: %s.\nIt stays queued; set the field with `halosyncctl tickets fix %d --site .. --contact .. --type .. --priority ..`.\n",
			ticketID, r.SyncError, ticketID)
	case c.notesWaiting(ctx, a, ticketID):
		fmt.Fprintf(c.stdout, "HaloPSA has not taken ticket %d's note: %s.\nIt stays queued; send it with another outcome: `halosyncctl tickets fix %d --note-outcome \"Internal Note\"`.\n",
			ticketID, r.SyncError, ticketID)
	default:
		fmt.Fprintf(c.stdout, "HaloPSA did not take the change to ticket %d: %s.\n", ticketID, r.SyncError)
	}
	return nil
}

// notesWaiting reports whether ticket id has notes HaloPSA has not taken.
func (c *cli) notesWaiting(ctx context.Context, a *app.App, id int64) bool {
	notes, err := a.Notes(ctx, id)
	if err != nil {
		return false
	}
	for _, n := range notes {
		if n.Pending() {
			return true
		}
	}
	return false
}

// ticketsShow is `tickets show TICKET`: every field by name, and why it
// is not in HaloPSA when it is not.
func (c *cli) ticketsShow(ctx context.Context, a *app.App, args []string) error {
	id, err := oneID(c.flags("tickets show"), args, "ticket", "tickets show TICKET")
	if err != nil {
		return err
	}
	r, err := a.Ticket(ctx, id)
	if err != nil {
		return err
	}
	choices, _ := a.TicketChoices(ctx, r.LocalClientID) // names only: ids are shown without them
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	halo := "not in HaloPSA yet"
	if r.HaloID != 0 {
		halo = fmt.Sprint(r.HaloID)
	}
	fmt.Fprintf(tw, "Ticket\t%d (%s)\nHaloPSA\t%s\nClient\t%s\nSummary\t%s\nStatus\t%s\nFields\t%s\nSync\t%s\n",
		r.ID, r.Ref, halo, r.ClientName, r.Summary, r.StatusName,
		describeFields(choices, r.SiteID, r.UserID, r.TypeID, r.PriorityID), r.SyncState)
	if r.SyncError != "" {
		fmt.Fprintf(tw, "Why\t%s\n", r.SyncError)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if d := strings.TrimSpace(r.Details); d != "" {
		fmt.Fprintf(c.stdout, "\n%s\n", d)
	}
	return nil
}

// ticketsFix is `tickets fix TICKET --site ..`: the fields of a ticket
// HaloPSA refused to create, set, and the create sent again; with
// --note-outcome, the outcome of its notes HaloPSA has not taken (it
// refused the outcome), changed, and the notes sent again.
func (c *cli) ticketsFix(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("tickets fix")
	ff := addFieldFlags(fs)
	noteOutcome := fs.String("note-outcome", "", "HaloPSA outcome (id or name) for the ticket's notes still waiting to go")
	id, err := oneID(fs, args, "ticket", "tickets fix TICKET [--site S] [--contact C] [--type T] [--priority P] [--note-outcome O]")
	if err != nil {
		return err
	}
	if !ff.set() && *noteOutcome == "" {
		return usageError{"tickets fix: say what to set: --site, --contact, --type, --priority or --note-outcome"}
	}
	r, choices, err := ticketAndChoices(ctx, a, id)
	if err != nil {
		return err
	}
	if ff.set() {
		t := r.Ticket
		if err := ff.apply(choices, &t.SiteID, &t.UserID, &t.TypeID, &t.PriorityID); err != nil {
			return err
		}
		if err := a.SetTicketFields(ctx, id, t.SiteID, t.UserID, t.TypeID, t.PriorityID); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Ticket %d now has %s; sending it to HaloPSA again...\n", id,
			describeFields(choices, t.SiteID, t.UserID, t.TypeID, t.PriorityID))
	}
	if *noteOutcome != "" {
		if err := c.fixNoteOutcome(ctx, a, id, choices, *noteOutcome); err != nil {
			return err
		}
	}
	return c.pushAndSay(ctx, a, id)
}

// fixNoteOutcome gives every note of ticket id that has not reached
// HaloPSA the outcome named, so that the next push sends it with that one.
func (c *cli) fixNoteOutcome(ctx context.Context, a *app.App, id int64, choices app.TicketChoices, name string) error {
	outcome, err := app.ResolveChoice(name, "outcome", len(choices.Outcomes), func(i int) (int64, string) {
		return choices.Outcomes[i].ID, choices.Outcomes[i].Name
	})
	if errors.Is(err, app.ErrNoChoice) {
		return usageError{"tickets fix: --note-outcome needs an outcome: a note cannot go without one"}
	}
	if err != nil {
		return err
	}
	notes, err := a.Notes(ctx, id)
	if err != nil {
		return err
	}
	fixed := 0
	for _, n := range notes {
		if !n.Pending() {
			continue
		}
		if err := a.SetNoteOutcome(ctx, n.ID, outcome); err != nil {
			return err
		}
		fixed++
	}
	if fixed == 0 {
		return fmt.Errorf("ticket %d has no note waiting for HaloPSA", id)
	}
	fmt.Fprintf(c.stdout, "%d note(s) of ticket %d now go with outcome %s; sending again...\n", fixed, id, name)
	return nil
}

// ticketsNotes is `tickets notes TICKET`: the notes, read afresh from
// HaloPSA first when connected (a read, so no hand-off is needed).
func (c *cli) ticketsNotes(ctx context.Context, a *app.App, args []string) error {
	id, err := oneID(c.flags("tickets notes"), args, "ticket", "tickets notes TICKET")
	if err != nil {
		return err
	}
	if r, err := a.Ticket(ctx, id); err != nil {
		return err
	} else if r.HaloID != 0 {
		if _, err := a.RefreshNotes(ctx, id); err != nil && !errors.Is(err, app.ErrNotConnected) {
			fmt.Fprintf(c.stderr, "warning: the notes could not be read from HaloPSA (%v); showing those kept here\n", err)
		}
	}
	notes, err := a.Notes(ctx, id)
	if err != nil {
		return err
	}
	if len(notes) == 0 {
		fmt.Fprintf(c.stdout, "Ticket %d has no notes.\n", id)
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tWHO\tSEEN BY\tSTATE\tNOTE")
	for _, n := range notes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", formatTime(n.At), noteWho(n), noteVisibility(n), noteState(n), oneLine(n.Body))
	}
	return tw.Flush()
}

// ticketsNote is `tickets note TICKET TEXT`: a note written here, private
// unless --public, pushed like every push.
func (c *cli) ticketsNote(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("tickets note")
	public := fs.Bool("public", false, "let the customer see the note (default: private)")
	outcome := fs.String("outcome", "", "HaloPSA outcome: id or name (default: Internal Note)")
	rest, err := positional(fs, args, 2, 2, "tickets note TICKET TEXT [--public] [--outcome ID|NAME]")
	if err != nil {
		return err
	}
	id, err := parseID(rest[0], "ticket")
	if err != nil {
		return err
	}
	var outcomeID int64
	if *outcome != "" {
		_, choices, err := ticketAndChoices(ctx, a, id)
		if err != nil {
			return err
		}
		outcomeID, err = app.ResolveChoice(*outcome, "outcome", len(choices.Outcomes), func(i int) (int64, string) {
			return choices.Outcomes[i].ID, choices.Outcomes[i].Name
		})
		if err != nil && !errors.Is(err, app.ErrNoChoice) {
			return err
		}
	}
	n, err := a.AddNote(ctx, id, rest[1], !*public, outcomeID)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Added a %s note to ticket %d; pushing it to HaloPSA...\n", noteVisibility(n), id)
	return c.pushAndSay(ctx, a, id)
}

// noteWho is who wrote a note; a note written here names no agent.
func noteWho(n store.Note) string {
	switch {
	case n.Who != "":
		return n.Who
	case n.Origin == store.NoteLocal:
		return "HaloSync"
	}
	return "-"
}

// noteVisibility says who sees a note in HaloPSA.
func noteVisibility(n store.Note) string {
	if n.Private {
		return "private"
	}
	return "public"
}

// noteState says whether a note has reached HaloPSA.
func noteState(n store.Note) string {
	if n.Pending() {
		return "pending"
	}
	return "sent"
}

// oneLine keeps a note or summary on one line of a table.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clientsDefaults is `clients defaults ID [--site ..]`: with flags it
// saves them (a flag not given keeps its value), then prints them.
func (c *cli) clientsDefaults(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("clients defaults")
	ff := addFieldFlags(fs)
	id, err := oneID(fs, args, "client", "clients defaults ID [--site S] [--contact C] [--type T] [--priority P]")
	if err != nil {
		return err
	}
	choices, err := a.TicketChoices(ctx, id)
	if err != nil {
		return err
	}
	d, err := a.TicketDefaults(ctx, id)
	if err != nil {
		return err
	}
	if ff.set() {
		if err := ff.apply(choices, &d.SiteID, &d.UserID, &d.TypeID, &d.PriorityID); err != nil {
			return err
		}
		if err := a.SetTicketDefaults(ctx, d); err != nil {
			return err
		}
		fmt.Fprint(c.stdout, "Saved. ")
	}
	fmt.Fprintf(c.stdout, "New tickets for client %d start with %s.\n", id, describeFields(choices, d.SiteID, d.UserID, d.TypeID, d.PriorityID))
	if d.SiteID == 0 || d.UserID == 0 {
		fmt.Fprintln(c.stdout, "Where no site or contact is set, the client's primary contact and that contact's site are used.")
	}
	return nil
}

// ticketAndChoices reads ticket id and what its client's tickets may carry,
// which names given on the command line resolve against.
func ticketAndChoices(ctx context.Context, a *app.App, id int64) (app.TicketRow, app.TicketChoices, error) {
	r, err := a.Ticket(ctx, id)
	if err != nil {
		return r, app.TicketChoices{}, err
	}
	c, err := a.TicketChoices(ctx, r.LocalClientID)
	return r, c, err
}
