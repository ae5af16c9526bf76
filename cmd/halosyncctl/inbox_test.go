package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// TestWebhookInboxAndRetry gives a delivery up as the apply step does when
// HaloPSA would not give its ticket: `webhook inbox` lists it with why and
// says how to retry; once the ticket can be read, `webhook retry` applies
// it, and a second retry finds nothing to do.
func TestWebhookInboxAndRetry(t *testing.T) {
	t.Parallel()
	e, sim, _, _, _ := ticketFieldsEnv(t, 47)
	id, err := sim.CreateTicket(sim.ActiveClientIDs()[0], "Given up once")
	if err != nil {
		t.Fatal(err)
	}
	e.must("", "tickets", "sync")
	if err := sim.SetTicketStatus(id, 4); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(e.dir, "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	why := fmt.Sprintf("could not read ticket %d: HaloPSA refused access: You do not have access to this Ticket", id)
	_, err = db.AddInbox(context.Background(), []store.InboxItem{{DeliveryID: "given-up-1", Event: "Ticket Status Changed",
		ObjectID: int64(id), Status: store.InboxFailed, Error: why,
		Body: fmt.Appendf(nil, `{"id":"given-up-1","event":"Ticket Status Changed","object_id":%d}`, id)}})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	r := e.must("", "webhook", "inbox")
	wantContains(t, "webhook inbox", r.stdout, "1 given up", "Given up", fmt.Sprint(id), "You do not have access to this Ticket", "halosyncctl webhook retry")
	r = e.must("", "webhook", "retry")
	wantContains(t, "webhook retry", r.stdout, "Trying 1 given-up ticket change(s) again", "Ticket sync done")
	tk := ticketBy(t, e.tickets(), "the retried ticket", func(r ticketJSON) bool { return r.HaloID == int64(id) })
	if tk.StatusID != 4 {
		t.Errorf("after the retry the ticket's status is %d, want 4", tk.StatusID)
	}
	var got inboxJSON
	decodeJSON(t, e.must("", "webhook", "inbox", "--json").stdout, &got)
	if got.Counts["failed"] != 0 || got.Counts["applied"] < 1 || len(got.Failed) != 0 {
		t.Errorf("inbox after the retry: %+v", got)
	}
	wantContains(t, "a second retry", e.must("", "webhook", "retry").stdout, "nothing to try again")
}

// TestRetryHandedToServe: `webhook retry` beside a running serve is done by
// serve (which must forget the tickets HaloPSA refused it lately), and the
// given-up change applies.
func TestRetryHandedToServe(t *testing.T) {
	t.Parallel()
	p := newProc(t)
	secret := randomSecret(t)
	sim, srv := startSim(t, halosim.Options{Seed: 33, Clients: 4, InactiveClients: -1, TicketsPerClient: -1, ClientSecret: secret})
	p.keychainEntry(srv.URL)
	p.must(secret+"\n", "connect", "--url", srv.URL, "--client-id", halosim.DefaultClientID)
	id, err := sim.CreateTicket(sim.ActiveClientIDs()[0], "Given up beside serve")
	if err != nil {
		t.Fatal(err)
	}
	p.must("", "tickets", "sync")
	if err := sim.SetTicketStatus(id, 4); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(p.dir, "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.AddInbox(context.Background(), []store.InboxItem{{DeliveryID: "given-up-serve", Event: "Ticket Status Changed",
		ObjectID: int64(id), Status: store.InboxFailed, Error: "could not read ticket: refused",
		Body: fmt.Appendf(nil, `{"id":"given-up-serve","event":"Ticket Status Changed","object_id":%d}`, id)}})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s := p.serve("--poll", "1h")
	s.waitFor("serve to run", 10*time.Second, func() bool { return strings.Contains(s.out.String(), "HaloSync is running") })
	r := p.must("", "webhook", "retry")
	wantContains(t, "webhook retry beside serve", r.stderr, "Handed to the HaloSync already running for this data folder")
	wantContains(t, "webhook retry beside serve", r.stdout, "Trying 1 given-up ticket change(s) again", "Ticket sync done")
	var rows []ticketJSON
	decodeJSON(t, p.must("", "tickets", "list", "--json").stdout, &rows)
	tk := ticketBy(t, rows, "the retried ticket", func(r ticketJSON) bool { return r.HaloID == int64(id) })
	if tk.StatusID != 4 {
		t.Errorf("after the retry the ticket's status is %d, want 4", tk.StatusID)
	}
	s.terminate()
}
