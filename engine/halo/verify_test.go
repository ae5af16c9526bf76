package halo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

func okList(key string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"record_count":0,%q:[]}`, key)
	}
}

func TestVerifyProvesEveryScope(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/Client", okList("clients"))
	f.handle("GET /api/Asset", okList("assets"))
	f.handle("GET /api/Tickets", okList("tickets"))
	g, err := f.client(t, nil).Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Verified, RequiredScopes) {
		t.Fatalf("verified = %v", g.Verified)
	}
}

func TestVerifyNamesRefusedScopes(t *testing.T) {
	f := newFake(t)
	f.refuse["edit:tickets"] = true
	f.refuse["read:assets"] = true
	_, err := f.client(t, nil).Verify(context.Background())
	var ms *MissingScopeError
	if !errors.As(err, &ms) || !slices.Equal(ms.Missing, []string{"read:assets", "edit:tickets"}) {
		t.Fatalf("err = %v", err)
	}
}

func TestVerifyFindsScopesTheAgentCannotUse(t *testing.T) {
	f := newFake(t)
	f.granted = "edit:customers read:assets edit:tickets" // edit:X grants read:X
	f.handle("GET /api/Client", okList("clients"))
	f.handle("GET /api/Asset", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"Message":"no access to assets"}`)
	})
	f.handle("GET /api/Tickets", okList("tickets"))
	_, err := f.client(t, nil).Verify(context.Background())
	var ms *MissingScopeError
	if !errors.As(err, &ms) || !slices.Equal(ms.Missing, []string{"read:assets"}) {
		t.Fatalf("err = %v", err)
	}
}

func TestVerifyReadsTheGrantedList(t *testing.T) {
	f := newFake(t)
	f.granted = "read:customers read:assets read:tickets" // no edit:tickets
	f.handle("GET /api/Client", okList("clients"))
	f.handle("GET /api/Asset", okList("assets"))
	f.handle("GET /api/Tickets", okList("tickets"))
	_, err := f.client(t, nil).Verify(context.Background())
	var ms *MissingScopeError
	if !errors.As(err, &ms) || !slices.Equal(ms.Missing, []string{"edit:tickets"}) {
		t.Fatalf("err = %v", err)
	}
}

func TestCovers(t *testing.T) {
	cases := []struct {
		granted []string
		need    string
		want    bool
	}{
		{[]string{"all"}, "edit:tickets", true},
		{[]string{"edit:tickets"}, "read:tickets", true},
		{[]string{"read:tickets"}, "edit:tickets", false},
		{[]string{"edit:customers"}, "read:assets", false},
	}
	for _, c := range cases {
		if got := covers(c.granted, c.need); got != c.want {
			t.Errorf("covers(%v, %s) = %v", c.granted, c.need, got)
		}
	}
}

func TestPingAsksForOneRowAndTellsOnSuccess(t *testing.T) {
	f := newFake(t)
	var asked []string
	down := false
	f.handle("GET /api/Client", func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Query().Get("page_size"))
		if down {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		okList("clients")(w, r)
	})
	successes := 0
	c := f.client(t, func(c *Config) { c.MaxRetries, c.OnSuccess = 1, func() { successes++ } })
	if err := c.Ping(context.Background()); err != nil || !slices.Equal(asked, []string{"1"}) || successes != 1 {
		t.Fatalf("Ping: %v; page sizes asked %q; OnSuccess called %d times", err, asked, successes)
	}
	down = true
	if err := c.Ping(context.Background()); !errors.Is(err, ErrServer) || len(asked) != 3 {
		t.Fatalf("Ping of a failing server: %v after %d requests; want ErrServer after one retry", err, len(asked)-1)
	}
	if successes != 1 {
		t.Fatalf("OnSuccess called %d times; a failure must not call it", successes)
	}
}
