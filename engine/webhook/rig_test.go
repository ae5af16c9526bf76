package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/brainstormmsp/halosync/engine/store"
)

// rig is a Receiver served over real loopback HTTP.
type rig struct {
	t     *testing.T
	url   string
	creds Credentials
	db    *store.DB
	woken atomic.Int64 // sum of OnDelivery's counts
	mu    sync.Mutex
	logs  []string
}

// startRig serves a Receiver whose sink is sink, or a fresh SQLite store
// when sink is nil.
func startRig(t *testing.T, sink Sink) *rig { return startAuthRig(t, sink, Auth{}) }

// startAuthRig is startRig with a receiver authenticating by auth.
func startAuthRig(t *testing.T, sink Sink, auth Auth) *rig {
	t.Helper()
	creds, err := NewCredentials()
	if err != nil {
		t.Fatal(err)
	}
	rg := &rig{t: t, creds: creds}
	if sink == nil {
		rg.db = openStore(t)
		sink = rg.db
	}
	r := &Receiver{Creds: creds, Auth: auth, Sink: sink, MaxBody: 64 << 10,
		OnDelivery: func(n int) { rg.woken.Add(int64(n)) },
		Logf: func(format string, args ...any) {
			rg.mu.Lock()
			rg.logs = append(rg.logs, fmt.Sprintf(format, args...))
			rg.mu.Unlock()
		}}
	ctx, cancel := context.WithCancel(context.Background())
	url, wait, err := Listen(ctx, "", r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := wait(); err != nil {
			t.Error(err)
		}
		rg.checkLogs()
	})
	rg.url = url
	return rg
}

func openStore(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "halosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// checkLogs asserts the log never shows a credential or a body's content.
func (rg *rig) checkLogs() {
	rg.mu.Lock()
	defer rg.mu.Unlock()
	for _, l := range rg.logs {
		for _, secret := range []string{rg.creds.Password, rg.creds.Path, rg.creds.HMACSecret, bodyMarker} {
			if strings.Contains(l, secret) {
				rg.t.Errorf("log line %q reveals a secret or body content", l)
			}
		}
	}
}

// bodyMarker is put in test bodies so the logs can be checked for it.
const bodyMarker = "CUSTOMER-PRIVATE-SUMMARY"

// post sends body with the rig's credentials and returns the status.
func (rg *rig) post(body string) int {
	rg.t.Helper()
	return rg.do(http.MethodPost, rg.url, rg.creds.Username, rg.creds.Password, strings.NewReader(body)).StatusCode
}

func (rg *rig) do(method, url, user, pass string, body io.Reader) *http.Response {
	rg.t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		rg.t.Fatal(err)
	}
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		rg.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func (rg *rig) items(s store.InboxStatus) []store.InboxItem {
	rg.t.Helper()
	items, err := rg.db.InboxByStatus(context.Background(), s, 1000)
	if err != nil {
		rg.t.Fatal(err)
	}
	return items
}

func (rg *rig) total() int {
	rg.t.Helper()
	counts, err := rg.db.InboxCounts(context.Background())
	if err != nil {
		rg.t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func delivery(id string, ticket int, ts string) string {
	return fmt.Sprintf(`{"id":%q,"webhook_id":"w","event":"Ticket Updated","object_id":%d,"timestamp":%q,`+
		`"ticket":{"id":%d,"summary":%q,"status_id":2}}`, id, ticket, ts, ticket, bodyMarker)
}

func mustDecode(t *testing.T, b []byte) Event {
	t.Helper()
	evs, err := Decode(b)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Decode = %v, %v", evs, err)
	}
	return evs[0]
}
