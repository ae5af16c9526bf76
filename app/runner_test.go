package app

import (
	"context"
	gosync "sync"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

// eventually polls cond for up to 30 s: the demo's import alone takes
// 5 to 10 s under the race detector on a busy 2-core machine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventuallyWithin(t, 30*time.Second, what, cond)
}

// eventuallyWithin is eventually with its own deadline, for tests whose
// work is slow under the race detector on a busy machine.
func eventuallyWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBackgroundLoopImportsOnConnectAndOnRequest(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 31, Clients: 20})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx := context.Background()
	var mu gosync.Mutex
	var logs []store.LogEntry
	var progress int
	cancel := a.Subscribe(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Log != nil {
			logs = append(logs, *e.Log)
		}
		if e.Import != nil && e.Import.Phase == ImportProgress {
			progress++
		}
	})
	defer cancel()
	a.Start(ctx)
	defer a.Stop()

	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	imports := func() int {
		n := 0
		mu.Lock()
		defer mu.Unlock()
		for _, l := range logs {
			if l.Operation == "import" && l.Level == store.Info && len(l.Message) > 15 && l.Message[:15] == "Import finished" {
				n++
			}
		}
		return n
	}
	eventually(t, "the import that follows a connect", func() bool { return imports() == 1 })
	st, _ := a.Status(ctx)
	if st.Counts.Clients != sim.Counts().ActiveClients {
		t.Fatalf("status after the background import: %+v", st.Counts)
	}
	mu.Lock()
	if progress == 0 {
		t.Error("no progress events were published")
	}
	mu.Unlock()

	// Requests made while one is pending coalesce: five in a row give one
	// import, or two when the loop took the first before the rest came.
	for range 5 {
		a.SyncNow()
	}
	eventually(t, "the requested import", func() bool { return imports() >= 2 })
	time.Sleep(300 * time.Millisecond)
	if n := imports(); n > 3 {
		t.Fatalf("%d imports after five SyncNow calls in a row; at most two more than the first", n)
	}

	a.SetPaused(true)
	if !a.Paused() {
		t.Fatal("not paused")
	}
	a.SetSyncInterval(time.Second) // raised to the one-minute floor
	if got := a.SyncInterval(); got != time.Minute {
		t.Fatalf("interval = %v", got)
	}
}

func TestStopEndsARunningImport(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 32, Clients: 300, Latency: 50 * time.Millisecond})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	a.Start(ctx)
	eventually(t, "the import to start", func() bool {
		run, err := a.db.LastRun(ctx, store.KindImport)
		return a.Syncing() && err == nil && run.Status == store.StatusRunning
	})
	start := time.Now()
	a.Stop()
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Stop took %v", d)
	}
	run, err := a.db.LastRun(ctx, store.KindImport)
	if err != nil || run.Status != store.StatusCanceled {
		t.Fatalf("last run = %+v, %v", run, err)
	}
}

func TestOpenDemo(t *testing.T) {
	a, err := OpenDemo(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	st, _ := a.Status(ctx)
	if !st.Connected || st.Counts.LocalClients < 300 {
		t.Fatalf("demo status = %+v", st)
	}
	if _, err := a.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	res, err := a.BulkMap(ctx)
	if err != nil || res.Suggested < res.Open/2 || res.Suggested == res.Open {
		t.Fatalf("bulk map on the demo book = %+v, %v: it should have real work, with some clients unmatched", res, err)
	}
}

// TestTicketsFollowTheFirstImport starts the loops on a demo and checks
// that the ticket loop waits for the clients, then polls and holds the
// tickets of clients not mapped yet, in one log line.
func TestTicketsFollowTheFirstImport(t *testing.T) {
	a, err := OpenDemo(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	a.Start(ctx)
	// The demo imports 400 clients at 40 ms a request: 10-30 s under the
	// race detector while other packages' tests run.
	eventuallyWithin(t, 90*time.Second, "held tickets after the first import", func() bool {
		logs, _ := a.Log(ctx, store.LogQuery{Search: "Held"})
		return len(logs) > 0
	})
	if n, _ := a.db.InboxCounts(ctx); n[store.InboxHeld] == 0 {
		t.Fatal("nothing held")
	}
	logs, _ := a.Log(ctx, store.LogQuery{Search: "Held"})
	if len(logs) != 1 {
		t.Fatalf("%d held lines; want one summary", len(logs))
	}
	run, err := a.db.LastSuccessfulRun(ctx, store.KindImport)
	if err != nil || logs[0].Time.Before(run.FinishedAt) {
		t.Fatalf("tickets were polled before the import finished: %+v, %+v", logs[0], run)
	}
}
