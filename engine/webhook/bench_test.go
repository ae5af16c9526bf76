package webhook

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkIngest posts single full-payload deliveries over loopback HTTP
// into the real SQLite store, from 8, 16 and 32 concurrent senders (how
// many HaloPSA keeps in flight when it drains a backlog is not known), and
// reports the throughput and the latency each sender saw (from sending the
// request to reading the 200, which comes after the durable commit). Each
// 200 waits for a disk flush, so with few senders the flush's latency, not
// the CPU, bounds the throughput: the sweep shows how far it scales.
func BenchmarkIngest(b *testing.B) {
	for _, senders := range []int{8, 16, 32} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) { benchIngest(b, senders) })
	}
}

func benchIngest(b *testing.B, benchSenders int) {
	db := openStore(b)
	creds, err := NewCredentials()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	url, wait, err := Listen(ctx, "", &Receiver{Creds: creds, Sink: db})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		cancel()
		wait()
	}()
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: benchSenders, MaxIdleConnsPerHost: benchSenders}}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range benchSenders {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(fullPayload(i)))
				req.SetBasicAuth(creds.Username, creds.Password)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t0)
				if resp.StatusCode != http.StatusOK {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	counts, err := db.InboxCounts(context.Background())
	if err != nil || counts["pending"] != b.N {
		b.Fatalf("stored %v (%v), want %d pending", counts, err, b.N)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// fullPayload is a realistic full payload (about 1.3 kB) with a unique
// delivery id per i.
func fullPayload(i int64) string {
	i++ // ticket ids start at 1
	return fmt.Sprintf(`{"id":"6f1c9a52-%012d-4d1e-9b0a-2c7e5f3d8a41","webhook_id":"0b6e3f7a-8d2c-4e91-b5a6-7c3d1e9f2a80",`+
		`"notification_id":41,"escmsg_id":"9d2e4b6a-1c3f-4a5e-8b7d-0e2f4a6c8e10","event":"Ticket Status Changed",`+
		`"message":"The status has been changed for Ticket ID: %07d.","object_id":%d,"agent_id":3,`+
		`"timestamp":"2026-09-25T06:41:08.7895915Z","ticket":{"id":%d,"summary":"Printer on the second floor jams",`+
		`"details":"%s","status_id":2,"status_name":"In Progress","tickettype_id":1,"tickettype_name":"Incident",`+
		`"priority_id":3,"client_id":17,"client_name":"Acme Widgets Ltd","site_id":41,"site_name":"Head Office",`+
		`"user_id":220,"user_name":"Jane Smith","agent_id":3,"team":"Service Desk","dateoccurred":"2026-09-24T08:00:00.47",`+
		`"datecreated":"2026-09-24T08:00:00.47","last_update":"2026-09-25T06:41:08.7895915","lastactiondate":"2026-09-25T06:41:08.78",`+
		`"hasbeenclosed":false,"onhold":false,"customfields":[]}}`,
		i, i%10000000, i, i, strings.Repeat("The paper tray clicks and the job stops. ", 10))
}

// BenchmarkDecode reads one full payload as the receiver does (heads) and
// as the apply step does (full): the receiver's share of the CPU each
// delivery costs before it reaches the store.
func BenchmarkDecode(b *testing.B) {
	body := []byte(fullPayload(41))
	for _, mode := range []struct {
		name   string
		decode func([]byte) ([]Event, error)
	}{{"heads", decodeHeads}, {"full", Decode}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if evs, err := mode.decode(body); err != nil || evs[0].Err != nil {
					b.Fatal(err, evs)
				}
			}
		})
	}
}
