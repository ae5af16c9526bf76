package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestRuns(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	clock := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	db.now = func() time.Time { clock = clock.Add(time.Minute); return clock }

	if _, err := db.LastRun(ctx, KindImport); !errors.Is(err, ErrNotFound) {
		t.Errorf("LastRun on an empty database = %v, want ErrNotFound", err)
	}
	if _, err := db.BeginRun(ctx, ""); err == nil {
		t.Error("BeginRun with no kind succeeded")
	}
	r1, _ := db.BeginRun(ctx, KindImport)
	r2, _ := db.BeginRun(ctx, "poll")
	r3, err := db.BeginRun(ctx, KindImport)
	if err != nil {
		t.Fatal(err)
	}
	if !(r1 < r2 && r2 < r3) {
		t.Errorf("run ids %d, %d, %d do not grow", r1, r2, r3)
	}

	if err := db.FinishRun(ctx, r1, StatusOK, "1200 rows"); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, r1, StatusFailed, "again"); err == nil {
		t.Error("finishing a finished run succeeded")
	}
	if err := db.FinishRun(ctx, 999, StatusOK, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishRun(999) = %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", StatusRunning, "success"} {
		if err := db.FinishRun(ctx, r3, bad, ""); err == nil {
			t.Errorf("FinishRun with status %q succeeded", bad)
		}
	}

	last, err := db.LastRun(ctx, KindImport)
	if err != nil || last.ID != r3 || last.Status != StatusRunning || !last.FinishedAt.IsZero() {
		t.Errorf("LastRun = %+v, %v; want running run %d", last, err, r3)
	}
	ok, err := db.LastSuccessfulRun(ctx, KindImport)
	want := Run{ID: r1, Kind: KindImport, Status: StatusOK, Summary: "1200 rows",
		StartedAt: time.Date(2025, 6, 1, 12, 1, 0, 0, time.UTC), FinishedAt: time.Date(2025, 6, 1, 12, 4, 0, 0, time.UTC)}
	if err != nil || !reflect.DeepEqual(ok, want) {
		t.Errorf("LastSuccessfulRun = %+v, %v\nwant %+v", ok, err, want)
	}
	if _, err := db.LastSuccessfulRun(ctx, "poll"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LastSuccessfulRun(poll) = %v, want ErrNotFound", err)
	}

	// A restart finds r2 and r3 still running: the process that ran them died.
	stuck, err := db.InterruptedRuns(ctx)
	if err != nil || len(stuck) != 2 || stuck[0].ID != r2 || stuck[1].ID != r3 {
		t.Fatalf("InterruptedRuns = %+v, %v; want runs %d and %d", stuck, err, r2, r3)
	}
	for _, r := range stuck {
		if err := db.FinishRun(ctx, r.ID, StatusInterrupted, "HaloSync stopped during the run"); err != nil {
			t.Fatal(err)
		}
	}
	if stuck, _ := db.InterruptedRuns(ctx); len(stuck) != 0 {
		t.Errorf("InterruptedRuns after marking = %+v, want none", stuck)
	}
	c, err := db.Counts(ctx)
	if err != nil || !c.LastSync.Equal(want.FinishedAt) {
		t.Errorf("Counts.LastSync = %v, %v; want %v", c.LastSync, err, want.FinishedAt)
	}
}

func TestSyncStates(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if got, err := db.SyncStates(ctx); err != nil || len(got) != 0 {
		t.Errorf("SyncStates on an empty database = %v, %v", got, err)
	}
	at := time.Date(2025, 2, 3, 4, 5, 6, 7, time.UTC)
	in := []SyncState{
		{Resource: Sites, LastRun: 3, LastError: "HTTP 500"},
		{Resource: Clients, LastRun: 3, LastSuccess: at, Rows: 1200},
	}
	for _, s := range in {
		if err := db.SetSyncState(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// Replacing keeps one row per resource.
	in[0] = SyncState{Resource: Sites, LastRun: 4, LastSuccess: at, Rows: 80}
	if err := db.SetSyncState(ctx, in[0]); err != nil {
		t.Fatal(err)
	}
	got, err := db.SyncStates(ctx)
	if want := []SyncState{in[1], in[0]}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("SyncStates = %+v, %v\nwant %+v", got, err, want)
	}
	if err := db.SetSyncState(ctx, SyncState{}); err == nil {
		t.Error("SetSyncState without a resource succeeded")
	}
}
