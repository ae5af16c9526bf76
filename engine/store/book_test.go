package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// haloMadeBook is a connect-first book: three HaloPSA clients, each with a
// local client made from it.
func haloMadeBook(t *testing.T) (*DB, map[int64]int64) {
	t.Helper()
	db, _ := seedMapping(t)
	ctx := context.Background()
	for _, c := range mustLocals(t, db) {
		if err := db.DeleteLocalClient(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.CreateLocalFromHalo(ctx, nil); err != nil || n != 3 {
		t.Fatalf("created %d, %v", n, err)
	}
	ms, _ := db.Mappings(ctx)
	byHalo := map[int64]int64{}
	for _, m := range ms {
		byHalo[m.HaloID] = m.LocalID
	}
	return db, byHalo
}

func mustLocals(t *testing.T, db *DB) []LocalClient {
	t.Helper()
	cs, err := db.LocalClients(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestApplyBookImportJoinsReviewsAndAdds(t *testing.T) {
	db, byHalo := haloMadeBook(t)
	ctx := context.Background()
	if c, _ := db.LocalClient(ctx, byHalo[10]); c.Origin != OriginHalo || c.Domain != "hartleydental.co.uk" {
		t.Fatalf("HaloPSA-made client = %+v", c)
	}
	sum, err := db.ApplyBookImport(ctx, BookImport{
		Join:   []BookJoin{{Row: LocalClient{Ref: "CUST-0042", Name: "hartley dental", Notes: "VIP"}, Into: byHalo[10], Score: 0.9, Confidence: "high", Reason: "names alike"}},
		Review: []BookJoin{{Row: LocalClient{Ref: "L340", Name: "Northwind"}, Into: byHalo[12], Score: 0.8, Confidence: "medium"}},
		Add:    []LocalClient{{Ref: "L341", Name: "Corner Cafe"}},
	})
	if err != nil || sum != (BookImportSummary{Joined: 1, Added: 1, Review: 1}) {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	c, _ := db.LocalClient(ctx, byHalo[10])
	if c.Name != "hartley dental" || c.Ref != "CUST-0042" || c.Domain != "hartleydental.co.uk" || c.Notes != "VIP" || c.Origin != OriginBook {
		t.Fatalf("joined client = %+v: the row's name and id, the HaloPSA domain kept", c)
	}
	ms, _ := db.Mappings(ctx)
	if m := ms[byHalo[10]]; m.HaloID != 10 || m.State != MapAccepted || m.Confidence != "high" || !strings.Contains(m.Reason, "names alike") {
		t.Fatalf("joined mapping = %+v: it stays, rescored", m)
	}
	if n := len(mustLocals(t, db)); n != 5 {
		t.Fatalf("%d clients, want 3 + 2 new", n)
	}
	sugs, _ := db.MergeSuggestions(ctx)
	if len(sugs) != 1 {
		t.Fatalf("merge suggestions %+v", sugs)
	}
	for _, s := range sugs {
		if s.IntoID != byHalo[12] || s.Confidence != "medium" {
			t.Fatalf("merge suggestion %+v", s)
		}
	}

	// A join whose target stopped being HaloPSA-made adds instead; a taken
	// id fails the whole import.
	sum, err = db.ApplyBookImport(ctx, BookImport{Join: []BookJoin{{Row: LocalClient{Name: "Hartley D"}, Into: byHalo[10]}}})
	if err != nil || sum.Added != 1 || sum.Joined != 0 {
		t.Fatalf("second join: %+v, %v", sum, err)
	}
	before := len(mustLocals(t, db))
	_, err = db.ApplyBookImport(ctx, BookImport{Add: []LocalClient{{Name: "New One"}, {Ref: "L341", Name: "Other"}}})
	if !errors.Is(err, ErrRefTaken) || len(mustLocals(t, db)) != before {
		t.Fatalf("taken id: %v; %d clients (was %d): all or none", err, len(mustLocals(t, db)), before)
	}
}

func TestMergeLocalClients(t *testing.T) {
	db, byHalo := haloMadeBook(t)
	ctx := context.Background()
	mine, err := db.AddLocalClients(ctx, []LocalClient{
		{Ref: "CUST-7", Name: "Northwind", Phone: "555", Notes: "pays late"},
		{Ref: "CUST-8", Name: "Northwind Traders"},
		{Name: "Hartley Plumbing Ltd", Domain: "hp.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := db.CreateTicket(ctx, Ticket{LocalClientID: byHalo[12], HaloClientID: 12, Summary: "Printer"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceMergeSuggestions(ctx, []MergeSuggestion{{LocalID: mine[0], IntoID: byHalo[12], Score: 0.8}}); err != nil {
		t.Fatal(err)
	}
	// Keep the owner's row; the HaloPSA-made client's mapping and ticket move to it.
	res, err := db.MergeLocalClients(ctx, mine[0], byHalo[12])
	if err != nil || !res.MovedMapping || res.MovedTickets != 1 || res.Kept.Ref != "CUST-7" || res.OtherName != "Northwind Traders Inc" {
		t.Fatalf("merge = %+v, %v", res, err)
	}
	if _, err := db.LocalClient(ctx, byHalo[12]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the merged client is still there: %v", err)
	}
	ms, _ := db.Mappings(ctx)
	if m := ms[mine[0]]; m.HaloID != 12 || m.State != MapAccepted {
		t.Fatalf("kept mapping %+v", m)
	}
	if got, _ := db.Ticket(ctx, tk.ID); got.LocalClientID != mine[0] {
		t.Fatalf("ticket belongs to %d", got.LocalClientID)
	}
	if sugs, _ := db.MergeSuggestions(ctx); len(sugs) != 0 {
		t.Fatalf("merge suggestions left: %+v", sugs)
	}

	// A second book row with its own id: its id stays findable.
	res, err = db.MergeLocalClients(ctx, mine[0], mine[1])
	if err != nil || res.MergedRef != "CUST-8" || res.MovedMapping {
		t.Fatalf("merge = %+v, %v", res, err)
	}
	// Without an id, the name and domain.
	if _, err := db.MergeLocalClients(ctx, byHalo[11], mine[2]); err != nil {
		t.Fatal(err)
	}
	aliases, _ := db.LocalAliases(ctx)
	if aliases[AliasRef+"\x00CUST-8"] != mine[0] || aliases[AliasName+"\x00"+NameKey("hartley  PLUMBING ltd", "www.hp.com")] != byHalo[11] {
		t.Fatalf("aliases %v", aliases)
	}
	if c, _ := db.LocalClient(ctx, byHalo[11]); c.Domain != "hp.com" || c.Origin != OriginBook || c.Name != "Hartley Plumbing" {
		t.Fatalf("kept %+v", c)
	}
	// Giving the alias to a client explicitly takes it.
	if err := db.UpdateLocalClient(ctx, LocalClient{ID: byHalo[10], Name: "Hartley Dental", Ref: "CUST-8"}); err != nil {
		t.Fatal(err)
	}
	if aliases, _ := db.LocalAliases(ctx); aliases[AliasRef+"\x00CUST-8"] != 0 {
		t.Fatal("the alias outlived an explicit id")
	}
	if err := db.UpdateLocalClient(ctx, LocalClient{ID: byHalo[11], Name: "x", Ref: "CUST-7"}); !errors.Is(err, ErrRefTaken) {
		t.Fatalf("taken id: %v", err)
	}

	// Two clients mapped to different HaloPSA clients are not merged.
	if _, err := db.MergeLocalClients(ctx, mine[0], byHalo[10]); !errors.Is(err, ErrMergeConflict) {
		t.Fatalf("conflicting mappings: %v", err)
	}
	if _, err := db.MergeLocalClients(ctx, mine[0], 9999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing client: %v", err)
	}
}

func TestDismissedMergeSuggestionStaysDismissed(t *testing.T) {
	db, byHalo := haloMadeBook(t)
	ctx := context.Background()
	id, _ := db.AddLocalClient(ctx, LocalClient{Name: "Northwind"})
	sug := []MergeSuggestion{{LocalID: id, IntoID: byHalo[12], Score: 0.8, Confidence: "medium"}}
	if err := db.ReplaceMergeSuggestions(ctx, sug); err != nil {
		t.Fatal(err)
	}
	if err := db.DismissMergeSuggestion(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceMergeSuggestions(ctx, sug); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.MergeSuggestions(ctx); len(got) != 0 {
		t.Fatalf("a dismissed suggestion came back: %+v", got)
	}
	if err := db.DismissMergeSuggestion(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("dismissing nothing: %v", err)
	}
}

// TestMigration6MarksHaloMadeClients: a book seeded from HaloPSA before
// 0006 is recognised as HaloPSA-made, so a later CSV import joins it.
func TestMigration6MarksHaloMadeClients(t *testing.T) {
	path := filepath.Join(t.TempDir(), "halosync.db")
	raw, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	upTo5 := fstest.MapFS{}
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	for _, n := range names {
		if filepath.Base(n) < "0006" {
			b, _ := fs.ReadFile(migrationFiles, n)
			upTo5[n] = &fstest.MapFile{Data: b}
		}
	}
	ctx := context.Background()
	if err := migrate(ctx, raw, upTo5); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO clients (id, name, state, seen_run, changed_at) VALUES (10, 'Acme Ltd', 'active', 1, '')`,
		`INSERT INTO local_clients (id, name, created_at, updated_at) VALUES (1, 'Acme Ltd', '', ''), (2, 'Mine', '', '')`,
		`INSERT INTO mappings (local_id, halo_client_id, state, reason, updated_at) VALUES (1, 10, 'accepted', 'created from HaloPSA', '')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cs, _ := db.LocalClients(ctx, "")
	if len(cs) != 2 || cs[0].Origin != OriginHalo || cs[1].Origin != OriginBook || cs[0].Ref != "" {
		t.Fatalf("after 0006: %+v", cs)
	}
}
