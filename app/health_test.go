package app

import (
	"context"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/backoff"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

func TestWaitTracker(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 2, 14, 27, 10, 0, time.UTC)}
	w := newWaitTracker(clock.now)
	after := func(d time.Duration) time.Time { return clock.t.Add(d) }
	for i, c := range []struct {
		advance     time.Duration
		until       time.Duration // from the step's time; 0: requests flow
		reason      halo.WaitReason
		wantRow     string
		wantChanged bool
		wantState   HealthState
	}{
		{0, 4*time.Minute + 50*time.Second, halo.WaitWindow,
			"Waiting for HaloPSA's request limit, resuming in 4 min 50 s (the requests allowed per window are used up)", true, HealthWaiting},
		{time.Second, 5 * time.Minute, halo.WaitWindow, "", true, HealthWaiting}, // the same wait, grown
		{5 * time.Minute, 0, 0, "", true, HealthOK},
		{time.Second, 0, 0, "", false, HealthOK},                                       // nothing to end
		{20 * time.Second, 20 * time.Second, halo.WaitWindow, "", true, HealthWaiting}, // right after the last: the same congestion
		{20 * time.Second, 0, 0, "", true, HealthOK},
		{2 * time.Minute, time.Minute, halo.WaitPenalty,
			"Waiting for HaloPSA's request limit, resuming in 1 min (HaloPSA answered 429 Too Many Requests)", true, HealthWaiting},
	} {
		clock.t = clock.t.Add(c.advance)
		var until time.Time
		if c.until > 0 {
			until = after(c.until)
		}
		row, changed := w.note(until, c.reason)
		if row != c.wantRow || changed != c.wantChanged {
			t.Errorf("step %d: row %q, changed %v; want %q, %v", i, row, changed, c.wantRow, c.wantChanged)
		}
		h, waiting := w.health()
		if waiting != (c.wantState == HealthWaiting) || (waiting && !h.Until.Equal(until)) {
			t.Errorf("step %d: health %+v, waiting %v", i, h, waiting)
		}
	}
}

// recorder collects an App's events.
type recorder struct {
	mu     gosync.Mutex
	logs   []store.LogEntry
	health []Health
}

func record(t *testing.T, a *App) *recorder {
	r := &recorder{}
	t.Cleanup(a.Subscribe(func(e Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if e.Log != nil {
			r.logs = append(r.logs, *e.Log)
		}
		if e.Health != nil {
			r.health = append(r.health, *e.Health)
		}
	}))
	return r
}

// since returns the rows and health events from the marks on.
func (r *recorder) since(logMark, healthMark int) ([]store.LogEntry, []Health) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]store.LogEntry(nil), r.logs[logMark:]...), append([]Health(nil), r.health[healthMark:]...)
}

// saw reports whether a published row's message contains text.
func (r *recorder) saw(text string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.logs {
		if strings.Contains(l.Message, text) {
			return true
		}
	}
	return false
}

func (r *recorder) marks() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.logs), len(r.health)
}

// TestOutageIsOneRowAndEndsInAnImport runs both loops against the
// simulator through an outage as long as 5 minutes at a hundredth of the
// time (the shared back-off 0.1..3 s instead of 10 s..5 min) and counts
// what reached the log and the desktop.
func TestOutageIsOneRowAndEndsInAnImport(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 35, Clients: 20})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	a.tweak = func(c *halo.Config) { c.MaxRetries = 1 } // the client's own retries, quick
	a.outage.retry = backoff.Backoff{Min: 100 * time.Millisecond, Max: 3 * time.Second, Jitter: 0.2}
	a.outage.warnAfter = 18 * time.Second // 30 minutes
	rec := record(t, a)
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	a.startLoops(ctx, ServeOptions{PollInterval: 200 * time.Millisecond}, false)
	defer a.Stop()
	var before store.Run
	eventually(t, "the first import and two polls", func() bool {
		var err error
		before, err = a.db.LastSuccessfulRun(ctx, store.KindImport)
		// The second poll has learned how HaloPSA answers and said so
		// (published, not only stored): the rows of the polls before the
		// outage are all in the recorder.
		return err == nil && rec.saw("each poll asks only for what changed")
	})

	logMark, healthMark := rec.marks()
	sim.SetFaults(halosim.Faults{ErrorRate: 1})
	a.SyncNow() // the import loop meets the outage too
	eventually(t, "both loops retrying", func() bool {
		h := a.health()
		return h.State == HealthUnreachable && h.Attempts >= 5
	})
	time.Sleep(3 * time.Second) // the rest of the "5 minutes"
	downRows, _ := rec.since(logMark, healthMark)
	lifted := time.Now()
	sim.SetFaults(halosim.Faults{})

	eventually(t, "a new import after the outage", func() bool {
		run, err := a.db.LastSuccessfulRun(ctx, store.KindImport)
		return err == nil && run.ID > before.ID
	})
	run, _ := a.db.LastSuccessfulRun(ctx, store.KindImport)
	if run.StartedAt.Before(lifted) {
		t.Errorf("the import after the outage started at %v, before HaloPSA answered again at %v", run.StartedAt, lifted)
	}
	// The run is recorded just before the import ends and says so.
	eventually(t, "the import's end", func() bool { return a.health().State == HealthOK })
	logs, health := rec.since(logMark, healthMark)
	var outage []store.LogEntry // the rows up to the recovery row
	for _, l := range logs {
		outage = append(outage, l)
		if strings.HasPrefix(l.Message, "HaloPSA answers again after") {
			break
		}
	}
	if len(outage) > 3 || len(outage) == 0 || !strings.HasPrefix(outage[len(outage)-1].Message, "HaloPSA answers again after") {
		t.Fatalf("the outage wrote %d rows (at most 3, the last the recovery): %+v", len(outage), outage)
	}
	notified := 0 // as the GUI counts: error rows of background work
	for _, l := range outage {
		if l.Level == store.Error {
			notified++
			if !strings.HasPrefix(l.Message, "HaloPSA cannot be reached: ") || !strings.HasSuffix(l.Message, "HaloSync keeps retrying.") {
				t.Errorf("the error row reads %q", l.Message)
			}
		}
	}
	if notified != 1 {
		t.Fatalf("the outage raised %d notifications, want 1: %+v", notified, outage)
	}
	if len(downRows) != 1 {
		t.Errorf("while HaloPSA was down %d rows were written, want the one error row: %+v", len(downRows), downRows)
	}
	if len(health) < 2 || health[0].State != HealthUnreachable || health[len(health)-1].State != HealthOK {
		t.Fatalf("health events %+v: want unreachable first and ok last", health)
	}
}

// TestBudgetWaitIsLoggedAndShown gives the simulated tenant a budget of 3
// requests per 1.5 s: the connect's checks use it up, so the import that
// follows waits, and says so once.
func TestBudgetWaitIsLoggedAndShown(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 36, Clients: 20})
	a, err := Open(Config{DataDir: t.TempDir(), Secrets: secrets.NewMemory(), RateLimit: 3, RateWindow: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.tweak = func(c *halo.Config) { c.WaitNotice = 300 * time.Millisecond }
	rec := record(t, a)
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := a.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	logs, health := rec.since(0, 0)
	var waits []store.LogEntry
	for _, l := range logs {
		if strings.HasPrefix(l.Message, "Waiting for HaloPSA's request limit, resuming in ") {
			waits = append(waits, l)
		}
	}
	if len(waits) != 1 || waits[0].Level != store.Info {
		t.Fatalf("wait rows: %+v; want one info row", waits)
	}
	// The import says "syncing" first; the wait outranks it while it lasts.
	if len(health) < 3 || health[0].State != HealthSyncing || health[1].State != HealthWaiting || health[len(health)-1].State != HealthOK {
		t.Fatalf("health events %+v: want syncing, waiting, ..., ok", health)
	}
	if until := health[1].Until; until.Before(start) || until.After(start.Add(2*time.Second)) {
		t.Errorf("the wait was said to last until %v; the import began at %v with a 1.5 s window", until, start)
	}
	if st, _ := a.Status(ctx); st.Health.State != HealthOK {
		t.Errorf("status health after the import: %+v", st.Health)
	}
}
