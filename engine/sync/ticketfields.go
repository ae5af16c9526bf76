package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/brainstormmsp/halosync/engine/store"
)

// LoadTicketFields reads HaloPSA's ticket types, priorities and outcomes
// into the store. A list HaloPSA refuses (the API agent may lack the
// right) leaves the stored copy of that list as it was, and the others are
// still saved; the error names what failed. LoadStatuses calls it.
func (ts *Tickets) LoadTicketFields(ctx context.Context) error {
	var f store.TicketFields
	var errs []error
	if types, err := ts.Halo.TicketTypes(ctx); err != nil {
		errs = append(errs, fmt.Errorf("ticket types: %w", err))
	} else {
		f.Types = make([]store.TicketType, len(types))
		for i, t := range types {
			f.Types[i] = store.TicketType{ID: t.ID.Int(), Name: t.Name, DefaultPriority: t.DefaultPriority.Int(), Sequence: int(t.Sequence)}
		}
	}
	if ps, err := ts.Halo.Priorities(ctx); err != nil {
		errs = append(errs, fmt.Errorf("priorities: %w", err))
	} else {
		f.Priorities = make([]store.Priority, 0, len(ps))
		for i, p := range ps {
			if p.ID != 0 {
				f.Priorities = append(f.Priorities, store.Priority{ID: p.ID.Int(), Name: p.Name, Sequence: max(int(p.Sequence), i+1)})
			}
		}
	}
	if os, err := ts.Halo.Outcomes(ctx); err != nil {
		errs = append(errs, fmt.Errorf("outcomes: %w", err))
	} else {
		f.Outcomes = make([]store.Outcome, len(os))
		for i, o := range os {
			f.Outcomes[i] = store.Outcome{ID: o.ID.Int(), Name: o.Name, Private: bool(o.HiddenFromUser)}
		}
	}
	if err := ts.DB.SaveTicketFields(ctx, f); err != nil {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("load ticket fields: %w", errors.Join(errs...))
	}
	return nil
}

// typeName names a ticket type for messages; "" when unknown (0 is
// HaloPSA's default type, whose name HaloSync does not know).
func (ts *Tickets) typeName(ctx context.Context, id int64) string {
	if id == 0 {
		return ""
	}
	f, err := ts.DB.TicketFields(ctx)
	if err != nil {
		return ""
	}
	for _, t := range f.Types {
		if t.ID == id {
			return t.Name
		}
	}
	return ""
}

// NewTicket returns a ticket for a local client with its create fields
// filled as the app's new-ticket form should start: the client's saved
// defaults where set; otherwise its primary contact and that contact's site
// (or the client's first site), and the type and priority left to HaloPSA
// (0), except that a default type brings its default priority. The caller
// sets the summary and details, may change any field, and passes it to
// store.CreateTicket. The client must be mapped to a HaloPSA client
// (store.ErrNotFound otherwise). It reads only the store, so a form can
// start offline.
func NewTicket(ctx context.Context, db *store.DB, localClientID int64) (store.Ticket, error) {
	haloClient, err := db.HaloClientForLocal(ctx, localClientID)
	if err != nil {
		return store.Ticket{}, err
	}
	d, err := db.TicketDefaults(ctx, localClientID)
	if err != nil {
		return store.Ticket{}, err
	}
	t := store.Ticket{LocalClientID: localClientID, HaloClientID: haloClient,
		SiteID: d.SiteID, UserID: d.UserID, TypeID: d.TypeID, PriorityID: d.PriorityID}
	if t.UserID == 0 || t.SiteID == 0 {
		contacts, err := db.Contacts(ctx, haloClient)
		if err != nil {
			return store.Ticket{}, err
		}
		for _, c := range contacts {
			if c.Primary && c.State == store.StateActive && t.UserID == 0 {
				t.UserID = c.ID
				if t.SiteID == 0 {
					t.SiteID = c.SiteID
				}
			}
		}
	}
	if t.SiteID == 0 {
		// HaloPSA wants a site whenever a contact is set.
		sites, err := db.Sites(ctx, haloClient)
		if err != nil {
			return store.Ticket{}, err
		}
		for _, s := range sites {
			if s.State == store.StateActive {
				t.SiteID = s.ID
				break
			}
		}
	}
	if t.PriorityID == 0 && t.TypeID != 0 {
		f, err := db.TicketFields(ctx)
		if err != nil {
			return store.Ticket{}, err
		}
		for _, tt := range f.Types {
			if tt.ID == t.TypeID {
				t.PriorityID = tt.DefaultPriority
			}
		}
	}
	return t, nil
}
