package halosim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"
)

var timeKeys = []string{"last_update", "lastupdate", "flastupdate"}

func TestTicketTimeKey(t *testing.T) {
	for _, key := range []string{"", "last_update", "lastupdate", "flastupdate"} {
		t.Run("key="+key, func(t *testing.T) {
			want := key
			if want == "" {
				want = "last_update"
			}
			o := small()
			o.Now = newClock().Now
			o.Behaviour = Behaviour{TicketTimeKey: key}
			h := startAuthed(t, o)
			recv := newHookRecv(t)
			h.srv.SetWebhook(WebhookConfig{URL: recv.ts.URL, PayloadType: "small"})

			// hasOnly checks that the change time is under want alone.
			hasOnly := func(what string, r map[string]any) {
				t.Helper()
				for _, k := range timeKeys {
					if _, ok := r[k]; ok != (k == want) {
						t.Fatalf("%s: key %s present=%v, want only %s: %v", what, k, ok, want, r)
					}
				}
			}
			rows, _ := h.rowsOf("/api/Tickets", "tickets")
			for _, r := range rows {
				hasOnly("list", r)
			}
			code, b := h.post(fmt.Sprintf(`[{"summary":"Key check","client_id":%d}]`, h.srv.ActiveClientIDs()[0]))
			var created map[string]any
			if code != 201 || json.Unmarshal(b, &created) != nil {
				t.Fatalf("create: %d %s", code, b)
			}
			hasOnly("create answer", created)
			if created[want] != "2026-03-10T12:00:00" {
				t.Fatalf("create answer %s = %v", want, created[want])
			}
			var one map[string]any
			h.getJSON(fmt.Sprintf("/api/Tickets/%d", num(created, "id")), &one)
			hasOnly("single", one)
			flush(t, h.srv)
			ps := recv.payloads(t)
			var small map[string]any
			if len(ps) != 1 || json.Unmarshal(ps[0]["ticket"], &small) != nil {
				t.Fatalf("%d webhook payloads", len(ps))
			}
			hasOnly("small webhook", small)
		})
	}
}

func TestHaloDates(t *testing.T) {
	o := small()
	o.Now = newClock().Now
	plain := startAuthed(t, o)
	o.Behaviour = Behaviour{HaloDates: true}
	halo := startAuthed(t, o)
	before, _ := plain.rowsOf("/api/Tickets", "tickets")
	after, _ := halo.rowsOf("/api/Tickets", "tickets")
	if len(before) != len(after) {
		t.Fatalf("%d and %d tickets", len(before), len(after))
	}
	utc7 := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)
	zoneless := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?$`)
	var open, closed int
	for i, r := range after {
		p := before[i]
		lu := r["last_update"].(string)
		at, err := time.Parse(time.RFC3339Nano, lu)
		if !utc7.MatchString(lu) || err != nil || !at.Equal(when(t, p, "last_update")) {
			t.Fatalf("last_update %q for %q", lu, p["last_update"])
		}
		for _, k := range []string{"dateoccurred", "datecreated", "lastactiondate"} {
			if v, _ := r[k].(string); !zoneless.MatchString(v) || v != p[k] {
				t.Fatalf("stored date %s = %q, want the zone-less %q", k, v, p[k])
			}
		}
		if r["fixbydate"] != "1899-12-30T00:00:00" {
			t.Fatalf("fixbydate = %v", r["fixbydate"])
		}
		switch num(r, "status_id") {
		case closedStatusID:
			closed++
			if v, _ := r["dateclosed"].(string); !zoneless.MatchString(v) || v != p["dateclosed"] {
				t.Fatalf("closed ticket dateclosed %q, want %q", v, p["dateclosed"])
			}
		default:
			open++
			if _, had := p["dateclosed"]; had || r["dateclosed"] != "1900-01-01T00:00:00" {
				t.Fatalf("open ticket dateclosed %v (friendly had one: %v)", r["dateclosed"], had)
			}
		}
	}
	if open == 0 || closed == 0 {
		t.Fatalf("%d open, %d closed: the test would prove nothing", open, closed)
	}

	// A ticket nobody has actioned: the .NET minimum date with HaloDates,
	// null without.
	id := num(after[0], "id")
	halo.srv.mu.Lock()
	tk, _ := halo.srv.data.tickets.get(id)
	tk.lastAction = time.Time{}
	tk.raw = halo.srv.data.encodeTicket(tk)
	halo.srv.mu.Unlock()
	var one map[string]any
	halo.getJSON(fmt.Sprintf("/api/Tickets/%d", id), &one)
	if one["lastactiondate"] != "0001-01-01T00:00:00" {
		t.Fatalf("never actioned: lastactiondate %v", one["lastactiondate"])
	}
	halo.srv.SetBehaviour(Behaviour{})
	one = nil // Unmarshal would merge into the old map
	halo.getJSON(fmt.Sprintf("/api/Tickets/%d", id), &one)
	if v, ok := one["lastactiondate"]; !ok || v != nil {
		t.Fatalf("never actioned without HaloDates: %v", v)
	}
	if _, ok := one["fixbydate"]; ok {
		t.Fatal("fixbydate written without HaloDates")
	}

	// With another key, the Z format follows the key.
	halo.srv.SetBehaviour(Behaviour{HaloDates: true, TicketTimeKey: "flastupdate"})
	rows, _ := halo.rowsOf("/api/Tickets", "tickets")
	if v, _ := rows[1]["flastupdate"].(string); !utc7.MatchString(v) {
		t.Fatalf("flastupdate %q", v)
	}
	// Other records keep zone-less dates.
	clients, _ := halo.rowsOf("/api/Client", "clients")
	if v, _ := clients[0]["alastupdate"].(string); !zoneless.MatchString(v) {
		t.Fatalf("alastupdate %q", v)
	}
	if !slices.ContainsFunc(rows, func(r map[string]any) bool { return r["dateclosed"] == "1900-01-01T00:00:00" }) {
		t.Fatal("no sentinel after switching keys")
	}
}
