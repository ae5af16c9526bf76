package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

func (e *env) book() []clientJSON {
	e.t.Helper()
	var cs []clientJSON
	decodeJSON(e.t, e.must("", "clients", "list", "--json").stdout, &cs)
	return cs
}

// TestConnectFirstImportMergeAndEdit: connect first (the book fills from
// HaloPSA), import the owner's CSV with text ids, review and merge, edit
// and delete.
func TestConnectFirstImportMergeAndEdit(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 31, Clients: 12, InactiveClients: -1})
	e := newEnv(t)
	if r := e.connect(srv.URL, halosim.DefaultClientSecret); r.code != 0 {
		t.Fatalf("connect: %v", r)
	}
	if n := len(e.book()); n != 12 {
		t.Fatalf("the first import made %d local clients", n)
	}
	var csv strings.Builder
	csv.WriteString("Ref;Company\n")
	cs := sim.Clients()
	for i, c := range cs[:6] {
		fmt.Fprintf(&csv, "CUST-%04d;%s\n", i, strings.ToLower(c.Name))
	}
	w := strings.Fields(cs[6].Name) // "Ashford Co" for "Ashford Accountancy & Co": medium, to review
	fmt.Fprintf(&csv, "CUST-0099;%s %s\nL340;Corner Cafe\nL340;Corner Cafe\n", w[0], w[len(w)-1])
	file := writeFile(t, "book.csv", csv.String())

	r := e.must("", "clients", "import", file)
	wantContains(t, "import", r.stdout, "6 joined, 1 added, 1 to review", "Left out: line 10 repeats line 9 (id \"L340\")", "clients merge KEEP OTHER")
	if n := len(e.book()); n != 14 {
		t.Fatalf("%d clients after the import, want 12 + 2", n)
	}
	r = e.must("", "clients", "import", file)
	wantContains(t, "import again", r.stdout, "0 joined, 0 added, 0 to review", "Already in the book: 8 (0 updated)")

	r = e.must("", "map", "suggest")
	wantContains(t, "suggest", r.stdout, "1 more look like clients made from HaloPSA")
	var review mappingJSON
	for _, m := range e.mappings("open") {
		if m.MergeInto != 0 {
			review = m
		}
	}
	if review.LocalName != w[0]+" "+w[len(w)-1] || review.MergeName != cs[6].Name || !strings.Contains(review.Reason, "is mapped to") {
		t.Fatalf("review row %+v", review)
	}
	text := e.must("", "map", "list", "--state", "open").stdout
	wantContains(t, "map list", text, fmt.Sprintf("merge into %d?", review.MergeInto))

	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	r = e.must("", "clients", "merge", id(review.LocalID), id(review.MergeInto))
	wantContains(t, "merge", r.stdout, "its mapping moved")
	if got := e.mappings("accepted"); len(got) != 12 {
		t.Fatalf("%d accepted mappings after the merge, want 12", len(got))
	}
	if r := e.run("", "clients", "merge", "1", "1"); r.code != 2 {
		t.Fatalf("merge with itself: %v", r)
	}
	if r := e.run("", "clients", "keep-apart", id(review.LocalID)); r.code != 1 {
		t.Fatalf("keep-apart without a suggestion: %v", r)
	}

	var cafe clientJSON
	for _, c := range e.book() {
		if c.Ref == "L340" {
			cafe = c
		}
	}
	e.must("", "clients", "edit", id(cafe.ID), "--id", "L-340", "--domain", "https://www.cornercafe.co.uk/")
	for _, c := range e.book() {
		if c.ID == cafe.ID && (c.Ref != "L-340" || c.Domain != "cornercafe.co.uk" || c.Name != "Corner Cafe") {
			t.Fatalf("edited %+v", c)
		}
	}
	if r := e.run("", "clients", "edit", id(cafe.ID), "--id", "CUST-0000"); r.code != 1 || !strings.Contains(r.stderr, "taken") {
		t.Fatalf("a taken id: %v", r)
	}
	e.must("", "clients", "delete", id(cafe.ID))
	if r := e.run("", "map", "list", "--confidence", "sure"); r.code != 2 {
		t.Fatalf("bad confidence: %v", r)
	}
	var exact []mappingJSON
	decodeJSON(t, e.must("", "map", "list", "--confidence", "exact", "--json").stdout, &exact)
	for _, m := range exact {
		if m.Confidence != "exact" {
			t.Fatalf("confidence filter let through %+v", m)
		}
	}
}

// lineMessage is the "line N: ..." part of an error, which `match` and
// `clients import` must word alike.
var lineMessage = regexp.MustCompile(`line \d+: [^(\n]*`)

// TestMatchAndImportReadFilesAlike: the two CSV readers accept the same
// encodings and separators and refuse the same files with the same words.
func TestMatchAndImportReadFilesAlike(t *testing.T) {
	halo := writeFile(t, "halo.csv", "id,name\nH-1,Café Rouge Ltd\nH-2,Hartley Dental Group\n")
	for name, in := range map[string]string{
		"UTF-8 BOM, commas":          "\xef\xbb\xbfid,name\r\nL340,Café Rouge\r\nCUST-0042,hartley dental\r\n",
		"Windows-1252, semicolons":   "id;name\r\nL340;Caf\xe9 Rouge\r\nCUST-0042;hartley dental\r\n",
		"UTF-8, tabs, quoted fields": "id\tname\n\"L340\"\t\"Café Rouge\"\nCUST-0042\thartley dental\n",
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			local := writeFile(t, "local.csv", in)
			out := e.must("", "match", "--local", local, "--halo", halo).stdout
			if !strings.Contains(out, "\nL340,H-1,") || !strings.Contains(out, "\nCUST-0042,H-2,") {
				t.Fatalf("match:\n%s", out)
			}
			e.must("", "clients", "import", local)
			names := map[string]string{}
			for _, c := range e.book() {
				names[c.Ref] = c.Name
			}
			if names["L340"] != "Café Rouge" || names["CUST-0042"] != "hartley dental" {
				t.Fatalf("imported %v", names)
			}
		})
	}
	for _, bad := range []struct{ name, in, want string }{
		{"unclosed quote", "id,name\nA1,Acme\nA2,\"Beta\nA3,Gamma\nA4,Delta\n", "line 3: a quoted value starts here and its closing quote is missing"},
		{"stray quote", "id,name\nA1,Acme \"The\" Ltd\n", "line 2: a stray \""},
		{"empty name", "id,name\nA1,Acme\nA2,\n", "line 3: the name is empty"},
		{"too many fields", "id;name\nA1;Acme;x\n", "line 2: 3 fields, but the header has 2"},
		{"one id twice", "id,name\nA1,Acme\nA1,Beta\n", `line 3: id "A1" already on line 2 with other values`},
		{"broken UTF-8", "id,name\nA1,Café\nA2,Caf\xe9\n", "line 3: the file is not UTF-8 or Windows-1252 text"},
		{"no name column", "id,company name x\nA1,Acme\n", `line 1: the first row must be a header with a "name" column`},
	} {
		t.Run(bad.name, func(t *testing.T) {
			e := newEnv(t)
			local := writeFile(t, "local.csv", bad.in)
			m := e.run("", "match", "--local", local, "--halo", halo)
			i := e.run("", "clients", "import", local)
			if m.code != 1 || i.code != 1 {
				t.Fatalf("match: %v\nimport: %v", m, i)
			}
			mw, iw := strings.TrimSpace(lineMessage.FindString(m.stderr)), strings.TrimSpace(lineMessage.FindString(i.stderr))
			if mw == "" || mw != iw || !strings.HasPrefix(mw, bad.want) {
				t.Fatalf("match says %q, import says %q; want both %q", mw, iw, bad.want)
			}
			if len(e.book()) != 0 {
				t.Fatal("a refused file was half-imported")
			}
		})
	}
}

func TestMatchReportsRepeatedRows(t *testing.T) {
	e := newEnv(t)
	local := writeFile(t, "local.csv", "id,name\nL340,Corner Cafe\nL340,Corner Cafe\n")
	halo := writeFile(t, "halo.csv", "id,name\nH-1,Corner Café Ltd\n")
	r := e.must("", "match", "--local", local, "--halo", halo)
	if !strings.HasPrefix(r.stdout, "local_id,halo_id,score,confidence\nL340,H-1,") {
		t.Fatalf("stdout %q", r.stdout)
	}
	if strings.Count(r.stdout, "L340") != 1 {
		t.Fatalf("a repeated row matched twice:\n%s", r.stdout)
	}
	wantContains(t, "stderr", r.stderr, `local: line 3 repeats line 2 (id "L340"); left out`)
}
