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

func TestOpenTickets(t *testing.T) {
	tests := []struct {
		name                 string
		clients, per, open   int
		wantOpen, wantClosed int
	}{
		{"a few open", 20, 11, 7, 7, 213},
		{"one open", 5, 4, 1, 1, 19},
		{"more than the total", 4, 3, 50, 12, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Seed: 4, Clients: tt.clients, TicketsPerClient: tt.per, OpenTickets: tt.open}
			h := startAuthed(t, o)
			open, nOpen := h.rowsOf("/api/Tickets?open_only=true", "tickets")
			closed, nClosed := h.rowsOf("/api/Tickets?closed_only=true", "tickets")
			if nOpen != tt.wantOpen || nClosed != tt.wantClosed || len(open) != nOpen || len(closed) != nClosed {
				t.Fatalf("%d open, %d closed; want %d, %d", nOpen, nClosed, tt.wantOpen, tt.wantClosed)
			}
			for _, r := range open {
				if num(r, "status_id") == closedStatusID || r["dateclosed"] != nil {
					t.Fatalf("open ticket %v", r)
				}
			}
			for _, r := range closed {
				if num(r, "status_id") != closedStatusID || r["hasbeenclosed"] != true || r["dateclosed"] == nil {
					t.Fatalf("closed ticket %v", r)
				}
			}
			if !bytes.Equal(dump(t, New(o)), dump(t, h.srv)) {
				t.Fatal("same seed gave different data")
			}
		})
	}
	// Open tickets keep a mix of open statuses.
	h := startAuthed(t, Options{Seed: 4, Clients: 20, TicketsPerClient: 10, OpenTickets: 100})
	statuses := map[int]bool{}
	for _, r := range h.all("Tickets?open_only=true", "tickets") {
		statuses[num(r, "status_id")] = true
	}
	if len(statuses) < 3 {
		t.Fatalf("open statuses %v", statuses)
	}
}

func TestOpenTicketsBenchmarkTenant(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 tickets")
	}
	// Generation speed is measured by BenchmarkNewTicketHistory.
	s := New(Options{Seed: 9, Clients: 200, TicketsPerClient: 101, OpenTickets: 200})
	open := 0
	s.mu.RLock()
	for _, tk := range s.data.tickets.rows {
		if tk.statusID != closedStatusID {
			open++
		} else if !tk.closed || tk.closedAt.IsZero() {
			t.Fatalf("closed ticket %d without hasbeenclosed or dateclosed", tk.id)
		}
	}
	s.mu.RUnlock()
	if n := s.Counts().Tickets; n != 20200 || open != 200 {
		t.Fatalf("%d tickets, %d open; want 20200, 200", n, open)
	}
}
