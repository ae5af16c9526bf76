package halo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// pagedHandler serves n customers the way HaloPSA does: pages capped at
// 100 whatever page_size asks for, with record_count the grand total.
func pagedHandler(n int, envelope bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		no, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
		size = min(size, 100)
		rows := []map[string]any{}
		for id := (no-1)*size + 1; id <= min(no*size, n); id++ {
			rows = append(rows, map[string]any{"id": float64(id), "name": fmt.Sprintf("C%d", id)})
		}
		body := map[string]any{"page_no": no, "page_size": size, "clients": rows}
		if envelope {
			body["record_count"] = n
		}
		json.NewEncoder(w).Encode(body)
	}
}

func collect(t *testing.T, c *Client) ([]ID, error) {
	var mu sync.Mutex
	var ids []ID
	err := c.Customers(context.Background(), ListOptions{}, func(p Page[Customer]) error {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range p.Rows {
			ids = append(ids, r.ID)
		}
		return nil
	})
	slices.Sort(ids)
	return ids, err
}

func TestListPagesPastTheCap(t *testing.T) {
	for _, n := range []int{0, 1, 100, 101, 250, 1000} {
		f := newFake(t)
		f.handle("GET /api/Client", pagedHandler(n, true))
		c := f.client(t, nil)
		ids, err := collect(t, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != n || (n > 0 && (ids[0] != 1 || ids[n-1] != ID(n))) {
			t.Fatalf("n=%d: got %d rows", n, len(ids))
		}
		if want := max(1, (n+99)/100); c.Stats().Requests != int64(want) {
			t.Errorf("n=%d: %d requests, want the minimum %d", n, c.Stats().Requests, want)
		}
	}
}

func TestListWithoutTotalPagesUntilEmpty(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/Client", pagedHandler(250, false))
	c := f.client(t, nil)
	ids, err := collect(t, c)
	if err != nil || len(ids) != 250 {
		t.Fatalf("got %d rows, %v", len(ids), err)
	}
	if got := c.Stats().Requests; got != 4 {
		t.Errorf("requests = %d, want 3 pages + the empty one", got)
	}
}

func TestListStopsWhenPagingIsIgnored(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/Client", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"clients":[{"id":1},{"id":2}]}`)
	})
	ids, err := collect(t, f.client(t, nil))
	if err != nil || len(ids) != 2 {
		t.Fatalf("got %v, %v", ids, err)
	}
}

func TestListSendsPagingAndActiveFlags(t *testing.T) {
	f := newFake(t)
	var got []string
	f.handle("GET /api/Users", func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.RawQuery)
		fmt.Fprint(w, `{"record_count":0,"users":[]}`)
	})
	c := f.client(t, nil)
	if err := c.Users(context.Background(), ListOptions{ClientID: 12}, func(Page[User]) error { return nil }); err != nil {
		t.Fatal(err)
	}
	want := "client_id=12&exclude_agents=true&includeactive=true&includeinactive=false&order=id&page_no=1&page_size=100&pageinate=true"
	if len(got) != 1 || got[0] != want {
		t.Fatalf("query = %v, want %s", got, want)
	}
}

func TestBadRowsAreReportedNotFatal(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/Client", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"record_count":3,"clients":[{"id":1,"name":"A"},{"id":"x"},{"id":3,"name":"C"}]}`)
	})
	var rows, bad int
	err := f.client(t, nil).Customers(context.Background(), ListOptions{}, func(p Page[Customer]) error {
		rows, bad = rows+len(p.Rows), bad+len(p.Bad)
		return nil
	})
	if err != nil || rows != 2 || bad != 1 {
		t.Fatalf("rows=%d bad=%d err=%v", rows, bad, err)
	}
}

func TestBareArraysAndEnvelopes(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/Status", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"id":1,"name":"New"},{"id":8.0,"name":"Closed"}]`)
	})
	f.handle("GET /api/TicketType", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"record_count":1,"tickettypes":[{"id":1,"name":"Incident"}]}`)
	})
	c := f.client(t, nil)
	st, err := c.Statuses(context.Background())
	if err != nil || len(st) != 2 || st[1].ID != 8 || st[1].Name != "Closed" {
		t.Fatalf("statuses = %+v, %v", st, err)
	}
	tt, err := c.TicketTypes(context.Background())
	if err != nil || len(tt) != 1 || tt[0].Name != "Incident" {
		t.Fatalf("ticket types = %+v, %v", tt, err)
	}
}
