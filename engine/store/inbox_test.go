package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func inboxItem(id string, objectID int64) InboxItem {
	return InboxItem{DeliveryID: id, Event: "Ticket Updated", ObjectID: objectID,
		Body: []byte(`{"id":"` + id + `","object_id":` + fmt.Sprint(objectID) + `}`)}
}

func TestAddInboxRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	at := time.Date(2026, 9, 25, 6, 41, 8, 789591500, time.FixedZone("X", 3600))
	in := []InboxItem{
		{DeliveryID: "a", ReceivedAt: at, Event: "New Ticket Logged", ObjectID: 42,
			Body: []byte(`{"id":"a"}`), ID: 99, Attempts: 7},
		{DeliveryID: "sha256:00", Status: InboxUnreadable, Body: []byte{0xff, 0x00, '{'}, Error: "not JSON"},
		{DeliveryID: "empty", Status: InboxUnreadable}, // nil body
	}
	added, err := db.AddInbox(ctx, in)
	if err != nil || added != 3 {
		t.Fatalf("AddInbox = %d, %v; want 3", added, err)
	}
	pend, err := db.PendingInbox(ctx, 0)
	if err != nil || len(pend) != 1 {
		t.Fatalf("PendingInbox = %v, %v; want one item", pend, err)
	}
	got := pend[0]
	if got.ID == 99 || got.ID == 0 || got.Attempts != 0 {
		t.Errorf("ID %d, Attempts %d: AddInbox must assign the id and ignore Attempts", got.ID, got.Attempts)
	}
	if !got.ReceivedAt.Equal(at) || got.ReceivedAt.Location() != time.UTC {
		t.Errorf("ReceivedAt = %v, want %v in UTC", got.ReceivedAt, at)
	}
	if got.DeliveryID != "a" || got.Event != "New Ticket Logged" || got.ObjectID != 42 ||
		got.Status != InboxPending || string(got.Body) != `{"id":"a"}` || got.Error != "" {
		t.Errorf("got %+v", got)
	}
	bad, err := db.InboxByStatus(ctx, InboxUnreadable, 10)
	if err != nil || len(bad) != 2 {
		t.Fatalf("unreadable = %v, %v; want 2", bad, err)
	}
	if !bytes.Equal(bad[0].Body, []byte{0xff, 0x00, '{'}) || bad[0].Error != "not JSON" {
		t.Errorf("binary body or error lost: %+v", bad[0])
	}
	if bad[1].Body == nil || len(bad[1].Body) != 0 {
		t.Errorf("empty body = %#v, want an empty slice", bad[1].Body)
	}
	if bad[0].ReceivedAt.IsZero() {
		t.Error("a zero ReceivedAt must be stamped with now")
	}
}

func TestAddInboxDuplicates(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if n, err := db.AddInbox(ctx, []InboxItem{inboxItem("a", 1), inboxItem("b", 2)}); err != nil || n != 2 {
		t.Fatalf("first = %d, %v", n, err)
	}
	// A re-sent delivery, one repeated within the call, and one new.
	again := inboxItem("a", 1)
	again.Event = "changed"
	n, err := db.AddInbox(ctx, []InboxItem{again, inboxItem("c", 3), inboxItem("c", 3)})
	if err != nil || n != 1 {
		t.Fatalf("second = %d, %v; want 1 added and no error", n, err)
	}
	items, _ := db.PendingInbox(ctx, 10)
	var ids []string
	for _, it := range items {
		ids = append(ids, it.DeliveryID)
	}
	if fmt.Sprint(ids) != "[a b c]" || items[0].Event != "Ticket Updated" {
		t.Errorf("stored %v (first event %q); want [a b c] with the first copy kept", ids, items[0].Event)
	}
}

func TestAddInboxRejectsBadItems(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for name, items := range map[string][]InboxItem{
		"no delivery id": {inboxItem("ok", 1), {Body: []byte("{}")}},
		"bad status":     {inboxItem("ok", 1), {DeliveryID: "x", Status: "done"}},
	} {
		if _, err := db.AddInbox(ctx, items); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n, err := db.AddInbox(ctx, nil); n != 0 || err != nil {
		t.Errorf("AddInbox(nil) = %d, %v", n, err)
	}
	assertInboxTotal(t, db, 0)
}

// failOn makes inserting delivery id fail inside the transaction.
func failOn(t *testing.T, db *DB, id string) {
	t.Helper()
	_, err := db.w.Exec(`CREATE TRIGGER inbox_boom BEFORE INSERT ON inbox
		WHEN NEW.delivery_id = '` + id + `' BEGIN SELECT RAISE(ABORT, 'boom'); END`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestAddInboxAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	failOn(t, db, "boom")
	if _, err := db.AddInbox(ctx, []InboxItem{inboxItem("a", 1), inboxItem("boom", 2)}); err == nil {
		t.Fatal("no error")
	}
	assertInboxTotal(t, db, 0)
}

// TestAddInboxConcurrent runs many concurrent callers, with re-sent
// deliveries and one failing caller, through the group commit: every caller
// gets exactly its own outcome.
func TestAddInboxConcurrent(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	failOn(t, db, "boom")
	const callers, each = 16, 40
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		added int
		fails int
	)
	for c := range callers {
		wg.Go(func() {
			for i := range each {
				// Callers 0 and 1 send the same deliveries.
				items := []InboxItem{inboxItem(fmt.Sprintf("d%d-%d", c/2, i), int64(i))}
				if c == 5 && i == 7 {
					items = append(items, inboxItem("boom", 0))
				}
				n, err := db.AddInbox(ctx, items)
				mu.Lock()
				added += n
				if err != nil {
					fails++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	want := callers / 2 * each
	if added != want || fails != 1 {
		t.Errorf("added %d with %d failures; want %d and exactly 1", added, fails, want)
	}
	assertInboxTotal(t, db, want)
	var sync int
	if err := db.w.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 1 {
		t.Errorf("writer left at synchronous %d (%v), want 1 (NORMAL) for other writers", sync, err)
	}
}

func TestAddInboxContextAndClose(t *testing.T) {
	db := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.AddInbox(ctx, []InboxItem{inboxItem("a", 1)}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	assertInboxTotal(t, db, 0)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddInbox(context.Background(), []InboxItem{inboxItem("b", 1)}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: err = %v, want ErrClosed", err)
	}
}

func TestSetInboxStatus(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.AddInbox(ctx, []InboxItem{inboxItem("a", 1), inboxItem("b", 2), inboxItem("c", 3)}); err != nil {
		t.Fatal(err)
	}
	items, _ := db.PendingInbox(ctx, 2)
	if len(items) != 2 || items[0].DeliveryID != "a" || items[1].DeliveryID != "b" {
		t.Fatalf("PendingInbox(2) = %+v", items)
	}
	a, b := items[0].ID, items[1].ID
	steps := []struct {
		id   int64
		s    InboxStatus
		text string
	}{
		{a, InboxHeld, "client 7 is not mapped"},
		{a, InboxHeld, "client 7 is not mapped"},
		{a, InboxApplied, ""},
		{b, InboxFailed, "HaloPSA said 500"},
	}
	for _, st := range steps {
		if err := db.SetInboxStatus(ctx, st.id, st.s, st.text); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetInboxStatus(ctx, 12345, InboxApplied, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if err := db.SetInboxStatus(ctx, a, "done", ""); err == nil {
		t.Error("unknown status accepted")
	}
	applied, _ := db.InboxByStatus(ctx, InboxApplied, 0)
	failed, _ := db.InboxByStatus(ctx, InboxFailed, 0)
	if len(applied) != 1 || applied[0].Attempts != 2 || applied[0].Error != "" {
		t.Errorf("applied = %+v; want 2 attempts (two holds), error cleared", applied)
	}
	if len(failed) != 1 || failed[0].Attempts != 1 || failed[0].Error != "HaloPSA said 500" {
		t.Errorf("failed = %+v", failed)
	}
	if err := db.SetInboxStatus(ctx, b, InboxHeld, "waiting"); err != nil {
		t.Fatal(err)
	}
	held, err := db.HeldInbox(ctx, 0)
	if err != nil || len(held) != 1 || held[0].ID != b || held[0].Attempts != 2 {
		t.Errorf("HeldInbox = %+v, %v", held, err)
	}
	counts, err := db.InboxCounts(ctx)
	want := map[InboxStatus]int{InboxPending: 1, InboxApplied: 1, InboxHeld: 1, InboxUnreadable: 0, InboxFailed: 0}
	if err != nil || fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("InboxCounts = %v, %v; want %v", counts, err, want)
	}
	if _, err := db.InboxByStatus(ctx, "nope", 1); err == nil {
		t.Error("unknown status listed")
	}
}

func assertInboxTotal(t *testing.T, db *DB, want int) {
	t.Helper()
	counts, err := db.InboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != want {
		t.Errorf("inbox holds %d items, want %d", total, want)
	}
}

// BenchmarkAddInbox stores single deliveries one after another: every call
// is its own durable commit.
func BenchmarkAddInbox(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	i := 0
	for b.Loop() {
		if _, err := db.AddInbox(ctx, []InboxItem{inboxItem(fmt.Sprint("d", i), int64(i))}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkAddInboxParallel stores single deliveries from 8 goroutines per
// core, so the group commit can share commits between them.
func BenchmarkAddInboxParallel(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	var (
		mu sync.Mutex
		n  int
	)
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			n++
			id := fmt.Sprint("d", n)
			mu.Unlock()
			if _, err := db.AddInbox(ctx, []InboxItem{inboxItem(id, 1)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
}

// TestRetryFailedInbox makes failed items pending again with their attempts
// from 0, except one released to a local client before, whose count stays
// above 0 so that the apply step still looks up where it goes.
func TestRetryFailedInbox(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.AddInbox(ctx, []InboxItem{inboxItem("plain", 1), inboxItem("released", 2), inboxItem("applied", 3)}); err != nil {
		t.Fatal(err)
	}
	items, _ := db.PendingInbox(ctx, 10)
	plain, released, applied := items[0].ID, items[1].ID, items[2].ID
	local, err := db.AddLocalClient(ctx, LocalClient{Name: "Northwind"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.HoldInbox(ctx, released, 77, "not mapped"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReleaseHeldTo(ctx, []int64{released}, local); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{plain, released} {
		for range 3 {
			if err := db.SetInboxStatus(ctx, id, InboxFailed, "could not read the ticket"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.SetInboxStatus(ctx, applied, InboxApplied, ""); err != nil {
		t.Fatal(err)
	}
	if n, err := db.InboxCount(ctx, InboxFailed); err != nil || n != 2 {
		t.Fatalf("InboxCount(failed) = %d, %v; want 2", n, err)
	}
	if n, err := db.RetryFailedInbox(ctx); err != nil || n != 2 {
		t.Fatalf("RetryFailedInbox = %d, %v; want the 2 failed", n, err)
	}
	if n, err := db.InboxCount(ctx, InboxFailed); err != nil || n != 0 {
		t.Errorf("InboxCount(failed) after the retry = %d, %v; want 0", n, err)
	}
	got := map[int64]InboxItem{}
	pending, _ := db.PendingInbox(ctx, 10)
	for _, it := range pending {
		got[it.ID] = it
	}
	if len(got) != 2 || got[plain].Attempts != 0 || got[plain].Error != "" || got[released].Attempts != 1 {
		t.Fatalf("pending after the retry: %+v", pending)
	}
	if to, err := db.InboxApplyTo(ctx, released); err != nil || to != local {
		t.Errorf("the released item goes to %d (%v), want %d", to, err, local)
	}
	if n, _ := db.RetryFailedInbox(ctx); n != 0 {
		t.Errorf("a second retry found %d", n)
	}
}
