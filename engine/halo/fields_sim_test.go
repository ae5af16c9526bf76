package halo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

// simClient starts the simulator with b and connects a client to it.
func simClient(t *testing.T, b halosim.Behaviour) (*halosim.Server, *halo.Client) {
	t.Helper()
	sim := halosim.New(halosim.Options{Seed: 5, Clients: 4, Behaviour: b})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	addr, err := halo.ParseAddress(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c, err := halo.New(halo.Config{Address: addr, ClientID: halosim.DefaultClientID, ClientSecret: halosim.DefaultClientSecret,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

// TestTicketFieldsAndNotesInEveryDialect reads the field lists, creates a
// ticket with every field, and adds and lists a note, against each
// plausible tenant.
func TestTicketFieldsAndNotesInEveryDialect(t *testing.T) {
	for _, d := range halosim.Dialects() {
		t.Run(d.Name, func(t *testing.T) {
			sim, c := simClient(t, d.Behaviour)
			ctx := context.Background()
			types, err := c.TicketTypes(ctx)
			if err != nil || len(types) < 2 || types[1].Name != "Service Request" || types[1].DefaultPriority != 4 {
				t.Fatalf("types = %+v, %v", types, err)
			}
			ps, err := c.Priorities(ctx)
			if err != nil || len(ps) != 4 || ps[0].ID != 1 || ps[0].Name != "Critical" {
				t.Fatalf("priorities = %+v, %v", ps, err)
			}
			os, err := c.Outcomes(ctx)
			if err != nil || len(os) == 0 {
				t.Fatalf("outcomes = %+v, %v", os, err)
			}
			var internal halo.Outcome
			for _, o := range os {
				if o.ID == 7 {
					internal = o
				}
			}
			if internal.Name != "Internal Note" {
				t.Fatalf("outcome 7 = %+v", internal)
			}

			client := halo.ID(sim.ActiveClientIDs()[0])
			var site halo.Site
			var user halo.User
			c.Sites(ctx, halo.ListOptions{ClientID: client}, func(p halo.Page[halo.Site]) error { site = p.Rows[0]; return nil })
			c.Users(ctx, halo.ListOptions{ClientID: client}, func(p halo.Page[halo.User]) error { user = p.Rows[0]; return nil })

			// A field the type requires is missing: a typed error naming it.
			_, err = c.SaveTicket(ctx, halo.TicketWrite{Summary: "No site", ClientID: client, TicketTypeID: types[1].ID})
			var ve *halo.ValidationError
			if !errors.As(err, &ve) || ve.Field != "site_id" || !errors.Is(err, halo.ErrValidation) ||
				!strings.HasPrefix(err.Error(), "HaloPSA needs a site: Please select a Site") {
				t.Fatalf("missing site: %#v (%v)", ve, err)
			}
			tk, err := c.SaveTicket(ctx, halo.TicketWrite{Summary: "All fields", ClientID: client, SiteID: site.ID,
				UserID: user.ID, TicketTypeID: types[1].ID, PriorityID: 2})
			if err != nil || tk.SiteID != site.ID || tk.UserID != user.ID || tk.TicketTypeID != types[1].ID || tk.PriorityID != 2 {
				t.Fatalf("create = %+v, %v", tk, err)
			}

			_, err = c.AddAction(ctx, halo.ActionWrite{TicketID: tk.ID, Note: "no outcome"})
			if !errors.As(err, &ve) || ve.Field != "outcome_id" || !strings.Contains(ve.Message, "An Outcome must be entered") {
				t.Fatalf("note without an outcome: %v", err)
			}
			a, err := c.AddAction(ctx, halo.ActionWrite{TicketID: tk.ID, OutcomeID: 7, Note: "Line one\nA & B <ok>", Private: true})
			if err != nil || a.ID == 0 || a.Note != "Line one\nA & B <ok>" || !bool(a.HiddenFromUser) || a.When().IsZero() {
				t.Fatalf("add note = %+v, %v", a, err)
			}
			list, err := c.Actions(ctx, tk.ID)
			if err != nil || len(list) != 1 || list[0].ID != a.ID || list[0].Note != a.Note || list[0].Outcome != "Internal Note" {
				t.Fatalf("actions = %+v, %v", list, err)
			}
		})
	}
}
