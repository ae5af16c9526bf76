package sync

import (
	"context"
	"fmt"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// The apply benchmarks of issue 12: a backlog of applyBacklog full-payload
// deliveries, each about a ticket new to HaloSync of a mapped client,
// applied by DrainInbox quiet (BenchmarkApplyBacklog) and while
// loadSenders keep storing more as the receiver would
// (BenchmarkApplyUnderLoad). Run with `make bench-ingest`.
const (
	applyBacklog = 20000
	loadSenders  = 8
)

// applyRig is a store with mapped clients and loaded statuses, and the
// Tickets that drains its inbox.
type applyRig struct {
	db     *store.DB
	ts     *Tickets
	client int   // a mapped HaloPSA client
	next   int64 // the next ticket id; each delivery is about a new one
}

func newApplyRig(b testing.TB) *applyRig {
	b.Helper()
	sim, srv := startSim(b, halosim.Options{Seed: 41, Clients: 12})
	db, ts := mappedTickets(b, newClient(b, srv, nil))
	return &applyRig{db: db, ts: ts, client: sim.ActiveClientIDs()[0], next: 1}
}

// delivery is one full "Ticket Status Changed" payload about ticket id.
func (r *applyRig) delivery(id int64) store.InboxItem {
	body := fmt.Sprintf(`{"id":"6f1c9a52-%012d-4d1e-9b0a-2c7e5f3d8a41","event":"Ticket Status Changed","object_id":%d,`+
		`"ticket":{"id":%d,"summary":"Printer on the second floor jams","details":"%s","status_id":2,"tickettype_id":1,`+
		`"priority_id":3,"client_id":%d,"site_id":0,"user_id":0,"last_update":"2026-09-25T06:41:08.7895915"}}`,
		id, id, id, strings.Repeat("The paper tray clicks and the job stops. ", 10), r.client)
	return store.InboxItem{DeliveryID: fmt.Sprintf("bench-%d", id), Event: "Ticket Status Changed",
		ObjectID: id, Body: []byte(body)}
}

// fill stores n deliveries about new tickets, 500 to a call.
func (r *applyRig) fill(b testing.TB, n int) {
	b.Helper()
	for n > 0 {
		k := min(n, 500)
		items := make([]store.InboxItem, k)
		for i := range items {
			items[i] = r.delivery(r.next)
			r.next++
		}
		if _, err := r.db.AddInbox(context.Background(), items); err != nil {
			b.Fatal(err)
		}
		n -= k
	}
}

// drain applies the whole inbox and checks that want were applied (any
// number when want < 0).
func (r *applyRig) drain(b *testing.B, want int) {
	b.Helper()
	n, err := r.ts.DrainInbox(context.Background())
	if err != nil || want >= 0 && n != want {
		b.Fatalf("DrainInbox applied %d (%v), want %d", n, err, want)
	}
}

// BenchmarkApplyBacklog applies a backlog of applyBacklog deliveries with
// nothing else running, and reports deliveries applied per second.
func BenchmarkApplyBacklog(b *testing.B) {
	r := newApplyRig(b)
	var spent time.Duration
	for range b.N {
		b.StopTimer()
		r.fill(b, applyBacklog)
		b.StartTimer()
		t0 := time.Now()
		r.drain(b, applyBacklog)
		spent += time.Since(t0)
	}
	b.ReportMetric(float64(applyBacklog*b.N)/spent.Seconds(), "applied/s")
}

// BenchmarkApplyUnderLoad applies a backlog of applyBacklog deliveries
// while loadSenders concurrent senders store applyBacklog more, one
// delivery a call, and reports deliveries applied per second until the
// last sender finished, how fast the senders were stored meanwhile and the
// 99th percentile of a store call's time (the receiver answers after it).
func BenchmarkApplyUnderLoad(b *testing.B) {
	r := newApplyRig(b)
	ctx := context.Background()
	var rate, intake float64
	var lat []time.Duration
	for range b.N {
		b.StopTimer()
		r.fill(b, applyBacklog)
		base, err := r.db.InboxCounts(ctx)
		if err != nil {
			b.Fatal(err)
		}
		first := r.next
		r.next += applyBacklog
		b.StartTimer()
		t0 := time.Now()
		var sent atomic.Int64
		var wg gosync.WaitGroup
		took := make([]time.Duration, applyBacklog)
		for range loadSenders {
			wg.Go(func() {
				for {
					i := sent.Add(1) - 1
					if i >= applyBacklog {
						return
					}
					it := r.delivery(first + i)
					t0 := time.Now()
					if _, err := r.db.AddInbox(ctx, []store.InboxItem{it}); err != nil {
						b.Error(err)
						return
					}
					took[i] = time.Since(t0)
				}
			})
		}
		drained := make(chan error, 1)
		go func() {
			_, err := r.ts.DrainInbox(ctx)
			drained <- err
		}()
		wg.Wait()
		loaded := time.Since(t0)
		lat = append(lat, took...)
		counts, err := r.db.InboxCounts(ctx)
		if err != nil {
			b.Fatal(err)
		}
		rate += float64(counts[store.InboxApplied]-base[store.InboxApplied]) / loaded.Seconds()
		intake += applyBacklog / loaded.Seconds()
		if err := <-drained; err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		r.drain(b, -1) // whatever arrived after the drain above looked
		b.StartTimer()
	}
	b.ReportMetric(rate/float64(b.N), "applied/s")
	b.ReportMetric(intake/float64(b.N), "stored/s")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "store-p99-ms")
}
