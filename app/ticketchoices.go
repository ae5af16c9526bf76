package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/brainstormmsp/halosync/engine/store"
)

// TicketChoices are what a ticket's create fields may be set to for one
// client: its live sites and contacts as last imported, and HaloPSA's live
// ticket types, priorities and outcomes. The new-ticket form, the Fix
// form, the notes panel and the CLI's name lookups read them.
type TicketChoices struct {
	HaloClientID int64
	Sites        []store.Site
	Contacts     []store.Contact // primary contacts first
	Types        []store.TicketType
	Priorities   []store.Priority
	Outcomes     []store.Outcome
}

// TicketChoices returns the choices for a mapped local client's tickets.
// Deleted and inactive sites and contacts are left out: HaloPSA refuses a
// create naming one.
func (a *App) TicketChoices(ctx context.Context, localClientID int64) (TicketChoices, error) {
	haloID, err := a.db.HaloClientForLocal(ctx, localClientID)
	if errors.Is(err, store.ErrNotFound) {
		return TicketChoices{}, fmt.Errorf("local client %d is not mapped to a HaloPSA client: map it first", localClientID)
	}
	if err != nil {
		return TicketChoices{}, err
	}
	c := TicketChoices{HaloClientID: haloID}
	sites, err := a.db.Sites(ctx, haloID)
	if err != nil {
		return c, err
	}
	c.Sites = kept(sites, func(s store.Site) bool { return s.State == store.StateActive && !s.Inactive })
	contacts, err := a.db.Contacts(ctx, haloID)
	if err != nil {
		return c, err
	}
	c.Contacts = kept(contacts, func(u store.Contact) bool { return u.State == store.StateActive && !u.Inactive })
	f, err := a.db.TicketFields(ctx)
	if err != nil {
		return c, err
	}
	c.Types = kept(f.Types, func(t store.TicketType) bool { return !t.Gone })
	c.Priorities = kept(f.Priorities, func(p store.Priority) bool { return !p.Gone })
	c.Outcomes = kept(f.Outcomes, func(o store.Outcome) bool { return !o.Gone })
	return c, nil
}

// SiteName names a site id from the choices, "" when unknown.
func (c TicketChoices) SiteName(id int64) string {
	return nameOf(c.Sites, id, func(s store.Site) (int64, string) { return s.ID, SiteLabel(s) })
}

// ContactName names a contact id from the choices, "" when unknown.
func (c TicketChoices) ContactName(id int64) string {
	return nameOf(c.Contacts, id, func(u store.Contact) (int64, string) { return u.ID, u.Name })
}

// TypeName names a ticket type id, "" when unknown.
func (c TicketChoices) TypeName(id int64) string {
	return nameOf(c.Types, id, func(t store.TicketType) (int64, string) { return t.ID, t.Name })
}

// PriorityName names a priority id, "" when unknown.
func (c TicketChoices) PriorityName(id int64) string {
	return nameOf(c.Priorities, id, func(p store.Priority) (int64, string) { return p.ID, p.Name })
}

// OutcomeName names an outcome id, "" when unknown.
func (c TicketChoices) OutcomeName(id int64) string {
	return nameOf(c.Outcomes, id, func(o store.Outcome) (int64, string) { return o.ID, o.Name })
}

// kept is the elements of xs that keep says to keep, in order.
func kept[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// nameOf is the name of the element of xs whose id is id, "" when none.
func nameOf[T any](xs []T, id int64, idName func(T) (int64, string)) string {
	for _, x := range xs {
		if i, name := idName(x); i == id {
			return name
		}
	}
	return ""
}

// SiteLabel is how a site reads in a list: HaloPSA allows sites without
// a name.
func SiteLabel(s store.Site) string {
	if strings.TrimSpace(s.Name) == "" {
		return fmt.Sprintf("Site %d", s.ID)
	}
	return s.Name
}

// ErrNoChoice is what ResolveChoice answers for "none", "-" or "0": the
// field is left empty (HaloPSA's default), which the caller may allow.
var ErrNoChoice = errors.New("no choice")

// ResolveChoice finds what s names among n entries, by id or by name in
// any case; what says what is looked for, in the error ("site", ...).
// "none", "-" and "0" answer ErrNoChoice.
func ResolveChoice(s, what string, n int, entry func(i int) (id int64, name string)) (int64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "none", "-", "0":
		return 0, ErrNoChoice
	}
	id, numErr := strconv.ParseInt(s, 10, 64)
	var names []string
	for i := range n {
		eid, name := entry(i)
		if (numErr == nil && eid == id) || strings.EqualFold(name, s) {
			return eid, nil
		}
		names = append(names, fmt.Sprintf("%s (%d)", name, eid))
	}
	if len(names) == 0 {
		return 0, fmt.Errorf("no %s %q: none is known yet (run a sync first)", what, s)
	}
	return 0, fmt.Errorf("no %s %q; there are: %s", what, s, strings.Join(names, ", "))
}

// Ticket returns one ticket with the names the CLI shows, or
// store.ErrNotFound.
func (a *App) Ticket(ctx context.Context, id int64) (TicketRow, error) {
	t, err := a.db.Ticket(ctx, id)
	if err != nil {
		return TicketRow{}, noTicket(id, err)
	}
	names, err := a.haloNames(ctx)
	if err != nil {
		return TicketRow{}, err
	}
	statuses, err := a.statusNames(ctx)
	if err != nil {
		return TicketRow{}, err
	}
	return TicketRow{Ticket: t, ClientName: names[t.HaloClientID], StatusName: statuses[t.StatusID]}, nil
}

// noTicket words a missing ticket for people ("no ticket 42"), keeping
// store.ErrNotFound for errors.Is.
func noTicket(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no ticket %d (see tickets list): %w", id, store.ErrNotFound)
	}
	return err
}
