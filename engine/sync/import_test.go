package sync

import (
	"context"
	"errors"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

func TestImportMatchesHaloPSA(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 1, Clients: 250})
	db := openDB(t)
	c := newClient(t, srv, nil)
	var mu gosync.Mutex
	var progress []Progress
	im := &Importer{Halo: c, DB: db, OnProgress: func(p Progress) {
		mu.Lock()
		progress = append(progress, p)
		mu.Unlock()
	}}
	sum, err := im.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstSim(t, db, sim)

	// Paging past 100 rows with exactly the pages the cap allows.
	n := sim.Counts()
	pages := func(rows int) int64 { return int64(max(1, (rows+99)/100)) }
	want := pages(n.ActiveClients) + pages(n.Sites) + pages(n.Users) + pages(n.Assets)
	if sum.Requests != want {
		t.Errorf("requests = %d, want the minimum %d", sum.Requests, want)
	}
	// Sites without a name are kept, not dropped.
	unnamed := 0
	for _, id := range sim.ActiveClientIDs() {
		sites, _ := db.Sites(context.Background(), int64(id))
		for _, s := range sites {
			if s.Name == "" {
				unnamed++
			}
		}
	}
	if unnamed == 0 {
		t.Error("no site without a name was imported; the simulator serves some")
	}
	done := map[store.Resource]bool{}
	for _, p := range progress {
		if p.Done && p.Err == nil {
			done[p.Resource] = true
		}
	}
	if len(done) != 4 {
		t.Errorf("progress reported done for %v, want all four resources", done)
	}
	run, err := db.LastRun(context.Background(), "import")
	if err != nil || run.Status != "ok" {
		t.Errorf("last run = %+v, %v", run, err)
	}
}

func TestReimportUpdatesAndNeverDuplicates(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 2, Clients: 120})
	db := openDB(t)
	im := &Importer{Halo: newClient(t, srv, nil), DB: db}
	ctx := context.Background()
	if _, err := im.Run(ctx); err != nil {
		t.Fatal(err)
	}
	first := snapshot(t, db)

	// Unchanged HaloPSA: the re-run changes nothing.
	sum, err := im.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for r, rs := range sum.Resources {
		if rs.Inserted != 0 || rs.Updated != 0 || rs.Removed != 0 {
			t.Errorf("%s changed on an identical re-run: %+v", r, rs)
		}
	}
	sameSnapshot(t, snapshot(t, db), first)

	ids := sim.ActiveClientIDs()
	renamed, off, gone := ids[0], ids[1], ids[2]
	if err := sim.RenameClient(renamed, "Renamed Holdings Ltd"); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetClientInactive(off, true); err != nil {
		t.Fatal(err)
	}
	if err := sim.DeleteClient(gone); err != nil {
		t.Fatal(err)
	}
	added := sim.AddClient("Brand New Dental Ltd")
	sum, err = im.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstSim(t, db, sim)
	if cs := sum.Resources[store.Clients]; cs.Inserted != 1 || cs.Updated != 1 || cs.Removed != 2 {
		t.Errorf("clients summary = %+v, want 1 new, 1 changed, 2 removed", cs)
	}
	for id, want := range map[int]store.State{renamed: store.StateActive, off: store.StateInactive, gone: store.StateDeleted, added: store.StateActive} {
		c, err := db.Client(ctx, int64(id))
		if err != nil || c.State != want {
			t.Errorf("client %d: %+v, %v; want state %s", id, c, err, want)
		}
	}
	if c, _ := db.Client(ctx, int64(renamed)); c.Name != "Renamed Holdings Ltd" {
		t.Errorf("renamed client is %q", c.Name)
	}
	// The deleted client's children are marked deleted too.
	sites, _ := db.Sites(ctx, int64(gone))
	for _, s := range sites {
		if s.State != store.StateDeleted {
			t.Errorf("site %d of a deleted client is %s", s.ID, s.State)
		}
	}

	// A fresh import of the changed HaloPSA gives the same live data.
	fresh := openDB(t)
	if _, err := (&Importer{Halo: newClient(t, srv, nil), DB: fresh}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, snapshot(t, db), snapshot(t, fresh))

	// The client comes back: revived, with its children.
	if err := sim.SetClientInactive(off, false); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Run(ctx); err != nil {
		t.Fatal(err)
	}
	checkAgainstSim(t, db, sim)
}

// TestImportSurvivesFaults runs the import against a HaloPSA that fails in
// each way the issue names, and checks the result is exactly a clean run's.
func TestImportSurvivesFaults(t *testing.T) {
	const seed, clients = 3, 150
	sim, srv := startSim(t, halosim.Options{Seed: seed, Clients: clients})
	clean := openDB(t)
	if _, err := (&Importer{Halo: newClient(t, srv, nil), DB: clean}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, clean)
	pages := sim.Counts()

	cases := []struct {
		name   string
		opts   halosim.Options
		client func(*halo.Config)
		check  func(t *testing.T, sim *halosim.Server, c *halo.Client)
	}{
		{"server errors", halosim.Options{ErrorRate: 0.15}, nil, func(t *testing.T, sim *halosim.Server, c *halo.Client) {
			if sim.Stats().ServerErrors == 0 {
				t.Error("no 500 was injected")
			}
		}},
		{"dropped connections", halosim.Options{DropRate: 0.1}, nil, func(t *testing.T, sim *halosim.Server, c *halo.Client) {
			if sim.Stats().Dropped == 0 {
				t.Error("no connection was dropped")
			}
		}},
		{"slow responses", halosim.Options{Latency: 30 * time.Millisecond}, nil, nil},
		{"token expires mid-import", halosim.Options{TokenLifetime: time.Second, Latency: 50 * time.Millisecond},
			func(c *halo.Config) { c.MaxInFlight = 1 }, // about 30 requests in a row: longer than the token lives
			func(t *testing.T, sim *halosim.Server, c *halo.Client) {
				if c.Stats().Tokens < 2 {
					t.Errorf("tokens = %d; the import outlived its token and must have fetched another", c.Stats().Tokens)
				}
			}},
		{"429s from a tighter limit than budgeted", halosim.Options{RateLimit: 10, RateWindow: time.Second},
			func(c *halo.Config) { c.RateLimit, c.RateWindow = 40, time.Second },
			func(t *testing.T, sim *halosim.Server, c *halo.Client) {
				if sim.Stats().RateLimited == 0 {
					t.Error("no 429 was answered")
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Seed, o.Clients = seed, clients
			sim, srv := startSim(t, o)
			c := newClient(t, srv, tc.client)
			db := openDB(t)
			if _, err := (&Importer{Halo: c, DB: db}).Run(context.Background()); err != nil {
				t.Fatalf("import failed: %v (sim stats %+v)", err, sim.Stats())
			}
			sameSnapshot(t, snapshot(t, db), want)
			if tc.check != nil {
				tc.check(t, sim, c)
			}
		})
	}
	_ = pages
}

func TestExpiredTokenMidImportIsRenewed(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 4, Clients: 150})
	c := newClient(t, srv, nil)
	db := openDB(t)
	var once gosync.Once
	im := &Importer{Halo: c, DB: db, OnProgress: func(p Progress) {
		if p.Resource == store.Sites {
			once.Do(sim.ExpireTokens)
		}
	}}
	if _, err := im.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkAgainstSim(t, db, sim)
	if c.Stats().Tokens != 2 || sim.Stats().Unauthorized == 0 {
		t.Fatalf("tokens = %d, 401s = %d; want one renewal after the 401", c.Stats().Tokens, sim.Stats().Unauthorized)
	}
}

func TestCancelledImportCompletesOnRerun(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 5, Clients: 200, Latency: 5 * time.Millisecond})
	db := openDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	im := &Importer{Halo: newClient(t, srv, nil), DB: db, OnProgress: func(p Progress) {
		if p.Resource == store.Contacts && p.Rows > 300 {
			cancel()
		}
	}}
	if _, err := im.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	if run, _ := db.LastRun(context.Background(), "import"); run.Status != store.StatusCanceled {
		t.Fatalf("run status %q", run.Status)
	}
	im.OnProgress = nil
	if _, err := im.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkAgainstSim(t, db, sim)
}

func TestImportFailureIsLogged(t *testing.T) {
	_, srv := startSim(t, halosim.Options{Seed: 6, Clients: 20, Scopes: []string{"read:customers", "read:tickets", "edit:tickets"}})
	db := openDB(t)
	c := newClient(t, srv, func(c *halo.Config) { c.Scopes = []string{"read:customers"} })
	_, err := (&Importer{Halo: c, DB: db}).Run(context.Background())
	if !errors.Is(err, halo.ErrPermission) {
		t.Fatalf("err = %v, want a permission error for assets", err)
	}
	// Clients, sites and contacts still arrived.
	n, _ := db.Counts(context.Background())
	if n.Clients == 0 || n.Sites == 0 || n.Contacts == 0 || n.Assets != 0 {
		t.Fatalf("counts = %+v", n)
	}
	logs, _ := db.Logs(context.Background(), store.LogQuery{MinLevel: store.Error})
	if len(logs) < 2 || logs[1].Operation != "import assets" {
		t.Fatalf("error log = %+v", logs)
	}
}

// TestImportOnEveryDialect imports the same HaloPSA answered the ways the
// fact sheet leaves open (50-row asset pages, a page past the end that
// repeats the last, renamed keys, sentinel dates): each import must hold
// exactly what the friendly one holds.
func TestImportOnEveryDialect(t *testing.T) {
	o := halosim.Options{Seed: 19, Clients: 60, AssetsPerClient: 4}
	want := ""
	for _, d := range halosim.Dialects() {
		o.Behaviour = d.Behaviour
		_, srv := startSim(t, o)
		db := openDB(t)
		c := newClient(t, srv, nil)
		if _, err := (&Importer{Halo: c, DB: db}).Run(context.Background()); err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		got := snapshot(t, db)
		if want == "" {
			want = got
			continue
		}
		if got != want {
			t.Errorf("%s: the import differs from the friendly one:\n%s", d.Name, firstDiff(want, got))
		}
	}
}

// firstDiff shows the first line where two snapshots differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "want " + al[i] + "\n got " + bl[i]
		}
	}
	return "one has more lines"
}

// TestImportLeavesQuietFailuresToTheCaller checks LogError: a failure it
// keeps out of the log gets no error row, and a run whose failures were
// all kept out closes with a warning, so one problem raises one
// notification. A failure it lets through is logged as before.
func TestImportLeavesQuietFailuresToTheCaller(t *testing.T) {
	_, srv := startSim(t, halosim.Options{Seed: 6, Clients: 20, Scopes: []string{"read:customers", "read:tickets", "edit:tickets"}})
	db := openDB(t)
	c := newClient(t, srv, func(c *halo.Config) { c.Scopes = []string{"read:customers"} })
	var asked []error
	im := &Importer{Halo: c, DB: db, LogError: func(err error) bool { asked = append(asked, err); return false }}
	if _, err := im.Run(context.Background()); !errors.Is(err, halo.ErrPermission) {
		t.Fatalf("err = %v, want a permission error for assets", err)
	}
	if len(asked) != 1 || !errors.Is(asked[0], halo.ErrPermission) {
		t.Fatalf("LogError was asked about %v", asked)
	}
	logs, _ := db.Logs(context.Background(), store.LogQuery{MinLevel: store.Warn})
	if len(logs) != 1 || logs[0].Level != store.Warn || !strings.HasPrefix(logs[0].Message, "Import failed") {
		t.Fatalf("rows of warning level or worse: %+v; want only the closing row, a warning", logs)
	}
	im.LogError = func(error) bool { return true }
	_, _ = im.Run(context.Background())
	logs, _ = db.Logs(context.Background(), store.LogQuery{MinLevel: store.Error})
	if len(logs) != 2 || logs[1].Operation != "import assets" {
		t.Fatalf("error rows when LogError lets the failure through: %+v", logs)
	}
}
