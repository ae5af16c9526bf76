package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

// ownBook writes the owner's own CSV of HaloPSA's active clients, typed
// the way people type them (DemoBook's variants), with the owner's text
// ids, some clients HaloPSA lacks, and one row pasted twice. A few names
// are cut to their first and last word ("Fairbairn Ltd" for "Fairbairn
// Recruitment Ltd"), which the matcher rates medium (seed 31).
func ownBook(clients []halosim.ClientSummary) (csv string, rows int) {
	var b strings.Builder
	b.WriteString("Account;Company;Website\r\n")
	for i, c := range clients {
		if c.Inactive {
			continue
		}
		site := ""
		if i%3 == 0 {
			site = c.Website
		}
		name := demoVariant(c.Name, i)
		if w := strings.Fields(c.Name); i == 1 || i == 2 || i == 4 {
			name = w[0] + " " + w[len(w)-1]
		}
		fmt.Fprintf(&b, "CUST-%04d;%s;%s\r\n", i, name, site)
		rows++
	}
	for i, n := range demoOnlyLocal[:4] {
		fmt.Fprintf(&b, "L%d;%s;\r\n", 340+i, n)
		rows++
	}
	fmt.Fprintf(&b, "L340;%s;\r\n", demoOnlyLocal[0]) // pasted twice
	return b.String(), rows
}

func bookSize(t *testing.T, a *App) int {
	t.Helper()
	cs, err := a.LocalClients(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

// TestConnectFirstBookMerges is the guide's natural order: connect (the
// first import fills the book from HaloPSA), then import your own book.
func TestConnectFirstBookMerges(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 31, Clients: 60, InactiveClients: 4})
	a := connectedApp(t, sim, url, nil)
	ctx := context.Background()
	active := sim.Counts().ActiveClients
	if n := bookSize(t, a); n != active {
		t.Fatalf("first import made %d local clients, want %d", n, active)
	}
	before, _ := a.MappingRows(ctx, MappingFilter{State: StateAll})
	haloOf := map[int64]int64{}
	for _, r := range before {
		haloOf[r.Local.ID] = r.HaloID
	}

	csv, rows := ownBook(sim.Clients())
	res, err := a.ImportClientsCSV(ctx, strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("import: %s", res)
	if res.Joined+res.Added+res.Review != rows || res.Updated+res.Unchanged != 0 {
		t.Fatalf("import %+v does not account for %d rows", res, rows)
	}
	if res.Joined < active*8/10 || res.Review < 2 || res.Added < 4 {
		t.Fatalf("import %+v: most rows join, the four local-only are added, some are left to review", res)
	}
	if len(res.Duplicates) != 1 || res.Duplicates[0].First != active+2 || !strings.Contains(res.String(), "repeats line") {
		t.Fatalf("duplicates %+v", res.Duplicates)
	}
	if n := bookSize(t, a); n != active+res.Added+res.Review {
		t.Fatalf("the book has %d clients, want %d + %d added + %d to review: it must not double", n, active, res.Added, res.Review)
	}
	after, _ := a.MappingRows(ctx, MappingFilter{State: StateAll})
	joined := 0
	for _, r := range after {
		if r.Local.Ref == "" || haloOf[r.Local.ID] == 0 {
			continue
		}
		joined++
		if r.State != store.MapAccepted || r.HaloID != haloOf[r.Local.ID] || r.HaloName == "" || !strings.HasPrefix(r.Local.Ref, "CUST-") {
			t.Fatalf("joined row %+v: its mapping stays", r)
		}
	}
	if joined != res.Joined {
		t.Fatalf("%d clients joined, import says %d", joined, res.Joined)
	}
	logs, _ := a.Log(ctx, store.LogQuery{Search: "joined"})
	if len(logs) != 1 || logs[0].Level != store.Info || !strings.Contains(logs[0].Message, res.String()) {
		t.Fatalf("sync log: %+v", logs)
	}

	// Bulk Map offers the rows left to review as merges.
	bm, err := a.BulkMap(ctx)
	if err != nil || bm.Merges != res.Review {
		t.Fatalf("bulk map %+v, %v; want %d merge suggestions", bm, err, res.Review)
	}
	var review []MappingRow
	rowsNow, _ := a.MappingRows(ctx, MappingFilter{State: StateAll})
	for _, r := range rowsNow {
		if r.Merge != nil {
			review = append(review, r)
			if r.MergeName == "" || !strings.Contains(r.Reason, "is mapped to") {
				t.Fatalf("review row %+v", r)
			}
		}
	}
	if len(review) != res.Review {
		t.Fatalf("%d rows show a merge suggestion, want %d", len(review), res.Review)
	}

	// The same file again changes nothing.
	again, err := a.ImportClientsCSV(ctx, strings.NewReader(csv))
	if err != nil || again.Joined+again.Added+again.Review+again.Updated != 0 || again.Unchanged != rows {
		t.Fatalf("second import %+v, %v", again, err)
	}

	// Merging a reviewed row keeps the owner's row and takes the mapping;
	// the file still changes nothing.
	r := review[0]
	mr, err := a.MergeLocalClients(ctx, r.Local.ID, r.Merge.IntoID)
	if err != nil || !mr.MovedMapping {
		t.Fatalf("merge %+v, %v", mr, err)
	}
	size := bookSize(t, a)
	if third, err := a.ImportClientsCSV(ctx, strings.NewReader(csv)); err != nil || third.Unchanged != rows || bookSize(t, a) != size {
		t.Fatalf("import after the merge %+v, %v", third, err)
	}
}

// TestTextIDsRoundTrip: import, export, import elsewhere, export: the
// owner's ids come back exactly.
func TestTextIDsRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	in := "\xef\xbb\xbfid,name,domain,phone,notes\nCUST-0042,Hartley Dental,hartleydental.co.uk,0161 555,\"VIP, pays late\"\nL340,Corner Café,,,\n007,Bond Ltd,,,\nno-id-needed,Acme,,,\n,Northwind,,,\n"
	if _, err := a.ImportClientsCSV(ctx, strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	if err := a.ExportClientsCSV(ctx, &first); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"CUST-0042,Hartley Dental", "L340,Corner Café", "007,Bond Ltd", ",Northwind"} {
		if !strings.Contains(first.String(), "\n"+id+",") {
			t.Fatalf("export lacks %q:\n%s", id, first.String())
		}
	}
	b := openApp(t, t.TempDir(), secrets.NewMemory())
	res, err := b.ImportClientsCSV(ctx, bytes.NewReader(first.Bytes()))
	if err != nil || res.Added != 5 {
		t.Fatalf("import of the export: %+v, %v", res, err)
	}
	var second bytes.Buffer
	if err := b.ExportClientsCSV(ctx, &second); err != nil {
		t.Fatal(err)
	}
	if second.String() != first.String() {
		t.Fatalf("round trip changed the book:\n%s\nthen\n%s", first.String(), second.String())
	}
	if res, err := b.ImportClientsCSV(ctx, bytes.NewReader(second.Bytes())); err != nil || res.Unchanged != 5 {
		t.Fatalf("re-import of the export: %+v, %v", res, err)
	}
}

// TestReimportFillsInAndFindsByName: a file without ids finds its rows by
// name and domain; a later file with ids gives them those ids; empty
// cells never clear anything.
func TestReimportFillsInAndFindsByName(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	first := "name,domain,phone\nSmith Plumbing,,111\nSmith Plumbing,,222\nAcme,acme.com,\n"
	if res, err := a.ImportClientsCSV(ctx, strings.NewReader(first)); err != nil || res.Added != 3 {
		t.Fatalf("first: %+v, %v", res, err)
	}
	if res, err := a.ImportClientsCSV(ctx, strings.NewReader(first)); err != nil || res.Unchanged != 3 {
		t.Fatalf("again: %+v, %v", res, err)
	}
	withIDs := "id,name,domain,phone\nS-2,Smith Plumbing,,222\nS-1,Smith Plumbing,,111\nA-1,Acme,,\n"
	res, err := a.ImportClientsCSV(ctx, strings.NewReader(withIDs))
	if err != nil || res.Updated != 3 || res.Added != 0 {
		t.Fatalf("with ids: %+v, %v", res, err)
	}
	cs, _ := a.LocalClients(ctx, "")
	got := map[string]string{}
	for _, c := range cs {
		got[c.Ref] = c.Phone + "/" + c.Domain
	}
	if got["S-1"] != "111/" || got["S-2"] != "222/" || got["A-1"] != "/acme.com" || len(cs) != 3 {
		t.Fatalf("book %+v", cs)
	}
}

// TestUnmappedRowsSayWhy: an open row says in plain words why nothing is
// suggested, and the confidence filter narrows the rows.
func TestUnmappedRowsSayWhy(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 31, Clients: 20, InactiveClients: -1})
	cs := sim.Clients()
	sim.RenameClient(cs[5].ID, cs[6].Name) // two HaloPSA clients of one name
	book := []store.LocalClient{
		{Name: "Corner Cafe"},
		{Name: strings.ToUpper(cs[0].Name)},
		{Name: cs[0].Name},
		{Name: cs[6].Name},
		{Name: strings.Fields(cs[3].Name)[0]},
	}
	a := connectedApp(t, sim, url, book)
	ctx := context.Background()
	rows, _ := a.MappingRows(ctx, MappingFilter{State: StateAll})
	id := map[string]int64{}
	for _, r := range rows {
		id[r.Local.Name] = r.Local.ID
	}
	if _, err := a.SaveMappings(ctx, []store.Decision{{LocalID: id[cs[0].Name], Action: store.Accept, HaloID: int64(cs[0].ID)}}); err != nil {
		t.Fatal(err)
	}
	open, _ := a.MappingRows(ctx, MappingFilter{State: store.MapOpen})
	why := map[string]string{}
	for _, r := range open {
		why[r.Local.Name] = r.Reason
		t.Logf("%s: %s", r.Local.Name, r.Reason)
	}
	for name, want := range map[string]string{
		"Corner Cafe":                 "no HaloPSA client scores above 0.55",
		strings.ToUpper(cs[0].Name):   "is mapped to “" + cs[0].Name + "”",
		cs[6].Name:                    "2 HaloPSA clients fit equally: pick one",
		strings.Fields(cs[3].Name)[0]: "",
	} {
		if !strings.Contains(why[name], want) || why[name] == "" {
			t.Errorf("%s: %q, want %q", name, why[name], want)
		}
	}
	if got, _ := a.MappingRows(ctx, MappingFilter{State: StateAll, Confidence: "exact"}); len(got) != 1 || got[0].Local.Name != cs[0].Name {
		t.Errorf("exact rows %+v", got)
	}
	if got, _ := a.MappingRows(ctx, MappingFilter{State: StateAll, Confidence: "none"}); len(got) != 4 {
		t.Errorf("%d rows without a band, want the 4 open", len(got))
	}
}
