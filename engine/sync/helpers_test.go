package sync

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// startSim serves a simulated HaloPSA over real HTTP on loopback.
func startSim(tb testing.TB, o halosim.Options) (*halosim.Server, *httptest.Server) {
	tb.Helper()
	sim := halosim.New(o)
	srv := httptest.NewServer(sim)
	tb.Cleanup(srv.Close)
	return sim, srv
}

// newClient connects a HaloPSA client to a simulator.
func newClient(tb testing.TB, srv *httptest.Server, mod func(*halo.Config)) *halo.Client {
	tb.Helper()
	return newClientURL(tb, srv.URL, mod)
}

// newClientURL connects a HaloPSA client to the simulator at url.
func newClientURL(tb testing.TB, url string, mod func(*halo.Config)) *halo.Client {
	tb.Helper()
	addr, err := halo.ParseAddress(url)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := halo.Config{
		Address: addr, ClientID: halosim.DefaultClientID, ClientSecret: halosim.DefaultClientSecret,
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := halo.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// openDB opens a fresh database file in a temporary folder.
func openDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "halosync.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// snapshot renders every active client with its live sites, contacts and
// assets as sorted text, so two databases compare with one string equality
// and a failure shows the first differing line.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	clients, err := db.Clients(ctx, store.ClientQuery{State: store.StateActive})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range clients {
		lines = append(lines, fmt.Sprintf("client %d %q %q %q %v", c.ID, c.Name, c.Website, c.Phone, c.UpdatedAt.UTC()))
		sites, err := db.Sites(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sites {
			if s.State != store.StateDeleted {
				lines = append(lines, fmt.Sprintf(" site %d c%d %q %q %s", s.ID, s.ClientID, s.Name, s.Address, s.State))
			}
		}
		contacts, err := db.Contacts(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range contacts {
			if p.State != store.StateDeleted {
				lines = append(lines, fmt.Sprintf(" contact %d c%d s%d %q %q primary=%v %s", p.ID, p.ClientID, p.SiteID, p.Name, p.Email, p.Primary, p.State))
			}
		}
		assets, err := db.Assets(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range assets {
			if a.State != store.StateDeleted {
				lines = append(lines, fmt.Sprintf(" asset %d c%d %q %q %s", a.ID, a.ClientID, a.Tag, a.Type, a.State))
			}
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// sameSnapshot fails with the first differing line.
func sameSnapshot(t *testing.T, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			t.Fatalf("databases differ at line %d:\n got  %s\n want %s", i+1, g[i], w[i])
		}
	}
	t.Fatalf("databases differ in length: %d lines, want %d", len(g), len(w))
}

// checkAgainstSim asserts the store holds exactly the simulator's active data.
func checkAgainstSim(t *testing.T, db *store.DB, sim *halosim.Server) {
	t.Helper()
	n, err := db.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := sim.Counts()
	if n.Clients != want.ActiveClients || n.Sites != want.ActiveClientSites ||
		n.Contacts != want.ActiveClientUsers || n.Assets != want.ActiveClientAssets {
		t.Fatalf("store has %d clients, %d sites, %d contacts, %d assets; HaloPSA has %d, %d, %d, %d",
			n.Clients, n.Sites, n.Contacts, n.Assets,
			want.ActiveClients, want.ActiveClientSites, want.ActiveClientUsers, want.ActiveClientAssets)
	}
	if n.PrimaryContacts != want.ActiveClients {
		t.Fatalf("%d primary contacts for %d active clients", n.PrimaryContacts, want.ActiveClients)
	}
}

// mappedTickets imports c's HaloPSA into a fresh store, maps every client
// (a local client made from each) and loads the statuses: the ticket sync
// ready to run.
func mappedTickets(tb testing.TB, c *halo.Client) (*store.DB, *Tickets) {
	tb.Helper()
	db := openDB(tb)
	ctx := context.Background()
	if _, err := (&Importer{Halo: c, DB: db}).Run(ctx); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.CreateLocalFromHalo(ctx, nil); err != nil {
		tb.Fatal(err)
	}
	ts := &Tickets{Halo: c, DB: db}
	if err := ts.LoadStatuses(ctx); err != nil {
		tb.Fatal(err)
	}
	return db, ts
}
