package halosim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestWebhookEvents(t *testing.T) {
	h := startAuthed(t, small())
	recv := newHookRecv(t)
	h.srv.SetWebhook(WebhookConfig{URL: recv.ts.URL, Username: "halo", Password: "pw"})
	client := h.srv.ActiveClientIDs()[0]

	code, _, b := h.do("POST", "/api/Tickets", fmt.Sprintf(`[{"summary":"Printer jams","client_id":%d}]`, client))
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, b)
	}
	var created map[string]any
	_ = json.Unmarshal(b, &created)
	id := num(created, "id")
	if code, _, b := h.do("POST", "/api/Tickets", fmt.Sprintf(`[{"id":%d,"summary":"Printer jams daily"}]`, id)); code != http.StatusCreated {
		t.Fatalf("update: %d %s", code, b)
	}
	if err := h.srv.SetTicketStatus(id, 2); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.SetTicketStatus(id, 2); err != nil { // no change: no event
		t.Fatal(err)
	}
	if err := h.srv.SetTicketStatus(id, h.srv.ClosedStatusID()); err != nil {
		t.Fatal(err)
	}
	id2, err := h.srv.CreateTicket(client, "Phones down")
	if err != nil {
		t.Fatal(err)
	}
	flush(t, h.srv)

	type ev struct {
		event       string
		object, agt int
	}
	want := []ev{{EventTicketLogged, id, 7}, {EventTicketUpdated, id, 7}, {EventStatusChanged, id, 3},
		{EventStatusChanged, id, 3}, {EventTicketClosed, id, 3}, {EventTicketLogged, id2, 3}}
	ps := recv.payloads(t)
	if len(ps) != len(want) {
		t.Fatalf("%d payloads, want %d", len(ps), len(want))
	}
	seen := map[string]bool{}
	for i, p := range ps {
		var got ev
		got.event = str(t, p["event"])
		_ = json.Unmarshal(p["object_id"], &got.object)
		_ = json.Unmarshal(p["agent_id"], &got.agt)
		if got != want[i] {
			t.Errorf("payload %d: %+v, want %+v", i, got, want[i])
		}
		did := str(t, p["id"])
		if !guidRE.MatchString(did) || !guidRE.MatchString(str(t, p["escmsg_id"])) || seen[did] {
			t.Errorf("payload %d: id %q / escmsg_id %s not fresh GUIDs", i, did, p["escmsg_id"])
		}
		seen[did] = true
		if str(t, p["webhook_id"]) != webhookID || string(p["notification_id"]) == "" || str(t, p["message"]) == "" {
			t.Errorf("payload %d lacks webhook_id, notification_id or message: %v", i, p)
		}
		if ts := str(t, p["timestamp"]); !stampRE.MatchString(ts) {
			t.Errorf("payload %d: timestamp %q not in the live format", i, ts)
		}
	}
	// The full payload carries the ticket as the API shows it.
	_, now := h.get(fmt.Sprintf("/api/Tickets/%d", id))
	if string(ps[4]["ticket"]) != string(now) {
		t.Errorf("closed ticket in payload\n%s\nwant the API's\n%s", ps[4]["ticket"], now)
	}
	var closed map[string]any
	_ = json.Unmarshal(ps[4]["ticket"], &closed)
	if closed["hasbeenclosed"] != true || num(closed, "status_id") != 8 {
		t.Errorf("closed ticket: %v", closed)
	}
	for _, q := range recv.requests() {
		if !q.hasAuth || q.user != "halo" || q.pass != "pw" || q.ctype != "application/json" {
			t.Errorf("request auth %v %q/%q, content type %q", q.hasAuth, q.user, q.pass, q.ctype)
		}
	}
	st := h.srv.WebhookStats()
	if st != (WebhookStats{Events: 6, Sent: 6}) {
		t.Errorf("stats %+v", st)
	}
}

func TestWebhookNoAuthAndDisabled(t *testing.T) {
	s := New(small())
	recv := newHookRecv(t)
	client := s.ActiveClientIDs()[0]
	if _, err := s.CreateTicket(client, "before the webhook"); err != nil {
		t.Fatal(err)
	}
	s.SetWebhook(WebhookConfig{URL: recv.ts.URL})
	if _, err := s.CreateTicket(client, "with the webhook"); err != nil {
		t.Fatal(err)
	}
	flush(t, s)
	s.SetWebhook(WebhookConfig{})
	if _, err := s.CreateTicket(client, "after"); err != nil {
		t.Fatal(err)
	}
	flush(t, s)
	reqs := recv.requests()
	if len(reqs) != 1 || reqs[0].hasAuth {
		t.Errorf("%d requests (auth %v); want 1 without Authorization", len(reqs), len(reqs) > 0 && reqs[0].hasAuth)
	}
}

// burst makes n status changes quickly, well inside a Delay window.
func burst(t *testing.T, s *Server, n int) []int {
	t.Helper()
	var ids []int
	for i := range n {
		id, err := s.CreateTicket(s.ActiveClientIDs()[0], fmt.Sprint("ticket ", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func objectIDs(t *testing.T, body []byte) []int {
	t.Helper()
	var arr []struct {
		ObjectID int `json:"object_id"`
	}
	if err := json.Unmarshal(body, &arr); err != nil {
		var one struct {
			ObjectID int `json:"object_id"`
		}
		if err := json.Unmarshal(body, &one); err != nil {
			t.Fatal(err)
		}
		return []int{one.ObjectID}
	}
	var ids []int
	for _, e := range arr {
		ids = append(ids, e.ObjectID)
	}
	return ids
}

func TestWebhookBatchAndReorder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     WebhookConfig
		batches string // object ids per POST; "a" marks an array body
	}{
		{"batched", WebhookConfig{Batch: 3}, "[a0 1 2] [a3 4]"},
		{"batched, reversed", WebhookConfig{Batch: 3, Reorder: true}, "[a4 3 2] [a1 0]"},
		{"single, reversed", WebhookConfig{Reorder: true}, "[4] [3] [2] [1] [0]"},
		{"single", WebhookConfig{}, "[0] [1] [2] [3] [4]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(small())
			recv := newHookRecv(t)
			cfg := tc.cfg
			cfg.URL, cfg.Delay = recv.ts.URL, 150*time.Millisecond
			s.SetWebhook(cfg)
			ids := burst(t, s, 5)
			flush(t, s)
			var got []string
			for _, q := range recv.requests() {
				mark := ""
				if q.body[0] == '[' {
					mark = "a"
				}
				var idx []string
				for _, oid := range objectIDs(t, q.body) {
					idx = append(idx, fmt.Sprint(slices.Index(ids, oid)))
				}
				idx[0] = mark + idx[0]
				got = append(got, fmt.Sprint(idx))
			}
			if fmt.Sprint(got) != "["+tc.batches+"]" {
				t.Errorf("POSTs %v, want %s", got, tc.batches)
			}
			st := s.WebhookStats()
			if cfg.Batch > 1 && (st.Sent != 2 || st.Batches != 2) || cfg.Batch <= 1 && (st.Sent != 5 || st.Batches != 0) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestWebhookDuplicatesAndLoss(t *testing.T) {
	for _, tc := range []struct {
		name      string
		dup, lose float64
	}{{"all duplicated", 1, 0}, {"all lost", 0, 1}, {"some of each", 0.3, 0.3}} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(small())
			recv := newHookRecv(t)
			s.SetWebhook(WebhookConfig{URL: recv.ts.URL, DuplicateRate: tc.dup, LoseRate: tc.lose})
			burst(t, s, 40)
			flush(t, s)
			st := s.WebhookStats()
			reqs := recv.requests()
			if st.Sent+st.Lost != 40 || len(reqs) != st.Sent+st.Duplicated || st.Failed != 0 {
				t.Fatalf("stats %+v with %d POSTs received", st, len(reqs))
			}
			switch tc.name {
			case "all duplicated":
				if st.Duplicated != 40 {
					t.Errorf("Duplicated %d", st.Duplicated)
				}
			case "all lost":
				if st.Sent != 0 || len(reqs) != 0 {
					t.Errorf("sent %d", st.Sent)
				}
			default:
				if st.Duplicated == 0 || st.Lost == 0 || st.Sent == 0 {
					t.Errorf("stats %+v: want some of each", st)
				}
			}
			// A duplicate repeats the delivery exactly, id included.
			bodies := map[string]int{}
			for _, q := range reqs {
				bodies[string(q.body)]++
			}
			dups := 0
			for _, n := range bodies {
				dups += n - 1
			}
			if dups != st.Duplicated || len(bodies) != st.Sent {
				t.Errorf("%d distinct bodies and %d repeats; stats %+v", len(bodies), dups, st)
			}
		})
	}
}

func TestWebhookPayloadTypes(t *testing.T) {
	for _, tc := range []struct {
		typ        string
		ticketKeys string // sorted; "" for no ticket
		extra      bool   // message and agent_id present
	}{
		{"", "", true}, // full: checked against the API below
		{"small", "[client_id id last_update status_id summary]", true},
		{"event-only", "", false},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			h := startAuthed(t, small())
			recv := newHookRecv(t)
			h.srv.SetWebhook(WebhookConfig{URL: recv.ts.URL, PayloadType: tc.typ})
			id, err := h.srv.CreateTicket(h.srv.ActiveClientIDs()[0], "Screen flickers")
			if err != nil {
				t.Fatal(err)
			}
			flush(t, h.srv)
			ps := recv.payloads(t)
			if len(ps) != 1 {
				t.Fatalf("%d payloads", len(ps))
			}
			p := ps[0]
			var keys []string
			for k := range p {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			base := "[escmsg_id event id notification_id object_id timestamp webhook_id]"
			switch {
			case tc.typ == "":
				_, b := h.get(fmt.Sprintf("/api/Tickets/%d", id))
				if string(p["ticket"]) != string(b) {
					t.Errorf("full ticket %s\nwant %s", p["ticket"], b)
				}
			case tc.ticketKeys != "":
				var tk map[string]any
				_ = json.Unmarshal(p["ticket"], &tk)
				var tks []string
				for k := range tk {
					tks = append(tks, k)
				}
				slices.Sort(tks)
				if fmt.Sprint(tks) != tc.ticketKeys || num(tk, "id") != id {
					t.Errorf("small ticket %v", tk)
				}
			default:
				if fmt.Sprint(keys) != base {
					t.Errorf("event-only keys %v, want %s", keys, base)
				}
			}
			if _, ok := p["agent_id"]; ok != tc.extra {
				t.Errorf("agent_id present = %v", ok)
			}
		})
	}
}

func TestWebhookFailuresAreNotRetried(t *testing.T) {
	s := New(small())
	recv := newHookRecv(t)
	recv.status = http.StatusInternalServerError
	s.SetWebhook(WebhookConfig{URL: recv.ts.URL})
	burst(t, s, 3)
	flush(t, s)
	if st := s.WebhookStats(); st.Sent != 3 || st.Failed != 3 || len(recv.requests()) != 3 {
		t.Errorf("stats %+v, %d POSTs; want 3 sent, 3 failed, no retries", st, len(recv.requests()))
	}
	recv.ts.Close()
	burst(t, s, 2)
	flush(t, s)
	if st := s.WebhookStats(); st.Failed != 5 {
		t.Errorf("unreachable receiver: stats %+v", st)
	}
}

func TestFlushWebhooksHonoursContext(t *testing.T) {
	s := New(small())
	recv := newHookRecv(t)
	recv.block = make(chan struct{})
	defer close(recv.block)
	s.SetWebhook(WebhookConfig{URL: recv.ts.URL})
	burst(t, s, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.FlushWebhooks(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("FlushWebhooks = %v, want the deadline", err)
	}
}

func TestControlHelpers(t *testing.T) {
	h := startAuthed(t, small())
	s := h.srv
	if _, err := s.CreateTicket(999999, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown client: %v", err)
	}
	if _, err := s.CreateTicket(s.ActiveClientIDs()[0], "  "); err == nil {
		t.Error("empty summary accepted")
	}
	id, err := s.CreateTicket(s.ActiveClientIDs()[0], "Laptop won't boot")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetTicketStatus(id, 12345); err == nil {
		t.Error("unknown status accepted")
	}
	if err := s.SetTicketStatus(424242, 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown ticket: %v", err)
	}
	if err := s.SetTicketSummary(id, "Laptop boots slowly"); err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	h.getJSON(fmt.Sprintf("/api/Status/%d", s.ClosedStatusID()), &st)
	if st["name"] != "Closed" {
		t.Errorf("status %d is %v, want Closed", s.ClosedStatusID(), st["name"])
	}
	var tk map[string]any
	h.getJSON(fmt.Sprintf("/api/Tickets/%d", id), &tk)
	if tk["summary"] != "Laptop boots slowly" || tk["client_name"] == "" {
		t.Errorf("ticket %v", tk)
	}
}
