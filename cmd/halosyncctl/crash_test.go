package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// gate serves a simulator but holds back users pages past gatedAfter until
// released, so that an import cannot finish before the test kills it. The
// test kills well before that point, while pages are still being written;
// the gate only keeps a slow poll from missing the moment.
const gatedAfter = 30

type gate struct {
	sim      http.Handler
	open     chan struct{}
	openOnce gosync.Once
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if n, _ := strconv.Atoi(r.URL.Query().Get("page_no")); n > gatedAfter && strings.EqualFold(r.URL.Path, "/api/users") {
		select {
		case <-g.open:
		case <-r.Context().Done(): // the client died
			return
		}
	}
	g.sim.ServeHTTP(w, r)
}

func (g *gate) release() { g.openOnce.Do(func() { close(g.open) }) }

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestKilledImportRecovers kills `sync --once` (SIGKILL: no deferred
// Close, no run finished) mid-import and checks that the next run repairs
// everything: an intact database with exactly HaloPSA's active data, the
// killed run reported as interrupted (by status, before any re-run) with
// one error row.
func TestKilledImportRecovers(t *testing.T) {
	t.Parallel()
	p := newProc(t)
	secret := randomSecret(t)
	sim := halosim.New(halosim.Options{Seed: 23, Clients: 600, Latency: 50 * time.Millisecond, ClientSecret: secret})
	g := &gate{sim: sim, open: make(chan struct{})}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	t.Cleanup(g.release) // runs first: Close waits for held requests
	p.keychainEntry(srv.URL)
	want := sim.Counts()

	p.must(secret+"\n", "connect", "--no-sync", "--url", srv.URL, "--client-id", halosim.DefaultClientID)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	child := p.command(ctx, "sync", "--once")
	var childOut lockedBuffer
	child.Stdout, child.Stderr = &childOut, &childOut
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()

	// Kill once the clients are in and a few contacts pages committed.
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := p.status()
		if s.Clients == want.ActiveClients && s.Contacts >= 200 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("sync --once ended before it was killed (%v):\n%s", err, childOut.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no contacts imported within 30 s; status %+v; sync said:\n%s", s, childOut.String())
		}
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	if ws, ok := child.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("sync --once was not killed: %v\n%s", child.ProcessState, childOut.String())
	}
	// Before any other process checkpoints it, the WAL holds what the
	// killed writer committed last.
	p.outputs = append(p.outputs, childOut.String())
	if files := p.wantSecretNowhere(secret); !slices.Contains(files, "halosync.db-wal") {
		t.Errorf("no WAL left by the killed writer to search, only %v", files)
	}
	s := p.status()
	// The killed process cannot finish its run; status sees it is gone.
	if s.Contacts == 0 || s.Contacts >= want.ActiveClientUsers || s.LastRunStatus != store.StatusInterrupted || s.Errors != 1 {
		t.Fatalf("after the kill status = %+v, want some contacts, the run interrupted and its one error row", s)
	}
	t.Logf("killed with %d of %d contacts, %d of %d sites, %d of %d assets imported",
		s.Contacts, want.ActiveClientUsers, s.Sites, want.ActiveClientSites, s.Assets, want.ActiveClientAssets)

	g.release()
	p.must("", "sync", "--once")
	s = p.status()
	wantImported(t, s, sim)
	if s.LastRunStatus != store.StatusOK {
		t.Errorf("last run %q after the re-run, want ok", s.LastRunStatus)
	}
	var rows []logJSON
	decodeJSON(t, p.must("", "log", "--json", "--level", "warn", "--search", "did not finish").stdout, &rows)
	if len(rows) != 1 || rows[0].Level != "error" || !strings.Contains(rows[0].Message, "killed, crashed") {
		t.Errorf("log of interrupted runs = %+v, want one error", rows)
	}

	// The database is intact and holds what a fresh import gets, once.
	killed := openCounts(t, filepath.Join(p.dir, "halosync.db"))
	fresh := newProc(t)
	fresh.must(secret+"\n", "connect", "--url", srv.URL, "--client-id", halosim.DefaultClientID)
	if clean := openCounts(t, filepath.Join(fresh.dir, "halosync.db")); killed != clean {
		t.Errorf("after the kill and a re-run the database holds\n%+v\na fresh import holds\n%+v", killed, clean)
	}
	p.wantSecretNowhere(secret)
	fresh.wantSecretNowhere(secret)
}

// dbSummary is what two imports of the same data must agree on.
type dbSummary struct {
	counts  store.Counts
	clients string // every client's id and state
}

// openCounts checks the database's integrity and that no run is left
// unfinished, and summarises it.
func openCounts(t *testing.T, path string) dbSummary {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(ctx); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if runs, err := db.InterruptedRuns(ctx); err != nil || len(runs) != 0 {
		t.Errorf("runs still marked running: %+v, %v", runs, err)
	}
	n, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n.LastSync, n.Errors = time.Time{}, 0
	clients, err := db.Clients(ctx, store.ClientQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range clients {
		ids = append(ids, strconv.FormatInt(c.ID, 10)+"="+string(c.State))
	}
	slices.Sort(ids)
	return dbSummary{n, strings.Join(ids, ",")}
}
