package halo

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
)

// ticketPages serves n tickets with ids 1..n, per rows a page whatever
// page_size asks; a page past the end repeats the last page when repeat
// is set, and record_count is left out when noTotal is set.
func ticketPages(n, per int, repeat, noTotal bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		no, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
		last := max((n+per-1)/per, 1)
		if repeat && no > last {
			no = last
		}
		rows := []map[string]any{}
		for id := (no-1)*per + 1; id <= min(no*per, n); id++ {
			rows = append(rows, map[string]any{"id": id})
		}
		body := map[string]any{"page_no": no, "page_size": per, "tickets": rows}
		if !noTotal {
			body["record_count"] = n
		}
		json.NewEncoder(w).Encode(body)
	}
}

func TestTicketPagesStopsAtTheEndHoweverItIsMarked(t *testing.T) {
	for _, c := range []struct {
		name         string
		n, per       int
		repeat, none bool
		wantRows     int
		wantRequests int64
	}{
		{"record_count", 250, 100, false, false, 250, 3},
		{"short last page, no total", 250, 100, false, true, 250, 3},
		{"full last page, no total, empty page after", 200, 100, false, true, 200, 3},
		{"page past the end repeats the last, no total", 200, 100, true, true, 200, 3},
		{"50-row pages whatever page_size says", 120, 50, true, false, 120, 3},
		{"empty list", 0, 100, false, false, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("GET /api/Tickets", ticketPages(c.n, c.per, c.repeat, c.none))
			cl := f.client(t, nil)
			seen := map[ID]bool{}
			err := cl.TicketPages(context.Background(), TicketQuery{}, func(p Page[Ticket]) (bool, error) {
				for _, r := range p.Rows {
					if seen[r.ID] {
						t.Errorf("ticket %d delivered twice", r.ID)
					}
					seen[r.ID] = true
				}
				return true, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != c.wantRows || cl.Stats().Requests != c.wantRequests {
				t.Errorf("%d rows in %d requests; want %d in %d", len(seen), cl.Stats().Requests, c.wantRows, c.wantRequests)
			}
		})
	}
}

func TestTicketPagesStopsWhenAsked(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/Tickets", ticketPages(1000, 100, false, false))
	cl := f.client(t, nil)
	pages := 0
	err := cl.TicketPages(context.Background(), TicketQuery{}, func(p Page[Ticket]) (bool, error) {
		pages++
		return pages < 2, nil
	})
	if err != nil || pages != 2 || cl.Stats().Requests != 2 {
		t.Fatalf("pages %d, requests %d, err %v; want 2, 2, nil", pages, cl.Stats().Requests, err)
	}
}

func TestListAllIgnoresARepeatedLastPage(t *testing.T) {
	// record_count promises more rows than the pages hold (rows deleted
	// since page 1), and a page past the end repeats the last one.
	f := newFake(t)
	h := ticketPages(230, 100, true, false)
	f.handle("GET /api/Tickets", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page_no") == "1" {
			json.NewEncoder(w).Encode(map[string]any{"record_count": 300, "tickets": rowsFrom(1, 100)})
			return
		}
		h(w, r)
	})
	cl := f.client(t, nil)
	seen := map[ID]int{}
	err := cl.ListTickets(context.Background(), TicketQuery{}, func(p Page[Ticket]) error {
		for _, r := range p.Rows {
			seen[r.ID]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("ticket %d delivered %d times", id, n)
		}
	}
	if len(seen) != 230 || cl.Stats().Requests != 3 {
		t.Errorf("%d rows in %d requests; want 230 in 3 (a short last page ends the list)", len(seen), cl.Stats().Requests)
	}
}

func rowsFrom(lo, hi int) []map[string]any {
	var rows []map[string]any
	for id := lo; id <= hi; id++ {
		rows = append(rows, map[string]any{"id": id})
	}
	return rows
}

func TestTicketQuerySendsWhatItSays(t *testing.T) {
	v := TicketQuery{OpenOnly: true, OrderBy: "last_update", OrderDesc: true, DateSearch: "dateoccured"}.values()
	if v.Get("open_only") != "true" || v.Get("order") != "last_update" || v.Get("orderdesc") != "true" {
		t.Errorf("query %v", v)
	}
	if v.Has("datesearch") || v.Has("lastupdatefromdate") {
		t.Errorf("a date filter without a date was sent: %v", v)
	}
}
