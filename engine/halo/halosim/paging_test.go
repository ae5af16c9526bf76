package halosim

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

func TestPastTheEnd(t *testing.T) {
	tests := []struct {
		name     string
		repeat   bool
		size, no int
		wantPage int // the page whose rows come back; 0 = none
	}{
		{"empty page", false, 25, 4, 0},
		{"far past the end", false, 25, 99, 0},
		{"last page itself", true, 25, 3, 3},
		{"repeats the short last page", true, 25, 4, 3},
		{"repeats from far past the end", true, 25, 99, 3},
		{"repeats a full last page", true, 20, 4, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startAuthed(t, small()) // 60 users
			h.srv.SetBehaviour(Behaviour{PastEndRepeats: tt.repeat})
			page := func(no int) envelope {
				return h.page(fmt.Sprintf("/api/Users?pageinate=true&page_size=%d&page_no=%d", tt.size, no), "users")
			}
			got := page(tt.no)
			if got.RecordCount != 60 || *got.PageNo != tt.no || *got.PageSize != tt.size {
				t.Fatalf("envelope page_no=%d page_size=%d record_count=%d", *got.PageNo, *got.PageSize, got.RecordCount)
			}
			var want []string
			if tt.wantPage > 0 {
				for _, r := range page(tt.wantPage).Rows {
					want = append(want, string(r))
				}
			}
			var rows []string
			for _, r := range got.Rows {
				rows = append(rows, string(r))
			}
			if !slices.Equal(rows, want) {
				t.Fatalf("%d rows, want the %d rows of page %d", len(rows), len(want), tt.wantPage)
			}
		})
	}
	t.Run("no matches stay empty", func(t *testing.T) {
		h := startAuthed(t, small())
		h.srv.SetBehaviour(Behaviour{PastEndRepeats: true})
		if env := h.page("/api/Users?client_id=987654&pageinate=true&page_size=10&page_no=2", "users"); len(env.Rows) != 0 || env.RecordCount != 0 {
			t.Fatalf("%d rows, record_count %d", len(env.Rows), env.RecordCount)
		}
	})
	t.Run("ordered tickets repeat their last page", func(t *testing.T) {
		h := startAuthed(t, small()) // 36 tickets
		h.srv.SetBehaviour(Behaviour{PastEndRepeats: true})
		base := "/api/Tickets?order=last_update&orderdesc=true&pageinate=true&page_size=10&page_no="
		last, past := h.page(base+"4", "tickets"), h.page(base+"5", "tickets")
		if len(last.Rows) != 6 || fmt.Sprint(past.Rows) != fmt.Sprint(last.Rows) {
			t.Fatalf("page 5 %d rows, page 4 %d rows", len(past.Rows), len(last.Rows))
		}
	})
}

func TestAssetPageSize(t *testing.T) {
	o := small()
	o.Clients, o.AssetsPerClient, o.UsersPerClient = 30, 5, 10 // 150 assets, 300 users
	h := startAuthed(t, o)
	h.srv.SetBehaviour(Behaviour{AssetPageSize: 50})
	all, _ := h.rowsOf("/api/Asset", "assets")
	for _, size := range []int{10, 100, 1000} {
		var ids []int
		for no := 1; ; no++ {
			env := h.page(fmt.Sprintf("/api/Asset?pageinate=true&page_size=%d&page_no=%d", size, no), "assets")
			if *env.PageSize != 50 || env.RecordCount != 150 {
				t.Fatalf("page_size=%d: echoed %d, record_count %d", size, *env.PageSize, env.RecordCount)
			}
			if len(env.Rows) == 0 {
				break
			}
			if len(env.Rows) != 50 {
				t.Fatalf("page_size=%d page %d: %d rows, want 50", size, no, len(env.Rows))
			}
			for _, r := range env.Rows {
				ids = append(ids, rowID(t, r))
			}
		}
		if !slices.Equal(ids, idsOf(all)) {
			t.Fatalf("page_size=%d: collected %d ids, want the %d assets in order", size, len(ids), len(all))
		}
	}
	// Other lists keep the page cap.
	if env := h.page("/api/Users?pageinate=true&page_size=1000", "users"); len(env.Rows) != 100 || *env.PageSize != 100 {
		t.Fatalf("users: %d rows, page_size %d", len(env.Rows), *env.PageSize)
	}
	h.srv.SetBehaviour(Behaviour{})
	if env := h.page("/api/Asset?pageinate=true&page_size=1000", "assets"); len(env.Rows) != 100 || *env.PageSize != 100 {
		t.Fatalf("friendly assets: %d rows, page_size %d", len(env.Rows), *env.PageSize)
	}
}

func TestUnpagedLimit(t *testing.T) {
	o := small()
	o.Clients, o.AssetsPerClient, o.UsersPerClient, o.TicketsPerClient = 30, 5, 10, 4 // 150 assets, 300 users, 120 tickets
	h := startAuthed(t, o)
	users, _ := h.rowsOf("/api/Users", "users")
	if len(users) != 300 {
		t.Fatalf("unlimited: %d users", len(users))
	}
	h.srv.SetBehaviour(Behaviour{UnpagedLimit: 50})
	tests := []struct {
		path, key string
		rows      int
		total     int
	}{
		{"/api/Users", "users", 50, 300},
		{"/api/Users?pageinate=false", "users", 50, 300},
		{"/api/Users?count=70", "users", 70, 300},
		{"/api/Users?count=0", "users", 0, 300},
		{"/api/Users?pageinate=true&page_size=100", "users", 100, 300},
		{"/api/Users?idonly=true", "users", 50, 300},
		{"/api/Users?idonly=true&pageinate=true", "users", 300, 300},
		{"/api/Asset", "assets", 50, 150},
		{"/api/Tickets", "tickets", 50, 120},
		{"/api/Site", "sites", 50, 90},
	}
	for _, tt := range tests {
		rows, total := h.rowsOf(tt.path, tt.key)
		if len(rows) != tt.rows || total != tt.total {
			t.Errorf("%s: %d rows, record_count %d; want %d, %d", tt.path, len(rows), total, tt.rows, tt.total)
		}
	}
	// The limit keeps the first rows in the list's order.
	rows, _ := h.rowsOf("/api/Users", "users")
	if !slices.Equal(idsOf(rows), idsOf(users[:50])) {
		t.Fatalf("limited rows are not the first 50: %v", idsOf(rows))
	}
}

// rowID reads a raw row's id.
func rowID(t *testing.T, raw []byte) int {
	t.Helper()
	var r struct{ ID int }
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}
