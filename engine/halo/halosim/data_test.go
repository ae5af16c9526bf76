package halosim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func itoa(i int) string { return strconv.Itoa(i) }

// dump returns every collection, unpaged, straight from the handler.
func dump(t testing.TB, s *Server) []byte {
	t.Helper()
	// Bypass the token endpoint: the dump compares data, not auth.
	tok := "dump-token"
	s.auth.mu.Lock()
	s.auth.tokens[tok] = tokenInfo{expires: time.Now().Add(time.Hour * 24 * 365 * 100), scopes: newScopeSet([]string{"all"})}
	s.auth.mu.Unlock()
	var out bytes.Buffer
	for _, c := range []string{"Client", "Site", "Users", "Asset", "Tickets", "Status", "TicketType"} {
		req := httptest.NewRequest(http.MethodGet, "/api/"+c+"?includeactive=true&includeinactive=true", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", c, rec.Code, rec.Body)
		}
		out.Write(rec.Body.Bytes())
	}
	return out.Bytes()
}

func TestDeterminism(t *testing.T) {
	o := small()
	a, b := dump(t, New(o)), dump(t, New(o))
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different data")
	}
	o.Seed++
	if bytes.Equal(a, dump(t, New(o))) {
		t.Fatal("different seeds gave the same data")
	}
	// A clock before the data epoch anchors the data at that clock instead.
	clk := newClock()
	clk.t = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	o.Now = clk.Now
	s := New(o)
	_, b2 := dumpAndMax(t, s)
	if b2.After(clk.t) {
		t.Fatalf("data timestamp %v after the clock %v", b2, clk.t)
	}
}

// dumpAndMax also returns the latest client alastupdate.
func dumpAndMax(t *testing.T, s *Server) ([]byte, time.Time) {
	var latest time.Time
	s.mu.RLock()
	for _, c := range s.data.clients.rows {
		if c.updated.After(latest) {
			latest = c.updated
		}
	}
	s.mu.RUnlock()
	return dump(t, s), latest
}

func TestLargeTenant(t *testing.T) {
	o := Options{Seed: 9, Clients: 2000, SitesPerClient: 3, UsersPerClient: 10, AssetsPerClient: 5}
	// Generation speed is measured by BenchmarkNew, not asserted here:
	// a timing limit in a unit test fails on a loaded machine.
	s := New(o)
	n := s.Counts()
	if n.Clients != 2000 || n.Sites != 6000 || n.Users != 20000 || n.Assets != 10000 || n.MainContacts != 2000 ||
		n.ActiveClients != 1800 {
		t.Fatalf("counts = %+v", n)
	}
	if got := s.Options().UnnamedSites; got != 120 {
		t.Fatalf("default unnamed sites = %d, want 120", got)
	}
}
