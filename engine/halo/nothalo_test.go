package halo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestNotHaloServersAreNamedAsSuch points the client at web servers that are
// not HaloPSA and checks that the error says so, in words that do not blame
// the network or HaloPSA's health.
func TestNotHaloServersAreNamedAsSuch(t *testing.T) {
	page := func(w http.ResponseWriter, status int) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, "<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>")
	}
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"web page everywhere", func(w http.ResponseWriter, r *http.Request) { page(w, http.StatusOK) }, "it sent a web page"},
		{"web page from the token endpoint only", func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/token") {
				page(w, http.StatusOK)
				return
			}
			http.NotFound(w, r)
		}, "it sent a web page"},
		{"web page labelled as JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, "<html><body>hello</body></html>")
		}, "it sent a web page"},
		{"web page with an error status", func(w http.ResponseWriter, r *http.Request) { page(w, http.StatusForbidden) }, "it sent a web page (HTTP 403)"},
		{"501 to everything", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Not Implemented", http.StatusNotImplemented)
		}, "it answered 501 Not Implemented to the token request"},
		{"JSON that is not OAuth", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"status":"ok","version":"1.2.3"}`)
		}, "something other than an access token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			addr, err := ParseAddress(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			c, err := New(Config{Address: addr, ClientID: "id", ClientSecret: "secret", MaxRetries: 1})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Verify(context.Background())
			if !errors.Is(err, ErrNotHalo) {
				t.Fatalf("err = %v, want ErrNotHalo", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "this address answers, but it is not HaloPSA: ") || !strings.Contains(msg, tc.want) {
				t.Errorf("err = %q, want it to say it is not HaloPSA and %q", msg, tc.want)
			}
			for _, wrong := range []string{"cannot be reached", "server error", "oauth2", "cannot parse"} {
				if strings.Contains(msg, wrong) {
					t.Errorf("err = %q says %q", msg, wrong)
				}
			}
		})
	}
}

// TestRealServerErrorStaysServerError keeps a failing token endpoint that
// does speak OAuth's language a server error.
func TestRealServerErrorStaysServerError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/token") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"message":"maintenance"}`)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	addr, _ := ParseAddress(srv.URL)
	c, _ := New(Config{Address: addr, ClientID: "id", ClientSecret: "secret"})
	if _, err := c.Verify(context.Background()); !errors.Is(err, ErrServer) {
		t.Fatalf("err = %v, want ErrServer", err)
	}
}

// TestAPIErrorSaysItsKindOnce checks a failed call whose cause is a failed
// call of the same kind: the sentence comes once, both operations stay.
func TestAPIErrorSaysItsKindOnce(t *testing.T) {
	inner := &APIError{Kind: ErrUnreachable, Op: "POST https://h/auth/token", Err: errors.New("dial tcp: connection refused")}
	outer := &APIError{Kind: ErrUnreachable, Op: "GET /api/Status", Err: inner}
	msg := outer.Error()
	if n := strings.Count(msg, ErrUnreachable.Error()); n != 1 {
		t.Errorf("%q says %q %d times", msg, ErrUnreachable, n)
	}
	for _, want := range []string{"connection refused", "POST https://h/auth/token", "GET /api/Status"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lost %q", msg, want)
		}
	}
	if !errors.Is(outer, ErrUnreachable) {
		t.Error("errors.Is(outer, ErrUnreachable) = false")
	}
}

// TestClosedPortSaysUnreachableOnce goes through the whole client, token
// fetch included, against a closed port.
func TestClosedPortSaysUnreachableOnce(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr, _ := ParseAddress(srv.URL)
	srv.Close()
	for _, auth := range []string{"", srv.URL + "/auth"} {
		c, err := New(Config{Address: addr, AuthURL: auth, ClientID: "id", ClientSecret: "secret", MaxRetries: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Verify(context.Background())
		if !errors.Is(err, ErrUnreachable) {
			t.Fatalf("auth %q: err = %v, want ErrUnreachable", auth, err)
		}
		if n := strings.Count(err.Error(), ErrUnreachable.Error()); n != 1 {
			t.Errorf("auth %q: %q says %q %d times", auth, err, ErrUnreachable, n)
		}
	}
}
