package sync

import (
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// mappedClient returns a HaloPSA client of the rig and its local client.
func (r *ticketRig) mappedClient(i int) (haloID, localID int64) {
	r.t.Helper()
	c := int64(r.sim.ActiveClientIDs()[i])
	local, ok, err := r.db.LocalClientForHalo(r.ctx, c)
	if err != nil || !ok {
		r.t.Fatalf("client %d is not mapped: %v", c, err)
	}
	return c, local
}

func TestCreateLandsWithEveryField(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	f, err := r.db.TicketFields(r.ctx)
	if err != nil || len(f.Types) != 4 || len(f.Priorities) != 4 || len(f.Outcomes) == 0 {
		t.Fatalf("LoadStatuses did not bring the ticket fields: %+v, %v", f, err)
	}
	_, local := r.mappedClient(2)
	draft, err := NewTicket(r.ctx, r.db, local)
	if err != nil || draft.UserID == 0 || draft.SiteID == 0 {
		t.Fatalf("a new ticket starts without the primary contact and its site: %+v, %v", draft, err)
	}
	// The client's defaults win over the primary contact; a default type brings its priority.
	sites, _ := r.db.Sites(r.ctx, draft.HaloClientID)
	contacts, _ := r.db.Contacts(r.ctx, draft.HaloClientID)
	site, contact := sites[len(sites)-1], contacts[len(contacts)-1]
	if err := r.db.SetTicketDefaults(r.ctx, store.TicketDefaults{LocalClientID: local, SiteID: site.ID, UserID: contact.ID, TypeID: 3}); err != nil {
		t.Fatal(err)
	}
	draft, _ = NewTicket(r.ctx, r.db, local)
	if draft.SiteID != site.ID || draft.UserID != contact.ID || draft.TypeID != 3 || draft.PriorityID != 4 {
		t.Fatalf("draft from the defaults = %+v", draft)
	}
	draft.PriorityID, draft.Summary = 1, "Server room too hot"
	tk, err := r.db.CreateTicket(r.ctx, draft)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.ts.PushOutbox(r.ctx); err != nil || n != 1 {
		t.Fatalf("pushed %d, %v", n, err)
	}
	got, _ := r.db.Ticket(r.ctx, tk.ID)
	remote := r.remote(got.HaloID)
	if remote.SiteID.Int() != site.ID || remote.UserID.Int() != contact.ID || remote.TicketTypeID != 3 || remote.PriorityID != 1 {
		t.Fatalf("HaloPSA has site %d, contact %d, type %d, priority %d; want %d, %d, 3, 1",
			remote.SiteID, remote.UserID, remote.TicketTypeID, remote.PriorityID, site.ID, contact.ID)
	}
	// No details: the reference alone, not after blank lines.
	if want := "— HaloSync ref " + tk.Ref; remote.Details != want {
		t.Fatalf("details = %q, want %q", remote.Details, want)
	}
	// Polled back, the ticket keeps its fields.
	r.sync()
	if back := r.local(int(got.HaloID)); back.PriorityID != 1 || back.TypeID != 3 || back.SiteID != site.ID {
		t.Fatalf("after a poll: %+v", back)
	}
}

func TestMissingRequiredFieldWaitsForTheFix(t *testing.T) {
	for _, answer := range []string{"fields", "message"} {
		t.Run(answer, func(t *testing.T) {
			r := newTicketRig(t, halosim.Options{Behaviour: halosim.Behaviour{ValidationAnswer: answer}})
			haloClient, local := r.mappedClient(1)
			tk, err := r.db.CreateTicket(r.ctx, store.Ticket{LocalClientID: local, HaloClientID: haloClient,
				Summary: "New starter", Details: "Ann starts Monday", TypeID: 3})
			if err != nil {
				t.Fatal(err)
			}
			if n, err := r.ts.PushOutbox(r.ctx); err != nil || n != 1 {
				t.Fatalf("pushed %d, %v", n, err)
			}
			got, _ := r.db.Ticket(r.ctx, tk.ID)
			const want = "HaloPSA needs a site for ticket type Service Request"
			if got.HaloID != 0 || got.SyncState != store.TicketError || !strings.HasPrefix(got.SyncError, want) {
				t.Fatalf("after HaloPSA asked for a site: %+v", got)
			}
			if n, _ := r.db.OutboxPending(r.ctx); n != 1 {
				t.Fatalf("the refused create left the outbox (%d open)", n)
			}
			if logs, _ := r.db.Logs(r.ctx, store.LogQuery{Search: want}); len(logs) != 1 {
				t.Fatalf("log rows: %+v", logs)
			}
			// Held, not hammered: another push sends nothing.
			r.sim.ResetStats()
			if n, err := r.ts.PushOutbox(r.ctx); err != nil || n != 0 || r.sim.Stats().Requests != 0 {
				t.Fatalf("a held create was sent again: %d, %v, %d requests", n, err, r.sim.Stats().Requests)
			}
			// The fix: the site and contact are set, and the create goes out at once.
			draft, _ := NewTicket(r.ctx, r.db, local)
			if err := r.db.SetTicketFields(r.ctx, tk.ID, draft.SiteID, draft.UserID, 3, 0); err != nil {
				t.Fatal(err)
			}
			if n, err := r.ts.PushOutbox(r.ctx); err != nil || n != 1 {
				t.Fatalf("pushed %d, %v", n, err)
			}
			got, _ = r.db.Ticket(r.ctx, tk.ID)
			if got.HaloID == 0 || got.SyncState != store.TicketSynced || got.SyncError != "" {
				t.Fatalf("after the fix: %+v", got)
			}
			if remote := r.remote(got.HaloID); remote.SiteID.Int() != draft.SiteID || remote.UserID.Int() != draft.UserID ||
				remote.Details != "Ann starts Monday\n\n— HaloSync ref "+tk.Ref {
				t.Fatalf("HaloPSA's copy: %+v", remote)
			}
			// Polled back, the details read as written here: the reference is kept apart.
			r.sync()
			if back, _ := r.db.Ticket(r.ctx, tk.ID); back.Details != "Ann starts Monday" || back.Ref != tk.Ref {
				t.Fatalf("details after a poll: %q", back.Details)
			}
		})
	}
}

// TestSmallPayloadKeepsTheFields checks that a webhook's small payload,
// which leaves the site, contact, type and priority out, does not blank
// them locally.
func TestSmallPayloadKeepsTheFields(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	tk := r.openTicketWithFields()
	r.startReceiver(halosim.WebhookConfig{PayloadType: "small"})
	if err := r.sim.SetTicketStatus(int(tk.HaloID), int(r.statusNamed("In Progress"))); err != nil {
		t.Fatal(err)
	}
	r.flushAndApply()
	got := r.local(int(tk.HaloID))
	if got.StatusID != r.statusNamed("In Progress") || got.SiteID != tk.SiteID || got.UserID != tk.UserID ||
		got.TypeID != tk.TypeID || got.PriorityID != tk.PriorityID || got.PriorityID == 0 {
		t.Fatalf("after a small payload: %+v, was %+v", got, tk)
	}
}

// openTicketWithFields polls, then returns a ticket HaloSync holds with a
// site, a contact and a priority.
func (r *ticketRig) openTicketWithFields() store.Ticket {
	r.t.Helper()
	r.sync()
	open, _ := r.db.Tickets(r.ctx, store.TicketQuery{})
	for _, tk := range open {
		if tk.SiteID != 0 && tk.UserID != 0 && tk.PriorityID != 0 && tk.TypeID != 0 {
			return tk
		}
	}
	r.t.Fatal("no ticket with every field")
	return store.Ticket{}
}
