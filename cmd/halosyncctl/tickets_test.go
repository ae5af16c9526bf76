package main

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

// haloClient is a HaloPSA client of the test's own, to see what the
// simulator holds through the API, as an agent's browser would.
func haloClient(t *testing.T, url, secret string) *halo.Client {
	t.Helper()
	addr, err := halo.ParseAddress(url)
	if err != nil {
		t.Fatal(err)
	}
	c, err := halo.New(halo.Config{Address: addr, ClientID: halosim.DefaultClientID, ClientSecret: secret,
		RateLimit: -1, HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// remoteTicket reads one ticket from HaloPSA.
func remoteTicket(t *testing.T, c *halo.Client, id int64) halo.Ticket {
	t.Helper()
	tk, err := c.Ticket(context.Background(), halo.ID(id))
	if err != nil {
		t.Fatalf("HaloPSA ticket %d: %v", id, err)
	}
	return tk
}

// remoteTickets lists every ticket HaloPSA holds, closed ones included.
func remoteTickets(t *testing.T, c *halo.Client) []halo.Ticket {
	t.Helper()
	var all []halo.Ticket
	err := c.ListTickets(context.Background(), halo.TicketQuery{}, func(p halo.Page[halo.Ticket]) error {
		all = append(all, p.Rows...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// tickets returns `tickets list --json`, decoded.
func (e *env) tickets() []ticketJSON {
	e.t.Helper()
	var rows []ticketJSON
	decodeJSON(e.t, e.must("", "tickets", "list", "--json").stdout, &rows)
	return rows
}

// ticketBy returns the listed ticket that pred picks; it fails unless
// exactly one does.
func ticketBy(t *testing.T, rows []ticketJSON, what string, pred func(ticketJSON) bool) ticketJSON {
	t.Helper()
	var found []ticketJSON
	for _, r := range rows {
		if pred(r) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d tickets are %s, want one: %+v", len(found), what, found)
	}
	return found[0]
}

// localClientFor returns the local client mapped to HaloPSA client haloID.
func (e *env) localClientFor(haloID int) int64 {
	e.t.Helper()
	var rows []mappingJSON
	decodeJSON(e.t, e.must("", "map", "list", "--state", "all", "--json").stdout, &rows)
	for _, r := range rows {
		if r.HaloID == int64(haloID) {
			return r.LocalID
		}
	}
	e.t.Fatalf("no local client is mapped to HaloPSA client %d: %+v", haloID, rows)
	return 0
}

// TestTicketCommands drives the ticket commands against a simulator: the
// first sync imports the open tickets, a create and a close made here reach
// HaloPSA, and a change made there arrives with the next sync.
func TestTicketCommands(t *testing.T) {
	t.Parallel()
	sim, srv := startSim(t, halosim.Options{Seed: 31, Clients: 8, TicketsPerClient: 4})
	hc := haloClient(t, srv.URL, halosim.DefaultClientSecret)
	e := newEnv(t)
	if r := e.run("", "tickets", "set-status", "1", "Closed"); r.code != 1 || !strings.Contains(r.stderr, "no ticket statuses yet") {
		t.Errorf("set-status before any ticket sync: %v", r)
	}
	if r := e.connect(srv.URL, halosim.DefaultClientSecret); r.code != 0 {
		t.Fatal(r)
	}
	if rows := e.tickets(); len(rows) != 0 {
		t.Fatalf("tickets before the first ticket sync: %+v", rows)
	}

	r := e.must("", "tickets", "sync")
	// Open by status: hasbeenclosed stays true on a reopened ticket.
	var open []halo.Ticket
	for _, tk := range remoteTickets(t, hc) {
		if tk.StatusID.Int() != int64(sim.ClosedStatusID()) {
			open = append(open, tk)
		}
	}
	wantContains(t, "tickets sync", r.stdout, "Ticket sync done: "+strconv.Itoa(len(open))+" changed")
	var raw []map[string]any
	decodeJSON(t, e.must("", "tickets", "list", "--json").stdout, &raw)
	if len(raw) != len(open) || len(open) == 0 {
		t.Fatalf("tickets list shows %d tickets; HaloPSA has %d open", len(raw), len(open))
	}
	for _, k := range []string{"id", "halo_id", "ref", "local_client_id", "client", "summary", "status_id", "status", "sync_state"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("tickets list --json has no %q: %v", k, raw[0])
		}
	}
	rows := e.tickets()
	for _, tk := range open {
		got := ticketBy(t, rows, "HaloPSA ticket "+strconv.Itoa(int(tk.ID)), func(r ticketJSON) bool { return r.HaloID == tk.ID.Int() })
		if got.Summary != tk.Summary || got.StatusID != tk.StatusID.Int() || got.Status != tk.StatusName ||
			got.Client != tk.ClientName || got.ClientID == 0 || got.SyncState != "synced" || !strings.HasPrefix(got.Ref, "HS-") {
			t.Errorf("imported %+v\nfrom HaloPSA's %+v", got, tk)
		}
	}

	// A ticket created here reaches HaloPSA, carrying its reference.
	haloClientID := sim.ActiveClientIDs()[0]
	local := e.localClientFor(haloClientID)
	r = e.must("", "tickets", "create", "--client", strconv.FormatInt(local, 10), "--summary", "Printer on fire", "--details", "Tray 2 smokes")
	wantContains(t, "tickets create", r.stdout, "Created ticket", "pushing it to HaloPSA", "Ticket sync done")
	created := ticketBy(t, e.tickets(), "the new one", func(r ticketJSON) bool { return r.Summary == "Printer on fire" })
	if created.HaloID == 0 || created.SyncState != "synced" || created.Status != "New" || created.ClientID != local {
		t.Fatalf("the created ticket after the push: %+v", created)
	}
	got := remoteTicket(t, hc, created.HaloID)
	if got.Summary != "Printer on fire" || got.ClientID.Int() != int64(haloClientID) ||
		got.Details != "Tray 2 smokes\n\n— HaloSync ref "+created.Ref {
		t.Errorf("HaloPSA's copy of the created ticket: %+v", got)
	}

	// Closed by name, in any case: HaloPSA's Closed is 8, not the usual 9.
	id := strconv.FormatInt(created.ID, 10)
	wantContains(t, "set-status", e.must("", "tickets", "set-status", id, "closed").stdout, "set to Closed", "Ticket sync done")
	if got := remoteTicket(t, hc, created.HaloID); got.StatusID.Int() != int64(sim.ClosedStatusID()) || !got.HasBeenClosed {
		t.Errorf("HaloPSA's copy after closing it here: status %d, closed %v", got.StatusID, got.HasBeenClosed)
	}
	closed := ticketBy(t, e.tickets(), "the closed one", func(r ticketJSON) bool { return r.ID == created.ID })
	if closed.StatusID != int64(sim.ClosedStatusID()) || closed.Status != "Closed" || closed.SyncState != "synced" {
		t.Errorf("the local ticket after closing it: %+v", closed)
	}

	// Changes made in HaloPSA arrive with the next sync.
	changed := open[0]
	if err := sim.SetTicketStatus(int(changed.ID), 4); err != nil { // Waiting on Customer
		t.Fatal(err)
	}
	newID, err := sim.CreateTicket(sim.ActiveClientIDs()[1], "VPN down")
	if err != nil {
		t.Fatal(err)
	}
	e.must("", "tickets", "sync")
	rows = e.tickets()
	if got := ticketBy(t, rows, "the changed one", func(r ticketJSON) bool { return r.HaloID == changed.ID.Int() }); got.Status != "Waiting on Customer" || got.SyncState != "synced" {
		t.Errorf("after HaloPSA changed its status: %+v", got)
	}
	if got := ticketBy(t, rows, "the one made in HaloPSA", func(r ticketJSON) bool { return r.HaloID == int64(newID) }); got.Summary != "VPN down" || got.ClientID != e.localClientFor(sim.ActiveClientIDs()[1]) {
		t.Errorf("the ticket made in HaloPSA: %+v", got)
	}
	if len(rows) != len(open)+2 {
		t.Errorf("%d local tickets, want %d", len(rows), len(open)+2)
	}
	if s := e.status(); s.Errors != 0 {
		t.Errorf("the sync log has %d errors: %+v", s.Errors, e.logs("--level", "error"))
	}
}

func TestTicketCommandErrors(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t, halosim.Options{Seed: 32, Clients: 3})
	e := newEnv(t)
	if r := e.connect(srv.URL, halosim.DefaultClientSecret); r.code != 0 {
		t.Fatal(r)
	}
	e.must("", "tickets", "sync")
	rows := e.tickets()
	if len(rows) == 0 {
		t.Fatal("no open tickets to work with")
	}
	before := rows[0]

	r := e.run("", "tickets", "set-status", strconv.FormatInt(before.ID, 10), "Bogus")
	if r.code != 1 {
		t.Fatalf("an unknown status: want exit 1: %v", r)
	}
	wantContains(t, "the error", r.stderr, `no status "Bogus"`, "New, In Progress", "Waiting on Customer", "Closed", "On Hold")
	if after := ticketBy(t, e.tickets(), "the first", func(r ticketJSON) bool { return r.ID == before.ID }); after != before {
		t.Errorf("a refused status change changed the ticket: %+v, was %+v", after, before)
	}

	wantContains(t, "clients add", e.must("", "clients", "add", "--name", "Corner Cafe").stdout, "Added client")
	var book []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	decodeJSON(t, e.must("", "clients", "list", "--json", "--search", "Corner").stdout, &book)
	if len(book) != 1 {
		t.Fatalf("clients list --search Corner = %+v", book)
	}
	r = e.run("", "tickets", "create", "--client", strconv.FormatInt(book[0].ID, 10), "--summary", "Coffee machine")
	if r.code != 1 {
		t.Fatalf("a ticket for an unmapped client: want exit 1: %v", r)
	}
	wantContains(t, "the error", r.stderr, "not mapped", "map it first")
	if n := len(e.tickets()); n != len(rows) {
		t.Errorf("%d tickets after the refused create, want %d", n, len(rows))
	}

	for _, bad := range [][]string{
		{"create", "--client", "1"},
		{"create", "--summary", "no client"},
		{"set-status", "1"},
		{"set-status", "x", "Closed"},
		{"frobnicate"},
		{},
	} {
		if r := e.run("", append([]string{"tickets"}, bad...)...); r.code != 2 {
			t.Errorf("tickets %v: want exit 2: %v", bad, r)
		}
	}
}

// TestWebhookInfo checks that the password, kept in the keychain, is shown
// only when asked for, and that the credentials are made once.
func TestWebhookInfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	hidden := e.must("", "webhook", "info").stdout
	a, err := app.Open(app.Config{DataDir: e.dir, Secrets: e.mem})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := a.WebhookCredentials(context.Background())
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	if creds.Path == "" || creds.Username == "" || len(creds.Password) < 16 {
		t.Fatalf("webhook credentials %#v are incomplete", creds)
	}
	wantContains(t, "webhook info", hidden, "Payload URL:     https://<your public tunnel URL>"+creds.Path,
		"Username:      "+creds.Username, "--reveal", "Basic Authentication")
	if strings.Contains(hidden, creds.Password) {
		t.Errorf("webhook info shows the password without --reveal:\n%s", hidden)
	}

	shown := e.must("", "webhook", "info", "--reveal", "--public-url", "https://abc.example.net/").stdout
	wantContains(t, "webhook info --reveal", shown, "Payload URL:     https://abc.example.net"+creds.Path,
		"Username:      "+creds.Username, "Password:      "+creds.Password)
	if n := e.mem.Len(); n != 1 {
		t.Errorf("the keychain holds %d entries, want the webhook credentials only", n)
	}
	for _, l := range e.logs("--limit", "100") {
		if strings.Contains(l.Message, creds.Password) || strings.Contains(l.Message, creds.Path) {
			t.Errorf("the sync log shows a webhook secret: %+v", l)
		}
	}
	if r := e.run("", "webhook", "rotate"); r.code != 2 {
		t.Errorf("webhook rotate: want exit 2: %v", r)
	}
	if got := e.logs("--search", "webhook credentials"); !slices.ContainsFunc(got, func(l logJSON) bool { return l.Operation == "webhook" }) || len(got) != 1 {
		t.Errorf("log rows about making webhook credentials: %+v, want one", got)
	}
}

func TestStatusStates(t *testing.T) {
	_, srv := startSim(t, halosim.Options{Seed: 26, Clients: 3})
	e := newEnv(t)
	e.connect(srv.URL, halosim.DefaultClientSecret)
	e.must("", "tickets", "sync")
	out := e.must("", "tickets", "statuses").stdout
	wantContains(t, "statuses", out, "Closed", "closed", "Waiting on Customer", "waiting")
	e.must("", "tickets", "status-state", "Waiting on Customer", "open")
	if r := e.run("", "tickets", "status-state", "Closed", "finished"); r.code != 1 {
		t.Fatalf("bad state: %v", r)
	}
	e.must("", "tickets", "sync") // a new status load keeps the user's choice
	wantContains(t, "statuses", e.must("", "tickets", "statuses").stdout, "open (set by you)")
}
