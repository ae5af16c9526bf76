package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

// TestOfflineTicketSyncSaysItOnce checks the CLI's words when HaloPSA has
// gone away: the plain reason once, not wrapped in itself.
func TestOfflineTicketSyncSaysItOnce(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t, halosim.Options{Seed: 33, Clients: 4, TicketsPerClient: 4})
	e := newEnv(t)
	if r := e.connect(srv.URL, halosim.DefaultClientSecret); r.code != 0 {
		t.Fatal(r)
	}
	e.must("", "tickets", "sync")
	rows := e.tickets()
	if len(rows) == 0 {
		t.Fatal("no tickets to change")
	}
	srv.Close() // the port is now closed

	for _, args := range [][]string{
		{"tickets", "sync"},
		{"tickets", "set-status", strconv.FormatInt(rows[0].ID, 10), "Closed"},
		{"tickets", "create", "--client", strconv.FormatInt(rows[0].ClientID, 10), "--summary", "offline"},
		{"sync", "--once"},
	} {
		r := e.run("", args...)
		if r.code == 0 {
			t.Fatalf("%v against a closed port succeeded: %v", args, r)
		}
		out := r.stdout + r.stderr
		if n := strings.Count(out, "HaloPSA cannot be reached"); n != 1 {
			t.Errorf("%v says %q %d times, want once:\n%s", args, "HaloPSA cannot be reached", n, out)
		}
		for _, p := range []string{"ticket sync: ", "poll tickets: ", "import clients: "} {
			if strings.Count(out, p) > 1 {
				t.Errorf("%v repeats %q:\n%s", args, p, out)
			}
		}
		if strings.Contains(out, "tickets: ticket sync") {
			t.Errorf("%v names the ticket sync twice:\n%s", args, out)
		}
		if args[0] == "tickets" && !strings.Contains(out, "changes stay queued") {
			t.Errorf("%v does not say the changes stay queued:\n%s", args, out)
		}
	}
}
