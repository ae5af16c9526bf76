package halo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTokenIsReusedAndRefetchedOnceAfter401(t *testing.T) {
	f := newFake(t)
	var calls atomic.Int32
	f.handle("GET /api/Client/{id}", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprintf(w, `{"id":%s,"name":"Acme"}`, r.PathValue("id"))
	})
	c := f.client(t, nil)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if _, err := c.Customer(ctx, ID(i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.tokens.Load(); got != 1 {
		t.Fatalf("tokens fetched for 3 calls = %d, want 1", got)
	}
	f.revoke()
	cust, err := c.Customer(ctx, 4)
	if err != nil || cust.Name != "Acme" {
		t.Fatalf("after revoke: %+v, %v", cust, err)
	}
	if got := f.tokens.Load(); got != 2 {
		t.Fatalf("tokens after a 401 = %d, want 2", got)
	}
}

func TestPersistent401IsBadCredentials(t *testing.T) {
	f := newFake(t)
	f.mux.HandleFunc("GET /api/Client/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	})
	_, err := f.client(t, nil).Customer(context.Background(), 1)
	if !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("err = %v, want ErrBadCredentials", err)
	}
	if got := f.tokens.Load(); got != 2 {
		t.Fatalf("tokens = %d, want exactly one re-auth", got)
	}
}

func TestWrongSecretIsBadCredentials(t *testing.T) {
	f := newFake(t)
	c := f.client(t, func(c *Config) { c.ClientSecret = "wrong" })
	_, err := c.Verify(context.Background())
	if !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("err = %v, want ErrBadCredentials", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Fatalf("error leaks the secret: %v", err)
	}
}

func TestUnreachableAndNotHalo(t *testing.T) {
	f := newFake(t)
	url := f.srv.URL
	f.srv.Close()
	addr, _ := ParseAddress(url)
	c, _ := New(Config{Address: addr, ClientID: "id", ClientSecret: "secret"})
	if _, err := c.Verify(context.Background()); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("closed server: err = %v, want ErrUnreachable", err)
	}

	web := newFake(t)
	web.mux = http.NewServeMux()
	web.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<!doctype html><p>Not here</p>")
	})
	c = web.client(t, nil)
	if _, err := c.Verify(context.Background()); !errors.Is(err, ErrNotHalo) {
		t.Fatalf("web page: err = %v, want ErrNotHalo", err)
	}
}

func TestErrorBodiesBecomePlainErrors(t *testing.T) {
	f := newFake(t)
	answers := map[string]struct {
		status int
		body   string
	}{
		"1": {403, `{"ClassName":"x","Message":"You do not have permission to view clients"}`},
		"2": {404, `{"Message":"Client not found"}`},
		"3": {400, `{"[0].client_id":"must be an integer"}`},
		"4": {418, `I'm a teapot`},
	}
	f.handle("GET /api/Client/{id}", func(w http.ResponseWriter, r *http.Request) {
		a := answers[r.PathValue("id")]
		w.WriteHeader(a.status)
		fmt.Fprint(w, a.body)
	})
	c := f.client(t, nil)
	ctx := context.Background()
	cases := []struct {
		id   ID
		kind error
		text string
	}{
		{1, ErrPermission, "permission to view clients"},
		{2, ErrNotFound, "Client not found"},
		{3, ErrValidation, "[0].client_id: must be an integer"},
		{4, ErrNotHalo, "teapot"},
	}
	for _, tc := range cases {
		_, err := c.Customer(ctx, tc.id)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("id %d: err = %v; want %v containing %q", tc.id, err, tc.kind, tc.text)
		}
	}
}

func TestGetRetries5xxAndDroppedConnections(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.handle("GET /api/Client/{id}", func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.WriteHeader(http.StatusBadGateway)
		case 2:
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		default:
			fmt.Fprint(w, `{"id":1,"name":"Acme"}`)
		}
	})
	c := f.client(t, nil)
	cust, err := c.Customer(context.Background(), 1)
	if err != nil || cust.Name != "Acme" {
		t.Fatalf("got %+v, %v", cust, err)
	}
	// net/http itself may resend a GET whose reused connection dropped,
	// so only the 502 is sure to be our retry.
	if s := c.Stats(); n.Load() != 3 || s.Retries < 1 {
		t.Fatalf("server saw %d requests, stats = %+v", n.Load(), s)
	}
}

func TestServerErrorGivesUpAfterRetries(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/Client/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"errorMessage":"database is down"}`)
	})
	c := f.client(t, func(c *Config) { c.MaxRetries = 2 })
	_, err := c.Customer(context.Background(), 1)
	if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "database is down") {
		t.Fatalf("err = %v", err)
	}
	if got := c.Stats().Requests; got != 3 {
		t.Fatalf("requests = %d, want 1 + 2 retries", got)
	}
}

func TestRateLimitedRequestWaitsAndSucceeds(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.handle("GET /api/Client/{id}", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, "Rate Limit Reached - 300 Requests per rolling 5 minute window")
			return
		}
		fmt.Fprint(w, `{"id":1,"name":"Acme"}`)
	})
	// A 1 s window makes the back-off 100 ms, then 200 ms.
	c := f.client(t, func(c *Config) { c.RateLimit, c.RateWindow = 300, time.Second })
	start := time.Now()
	if _, err := c.Customer(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Fatalf("retried after %v; the back-off must be at least 100+200 ms", waited)
	}
	if s := c.Stats(); s.RateLimited != 2 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestPostIsNotRetriedAfterServerError(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.handle("POST /api/Tickets", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	})
	c := f.client(t, nil)
	err := c.do(context.Background(), "POST", "Tickets", nil, []map[string]any{{"summary": "x"}}, nil)
	if !errors.Is(err, ErrServer) || n.Load() != 1 {
		t.Fatalf("err = %v after %d posts; a POST that may have been applied must not be repeated", err, n.Load())
	}
}

func TestContextCancelStopsWaiting(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/Client/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := f.client(t, func(c *Config) { c.RateLimit, c.RateWindow = 300, time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Customer(ctx, 1)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}

func TestUnreachableSaysWhatWithoutTheURL(t *testing.T) {
	f := newFake(t)
	c := f.client(t, func(cfg *Config) { cfg.MaxRetries = -1 })
	f.srv.Close() // nothing listens any more
	err := c.Customers(context.Background(), ListOptions{}, func(Page[Customer]) error { return nil })
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want unreachable", err)
	}
	if msg := err.Error(); strings.Contains(msg, "includeactive") || strings.Contains(msg, "http://") || !strings.Contains(msg, "GET /api/Client") {
		t.Errorf("message %q: want the operation, not the whole URL", msg)
	}
}
