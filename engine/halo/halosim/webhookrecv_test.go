package halosim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"
)

// hookRecv is a webhook receiver that records every POST.
type hookRecv struct {
	mu     sync.Mutex
	reqs   []hookReq
	status int           // answer; 200 when 0
	block  chan struct{} // when set, requests wait for it to close
	ts     *httptest.Server
}

type hookReq struct {
	user, pass string
	hasAuth    bool
	ctype      string
	header     http.Header
	body       []byte
}

func newHookRecv(t *testing.T) *hookRecv {
	r := &hookRecv{}
	r.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		u, p, ok := req.BasicAuth()
		r.mu.Lock()
		r.reqs = append(r.reqs, hookReq{user: u, pass: p, hasAuth: ok, ctype: req.Header.Get("Content-Type"), header: req.Header.Clone(), body: b})
		status, block := r.status, r.block
		r.mu.Unlock()
		if block != nil {
			<-block
		}
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.ts.Close)
	return r
}

func (r *hookRecv) requests() []hookReq {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reqs)
}

// payloads returns every payload object received, in order, batches flattened.
func (r *hookRecv) payloads(t *testing.T) []map[string]json.RawMessage {
	t.Helper()
	var out []map[string]json.RawMessage
	for _, q := range r.requests() {
		var arr []map[string]json.RawMessage
		if json.Unmarshal(q.body, &arr) == nil {
			out = append(out, arr...)
			continue
		}
		var one map[string]json.RawMessage
		if err := json.Unmarshal(q.body, &one); err != nil {
			t.Fatalf("payload is not JSON: %s", q.body)
		}
		out = append(out, one)
	}
	return out
}

func str(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s is not a string", raw)
	}
	return s
}

func flush(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
}

var (
	guidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	stampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)
)
