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
	for _, s := range sites {
		if s.State == store.StateActive && !s.Inactive {
			c.Sites = append(c.Sites, s)
		}
	}
	contacts, err := a.db.Contacts(ctx, haloID)
	if err != nil {
		return c, err
	}
	for _, u := range contacts {
		if u.State == store.StateActive && !u.Inactive {
			c.Contacts = append(c.Contacts, u)
		}
	}
	f, err := a.db.TicketFields(ctx)
	if err != nil {
		return c, err
	}
	for _, t := range f.Types {
		if !t.Gone {
			c.Types = append(c.Types, t)
		}
	}
	for _, p := range f.Priorities {
		if !p.Gone {
			c.Priorities = append(c.Priorities, p)
		}
	}
	for _, o := range f.Outcomes {
		if !o.Gone {
			c.Outcomes = append(c.Outcomes, o)
		}
	}
	return c, nil
}

// SiteName names a site id from the choices, "" when unknown.
func (c TicketChoices) SiteName(id int64) string {
	for _, s := range c.Sites {
		if s.ID == id {
			return SiteLabel(s)
		}
	}
	return ""
}

// ContactName names a contact id from the choices, "" when unknown.
func (c TicketChoices) ContactName(id int64) string {
	for _, u := range c.Contacts {
		if u.ID == id {
			return u.Name
		}
	}
	return ""
}

// TypeName names a ticket type id, "" when unknown.
func (c TicketChoices) TypeName(id int64) string {
	for _, t := range c.Types {
		if t.ID == id {
			return t.Name
		}
	}
	return ""
}

// PriorityName names a priority id, "" when unknown.
func (c TicketChoices) PriorityName(id int64) string {
	for _, p := range c.Priorities {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

// OutcomeName names an outcome id, "" when unknown.
func (c TicketChoices) OutcomeName(id int64) string {
	for _, o := range c.Outcomes {
		if o.ID == id {
			return o.Name
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
