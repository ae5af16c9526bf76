package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) mappings(state string) []mappingJSON {
	e.t.Helper()
	var rows []mappingJSON
	decodeJSON(e.t, e.must("", "map", "list", "--state", state, "--json").stdout, &rows)
	return rows
}

func TestClientBookCommands(t *testing.T) {
	e := newEnv(t)
	good := writeFile(t, "book.csv", "\xef\xbb\xbfName,Website,Phone\r\nHartley Dental,www.hartleydental.co.uk,0161\r\nNorthwind,,\r\n")
	r := e.must("", "clients", "import", good)
	wantContains(t, "import", r.stdout, "0 joined, 2 added, 0 to review")

	bad := writeFile(t, "bad.csv", "name,phone\nA,1\n,2\n")
	r = e.run("", "clients", "import", bad)
	if r.code != 1 {
		t.Fatalf("bad CSV: %v", r)
	}
	wantContains(t, "bad CSV", r.stderr, "line 3", "nothing was imported")

	e.must("", "clients", "add", "--name", "Corner Cafe", "--phone", "555")
	list := e.must("", "clients", "list").stdout
	wantContains(t, "list", list, "Corner Cafe", "Hartley Dental", "hartleydental.co.uk", "Northwind")
	if strings.Contains(list, "A\t") {
		t.Fatalf("the bad file was half-imported:\n%s", list)
	}
	e.must("", "clients", "edit", "3", "--name", "Corner Café")
	e.must("", "clients", "delete", "2")
	out := filepath.Join(t.TempDir(), "out.csv")
	e.must("", "clients", "export", out)
	b, _ := os.ReadFile(out)
	if got := string(b); got != "id,name,domain,phone,notes\n,Corner Café,,555,\n,Hartley Dental,hartleydental.co.uk,0161,\n" {
		t.Fatalf("export:\n%s", got)
	}
	if r := e.run("", "clients", "delete", "99"); r.code != 1 {
		t.Fatalf("delete of a missing client: %v", r)
	}
	if r := e.run("", "clients", "frobnicate"); r.code != 2 {
		t.Fatalf("unknown subcommand: %v", r)
	}
}

func TestMapCommands(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 21, Clients: 40, InactiveClients: -1})
	clients := sim.Clients()
	var csv strings.Builder
	csv.WriteString("name\n")
	for _, c := range clients[:10] {
		csv.WriteString(strings.ToLower(c.Name) + "\n") // typed the way people do
	}
	csv.WriteString("Corner Cafe\n")
	e := newEnv(t)
	e.must("", "clients", "import", writeFile(t, "book.csv", csv.String()))
	e.connect(srv.URL, halosim.DefaultClientSecret)
	r := e.must("", "map", "suggest")
	wantContains(t, "suggest", r.stdout, "of 11 open local clients")

	sugg := e.mappings("suggested")
	if len(sugg) < 9 {
		t.Fatalf("%d suggestions for 10 lower-cased names", len(sugg))
	}
	for _, m := range sugg {
		if m.Score <= 0 || m.Confidence == "" || m.HaloName == "" {
			t.Fatalf("suggestion %+v", m)
		}
	}
	open := e.mappings("open")
	if len(open) == 0 || open[len(open)-1].LocalName != "Corner Cafe" && open[0].LocalName != "Corner Cafe" {
		t.Fatalf("open = %+v; Corner Cafe has no counterpart", open)
	}
	cafe := open[0].LocalID
	for _, o := range open {
		if o.LocalName == "Corner Cafe" {
			cafe = o.LocalID
		}
	}

	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	e.must("", "map", "accept", id(sugg[0].LocalID))
	e.must("", "map", "accept", id(sugg[1].LocalID), id(int64(clients[30].ID)))
	r = e.must("", "map", "ignore", id(cafe))
	wantContains(t, "ignore", r.stdout, "3 decision(s) waiting")
	if got := e.mappings("accepted"); len(got) != 0 {
		t.Fatalf("decisions applied before map save: %+v", got)
	}
	r = e.must("", "map", "save")
	wantContains(t, "save", r.stdout, "1 accepted, 1 mapped by hand, 1 ignored")
	if got := e.mappings("manual"); len(got) != 1 || got[0].HaloID != int64(clients[30].ID) {
		t.Fatalf("manual = %+v", got)
	}
	if got := e.mappings("ignored"); len(got) != 1 || got[0].LocalID != cafe {
		t.Fatalf("ignored = %+v", got)
	}
	// A bad decision makes map save save nothing.
	e.must("", "map", "unmap", id(sugg[0].LocalID))
	e.must("", "map", "accept", id(sugg[2].LocalID), "999999")
	if r := e.run("", "map", "save"); r.code != 1 || !strings.Contains(r.stderr, "nothing was saved") {
		t.Fatalf("save with a bad decision: %v", r)
	}
	if got := e.mappings("accepted"); len(got) != 1 {
		t.Fatalf("a failed save changed mappings: %+v", got)
	}
	if r := e.run("", "map", "list", "--state", "bogus"); r.code != 2 {
		t.Fatalf("bad state: %v", r)
	}
	if r := e.run("", "map", "accept", id(cafe)); r.code != 1 {
		t.Fatalf("accepting without a suggestion: %v", r)
	}

	r = e.must("", "clients", "from-halo")
	wantContains(t, "from-halo", r.stdout, "Created")
}

func TestOfflineMatch(t *testing.T) {
	local := writeFile(t, "local.csv", "id,name\n1,hartley dental\n2,Northwind Traders\n3,Corner Cafe\n")
	halo := writeFile(t, "halo.csv", "\xef\xbb\xbfid,name\n10,Hartley Dental Group Ltd\n11,Hartley Plumbing\n12,Northwind Traders Inc\n")
	e := newEnv(t)
	r := e.must("", "match", "--local", local, "--halo", halo)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || lines[0] != "local_id,halo_id,score,confidence" {
		t.Fatalf("output:\n%s", r.stdout)
	}
	if !strings.HasPrefix(lines[1], "1,10,") || !strings.HasPrefix(lines[2], "2,12,") || !strings.HasPrefix(lines[3], "3,,") {
		t.Fatalf("matches:\n%s", r.stdout)
	}
	if r := e.run("", "match", "--local", local); r.code != 2 {
		t.Fatalf("missing --halo: %v", r)
	}
}
