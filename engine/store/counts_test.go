package store

import (
	"context"
	"testing"
)

func TestCounts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if c, err := db.Counts(ctx); err != nil || c != (Counts{}) {
		t.Fatalf("Counts on an empty database = %+v, %v", c, err)
	}
	// Clients 1, 2 active, 3 inactive, 4 deleted. Each has one site, two
	// contacts (one primary) and one asset; client 1 also has a deleted and an
	// inactive one of each. Client 9 does not exist (its children arrived
	// first, or it was never imported): its children do not count either.
	clients := []Client{{ID: 1, Name: "A"}, {ID: 2, Name: "B"}, {ID: 3, Name: "C", Inactive: true}, {ID: 4, Name: "D"}}
	var (
		sites    []Site
		contacts []Contact
		assets   []Asset
	)
	for _, cid := range []int64{1, 2, 3, 4, 9} {
		sites = append(sites, Site{ID: cid*10 + 1, ClientID: cid})
		contacts = append(contacts,
			Contact{ID: cid*10 + 1, ClientID: cid, Primary: true},
			Contact{ID: cid*10 + 2, ClientID: cid})
		assets = append(assets, Asset{ID: cid*10 + 1, ClientID: cid})
	}
	sites = append(sites, Site{ID: 100, ClientID: 1}, Site{ID: 101, ClientID: 1, Inactive: true})
	contacts = append(contacts, Contact{ID: 100, ClientID: 1, Primary: true}, Contact{ID: 101, ClientID: 1, Inactive: true})
	assets = append(assets, Asset{ID: 100, ClientID: 1}, Asset{ID: 101, ClientID: 1, Inactive: true})

	run, _ := db.BeginRun(ctx, KindImport)
	must := func(_ UpsertResult, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.UpsertClients(ctx, run, clients))
	must(db.UpsertSites(ctx, run, sites))
	must(db.UpsertContacts(ctx, run, contacts))
	must(db.UpsertAssets(ctx, run, assets))
	deleted := map[Resource]int64{Clients: 4, Sites: 100, Contacts: 100, Assets: 100}
	for r, id := range deleted {
		if err := db.SetState(ctx, r, []int64{id}, StateDeleted); err != nil {
			t.Fatal(err)
		}
	}
	// local_clients has no methods yet; write the row directly.
	if _, err := db.w.ExecContext(ctx, `INSERT INTO local_clients (name, created_at, updated_at) VALUES ('Mine', '', '')`); err != nil {
		t.Fatal(err)
	}
	for _, l := range []Level{Error, Warn, Error, Info} {
		if _, err := db.AddLog(ctx, LogEntry{Level: l}); err != nil {
			t.Fatal(err)
		}
	}

	got, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{
		Clients: 2, InactiveClients: 1, DeletedClients: 1,
		Sites:           3, // 11, 21 and the inactive 101
		Contacts:        5, // 11, 12, 21, 22, 101
		PrimaryContacts: 2, // 11, 21
		Assets:          3,
		LocalClients:    1,
		Errors:          2,
	}
	if got != want {
		t.Errorf("Counts = %+v\nwant   %+v", got, want)
	}
}
