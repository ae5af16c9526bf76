package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

// connectedApp connects an app to a simulator and imports, with the given
// client book in place first (an empty book is seeded from HaloPSA).
func connectedApp(t *testing.T, sim *halosim.Server, url string, book []store.LocalClient) *App {
	t.Helper()
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx := context.Background()
	if len(book) > 0 {
		if _, err := a.db.AddLocalClients(ctx, book); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestFreshInstallSeedsTheBookFromHaloPSA(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 11, Clients: 40})
	a := connectedApp(t, sim, url, nil)
	rows, err := a.MappingRows(context.Background(), MappingFilter{State: StateAll})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != sim.Counts().ActiveClients {
		t.Fatalf("%d local clients, want one per active HaloPSA client (%d)", len(rows), sim.Counts().ActiveClients)
	}
	for _, r := range rows {
		if r.State != store.MapAccepted || r.HaloName != r.Local.Name {
			t.Fatalf("seeded row = %+v", r)
		}
	}
	// A second import does not seed again.
	if _, err := a.SyncOnce(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if again, _ := a.MappingRows(context.Background(), MappingFilter{State: StateAll}); len(again) != len(rows) {
		t.Fatalf("second import changed the book: %d rows", len(again))
	}
}

func TestBulkMapSuggestsAndNeverOverwritesDecisions(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 12, Clients: 60, InactiveClients: -1})
	clients := sim.Clients()
	book := DemoBook(clients)
	a := connectedApp(t, sim, url, book)
	ctx := context.Background()
	res, err := a.BulkMap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Open != len(book) || res.Suggested < len(book)/2 {
		t.Fatalf("bulk map = %+v for %d local clients", res, len(book))
	}
	rows, _ := a.MappingRows(ctx, MappingFilter{State: store.MapSuggested})
	seen := map[int64]bool{}
	for _, r := range rows {
		if seen[r.HaloID] {
			t.Fatalf("HaloPSA client %d suggested twice", r.HaloID)
		}
		seen[r.HaloID] = true
		if r.Score <= 0 || r.Confidence == "" || r.Reason == "" || r.HaloName == "" {
			t.Fatalf("suggestion without score, band, reason or name: %+v", r)
		}
	}
	// Accept one, change one by hand, ignore an unmatched one.
	accept, change := rows[0], rows[1]
	open, _ := a.MappingRows(ctx, MappingFilter{State: store.MapOpen})
	if len(open) == 0 {
		t.Fatal("every local client got a suggestion; the book has clients HaloPSA lacks")
	}
	ranked, err := a.RankHalo(ctx, change.Local.ID, "", 5)
	if err != nil || len(ranked) == 0 || ranked[0].HaloID != change.HaloID {
		t.Fatalf("rank = %+v, %v; the suggestion ranks first", ranked, err)
	}
	other := int64(clients[len(clients)-1].ID) // any other HaloPSA client, picked by hand
	if other == change.HaloID {
		other = int64(clients[len(clients)-2].ID)
	}
	sum, err := a.SaveMappings(ctx, []store.Decision{
		{LocalID: accept.Local.ID, Action: store.Accept, HaloID: accept.HaloID},
		{LocalID: change.Local.ID, Action: store.Accept, HaloID: other},
		{LocalID: open[0].Local.ID, Action: store.Ignore},
	})
	if err != nil || sum != (store.MappingSummary{Accepted: 1, Manual: 1, Ignored: 1}) {
		t.Fatalf("save = %+v, %v", sum, err)
	}
	manual, _ := a.MappingRows(ctx, MappingFilter{State: store.MapManual})
	if len(manual) != 1 || manual[0].HaloID != other || manual[0].Reason == "" {
		t.Fatalf("manual rows = %+v: a hand-picked client is scored too", manual)
	}

	// A new import and a new Bulk Map leave the decisions alone and never
	// suggest a HaloPSA client the user mapped.
	sim.RenameClient(int(accept.HaloID), "Completely Different Name Ltd")
	if _, err := a.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.BulkMap(ctx); err != nil {
		t.Fatal(err)
	}
	all, _ := a.MappingRows(ctx, MappingFilter{State: StateAll})
	for _, r := range all {
		switch r.Local.ID {
		case accept.Local.ID:
			if r.State != store.MapAccepted || r.HaloID != accept.HaloID {
				t.Fatalf("accepted mapping changed: %+v", r)
			}
		case change.Local.ID:
			if r.State != store.MapManual || r.HaloID != other {
				t.Fatalf("manual mapping changed: %+v", r)
			}
		case open[0].Local.ID:
			if r.State != store.MapIgnored {
				t.Fatalf("ignored mapping changed: %+v", r)
			}
		default:
			if r.State == store.MapSuggested && (r.HaloID == accept.HaloID || r.HaloID == other) {
				t.Fatalf("suggested an already mapped HaloPSA client: %+v", r)
			}
		}
	}
}

func TestCreateLocalFromUnmappedAndCSV(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 13, Clients: 30, InactiveClients: -1})
	a := connectedApp(t, sim, url, []store.LocalClient{{Name: "Only Local Ltd"}})
	ctx := context.Background()
	n, err := a.CreateLocalFromUnmapped(ctx, nil)
	if err != nil || n != 30 {
		t.Fatalf("created %d, %v", n, err)
	}
	var buf bytes.Buffer
	if err := a.ExportClientsCSV(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 32 {
		t.Fatalf("export has %d lines, want a header and 31 clients", lines)
	}
	if _, err := a.ImportClientsCSV(ctx, strings.NewReader("name\nGood\n\n,\n")); err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Fatalf("bad CSV: %v", err)
	}
	if cs, _ := a.LocalClients(ctx, "Good"); len(cs) != 0 {
		t.Fatal("a bad CSV was half-imported")
	}
}
