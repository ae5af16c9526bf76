package halosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// someUser returns an active client's id with one of its non-placeholder
// users and that user's site.
func someUser(t *testing.T, h *harness) (clientID, userID, siteID int) {
	t.Helper()
	clientID = h.srv.ActiveClientIDs()[0]
	for _, u := range h.all(fmt.Sprintf("Users?client_id=%d", clientID), "users") {
		if u["name"] != "General User" {
			return clientID, num(u, "id"), num(u, "site_id_int")
		}
	}
	t.Fatal("no user")
	return
}

func (h *harness) post(body string) (int, []byte) {
	h.t.Helper()
	code, _, b := h.do(http.MethodPost, "/api/Tickets", body)
	return code, b
}

func TestPostTicketsCreateAndUpdate(t *testing.T) {
	clk := newClock()
	o := small()
	o.Now = clk.Now
	h := startAuthed(t, o)
	clientID, userID, siteID := someUser(t, h)
	before := h.srv.Counts().Tickets

	code, b := h.post(fmt.Sprintf(`[{"summary":"Laptop broken","details":"Screen cracked","client_id":%d,"site_id":%d,"user_id":%d,"tickettype_id":1,"priority_id":2,"_novalidate":true}]`,
		clientID, siteID, userID))
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, b)
	}
	var created map[string]any
	if err := json.Unmarshal(b, &created); err != nil {
		t.Fatalf("create answer is not one object: %s", b)
	}
	id := num(created, "id")
	if id == 0 || created["status_name"] != "New" || num(created, "user_id") != userID || created["hasbeenclosed"] != false {
		t.Fatalf("created = %v", created)
	}
	var got map[string]any
	h.getJSON(fmt.Sprintf("/api/Tickets/%d", id), &got)
	if got["summary"] != "Laptop broken" || got["last_update"] != "2026-03-10T12:00:00" {
		t.Fatalf("stored = %v", got)
	}

	clk.Add(30 * time.Minute)
	var statuses []struct {
		ID   int
		Name string
	}
	h.getJSON("/api/Status", &statuses)
	closed := 0
	for _, s := range statuses {
		if s.Name == "Closed" {
			closed = s.ID
		}
	}
	code, b = h.post(fmt.Sprintf(`[{"id":%d,"status_id":%d}]`, id, closed))
	if code != http.StatusCreated {
		t.Fatalf("update: %d %s", code, b)
	}
	h.getJSON(fmt.Sprintf("/api/Tickets/%d", id), &got)
	if got["status_name"] != "Closed" || got["hasbeenclosed"] != true || got["summary"] != "Laptop broken" ||
		got["details"] != "Screen cracked" || got["last_update"] != "2026-03-10T12:30:00" {
		t.Fatalf("after close = %v", got)
	}

	// Two elements: an array comes back; userlookup -1 lands on General User.
	code, b = h.post(fmt.Sprintf(`[{"summary":"A","client_id":%d,"userlookup":{"id":-1}},{"summary":"B","client_id":%d}]`, clientID, clientID))
	var many []map[string]any
	if code != http.StatusCreated || json.Unmarshal(b, &many) != nil || len(many) != 2 {
		t.Fatalf("two creates: %d %s", code, b)
	}
	if many[0]["user_name"] != "General User" || num(many[1], "id") <= num(many[0], "id") {
		t.Fatalf("two creates = %v", many)
	}
	if n := h.srv.Counts().Tickets; n != before+3 {
		t.Fatalf("tickets = %d, want %d", n, before+3)
	}

	// Incremental polling sees only what changed since the clock moved on.
	env := h.page("/api/Tickets?lastupdatefromdate=2026-03-10T12:15:00Z&pageinate=true&page_size=100", "tickets")
	if env.RecordCount != 3 {
		t.Fatalf("changed since 12:15: %d tickets, want 3", env.RecordCount)
	}
}

func TestPostTicketsValidation(t *testing.T) {
	h := startAuthed(t, small())
	clientID, userID, siteID := someUser(t, h)
	other := h.srv.ActiveClientIDs()[1]
	tests := []struct {
		name, body string
		wantKey    string
	}{
		{"double client id", `[{"summary":"x","client_id":95.0}]`, "[0].client_id"},
		{"exponent", `[{"summary":"x","client_id":1e2}]`, "[0].client_id"},
		{"string id", `[{"id":"12","status_id":1}]`, "[0].id"},
		{"unknown client", `[{"summary":"x","client_id":987654}]`, "[0].client_id"},
		{"missing client", `[{"summary":"x"}]`, "[0].client_id"},
		{"missing summary", fmt.Sprintf(`[{"client_id":%d}]`, clientID), "[0].summary"},
		{"user without site", fmt.Sprintf(`[{"summary":"x","client_id":%d,"user_id":%d}]`, clientID, userID), "[0].site_id"},
		{"site of another client", fmt.Sprintf(`[{"summary":"x","client_id":%d,"site_id":%d}]`, other, siteID), "[0].site_id"},
		{"unknown ticket", `[{"id":5,"summary":"x"}]`, "[0].id"},
		{"bad status second element", fmt.Sprintf(`[{"summary":"ok","client_id":%d},{"summary":"x","client_id":%d,"status_id":77}]`, clientID, clientID), "[1].status_id"},
		{"object not array", fmt.Sprintf(`{"summary":"x","client_id":%d}`, clientID), "Message"},
		{"empty array", `[]`, "Message"},
	}
	before := h.srv.Counts().Tickets
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, b := h.post(tt.body)
			var m map[string]any
			if code != http.StatusBadRequest || json.Unmarshal(b, &m) != nil || m[tt.wantKey] == nil {
				t.Fatalf("%d %s, want 400 keyed %s", code, b, tt.wantKey)
			}
		})
	}
	if n := h.srv.Counts().Tickets; n != before {
		t.Fatalf("rejected posts created tickets: %d -> %d", before, n)
	}
	code, b := h.post(`[{"summary":"x","client_id":95.0}]`)
	if code != 400 || string(b) != `{"[0].client_id":"must be an integer"}` {
		t.Fatalf("95.0: %d %s", code, b)
	}
}

func TestTicketFilters(t *testing.T) {
	h := startAuthed(t, small())
	n := h.srv.Counts().Tickets
	open := h.page("/api/Tickets?open_only=true", "tickets").RecordCount
	closed := h.page("/api/Tickets?closed_only=true", "tickets").RecordCount
	if open+closed != n || open == 0 || closed == 0 {
		t.Fatalf("open %d + closed %d != %d", open, closed, n)
	}
	// An unsupported datesearch column applies no date filter at all.
	if got := h.page("/api/Tickets?datesearch=nonsense&startdate=2100-01-01", "tickets").RecordCount; got != n {
		t.Fatalf("unknown datesearch filtered: %d of %d", got, n)
	}
	if got := h.page("/api/Tickets?datesearch=dateoccured&startdate=2100-01-01", "tickets").RecordCount; got != 0 {
		t.Fatalf("future startdate: %d", got)
	}
	if code, _ := h.get("/api/Tickets?startdate=yesterday"); code != 400 {
		t.Fatalf("bad date: %d", code)
	}
}
