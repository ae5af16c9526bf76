package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

// choices reads what local client local's tickets may carry, as the
// commands resolve names against it.
func (e *env) choices(local int64) app.TicketChoices {
	e.t.Helper()
	a, err := app.Open(app.Config{DataDir: e.dir, Secrets: e.mem})
	if err != nil {
		e.t.Fatal(err)
	}
	defer a.Close()
	c, err := a.TicketChoices(context.Background(), local)
	if err != nil || len(c.Sites) == 0 || len(c.Contacts) == 0 || len(c.Types) == 0 || len(c.Priorities) == 0 {
		e.t.Fatalf("choices of client %d: %+v, %v", local, c, err)
	}
	return c
}

// outbox counts the changes waiting to go to HaloPSA.
func (e *env) outbox() int {
	e.t.Helper()
	a, err := app.Open(app.Config{DataDir: e.dir, Secrets: e.mem})
	if err != nil {
		e.t.Fatal(err)
	}
	defer a.Close()
	n, err := a.OutboxPending(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// ticketFieldsEnv is a connected env after one ticket sync (which loads
// the types, priorities and outcomes) with one mapped client to work on.
func ticketFieldsEnv(t *testing.T, seed int64) (*env, *halosim.Server, *halo.Client, int64, app.TicketChoices) {
	t.Helper()
	sim, srv := startSim(t, halosim.Options{Seed: seed, Clients: 4, InactiveClients: -1, TicketsPerClient: -1})
	e := newEnv(t)
	if r := e.connect(srv.URL, halosim.DefaultClientSecret); r.code != 0 {
		t.Fatal(r)
	}
	e.must("", "tickets", "sync")
	local := e.localClientFor(sim.ActiveClientIDs()[0])
	return e, sim, haloClient(t, srv.URL, halosim.DefaultClientSecret), local, e.choices(local)
}

// remoteFields are a HaloPSA ticket's site, contact, type and priority.
func remoteFields(t *testing.T, hc *halo.Client, id int64) [4]int64 {
	t.Helper()
	tk := remoteTicket(t, hc, id)
	return [4]int64{tk.SiteID.Int(), tk.UserID.Int(), tk.TicketTypeID.Int(), tk.PriorityID.Int()}
}

// TestTicketCreateWithEveryFieldAndNotes: a create naming its site by id,
// its contact by name, its type and priority in any case lands in HaloPSA
// with those ids; a private and a public note go out once each, and a note
// written in HaloPSA is listed with them.
func TestTicketCreateWithEveryFieldAndNotes(t *testing.T) {
	t.Parallel()
	e, sim, hc, local, ch := ticketFieldsEnv(t, 41)
	site, contact := ch.Sites[len(ch.Sites)-1], ch.Contacts[len(ch.Contacts)-1]
	r := e.must("", "tickets", "create", "--client", strconv.FormatInt(local, 10), "--summary", "Toner empty",
		"--site", strconv.FormatInt(site.ID, 10), "--contact", contact.Name, "--type", "change request", "--priority", "4")
	wantContains(t, "tickets create", r.stdout, "Created ticket", "Ticket sync done")
	if strings.Contains(r.stdout, "not in HaloPSA yet") {
		t.Fatalf("a create with every field was refused:\n%s", r.stdout)
	}
	tk := ticketBy(t, e.tickets(), "the new one", func(r ticketJSON) bool { return r.Summary == "Toner empty" })
	if tk.HaloID == 0 || tk.SyncState != "synced" || tk.SiteID != site.ID || tk.ContactID != contact.ID || tk.TypeID != 21 || tk.Priority != 4 {
		t.Fatalf("the created ticket: %+v (want site %d, contact %d)", tk, site.ID, contact.ID)
	}
	if got := remoteFields(t, hc, tk.HaloID); got != [4]int64{site.ID, contact.ID, 21, 4} {
		t.Fatalf("HaloPSA's site, contact, type and priority: %v", got)
	}
	id := strconv.FormatInt(tk.ID, 10)
	wantContains(t, "tickets show", e.must("", "tickets", "show", id).stdout,
		"Change Request (21)", "Low (4)", contact.Name, "synced")

	wantContains(t, "a private note", e.must("", "tickets", "note", id, "Ordered a new cartridge").stdout,
		"Added a private note", "Ticket sync done")
	wantContains(t, "a public note", e.must("", "tickets", "note", id, "We will fit it on Tuesday", "--public", "--outcome", "email user").stdout,
		"Added a public note", "Ticket sync done")
	for _, text := range []string{"Ordered a new cartridge", "We will fit it on Tuesday"} {
		if n := sim.NoteCount(int(tk.HaloID), text); n != 1 {
			t.Errorf("HaloPSA has %q %d times, want once", text, n)
		}
	}
	if _, err := sim.AddNote(int(tk.HaloID), "Customer says thanks", false); err != nil {
		t.Fatal(err)
	}
	out := e.must("", "tickets", "notes", id).stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "WHEN") {
		t.Fatalf("tickets notes: want a header and 3 notes:\n%s", out)
	}
	for i, want := range [][]string{
		{"Ordered a new cartridge", "private", "sent"},
		{"We will fit it on Tuesday", "public", "sent"},
		{"Customer says thanks", "public", "sent"},
	} {
		wantContains(t, "note "+strconv.Itoa(i+1), lines[i+1], want...)
	}
	if r := e.run("", "tickets", "note", id, "x", "--outcome", "Bogus"); r.code != 1 || !strings.Contains(r.stderr, `no outcome "Bogus"`) {
		t.Errorf("an unknown outcome: %v", r)
	}
}

// TestTicketRefusedForAMissingFieldIsFixed: a Service Request without a
// site or contact is refused by HaloPSA; the plain reason shows in
// tickets list and show, the create stays queued through another sync,
// and tickets fix sends it with the fields.
func TestTicketRefusedForAMissingFieldIsFixed(t *testing.T) {
	t.Parallel()
	e, _, hc, local, ch := ticketFieldsEnv(t, 42)
	r := e.must("", "tickets", "create", "--client", strconv.FormatInt(local, 10), "--summary", "New starter",
		"--type", "Service Request", "--site", "none", "--contact", "none")
	const why = "HaloPSA needs a site for ticket type Service Request"
	wantContains(t, "the refused create", r.stdout, "is not in HaloPSA yet: "+why, "stays queued", "tickets fix")
	tk := ticketBy(t, e.tickets(), "the new one", func(r ticketJSON) bool { return r.Summary == "New starter" })
	if tk.HaloID != 0 || tk.SyncState != "error" || !strings.HasPrefix(tk.SyncError, why) {
		t.Fatalf("after HaloPSA refused it: %+v", tk)
	}
	id := strconv.FormatInt(tk.ID, 10)
	wantContains(t, "tickets list", e.must("", "tickets", "list").stdout, "error: "+why)
	wantContains(t, "tickets show", e.must("", "tickets", "show", id).stdout, "not in HaloPSA yet", "Why", why)
	e.must("", "tickets", "sync")
	if again := ticketBy(t, e.tickets(), "the new one", func(r ticketJSON) bool { return r.ID == tk.ID }); again.HaloID != 0 || again.SyncState != "error" {
		t.Fatalf("the refused create after another sync: %+v", again)
	}
	if n := e.outbox(); n != 1 {
		t.Fatalf("the outbox holds %d changes, want the refused create", n)
	}

	site, contact := ch.Sites[0], ch.Contacts[0]
	r = e.must("", "tickets", "fix", id, "--site", app.SiteLabel(site), "--contact", strconv.FormatInt(contact.ID, 10))
	wantContains(t, "tickets fix", r.stdout, "sending it to HaloPSA again", "Service Request (3)", "Ticket sync done")
	fixed := ticketBy(t, e.tickets(), "the fixed one", func(r ticketJSON) bool { return r.ID == tk.ID })
	if fixed.HaloID == 0 || fixed.SyncState != "synced" || fixed.SyncError != "" {
		t.Fatalf("after the fix: %+v", fixed)
	}
	if got := remoteFields(t, hc, fixed.HaloID); got[0] != site.ID || got[1] != contact.ID || got[2] != 3 {
		t.Fatalf("HaloPSA's site, contact, type and priority: %v", got)
	}
	if r := e.run("", "tickets", "fix", id, "--site", strconv.FormatInt(site.ID, 10)); r.code != 1 || !strings.Contains(r.stderr, "in HaloPSA already") {
		t.Errorf("a fix of a ticket in HaloPSA: %v", r)
	}
	if r := e.run("", "tickets", "fix", id); r.code != 2 {
		t.Errorf("a fix with no field: want exit 2: %v", r)
	}
	for _, args := range [][]string{
		{"tickets", "show", "99999"}, {"tickets", "notes", "99999"}, {"tickets", "note", "99999", "Hello"},
		{"tickets", "fix", "99999", "--site", "none"},
	} {
		if r := e.run("", args...); r.code != 1 || !strings.Contains(r.stderr, "no ticket 99999") {
			t.Errorf("%v: want exit 1 saying no ticket 99999: %v", args, r)
		}
	}
}

// TestClientDefaultsRoundTrip: defaults set by name and id are printed
// back by name and a create without flags starts from them.
func TestClientDefaultsRoundTrip(t *testing.T) {
	t.Parallel()
	e, _, hc, local, ch := ticketFieldsEnv(t, 43)
	l := strconv.FormatInt(local, 10)
	wantContains(t, "no defaults yet", e.must("", "clients", "defaults", l).stdout,
		"site none, contact none, type HaloPSA's default", "primary contact")
	site, contact := ch.Sites[len(ch.Sites)-1], ch.Contacts[len(ch.Contacts)-1]
	r := e.must("", "clients", "defaults", l, "--site", strconv.FormatInt(site.ID, 10), "--contact", contact.Name,
		"--type", "Problem", "--priority", "high")
	wantContains(t, "saving defaults", r.stdout, "Saved.", contact.Name, "Problem (4)", "High (2)")
	wantContains(t, "printing them", e.must("", "clients", "defaults", l).stdout,
		app.SiteLabel(site), contact.Name, "Problem (4)", "High (2)")
	// A flag not given keeps its value; "none" clears one.
	wantContains(t, "clearing the type", e.must("", "clients", "defaults", l, "--type", "none", "--priority", "Medium").stdout,
		contact.Name, "type HaloPSA's default", "Medium (3)")
	e.must("", "tickets", "create", "--client", l, "--summary", "From the defaults")
	tk := ticketBy(t, e.tickets(), "the new one", func(r ticketJSON) bool { return r.Summary == "From the defaults" })
	if tk.SiteID != site.ID || tk.ContactID != contact.ID || tk.TypeID != 0 || tk.Priority != 3 || tk.HaloID == 0 {
		t.Fatalf("a create from the defaults: %+v", tk)
	}
	if got := remoteFields(t, hc, tk.HaloID); got[0] != site.ID || got[1] != contact.ID || got[3] != 3 {
		t.Fatalf("HaloPSA's site, contact, type and priority: %v", got)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"clients", "defaults", l, "--priority", "Urgentest"}, `no priority "Urgentest"; there are: Critical (1)`},
		{[]string{"clients", "defaults", "9999"}, "not mapped"},
	} {
		if r := e.run("", bad.args...); r.code != 1 || !strings.Contains(r.stderr, bad.want) {
			t.Errorf("%v: want exit 1 saying %q: %v", bad.args, bad.want, r)
		}
	}
}

// TestNoteRefusedForItsOutcomeIsFixed: HaloPSA refuses a note for its
// outcome (the API agent may not use "Approve Change"); the note waits,
// the ticket says why, and tickets fix --note-outcome sends it once.
func TestNoteRefusedForItsOutcomeIsFixed(t *testing.T) {
	t.Parallel()
	e, sim, _, local, _ := ticketFieldsEnv(t, 43)
	e.must("", "tickets", "create", "--client", strconv.FormatInt(local, 10), "--summary", "Change window")
	tk := ticketBy(t, e.tickets(), "the new one", func(r ticketJSON) bool { return r.Summary == "Change window" })
	if tk.HaloID == 0 {
		t.Fatalf("the create did not reach HaloPSA: %+v", tk)
	}
	id := strconv.FormatInt(tk.ID, 10)
	r := e.must("", "tickets", "note", id, "Approved by the owner", "--outcome", "Approve Change")
	wantContains(t, "tickets note with a refused outcome", r.stdout, "HaloPSA has not taken ticket "+id+"'s note", "--note-outcome")
	if strings.Contains(r.stdout, "not in HaloPSA yet") {
		t.Errorf("tickets note says the ticket is not in HaloPSA: %q", r.stdout)
	}
	wantContains(t, "the refused note", e.must("", "tickets", "show", id).stdout, "You do not have access to this Action")
	wantContains(t, "tickets notes", e.must("", "tickets", "notes", id).stdout, "Approved by the owner", "pending")
	if n := sim.NoteCount(int(tk.HaloID), "Approved by the owner"); n != 0 {
		t.Fatalf("HaloPSA took the refused note %d times", n)
	}

	r = e.must("", "tickets", "fix", id, "--note-outcome", "internal note")
	wantContains(t, "tickets fix --note-outcome", r.stdout, "1 note(s) of ticket "+id+" now go with outcome internal note", "Ticket sync done")
	if n := sim.NoteCount(int(tk.HaloID), "Approved by the owner"); n != 1 {
		t.Fatalf("HaloPSA has the fixed note %d times, want once", n)
	}
	wantContains(t, "tickets notes after the fix", e.must("", "tickets", "notes", id).stdout, "Approved by the owner", "sent")
	if r := e.run("", "tickets", "fix", id, "--note-outcome", "7"); r.code != 1 || !strings.Contains(r.stderr, "no note waiting") {
		t.Errorf("a fix with nothing waiting: %+v", r)
	}
}
