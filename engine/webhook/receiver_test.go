package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/store"
)

func TestReceiverStoresOnceInArrivalOrder(t *testing.T) {
	rg := startRig(t, nil)
	later := delivery("d-late", 5, "2026-09-25T06:41:09.0000000Z")
	earlier := delivery("d-early", 5, "2026-09-25T06:41:08.0000000Z")
	steps := []struct {
		body  string
		woken int64
	}{
		{later, 1},   // out of order: the later change arrives first
		{earlier, 2}, //
		{later, 2},   // duplicate, straight away
		{delivery("d-other", 6, "2026-09-25T06:41:10Z"), 3},
		{earlier, 3}, // replayed later on
	}
	for i, st := range steps {
		if code := rg.post(st.body); code != http.StatusOK {
			t.Fatalf("step %d: status %d, want 200", i, code)
		}
		if got := rg.woken.Load(); got != st.woken {
			t.Errorf("step %d: OnDelivery total %d, want %d", i, got, st.woken)
		}
	}
	items := rg.items(store.InboxPending)
	var got []string
	for _, it := range items {
		got = append(got, it.DeliveryID)
	}
	// The receiver keeps arrival order and leaves staleness to the apply
	// step, which compares the payloads' timestamps.
	if fmt.Sprint(got) != "[d-late d-early d-other]" {
		t.Fatalf("stored %v", got)
	}
	if string(items[0].Body) != later || items[0].ObjectID != 5 || items[0].Event != "Ticket Updated" {
		t.Errorf("item = %+v", items[0])
	}
	evs, err := Decode(items[1].Body)
	if err != nil || !evs[0].Timestamp.Before(mustDecode(t, items[0].Body).Timestamp) {
		t.Errorf("stored bodies lost their timestamps: %v %v", evs, err)
	}
	if time.Since(items[0].ReceivedAt) > time.Minute {
		t.Errorf("ReceivedAt = %v", items[0].ReceivedAt)
	}
}

func TestReceiverRefusesWithoutStoring(t *testing.T) {
	rg := startRig(t, nil)
	body := delivery("x", 1, "")
	base := strings.TrimSuffix(rg.url, rg.creds.Path)
	other, _ := NewCredentials()
	cases := []struct {
		name       string
		method     string
		url        string
		user, pass string
		body       io.Reader
		code       int
	}{
		{"wrong path", "POST", base + "/halo/guess", rg.creds.Username, rg.creds.Password, nil, 404},
		{"path with a slash added", "POST", rg.url + "/", rg.creds.Username, rg.creds.Password, nil, 404},
		{"path cut short", "POST", rg.url[:len(rg.url)-1], rg.creds.Username, rg.creds.Password, nil, 404},
		{"root", "POST", base + "/", "", "", nil, 404},
		{"wrong path and no credentials", "GET", base + "/halo/guess", "", "", nil, 404},
		{"GET", "GET", rg.url, rg.creds.Username, rg.creds.Password, nil, 405},
		{"PUT", "PUT", rg.url, rg.creds.Username, rg.creds.Password, nil, 405},
		{"no credentials", "POST", rg.url, "", "", nil, 401},
		{"wrong password", "POST", rg.url, rg.creds.Username, other.Password, nil, 401},
		{"wrong user", "POST", rg.url, "admin", rg.creds.Password, nil, 401},
		{"empty password", "POST", rg.url, rg.creds.Username, "", nil, 401},
		{"oversize", "POST", rg.url, rg.creds.Username, rg.creds.Password,
			strings.NewReader(`[` + strings.Repeat(body+",", 1000) + body + `]`), 413},
		{"oversize, no length", "POST", rg.url, rg.creds.Username, rg.creds.Password,
			io.MultiReader(strings.NewReader(`[`), strings.NewReader(strings.Repeat(body+",", 1000)+body+`]`)), 413},
	}
	notFound := rg.do("POST", base+"/nothing-here", "", "", nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.body
			if b == nil {
				b = strings.NewReader(body)
			}
			resp := rg.do(tc.method, tc.url, tc.user, tc.pass, b)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
			}
			switch tc.code {
			case 404: // indistinguishable from any unknown URL
				got, _ := io.ReadAll(resp.Body)
				want, _ := io.ReadAll(notFound.Body)
				notFound.Body = io.NopCloser(bytes.NewReader(want))
				if !bytes.Equal(got, want) {
					t.Errorf("404 body %q differs from an unknown URL's %q", got, want)
				}
			case 405:
				if resp.Header.Get("Allow") != "POST" {
					t.Errorf("Allow = %q", resp.Header.Get("Allow"))
				}
			case 401:
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
			}
		})
	}
	if n := rg.total(); n != 0 {
		t.Errorf("refused requests stored %d items", n)
	}
	if rg.woken.Load() != 0 {
		t.Error("OnDelivery called for a refused request")
	}
}

func TestReceiverKeepsUnreadable(t *testing.T) {
	rg := startRig(t, nil)
	bodies := []string{
		`{"id":"m1","summary":"` + bodyMarker + `",`, // malformed JSON
		`"` + bodyMarker + `"`,                       // not an object
		``,                                           // empty body
		`[]`,                                         // no deliveries
		`{"id":"no-object","event":"x","summary":"` + bodyMarker + `"}`,
		dotMARCVerbatim,
	}
	for _, b := range bodies {
		if code := rg.post(b); code != http.StatusOK {
			t.Fatalf("%q: status %d, want 200 so HaloPSA does not disable the webhook", b, code)
		}
	}
	bad := rg.items(store.InboxUnreadable)
	if len(bad) != len(bodies) || rg.total() != len(bodies) {
		t.Fatalf("%d unreadable of %d stored, want %d", len(bad), rg.total(), len(bodies))
	}
	for i, it := range bad {
		if string(it.Body) != bodies[i] || it.Error == "" {
			t.Errorf("item %d: body %q, error %q", i, it.Body, it.Error)
		}
	}
	if bad[4].DeliveryID != "no-object" || bad[0].DeliveryID != HashID([]byte(bodies[0])) {
		t.Errorf("delivery ids %q, %q", bad[4].DeliveryID, bad[0].DeliveryID)
	}
	rg.mu.Lock()
	// A burst is one line: the inbox holds every delivery already.
	if len(rg.logs) != 1 || !strings.Contains(rg.logs[0], "unreadable delivery") || !strings.Contains(rg.logs[0], "inbox") {
		t.Errorf("%d log lines, want one for the burst: %q", len(rg.logs), rg.logs)
	}
	rg.mu.Unlock()
	// The same unreadable body again is a duplicate too.
	if code := rg.post(bodies[0]); code != http.StatusOK || rg.total() != len(bodies) {
		t.Errorf("re-sent unreadable body: status %d, %d stored", code, rg.total())
	}
}

func TestReceiverBatchesAndPayloadTypes(t *testing.T) {
	rg := startRig(t, nil)
	batch := `[` + delivery("b1", 1, "") + `,{"id":"b2","event":"x"},` +
		`{"id":"b3","event":"Ticket Closed","object_id":3}]`
	for _, b := range []string{batch, dotMARCSample, `{"id":"eo","event":"New Ticket Logged","object_id":77}`} {
		if code := rg.post(b); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	var got []string
	for _, it := range rg.items(store.InboxPending) {
		got = append(got, fmt.Sprintf("%s:%s:%d", it.DeliveryID, it.Event, it.ObjectID))
	}
	want := "[b1:Ticket Updated:1 b3:Ticket Closed:3 <guid>:ticket status changed:4242 eo:New Ticket Logged:77]"
	if fmt.Sprint(got) != want {
		t.Errorf("pending %v\nwant    %s", got, want)
	}
	bad := rg.items(store.InboxUnreadable)
	if len(bad) != 1 || bad[0].DeliveryID != "b2" || string(bad[0].Body) != `{"id":"b2","event":"x"}` {
		t.Errorf("unreadable %+v", bad)
	}
	if rg.woken.Load() != 5 {
		t.Errorf("OnDelivery total %d, want 5", rg.woken.Load())
	}
}

// flakySink fails its first calls without storing, then stores in db.
type flakySink struct {
	db    *store.DB
	fails atomic.Int32
}

func (s *flakySink) AddInbox(ctx context.Context, items []store.InboxItem) (int, error) {
	if s.fails.Add(-1) >= 0 {
		return 0, errors.New("disk full")
	}
	return s.db.AddInbox(ctx, items)
}

func TestReceiverSinkFailure(t *testing.T) {
	db := openStore(t)
	sink := &flakySink{db: db}
	sink.fails.Store(1)
	rg := startRig(t, sink)
	rg.db = db
	batch := `[` + delivery("f1", 1, "") + `,` + delivery("f2", 2, "") + `]`
	if code := rg.post(batch); code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503 so that HaloPSA tries again", code)
	}
	if rg.total() != 0 || rg.woken.Load() != 0 {
		t.Fatalf("after a failed store: %d stored, woken %d", rg.total(), rg.woken.Load())
	}
	if code := rg.post(batch); code != http.StatusOK || rg.total() != 2 {
		t.Errorf("retry: status %d, %d stored", code, rg.total())
	}
	// A closed store refuses too, and nothing is half stored.
	db.Close()
	if code := rg.post(delivery("f3", 3, "")); code != http.StatusServiceUnavailable {
		t.Errorf("closed store: status %d, want 503", code)
	}
}

func TestReceiverNoSinkNoCredentials(t *testing.T) {
	r := &Receiver{Creds: Credentials{Path: "/h"}}
	ctx, cancel := context.WithCancel(context.Background())
	url, wait, err := Listen(ctx, "", r)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); wait() }()
	rg := &rig{t: t}
	// Empty configured credentials must not leave the endpoint open.
	if code := rg.do("POST", url, "", "", strings.NewReader("{}")).StatusCode; code != 401 {
		t.Errorf("status %d, want 401", code)
	}
	if _, _, err := Listen(ctx, "", &Receiver{}); err == nil {
		t.Error("Listen accepted credentials without a path")
	}
}

func TestCredentials(t *testing.T) {
	a, err := NewCredentials()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewCredentials()
	if a.Path == b.Path || a.Password == b.Password {
		t.Fatal("credentials repeat")
	}
	tok := strings.TrimPrefix(a.Path, "/halo/")
	if len(tok) < 22 || len(a.Password) < 22 || a.Username == "" { // 22 base64 chars = 128 bits
		t.Errorf("too short: %d, %d", len(tok), len(a.Password))
	}
	if a.HMACSecret == b.HMACSecret || len(a.HMACSecret) != 43 { // 43 base64 chars = 256 bits
		t.Errorf("HMAC secret %d chars, or repeated", len(a.HMACSecret))
	}
	for _, s := range []string{tok, a.Password, a.HMACSecret} {
		if strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Errorf("%q is not URL-safe", s)
		}
	}
	r := &Receiver{Creds: a} // a Receiver holds a mutex: never copied
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{a, &a, r} {
			if s := fmt.Sprintf(f, v); strings.Contains(s, a.Password) || strings.Contains(s, tok) || strings.Contains(s, a.HMACSecret) {
				t.Errorf("%s of %T reveals a secret: %s", f, v, s)
			}
		}
	}
}

// blockSink holds every AddInbox until release is closed.
type blockSink struct {
	entered chan struct{}
	release chan struct{}
}

func (s *blockSink) AddInbox(context.Context, []store.InboxItem) (int, error) {
	s.entered <- struct{}{}
	<-s.release
	return 1, nil
}

func TestListenGracefulShutdown(t *testing.T) {
	creds, _ := NewCredentials()
	sink := &blockSink{entered: make(chan struct{}, 1), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	url, wait, err := Listen(ctx, "", &Receiver{Creds: creds, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	rg := &rig{t: t, url: url, creds: creds}
	got := make(chan int, 1)
	go func() { got <- rg.post(delivery("g", 1, "")) }()
	<-sink.entered
	cancel() // shut down while the delivery is being stored
	time.Sleep(50 * time.Millisecond)
	close(sink.release)
	if code := <-got; code != http.StatusOK {
		t.Errorf("in-flight delivery answered %d, want 200", code)
	}
	if err := wait(); err != nil {
		t.Errorf("wait: %v", err)
	}
	if _, err := http.Post(url, "application/json", strings.NewReader("{}")); err == nil {
		t.Error("server still answers after shutdown")
	}
}

// TestBurstLogCounts checks the coalescing: the first occurrence is logged,
// the rest of the minute counted, and the next one logged carries the count.
func TestBurstLogCounts(t *testing.T) {
	var l burstLog
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if log, n := l.note(t0); !log || n != 0 {
		t.Fatalf("first: log %v, unlogged %d", log, n)
	}
	for i := range 1199 {
		if log, _ := l.note(t0.Add(time.Duration(i) * 10 * time.Millisecond)); log {
			t.Fatalf("occurrence %d within the minute was logged", i+2)
		}
	}
	if log, n := l.note(t0.Add(refusalLogEvery)); !log || n != 1199 {
		t.Fatalf("after the minute: log %v, unlogged %d; want true, 1199", log, n)
	}
}
