package halosim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// collections lists every enveloped collection with its envelope key.
var collections = []struct{ path, key string }{
	{"Client", "clients"}, {"Site", "sites"}, {"Users", "users"}, {"Asset", "assets"}, {"Tickets", "tickets"},
}

type envelope struct {
	PageNo      *int              `json:"page_no"`
	PageSize    *int              `json:"page_size"`
	RecordCount int               `json:"record_count"`
	Rows        []json.RawMessage `json:"-"`
}

// page fetches one page and returns the envelope with its rows.
func (h *harness) page(path, key string) envelope {
	h.t.Helper()
	var raw map[string]json.RawMessage
	h.getJSON(path, &raw)
	var env envelope
	_ = json.Unmarshal(raw["page_no"], &env.PageNo)
	_ = json.Unmarshal(raw["page_size"], &env.PageSize)
	_ = json.Unmarshal(raw["record_count"], &env.RecordCount)
	if err := json.Unmarshal(raw[key], &env.Rows); err != nil || env.Rows == nil {
		h.t.Fatalf("GET %s: no %q array (%v)", path, key, err)
	}
	return env
}

func TestEnvelopeKeysAndOrder(t *testing.T) {
	h := startAuthed(t, small())
	want := h.srv.Counts()
	totals := map[string]int{"clients": want.Clients, "sites": want.Sites, "users": want.Users,
		"assets": want.Assets, "tickets": want.Tickets}
	for _, c := range collections {
		t.Run(c.path, func(t *testing.T) {
			path := "/api/" + strings.ToLower(c.path) + "?includeactive=true&includeinactive=true&pageinate=true&page_size=5&page_no=2&order=id"
			code, b := h.get(path)
			if code != 200 {
				t.Fatalf("%d %s", code, b)
			}
			prefix := fmt.Sprintf(`{"page_no":2,"page_size":5,"record_count":%d,"%s":[`, totals[c.key], c.key)
			if !bytes.HasPrefix(b, []byte(prefix)) {
				t.Fatalf("body starts %.80s, want %s", b, prefix)
			}
			env := h.page(path, c.key)
			if len(env.Rows) != 5 {
				t.Fatalf("rows = %d", len(env.Rows))
			}
		})
	}
}

func TestPageCap(t *testing.T) {
	o := small()
	o.Clients, o.UsersPerClient = 30, 10 // 300 users
	h := startAuthed(t, o)
	env := h.page("/api/Users?pageinate=true&page_size=1000&page_no=1", "users")
	if len(env.Rows) != 100 || *env.PageSize != 100 || env.RecordCount != 300 {
		t.Fatalf("rows=%d page_size=%d record_count=%d", len(env.Rows), *env.PageSize, env.RecordCount)
	}
	// The safe loop: page until empty, using the rows actually received.
	var ids []int
	for p := 1; ; p++ {
		env := h.page(fmt.Sprintf("/api/Users?pageinate=true&page_size=1000&page_no=%d", p), "users")
		if len(env.Rows) == 0 {
			break
		}
		for _, r := range env.Rows {
			var u struct{ ID int }
			_ = json.Unmarshal(r, &u)
			ids = append(ids, u.ID)
		}
	}
	if len(ids) != 300 || !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != 300 {
		t.Fatalf("collected %d ids, sorted=%v", len(ids), slices.IsSorted(ids))
	}
}

func TestUnpagedAndCount(t *testing.T) {
	h := startAuthed(t, small())
	n := h.srv.Counts()
	code, b := h.get("/api/Site?count=7")
	if code != 200 || !bytes.HasPrefix(b, []byte(fmt.Sprintf(`{"record_count":%d,"sites":[`, n.Sites))) {
		t.Fatalf("count=7: %d %.60s", code, b)
	}
	if env := h.page("/api/Site?count=7", "sites"); len(env.Rows) != 7 || env.PageNo != nil {
		t.Fatalf("count=7 gave %d rows, page_no=%v", len(env.Rows), env.PageNo)
	}
	if env := h.page("/api/Site", "sites"); len(env.Rows) != n.Sites {
		t.Fatalf("unpaged gave %d rows, want %d", len(env.Rows), n.Sites)
	}
	if env := h.page("/api/Client?idonly=true&pageinate=true&page_size=2", "clients"); len(env.Rows) != n.ActiveClients ||
		string(env.Rows[0]) != fmt.Sprintf(`{"id":%d}`, h.srv.ActiveClientIDs()[0]) {
		t.Fatalf("idonly: %d rows, first %s", len(env.Rows), env.Rows[0])
	}
	if code, _ := h.get("/api/Client?pageinate=yes"); code != 400 {
		t.Fatalf("bad bool: %d, want 400", code)
	}
}

func TestDoublesOnTheWire(t *testing.T) {
	h := startAuthed(t, small())
	tests := []struct {
		path    string
		doubles *regexp.Regexp
		ints    *regexp.Regexp
	}{
		{"/api/Site", regexp.MustCompile(`"client_id":\d+\.0[,}]`), nil},
		{"/api/Users", regexp.MustCompile(`"site_id":\d+\.0[,}]`), regexp.MustCompile(`"site_id_int":\d+[,}]`)},
	}
	for _, tt := range tests {
		_, b := h.get(tt.path)
		n := bytes.Count(b, []byte(`"id":`))
		if got := len(tt.doubles.FindAll(b, -1)); got != n {
			t.Errorf("%s: %d doubles for %d rows", tt.path, got, n)
		}
		if tt.ints != nil && len(tt.ints.FindAll(b, -1)) != n {
			t.Errorf("%s: site_id_int not an int on every row", tt.path)
		}
	}
	// Everything else stays an integer.
	_, b := h.get("/api/Asset")
	if regexp.MustCompile(`"(client|site)_id":\d+\.`).Match(b) {
		t.Error("asset ids carry a decimal point")
	}
}

func TestBareArraysAndStatuses(t *testing.T) {
	h := startAuthed(t, small())
	for _, p := range []string{"/api/Status", "/api/TicketType"} {
		code, b := h.get(p)
		if code != 200 || b[0] != '[' {
			t.Fatalf("%s: %d %.40s", p, code, b)
		}
	}
	var st []struct {
		ID   int
		Name string
	}
	h.getJSON("/api/status", &st)
	byName := map[string]int{}
	for _, s := range st {
		byName[s.Name] = s.ID
	}
	if byName["Closed"] == 0 || byName["Closed"] == 9 || byName["New"] != 1 || byName["In Progress"] != 2 ||
		byName["Waiting on Customer"] == 0 {
		t.Fatalf("statuses = %v", byName)
	}
	h.getJSON("/api/Status?excludeclosed=true", &st)
	if slices.ContainsFunc(st, func(s struct {
		ID   int
		Name string
	}) bool {
		return s.Name == "Closed"
	}) {
		t.Fatal("excludeclosed kept Closed")
	}
	if code, b := h.get("/api/TicketType/3"); code != 200 || !bytes.Contains(b, []byte(`"Service Request"`)) {
		t.Fatalf("single ticket type: %d %s", code, b)
	}
}

func TestUnnamedSitesAndContacts(t *testing.T) {
	h := startAuthed(t, small())
	o := h.srv.Options()
	unnamed := 0
	for _, s := range h.all("Site", "sites") {
		if _, ok := s["name"]; !ok {
			unnamed++
		}
	}
	if unnamed != o.UnnamedSites {
		t.Fatalf("unnamed sites = %d, want %d", unnamed, o.UnnamedSites)
	}
	mains, generals := map[int]int{}, map[int]int{}
	for _, u := range h.all("Users", "users") {
		if u["ismaincontact"] == true {
			mains[num(u, "client_id")]++
		}
		if u["name"] == "General User" {
			generals[num(u, "client_id")]++
		}
	}
	for _, c := range h.all("Client", "clients") {
		id := num(c, "id")
		if mains[id] != 1 || generals[id] != 1 {
			t.Fatalf("client %d: %d main contacts, %d General Users", id, mains[id], generals[id])
		}
	}
}

func TestExactTotals(t *testing.T) {
	tests := []Options{
		{Seed: 1, Clients: 7, SitesPerClient: 3, UsersPerClient: 4, AssetsPerClient: 2, TicketsPerClient: 1, InactiveClients: 3, UnnamedSites: 5},
		{Seed: 2, Clients: 13, SitesPerClient: 1, UsersPerClient: 2, AssetsPerClient: -1, TicketsPerClient: -1, InactiveClients: -1, UnnamedSites: -1},
		{Seed: 3}, // defaults
	}
	for i, o := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			h := startAuthed(t, o)
			eff := h.srv.Options()
			n := h.srv.Counts()
			want := Counts{Clients: eff.Clients, ActiveClients: eff.Clients - eff.InactiveClients,
				Sites: eff.Clients * eff.SitesPerClient, Users: eff.Clients * eff.UsersPerClient,
				MainContacts: eff.Clients, Assets: eff.Clients * eff.AssetsPerClient, Tickets: eff.Clients * eff.TicketsPerClient}
			got := n
			got.ActiveClientSites, got.ActiveClientUsers, got.ActiveClientAssets = 0, 0, 0
			if got != want {
				t.Fatalf("counts = %+v, want %+v", got, want)
			}
			for _, c := range collections {
				env := h.page("/api/"+c.path+"?includeactive=true&includeinactive=true&count=0", c.key)
				w := map[string]int{"clients": n.Clients, "sites": n.Sites, "users": n.Users, "assets": n.Assets, "tickets": n.Tickets}[c.key]
				if env.RecordCount != w {
					t.Errorf("%s record_count = %d, want %d", c.path, env.RecordCount, w)
				}
			}
			if o.Seed == 3 && (eff.Clients != 50 || eff.InactiveClients != 5 || eff.UnnamedSites != 3 || n.Sites != 150) {
				t.Errorf("defaults: %+v", eff)
			}
		})
	}
}

func TestActiveFilterAndSingles(t *testing.T) {
	h := startAuthed(t, small())
	n := h.srv.Counts()
	tests := []struct {
		query string
		want  int
	}{
		{"", n.ActiveClients},
		{"?includeinactive=true", n.Clients},
		{"?includeactive=true&includeinactive=true", n.Clients},
		{"?includeactive=false&includeinactive=true", n.Clients - n.ActiveClients},
		{"?includeinactive=false", n.ActiveClients},
	}
	for _, tt := range tests {
		if env := h.page("/api/Client"+tt.query, "clients"); env.RecordCount != tt.want || len(env.Rows) != tt.want {
			t.Errorf("%q: %d records, want %d", tt.query, env.RecordCount, tt.want)
		}
	}
	// Sites are never inactive themselves, even under an inactive client.
	if env := h.page("/api/Site?includeactive=false&includeinactive=true", "sites"); env.RecordCount != 0 {
		t.Errorf("inactive sites = %d", env.RecordCount)
	}
	if env := h.page("/api/Site", "sites"); env.RecordCount != n.Sites {
		t.Errorf("default sites = %d, want all %d", env.RecordCount, n.Sites)
	}
	// An inactive client is still served by id, flagged.
	var inactiveID int
	for _, c := range h.all("Client", "clients") {
		if c["inactive"] == true {
			inactiveID = num(c, "id")
		}
	}
	var c map[string]any
	h.getJSON(fmt.Sprintf("/API/CLIENT/%d", inactiveID), &c)
	if c["inactive"] != true || num(c, "id") != inactiveID {
		t.Fatalf("single inactive client = %v", c)
	}
	for _, p := range []string{"/api/Client/999999", "/api/Site/abc", "/api/Tickets/1", "/api/Status/77"} {
		code, b := h.get(p)
		if code != 404 || !bytes.Contains(b, []byte(`"Message"`)) {
			t.Errorf("%s: %d %s", p, code, b)
		}
	}
	// client_id filters.
	id := h.srv.ActiveClientIDs()[0]
	for _, c := range collections[1:] {
		for _, r := range h.all(fmt.Sprintf("%s?client_id=%d", c.path, id), c.key) {
			if num(r, "client_id") != id {
				t.Fatalf("%s client_id filter leaked %v", c.path, r["client_id"])
			}
		}
	}
}

func TestTimestampsHaveNoZone(t *testing.T) {
	h := startAuthed(t, small())
	_, b := h.get("/api/Tickets")
	stamps := regexp.MustCompile(`"last_update":"([^"]*)"`).FindAllSubmatch(b, -1)
	if len(stamps) == 0 {
		t.Fatal("no last_update")
	}
	shape := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?$`)
	for _, s := range stamps {
		if !shape.Match(s[1]) {
			t.Fatalf("timestamp %q", s[1])
		}
	}
}
