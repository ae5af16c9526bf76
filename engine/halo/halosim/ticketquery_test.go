package halosim

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"
)

// ticketTenant starts a tenant of 100 tickets with a fixed clock, and
// returns it with every ticket as the friendly dialect lists it.
func ticketTenant(t *testing.T, b Behaviour) (*harness, []map[string]any) {
	t.Helper()
	o := small()
	o.Clients, o.TicketsPerClient, o.Now = 20, 5, newClock().Now
	h := startAuthed(t, o)
	all, _ := h.rowsOf("/api/Tickets", "tickets")
	if len(all) != 100 {
		t.Fatalf("%d tickets", len(all))
	}
	h.srv.SetBehaviour(b)
	return h, all
}

// when parses a zone-less wire date as UTC; "" for an absent key is zero.
func when(t *testing.T, r map[string]any, k string) time.Time {
	t.Helper()
	v, _ := r[k].(string)
	if v == "" {
		return time.Time{}
	}
	at, err := time.Parse(haloTime, v)
	if err != nil {
		t.Fatalf("%s %q: %v", k, v, err)
	}
	return at
}

// keepIDs returns the ids of the rows for which keep is true, in id order.
func keepIDs(rows []map[string]any, keep func(map[string]any) bool) []int {
	var ids []int
	for _, r := range rows {
		if keep(r) {
			ids = append(ids, num(r, "id"))
		}
	}
	return ids
}

func TestTicketDateFilterModes(t *testing.T) {
	_, all := ticketTenant(t, Behaviour{})
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(a, b map[string]any) int {
		return cmp.Compare(a["last_update"].(string), b["last_update"].(string))
	})
	cut := sorted[len(sorted)/2]["last_update"].(string) // a real value: the bounds are inclusive
	cutAt, _ := time.Parse(haloTime, cut)
	occ := slices.Clone(all)
	slices.SortFunc(occ, func(a, b map[string]any) int {
		return cmp.Compare(a["dateoccurred"].(string), b["dateoccurred"].(string))
	})
	occCut := occ[len(occ)/3]["dateoccurred"].(string)

	everything := keepIDs(all, func(map[string]any) bool { return true })
	from := keepIDs(all, func(r map[string]any) bool { return !when(t, r, "last_update").Before(cutAt) })
	to := keepIDs(all, func(r map[string]any) bool { return !when(t, r, "last_update").After(cutAt) })
	occCutAt, _ := time.Parse(haloTime, occCut)
	opened := keepIDs(all, func(r map[string]any) bool { return !when(t, r, "dateoccurred").Before(occCutAt) })
	clearStart, clearEnd := occCutAt, cutAt
	cleared := keepIDs(all, func(r map[string]any) bool {
		c := when(t, r, "dateclosed")
		return num(r, "status_id") == closedStatusID && !c.Before(clearStart) && !c.After(clearEnd)
	})
	for name, ids := range map[string][]int{"from": from, "to": to, "opened": opened, "cleared": cleared} {
		if len(ids) == 0 || len(ids) == len(all) {
			t.Fatalf("%s matches %d of %d: the test would prove nothing", name, len(ids), len(all))
		}
	}

	q := url.QueryEscape
	cutZ := cutAt.Format(time.RFC3339Nano)
	rejected := func(k, v string) string {
		return fmt.Sprintf(`{"Message":"The value '%s' is not valid for %s."}`, v, k)
	}
	tests := []struct {
		mode  DateFilterMode
		query string
		want  []int  // nil with body set: a 400
		body  string // the 400 body
	}{
		{DateFilterHonour, "lastupdatefromdate=" + q(cut), from, ""},
		{DateFilterHonour, "lastupdatefromdate=" + q(cutZ), from, ""},
		{DateFilterHonour, "lastupdatetodate=" + q(cut), to, ""},
		{DateFilterHonour, "lastupdatefromdate=" + q(cut) + "&lastupdatetodate=" + q(cut), intersect(from, to), ""},
		{DateFilterHonour, "lastupdatefromdate=true", everything, ""}, // the spec's bool switch
		{DateFilterHonour, "lastupdatefromdate=soon", nil, rejected("lastupdatefromdate", "soon")},
		{DateFilterHonour, "datesearch=dateoccured&startdate=" + q(occCut), opened, ""},
		{DateFilterHonour, "startdate=" + q(occCut), opened, ""}, // dateoccured is the default column
		{DateFilterHonour, "datesearch=datecleared&startdate=" + q(occCut) + "&enddate=" + q(cut), cleared, ""},
		{DateFilterHonour, "datesearch=last_update&startdate=" + q(cut), everything, ""},
		{DateFilterHonour, "datesearch=lastactiondate&startdate=" + q(cut), everything, ""},
		{DateFilterHonour, "datesearch=dateoccurred&startdate=" + q(occCut), everything, ""}, // the JSON spelling is no column
		{DateFilterIgnore, "lastupdatefromdate=" + q(cut), everything, ""},
		{DateFilterIgnore, "lastupdatetodate=" + q(cut), everything, ""},
		{DateFilterIgnore, "lastupdatefromdate=soon", everything, ""},
		{DateFilterIgnore, "datesearch=dateoccured&startdate=" + q(occCut), everything, ""},
		{DateFilterIgnore, "datesearch=datecleared&startdate=yesterday", everything, ""},
		{DateFilterReject, "lastupdatefromdate=" + q(cut), nil, rejected("lastupdatefromdate", cut)},
		{DateFilterReject, "lastupdatetodate=" + q(cutZ), nil, rejected("lastupdatetodate", cutZ)},
		{DateFilterReject, "lastupdatefromdate=true&lastupdatetodate=false", everything, ""},
		{DateFilterReject, "datesearch=dateoccured&startdate=" + q(occCut), everything, ""},
	}
	for _, mode := range []DateFilterMode{DateFilterHonour, DateFilterIgnore, DateFilterReject} {
		t.Run(string(mode), func(t *testing.T) {
			h, _ := ticketTenant(t, Behaviour{TicketDateFilter: mode})
			for _, tt := range tests {
				if tt.mode != mode {
					continue
				}
				path := "/api/Tickets?" + tt.query
				if tt.want == nil {
					if code, b := h.get(path); code != 400 || string(b) != tt.body {
						t.Errorf("%s: %d %s, want 400 %s", tt.query, code, b, tt.body)
					}
					continue
				}
				rows, total := h.rowsOf(path, "tickets")
				if got := idsOf(rows); !slices.Equal(got, tt.want) || total != len(tt.want) {
					t.Errorf("%s: %d rows (record_count %d), want %d", tt.query, len(got), total, len(tt.want))
				}
			}
		})
	}
}

func intersect(a, b []int) []int {
	var out []int
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func TestTicketOrderModes(t *testing.T) {
	_, all := ticketTenant(t, Behaviour{})
	byID := keepIDs(all, func(map[string]any) bool { return true })
	// ordered returns the ids sorted by the JSON date field, ties by id,
	// the whole order reversed for desc.
	ordered := func(field string, desc bool) []int {
		rows := slices.Clone(all)
		slices.SortFunc(rows, func(a, b map[string]any) int {
			if c := when(t, a, field).Compare(when(t, b, field)); c != 0 {
				return c
			}
			return cmp.Compare(num(a, "id"), num(b, "id"))
		})
		ids := idsOf(rows)
		if desc {
			slices.Reverse(ids)
		}
		return ids
	}
	reversed := slices.Clone(byID)
	slices.Reverse(reversed)

	honour := []struct {
		query string
		want  []int
	}{
		{"order=last_update", ordered("last_update", false)},
		{"order=last_update&orderdesc=true", ordered("last_update", true)},
		{"order=LastUpdate&orderdesc=true", ordered("last_update", true)},
		{"order=lastactiondate", ordered("lastactiondate", false)},
		{"order=lastactiondate&orderdesc=true", ordered("lastactiondate", true)},
		{"order=dateoccurred&orderdesc=true", ordered("dateoccurred", true)},
		{"order=dateoccured", ordered("dateoccurred", false)},
		{"order=datecreated&orderdesc=true", ordered("datecreated", true)},
		{"order=id&orderdesc=true", reversed},
		{"order=colour", byID},
		{"orderdesc=true", reversed},
	}
	h, _ := ticketTenant(t, Behaviour{TicketOrder: OrderHonour})
	for _, tt := range honour {
		rows, _ := h.rowsOf("/api/Tickets?"+tt.query, "tickets")
		if got := idsOf(rows); !slices.Equal(got, tt.want) {
			t.Errorf("honour %s:\n got %v\nwant %v", tt.query, got, tt.want)
		}
	}
	if slices.Equal(ordered("last_update", false), byID) {
		t.Fatal("last_update order equals id order: the test would prove nothing")
	}
	// Ordering applies before paging.
	desc := ordered("last_update", true)
	rows, total := h.rowsOf("/api/Tickets?order=last_update&orderdesc=true&pageinate=true&page_size=7&page_no=2", "tickets")
	if got := idsOf(rows); !slices.Equal(got, desc[7:14]) || total != 100 {
		t.Errorf("page 2: %v (record_count %d), want %v", got, total, desc[7:14])
	}
	if code, _ := h.get("/api/Tickets?order=last_update&orderdesc=sometimes"); code != 400 {
		t.Errorf("honour: bad orderdesc %d, want 400", code)
	}

	// Ties in the column are broken by id in the same direction: three
	// tickets written at the same instant, newer than all the others.
	var tied []int
	for range 3 {
		id, err := h.srv.CreateTicket(h.srv.ActiveClientIDs()[0], "Same second")
		if err != nil {
			t.Fatal(err)
		}
		tied = append(tied, id)
	}
	rows, _ = h.rowsOf("/api/Tickets?order=last_update&orderdesc=true&count=3", "tickets")
	if got := idsOf(rows); !slices.Equal(got, []int{tied[2], tied[1], tied[0]}) {
		t.Errorf("ties descending: %v, want %v reversed", got, tied)
	}

	h, _ = ticketTenant(t, Behaviour{TicketOrder: OrderIgnore})
	for _, query := range []string{"order=last_update&orderdesc=true", "orderdesc=true", "order=lastactiondate", "orderdesc=sometimes"} {
		rows, _ := h.rowsOf("/api/Tickets?"+query, "tickets")
		if got := idsOf(rows); !slices.Equal(got, byID) {
			t.Errorf("ignore %s: not id ascending: %v", query, got)
		}
	}
	// Other lists still honour orderdesc by id.
	rows, _ = h.rowsOf("/api/Client?orderdesc=true", "clients")
	if ids := idsOf(rows); !slices.IsSortedFunc(ids, func(a, b int) int { return b - a }) {
		t.Errorf("clients orderdesc: %v", ids)
	}
}
