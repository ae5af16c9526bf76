package halosim

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func BenchmarkNew(b *testing.B) {
	o := Options{Seed: 9, Clients: 2000, SitesPerClient: 3, UsersPerClient: 10, AssetsPerClient: 5}
	for b.Loop() {
		New(o)
	}
}

// BenchmarkNewTicketHistory generates the ticket benchmark's tenant: 20,000
// closed tickets of history and 200 open.
func BenchmarkNewTicketHistory(b *testing.B) {
	o := Options{Seed: 9, Clients: 200, TicketsPerClient: 101, OpenTickets: 200}
	for b.Loop() {
		New(o)
	}
}

// BenchmarkTicketsOrdered serves the first 100-row page of 20,200 tickets
// ordered by last update, newest first: a full sort per request.
func BenchmarkTicketsOrdered(b *testing.B) {
	s := New(Options{Seed: 9, Clients: 200, TicketsPerClient: 101, OpenTickets: 200})
	tok := "bench-token"
	s.auth.tokens[tok] = tokenInfo{expires: time.Now().Add(24 * time.Hour), scopes: newScopeSet([]string{"all"})}
	req := httptest.NewRequest(http.MethodGet, "/api/Tickets?pageinate=true&page_size=100&page_no=1&order=last_update&orderdesc=true", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkPage serves one 100-row page of users straight through the
// handler, as a client benchmark hammering the simulator would.
func BenchmarkPage(b *testing.B) {
	s := New(Options{Seed: 9, Clients: 2000, SitesPerClient: 3, UsersPerClient: 10, AssetsPerClient: 5})
	tok := "bench-token"
	s.auth.tokens[tok] = tokenInfo{expires: time.Now().Add(24 * time.Hour), scopes: newScopeSet([]string{"all"})}
	req := httptest.NewRequest(http.MethodGet, "/api/Users?pageinate=true&page_size=100&page_no=57&includeactive=true&includeinactive=true", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
