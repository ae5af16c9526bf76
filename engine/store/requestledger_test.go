package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// window reads l's window as of now without taking a slot.
func window(t testing.TB, l *RequestLedger, now time.Time, w time.Duration) RequestWindow {
	t.Helper()
	var got RequestWindow
	if _, err := l.Reserve(context.Background(), now, w, func(rw *RequestWindow) bool {
		got = *rw
		return false
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// take reserves a slot at now.
func take(t testing.TB, l *RequestLedger, now time.Time, w time.Duration) int64 {
	t.Helper()
	slot, err := l.Reserve(context.Background(), now, w, func(*RequestWindow) bool { return true })
	if err != nil || slot == 0 {
		t.Fatalf("Reserve = %d, %v", slot, err)
	}
	return slot
}

// TestRequestLedgerIsSharedAndExpires opens one file twice, as two
// processes would, and checks what each sees as a fake clock moves: the
// other's slots, finished ones leaving a window after their answer, and a
// dead process's in-flight slot leaving a window and a twentieth after its
// start.
func TestRequestLedgerIsSharedAndExpires(t *testing.T) {
	const w = time.Minute
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "halosync.db")
	db1, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db1.Close()
	db2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	const key = "id@https://example.halopsa.com"
	app, cli := db1.RequestLedger(key), db2.RequestLedger(key)
	t0 := time.Unix(1_800_000_000, 0)

	done := take(t, app, t0, w)
	if err := app.Finish(ctx, done, t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	take(t, app, t0.Add(time.Second), w) // the app dies with this one in flight
	got := window(t, cli, t0.Add(10*time.Second), w)
	if len(got.Done) != 1 || !got.Done[0].Equal(t0.Add(2*time.Second)) || got.InFlight != 1 {
		t.Fatalf("the other process sees %+v, want one done at +2s and one in flight", got)
	}
	if got := window(t, db1.RequestLedger("other@https://example.halopsa.com"), t0.Add(10*time.Second), w); len(got.Done)+got.InFlight != 0 {
		t.Fatalf("another client id sees %+v, want nothing", got)
	}
	got = window(t, cli, t0.Add(w+time.Second), w)
	if len(got.Done) != 1 || got.InFlight != 1 {
		t.Fatalf("a window after the first request: %+v, want both still counted", got)
	}
	got = window(t, cli, t0.Add(w+2*time.Second), w)
	if len(got.Done) != 0 || got.InFlight != 1 {
		t.Fatalf("a window after the answer: %+v, want only the one in flight", got)
	}
	got = window(t, cli, t0.Add(time.Second+w+w/20), w)
	if len(got.Done) != 0 || got.InFlight != 0 {
		t.Fatalf("a window and a twentieth after the dead process's request started: %+v, want empty", got)
	}
	var n int
	if err := db1.r.QueryRow(`SELECT count(*) FROM request_slots`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows left, %v; want the expired ones deleted", n, err)
	}
	if err := app.Finish(ctx, done, t0.Add(w+3*time.Second)); err != nil {
		t.Fatalf("finishing a dropped slot: %v", err)
	}
}

func TestRequestLedgerKeepsThePenalty(t *testing.T) {
	const w = 5 * time.Minute
	db := openTest(t)
	l := db.RequestLedger("id@https://example.halopsa.com")
	t0 := time.Unix(1_800_000_000, 0)
	take(t, l, t0, w)
	want := RequestWindow{Blocked: t0.Add(30 * time.Second), Backoff: time.Minute, Learned: 1, LearnedAt: t0}
	if err := l.Update(context.Background(), t0, w, func(rw *RequestWindow) {
		if rw.InFlight != 1 {
			t.Errorf("Update sees %+v, want the slot in flight", rw)
		}
		rw.Blocked, rw.Backoff, rw.Learned, rw.LearnedAt = want.Blocked, want.Backoff, want.Learned, want.LearnedAt
	}); err != nil {
		t.Fatal(err)
	}
	got := window(t, l, t0.Add(time.Second), w)
	if !got.Blocked.Equal(want.Blocked) || got.Backoff != want.Backoff || got.Learned != want.Learned || !got.LearnedAt.Equal(want.LearnedAt) {
		t.Fatalf("penalty read back = %+v, want %+v", got, want)
	}
}

// BenchmarkRequestLedger measures one request's cost in the ledger, its
// start and its end, with the window holding 300 requests as HaloPSA's
// usual limit allows.
func BenchmarkRequestLedger(b *testing.B) {
	ctx := context.Background()
	l := openTest(b).RequestLedger("id@https://example.halopsa.com")
	const held = 300
	const step = time.Millisecond
	now := time.Unix(1_800_000_000, 0)
	for b.Loop() {
		slot, err := l.Reserve(ctx, now, held*step, func(rw *RequestWindow) bool { return len(rw.Done)+rw.InFlight < held+1 })
		if err != nil || slot == 0 {
			b.Fatalf("Reserve = %d, %v", slot, err)
		}
		if err := l.Finish(ctx, slot, now); err != nil {
			b.Fatal(err)
		}
		now = now.Add(step)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
