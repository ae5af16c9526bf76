package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// wantCleanImport fails unless the folder holds exactly HaloPSA's active
// data (nothing HaloPSA still has marked removed) and no import was cut
// short by another.
func (p *proc) wantCleanImport(sim *halosim.Server) {
	p.t.Helper()
	s := p.status()
	wantImported(p.t, s, sim)
	if s.LastRunStatus != "ok" || s.Errors != 0 {
		p.t.Errorf("status = %+v, want the last import ok and no errors", s)
	}
	var rows []logJSON
	decodeJSON(p.t, p.must("", "log", "--json", "--limit", "1000", "--search", "interrupted").stdout, &rows)
	if len(rows) != 0 {
		p.t.Errorf("the log has interrupted runs: %+v", rows)
	}
}

// runAside runs one command line like run, but may run beside others: it
// keeps no output in p.
func (p *proc) runAside(args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := p.command(ctx, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil && cmd.ProcessState == nil {
		return result{-1, "", err.Error()}
	}
	return result{cmd.ProcessState.ExitCode(), out.String(), errOut.String()}
}

// TestTwoSyncsAtOnce: two `sync --once` on one folder do not overlap;
// the second waits for the first, and both succeed.
func TestTwoSyncsAtOnce(t *testing.T) {
	t.Parallel()
	p := newProc(t)
	secret := randomSecret(t)
	sim, srv := startSim(t, halosim.Options{Seed: 31, Clients: 40, Latency: 15 * time.Millisecond, ClientSecret: secret})
	p.keychainEntry(srv.URL)
	p.must(secret+"\n", "connect", "--url", srv.URL, "--client-id", halosim.DefaultClientID, "--no-sync")

	var wg gosync.WaitGroup
	res := make([]result, 2)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = p.runAside("sync", "--once")
		}()
	}
	wg.Wait()
	for i, r := range res {
		if r.code != 0 || !strings.Contains(r.stdout, "Import finished:") {
			t.Errorf("sync %d: %v", i, r)
		}
	}
	p.wantCleanImport(sim)
}

// TestSyncHandedToServe: a `sync --once` beside a running serve is done
// by serve, and the folder ends up as after one clean import.
func TestSyncHandedToServe(t *testing.T) {
	t.Parallel()
	p := newProc(t)
	secret := randomSecret(t)
	sim, srv := startSim(t, halosim.Options{Seed: 32, Clients: 40, Latency: 15 * time.Millisecond, ClientSecret: secret})
	p.keychainEntry(srv.URL)
	p.must(secret+"\n", "connect", "--url", srv.URL, "--client-id", halosim.DefaultClientID, "--no-sync")

	s := p.serve("--poll", "1h")
	s.waitFor("serve to run", 10*time.Second, func() bool { return strings.Contains(s.out.String(), "HaloSync is running") })
	r := p.must("", "sync", "--once") // serve's own first import is under way
	wantContains(t, "sync's output", r.stderr, "Handed to the HaloSync already running for this data folder")
	wantContains(t, "sync's output", r.stdout, "Import finished:")
	// serve's own import and the handed one run one after the other.
	s.waitFor("both imports", 20*time.Second, func() bool {
		var rows []logJSON
		decodeJSON(t, p.must("", "log", "--json", "--search", "Import finished").stdout, &rows)
		return len(rows) == 2
	})
	s.terminate()
	p.wantCleanImport(sim)
}

// postCounter counts POST /api/Tickets: each one is an outbox item sent.
type postCounter struct {
	sim   http.Handler
	posts atomic.Int64
}

func (c *postCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.EqualFold(r.URL.Path, "/api/tickets") {
		c.posts.Add(1)
	}
	c.sim.ServeHTTP(w, r)
}

// TestOneServePerFolder: a second serve on a folder refuses to start and
// says who holds it; the outbox is sent once; after a SIGKILL of the
// owner a new serve starts at once.
func TestOneServePerFolder(t *testing.T) {
	t.Parallel()
	p := newProc(t)
	secret := randomSecret(t)
	sim := halosim.New(halosim.Options{Seed: 33, Clients: 8, TicketsPerClient: 3, ClientSecret: secret})
	pc := &postCounter{sim: sim}
	srv := httptest.NewServer(pc)
	t.Cleanup(srv.Close)
	p.keychainEntry(srv.URL)
	p.must(secret+"\n", "connect", "--url", srv.URL, "--client-id", halosim.DefaultClientID)
	p.must("", "tickets", "sync")

	ctx := context.Background()
	db, err := store.Open(filepath.Join(p.dir, "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	open, err := db.Tickets(ctx, store.TicketQuery{})
	if err != nil || len(open) < 5 {
		t.Fatalf("%d tickets (%v), want 5", len(open), err)
	}
	for _, tk := range open[:5] {
		st := int64(2)
		if tk.StatusID == 2 {
			st = 4
		}
		if err := db.SetTicketStatus(ctx, tk.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	before := pc.posts.Load()

	first := p.serve("--poll", "300ms")
	first.waitFor("serve to run", 10*time.Second, func() bool { return strings.Contains(first.out.String(), "HaloSync is running") })
	second := p.serve("--poll", "300ms")
	select {
	case <-second.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("the second serve still runs:\n%s", second.out.String())
	}
	want := "HaloSync is already running for this data folder (" + p.dir + ", process "
	if code := second.cmd.ProcessState.ExitCode(); code == 0 || !strings.Contains(second.out.String(), want) {
		t.Fatalf("second serve: exit %d, want non-zero saying %q:\n%s", code, want, second.out.String())
	}
	if r := p.run("", "disconnect"); r.code != 1 || !strings.Contains(r.stderr, "HaloSync is already running for this data folder") {
		t.Errorf("disconnect beside serve: %v, want exit 1 saying serve runs", r)
	}
	first.waitFor("the outbox to drain", 15*time.Second, func() bool {
		n, err := db.OutboxPending(ctx)
		return err == nil && n == 0
	})
	time.Sleep(time.Second) // a second pusher, were there one, would have pushed by now
	if n := pc.posts.Load() - before; n != 5 {
		t.Errorf("%d status POSTs for 5 changes, want 5", n)
	}

	// A one-shot push beside serve is serve's: still one POST per change.
	tk := open[5]
	r := p.must("", "tickets", "set-status", fmt.Sprint(tk.ID), "Closed")
	wantContains(t, "set-status beside serve", r.stderr, "Handed to the HaloSync already running")
	wantContains(t, "set-status beside serve", r.stdout, "Ticket sync done:")
	if n, _ := db.OutboxPending(ctx); n != 0 {
		t.Errorf("%d outbox items after the handed push, want 0", n)
	}
	time.Sleep(500 * time.Millisecond)
	if n := pc.posts.Load() - before; n != 6 {
		t.Errorf("%d status POSTs for 6 changes, want 6", n)
	}

	// A crash releases the folder: the next serve starts at once.
	first.kill()
	start := time.Now()
	third := p.serve("--poll", "300ms")
	third.waitFor("the next serve to run", 5*time.Second, func() bool { return strings.Contains(third.out.String(), "HaloSync is running") })
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the serve after the crash took %v to start", d)
	}
	third.terminate()
}
