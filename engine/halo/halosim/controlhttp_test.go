package halosim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestControlHandlerChangesTicketsAndFiresWebhooks(t *testing.T) {
	s := New(Options{Seed: 3, Clients: 3})
	got := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer hook.Close()
	s.SetWebhook(WebhookConfig{URL: hook.URL})
	ctl := httptest.NewServer(s.ControlHandler())
	defer ctl.Close()

	client := s.ActiveClientIDs()[0]
	resp, err := http.Post(ctl.URL+"/_sim/tickets?summary=Fan+noise&client_id="+itoa(client), "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("create: %v %v", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(string(body)), `{"id":`), "}")
	resp, err = http.Post(ctl.URL+"/_sim/tickets/"+id+"/status?status_id="+itoa(s.ClosedStatusID()), "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("status: %v %v", resp, err)
	}
	if resp, _ := http.Post(ctl.URL+"/_sim/tickets/999999/status?status_id=1", "", nil); resp.StatusCode != 404 {
		t.Fatalf("unknown ticket: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	var events []string
	for len(got) > 0 {
		events = append(events, <-got)
	}
	all := strings.Join(events, "\n")
	if !strings.Contains(all, "Fan noise") || !strings.Contains(all, `"object_id":`+id) || len(events) < 2 {
		t.Fatalf("webhooks = %v", events)
	}
}

func TestControlBehaviour(t *testing.T) {
	h := startAuthed(t, small())
	ctl := httptest.NewServer(h.srv.ControlHandler())
	defer ctl.Close()
	call := func(method, query string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ctl.URL+"/_sim/behaviour"+query, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}

	code, body := call(http.MethodGet, "")
	if want := `{"ticket_date_filter":"honour","ticket_order":"honour","past_end_repeats":false,"asset_page_size":0,"unpaged_limit":0,"ticket_time_key":"last_update","halo_dates":false,` +
		`"action_note_key":"note","validation_answer":"fields","priority_id_key":"id","restricted_ticket_answer":"forbidden"}`; code != 200 || body != want {
		t.Fatalf("GET: %d %s\nwant %s", code, body, want)
	}

	// A preset first, then the single parameters on top of it.
	code, body = call(http.MethodPost, "?ticket_order=honour&dialect=pessimistic&asset_page_size=20")
	want := dialect(t, "pessimistic")
	want.TicketOrder, want.AssetPageSize = OrderHonour, 20
	var got Behaviour
	if code != 200 || json.Unmarshal([]byte(body), &got) != nil || got != want.effective() || h.srv.Behaviour() != want {
		t.Fatalf("POST: %d %s, server has %+v", code, body, h.srv.Behaviour())
	}
	// The API answers in the new behaviour at once.
	if env := h.page("/api/Asset?pageinate=true&page_size=100", "assets"); *env.PageSize != 20 || len(env.Rows) != 20 {
		t.Fatalf("assets after POST: page_size %d, %d rows", *env.PageSize, len(env.Rows))
	}
	if rows, _ := h.rowsOf("/api/Tickets?count=1", "tickets"); rows[0]["flastupdate"] == nil {
		t.Fatalf("tickets after POST: %v", rows[0])
	}
	if code, body := call(http.MethodGet, ""); code != 200 || !strings.Contains(body, `"ticket_time_key":"flastupdate"`) {
		t.Fatalf("GET after POST: %d %s", code, body)
	}

	for _, tt := range []struct{ query, param string }{
		{"?ticket_order=sideways", "ticket_order"},
		{"?ticket_date_filter=honour&unpaged_limit=-1", "unpaged_limit"},
		{"?halo_dates=maybe", "halo_dates"},
		{"?dialect=optimistic", "dialect"},
		{"?ticket_orders=ignore", "ticket_orders"},
	} {
		code, body := call(http.MethodPost, tt.query)
		if code != 400 || !strings.HasPrefix(body, tt.param+":") {
			t.Errorf("POST %s: %d %q, want 400 naming %s", tt.query, code, body, tt.param)
		}
	}
	if h.srv.Behaviour() != want {
		t.Fatalf("a rejected POST changed the behaviour: %+v", h.srv.Behaviour())
	}
	if code, _ := call(http.MethodPost, "?dialect=friendly"); code != 200 || h.srv.Behaviour() != (Behaviour{}) {
		t.Fatalf("back to friendly: %d %+v", code, h.srv.Behaviour())
	}
}

func TestControlNotesAndLostAnswers(t *testing.T) {
	srv := New(small())
	ts := httptest.NewServer(srv.ControlHandler())
	t.Cleanup(ts.Close)
	tid := srv.data.tickets.rows[0].id
	resp, err := http.Post(ts.URL+"/_sim/tickets/"+strconv.Itoa(tid)+"/notes?note=Rang+back&private=true", "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("add note: %v %v", resp, err)
	}
	resp.Body.Close()
	if srv.NoteCount(tid, "Rang back") != 1 {
		t.Fatal("the note was not added")
	}
	for _, tt := range []struct {
		query string
		code  int
		fault ticketFault
	}{
		{"hidden=true", 200, ticketHidden}, {"broken=true", 200, ticketBroken},
		{"hidden=true&broken=true", 400, ticketBroken}, {"hidden=maybe", 400, ticketBroken}, {"", 200, 0},
	} {
		resp, err := http.Post(ts.URL+"/_sim/tickets/"+strconv.Itoa(tid)+"/access?"+tt.query, "", nil)
		if err != nil || resp.StatusCode != tt.code || srv.ticketFault(tid) != tt.fault {
			t.Fatalf("access?%s: %v %v, fault %d; want %d, fault %d", tt.query, resp, err, srv.ticketFault(tid), tt.code, tt.fault)
		}
		resp.Body.Close()
	}
	resp, err = http.Post(ts.URL+"/_sim/lose_answers?n=-1", "", nil)
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("a negative count was taken: %v %v", resp, err)
	}
	resp.Body.Close()
}
