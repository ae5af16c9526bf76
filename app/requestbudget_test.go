package app

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

// childEnv carries a helper process's orders: "dir|limit|window|what",
// what being "sync" (an import) or "pings" (pings from four goroutines).
const childEnv = "HALOSYNC_BUDGET_CHILD"

// TestBudgetChildProcess is not a test: TestBudgetSharedAcrossProcesses
// runs the test binary with childEnv set to make it one `sync --once` of
// its own, without the OS keychain the real halosyncctl needs, or a burst
// of pings: two imports at once on one folder are what the data folder's
// owner rule forbids, so the overlapping processes ping instead.
func TestBudgetChildProcess(t *testing.T) {
	orders := os.Getenv(childEnv)
	if orders == "" {
		t.Skip("a helper process of TestBudgetSharedAcrossProcesses")
	}
	f := strings.Split(orders, "|")
	limit, _ := strconv.Atoi(f[1])
	window, _ := time.ParseDuration(f[2])
	mem := secrets.NewMemory()
	a, err := Open(Config{DataDir: f[0], Secrets: mem, RateLimit: limit, RateWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	conn, err := a.db.Connection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.Set(a.secretKey(conn), halosim.DefaultClientSecret); err != nil {
		t.Fatal(err)
	}
	if f[3] == "sync" {
		if _, err := a.SyncOnce(ctx, nil); err != nil {
			t.Fatal(err)
		}
		return
	}
	c, err := a.haloClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg gosync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range childPings / 4 {
				if err := c.Ping(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// childPings is how many requests a "pings" child makes.
const childPings = 12

// TestBudgetSharedAcrossProcesses connects in this process, then runs
// child processes on the same data folder, two imports back to back and
// two bursts of pings at once, against a simulator that allows limit requests per
// window: none may meet a 429, and together they take about as long as
// the limit demands, not a 429 back-off longer.
func TestBudgetSharedAcrossProcesses(t *testing.T) {
	t.Parallel()
	const limit, window = 8, time.Second
	sim, url := startSim(t, halosim.Options{Seed: 13, Clients: 8, RateLimit: limit, RateWindow: window})
	dir := t.TempDir()
	ctx := context.Background()
	start := time.Now()
	a, err := Open(Config{DataDir: dir, Secrets: secrets.NewMemory(), RateLimit: limit, RateWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	a.Close()

	child := func(what string) error {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBudgetChildProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%d|%s|%s", childEnv, dir, limit, window, what))
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("child: %v\n%s", err, out)
		}
		return nil
	}
	for range 2 { // back to back
		if err := child("sync"); err != nil {
			t.Fatal(err)
		}
	}
	var wg gosync.WaitGroup
	for range 2 { // at once
		wg.Go(func() {
			if err := child("pings"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	took := time.Since(start)

	st := sim.Stats()
	if st.RateLimited != 0 {
		t.Fatalf("the simulator answered 429 %d times (of %d requests)", st.RateLimited, st.Requests)
	}
	api := 0 // the requests the limit counts: not the token's nor discovery's
	for path, n := range st.ByPath {
		if strings.HasPrefix(path, "/api/") && path != "/api/authinfo" {
			api += n
		}
	}
	// At limit per window, api requests need (api-1)/limit full windows;
	// a 429 would have added a pause of a tenth of the window at least,
	// and process start-up costs a little.
	least := time.Duration((api-1)/limit) * window
	t.Logf("%d API requests in %v; the limit allows them in %v", api, took, least)
	if api <= 3*limit {
		t.Fatalf("only %d API requests: too few to fill the window thrice", api)
	}
	if took < least || took > least+2*window+3*time.Second {
		t.Fatalf("%d requests took %v; at %d per %v they need %v", api, took, limit, window, least)
	}
}

// BenchmarkSharedBudget measures requests per second through a budget
// shared in the database, as the client uses it: Acquire, then release.
// The window is short enough to hold a few hundred requests at this pace,
// about what HaloPSA's 300 per 5 minutes keeps in it, and the limit high
// enough never to wait.
func BenchmarkSharedBudget(b *testing.B) {
	a, err := Open(Config{DataDir: b.TempDir(), Secrets: secrets.NewMemory()})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	budget := halo.NewBudget(1<<30, 200*time.Millisecond)
	budget.Share(a.ledgerFor(store.Connection{BaseURL: "https://example.halopsa.com", ClientID: "id"}))
	ctx := context.Background()
	for b.Loop() {
		release, err := budget.Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		release()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// TestBudgetOutlivesAKilledProcess kills a process while it has the whole
// window in flight (its requests hang at the simulator) and checks that
// the next process waits for those requests to leave the window, a window
// and a twentieth after they started, and no longer.
func TestBudgetOutlivesAKilledProcess(t *testing.T) {
	t.Parallel()
	const limit, window = childPings / 3, time.Second
	faults := halosim.Faults{RateLimit: limit, RateWindow: window}
	sim, url := startSim(t, halosim.Options{Seed: 17, Clients: 3, RateLimit: limit, RateWindow: window})
	dir := t.TempDir()
	ctx := context.Background()
	a, err := Open(Config{DataDir: dir, Secrets: secrets.NewMemory(), RateLimit: limit, RateWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	time.Sleep(halo.InFlightHorizon(window)) // connect's requests leave the window

	child := func(what string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBudgetChildProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%d|%s|%s", childEnv, dir, limit, window, what))
		return cmd
	}
	hung := faults
	hung.Latency = time.Minute
	sim.SetFaults(hung)
	before := sim.Stats().ByPath["/api/client"]
	doomed := child("pings")
	if err := doomed.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for sim.Stats().ByPath["/api/client"] < before+limit {
		if time.Now().After(deadline) {
			doomed.Process.Kill()
			t.Fatal("the doomed process never filled the window")
		}
		time.Sleep(5 * time.Millisecond)
	}
	filled := time.Now()
	if err := doomed.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = doomed.Wait()
	sim.SetFaults(faults)

	if out, err := child("pings").CombinedOutput(); err != nil {
		t.Fatalf("the next process: %v\n%s", err, out)
	}
	took := time.Since(filled)
	// The dead requests hold the window for a window and a twentieth;
	// the next process's 12 requests then need two more windows.
	least := halo.InFlightHorizon(window) + (childPings/limit-1)*window
	t.Logf("the next process finished %v after the killed one filled the window; at least %v", took, least)
	if took < least-100*time.Millisecond || took > least+window+3*time.Second {
		t.Fatalf("the next process finished %v after the window was filled; want about %v", took, least)
	}
	if st := sim.Stats(); st.RateLimited != 0 {
		t.Fatalf("the simulator answered 429 %d times", st.RateLimited)
	}
}
