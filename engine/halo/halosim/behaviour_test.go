package halosim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// rowsOf GETs path, requires 200 and returns the rows under key with the
// envelope's record_count.
func (h *harness) rowsOf(path, key string) ([]map[string]any, int) {
	h.t.Helper()
	var env map[string]json.RawMessage
	h.getJSON(path, &env)
	var rows []map[string]any
	if err := json.Unmarshal(env[key], &rows); err != nil || rows == nil {
		h.t.Fatalf("GET %s: no %q array (%v)", path, key, err)
	}
	var total int
	_ = json.Unmarshal(env["record_count"], &total)
	return rows, total
}

// idsOf returns the rows' ids in order.
func idsOf(rows []map[string]any) []int {
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = num(r, "id")
	}
	return ids
}

func dialect(t *testing.T, name string) Behaviour {
	t.Helper()
	b, err := DialectBehaviour(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDialects(t *testing.T) {
	ds := Dialects()
	var names []string
	for _, d := range ds {
		names = append(names, d.Name)
		if err := d.Behaviour.Validate(); err != nil {
			t.Errorf("%s: %v", d.Name, err)
		}
	}
	if want := []string{"friendly", "order-only", "no-filters", "rejects-dates", "pessimistic"}; !slices.Equal(names, want) {
		t.Fatalf("dialects %v, want %v", names, want)
	}
	want := map[string]Behaviour{
		"friendly":      {},
		"order-only":    {TicketDateFilter: DateFilterIgnore, TicketOrder: OrderHonour},
		"no-filters":    {TicketDateFilter: DateFilterIgnore, TicketOrder: OrderIgnore},
		"rejects-dates": {TicketDateFilter: DateFilterReject, TicketOrder: OrderIgnore},
		"pessimistic": {TicketDateFilter: DateFilterIgnore, TicketOrder: OrderIgnore, PastEndRepeats: true,
			AssetPageSize: 50, UnpagedLimit: 50, TicketTimeKey: "flastupdate", HaloDates: true,
			ActionNoteKey: "note_html", ValidationAnswer: "message", PriorityIDKey: "priorityid",
			RestrictedTicketAnswer: "empty"},
	}
	for name, b := range want {
		if got := dialect(t, name); got != b {
			t.Errorf("%s = %+v, want %+v", name, got, b)
		}
	}
	ds[0].Name = "changed"
	if Dialects()[0].Name != "friendly" {
		t.Fatal("Dialects shares its slice")
	}
	if _, err := DialectBehaviour("optimistic"); err == nil || !strings.Contains(err.Error(), "pessimistic") {
		t.Fatalf("unknown dialect: %v", err)
	}
}

func TestBehaviourSet(t *testing.T) {
	tests := []struct {
		param, value string
		want         Behaviour // from the zero Behaviour; ignored on error
		ok           bool
	}{
		{"ticket_date_filter", "ignore", Behaviour{TicketDateFilter: DateFilterIgnore}, true},
		{"ticket_date_filter", "Reject", Behaviour{TicketDateFilter: DateFilterReject}, true},
		{"ticket_date_filter", "honor", Behaviour{}, false},
		{"ticket_order", "ignore", Behaviour{TicketOrder: OrderIgnore}, true},
		{"ticket_order", "reject", Behaviour{}, false},
		{"past_end_repeats", "true", Behaviour{PastEndRepeats: true}, true},
		{"past_end_repeats", "yes", Behaviour{}, false},
		{"halo_dates", "1", Behaviour{HaloDates: true}, true},
		{"halo_dates", "", Behaviour{}, false},
		{"asset_page_size", "50", Behaviour{AssetPageSize: 50}, true},
		{"asset_page_size", "-1", Behaviour{}, false},
		{"unpaged_limit", "50", Behaviour{UnpagedLimit: 50}, true},
		{"unpaged_limit", "fifty", Behaviour{}, false},
		{"ticket_time_key", "flastupdate", Behaviour{TicketTimeKey: "flastupdate"}, true},
		{"ticket_time_key", "lastupdate", Behaviour{TicketTimeKey: "lastupdate"}, true},
		{"ticket_time_key", "updated_at", Behaviour{}, false},
		{"action_note_key", "note_html", Behaviour{ActionNoteKey: "note_html"}, true},
		{"action_note_key", "body", Behaviour{}, false},
		{"validation_answer", "Message", Behaviour{ValidationAnswer: "message"}, true},
		{"priority_id_key", "priorityid", Behaviour{PriorityIDKey: "priorityid"}, true},
		{"priority_id_key", "priority_id", Behaviour{}, false},
		{"restricted_ticket_answer", "not_found", Behaviour{RestrictedTicketAnswer: "not_found"}, true},
		{"restricted_ticket_answer", "hidden", Behaviour{}, false},
		{"dialect", "pessimistic", Behaviour{}, false}, // a preset is not a field
	}
	for _, tt := range tests {
		t.Run(tt.param+"="+tt.value, func(t *testing.T) {
			var b Behaviour
			err := b.Set(tt.param, tt.value)
			switch {
			case tt.ok && err != nil:
				t.Fatal(err)
			case tt.ok && b != tt.want:
				t.Fatalf("got %+v, want %+v", b, tt.want)
			case !tt.ok && (err == nil || !strings.HasPrefix(err.Error(), tt.param+":")):
				t.Fatalf("error %v, want one naming %s", err, tt.param)
			case !tt.ok && b != (Behaviour{}):
				t.Fatalf("a bad value changed the behaviour: %+v", b)
			}
		})
	}
}

func TestBehaviourValidateAndString(t *testing.T) {
	bad := []Behaviour{
		{TicketDateFilter: "Honour"}, {TicketOrder: "desc"}, {AssetPageSize: -1},
		{UnpagedLimit: -5}, {TicketTimeKey: "LastUpdate"},
	}
	for _, b := range bad {
		if b.Validate() == nil {
			t.Errorf("%+v validated", b)
		}
	}
	if got, want := (Behaviour{}).String(),
		"ticket_date_filter=honour ticket_order=honour past_end_repeats=false asset_page_size=0 unpaged_limit=0 ticket_time_key=last_update halo_dates=false"+
			" action_note_key=note validation_answer=fields priority_id_key=id restricted_ticket_answer=forbidden"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// String is the parameters of POST /_sim/behaviour: it parses back.
	p := dialect(t, "pessimistic")
	var back Behaviour
	for _, kv := range strings.Fields(p.String()) {
		k, v, _ := strings.Cut(kv, "=")
		if err := back.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if back != p {
		t.Fatalf("round trip %+v, want %+v", back, p)
	}
}

func TestSetBehaviourAtRunTime(t *testing.T) {
	o := small()
	o.Now = newClock().Now
	h := startAuthed(t, o)
	n := h.srv.Counts().Tickets
	rows, _ := h.rowsOf("/api/Tickets", "tickets")
	if _, ok := rows[0]["last_update"]; !ok || len(rows) != n {
		t.Fatalf("friendly start: %d rows, %v", len(rows), rows[0])
	}
	cut := rows[len(rows)/2]["last_update"].(string)

	p := dialect(t, "pessimistic")
	p.UnpagedLimit = 20
	h.srv.SetBehaviour(p)
	if h.srv.Behaviour() != p || h.srv.Options().Behaviour != p {
		t.Fatalf("Behaviour() = %+v", h.srv.Behaviour())
	}
	rows, total := h.rowsOf("/api/Tickets?lastupdatefromdate="+cut, "tickets")
	if len(rows) != 20 || total != n {
		t.Fatalf("pessimistic: %d rows of %d, want 20 of %d (filter ignored)", len(rows), total, n)
	}
	if _, ok := rows[0]["flastupdate"]; !ok || rows[0]["last_update"] != nil {
		t.Fatalf("pessimistic ticket keys: %v", rows[0])
	}

	h.srv.SetBehaviour(Behaviour{})
	rows, total = h.rowsOf("/api/Tickets?lastupdatefromdate="+cut, "tickets")
	if len(rows) != total || total >= n || rows[0]["flastupdate"] != nil || rows[0]["last_update"] == nil {
		t.Fatalf("back to friendly: %d rows of %d (of %d), %v", len(rows), total, n, rows[0])
	}
}

// TestSetBehaviourWhileServing switches the time key under a stream of list
// requests: each answer must be written wholly in one behaviour.
func TestSetBehaviourWhileServing(t *testing.T) {
	h := startAuthed(t, small())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				// Not h.get: it may call t.Fatal, which belongs to the test goroutine.
				req, _ := http.NewRequest(http.MethodGet, h.ts.URL+"/api/Tickets", nil)
				req.Header.Set("Authorization", "Bearer "+h.token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					errs <- fmt.Errorf("status %d, %v", resp.StatusCode, err)
					return
				}
				lu, flu := strings.Count(string(b), `"last_update":`), strings.Count(string(b), `"flastupdate":`)
				if lu*flu != 0 || lu+flu == 0 {
					errs <- fmt.Errorf("one answer mixes keys: %d last_update, %d flastupdate", lu, flu)
					return
				}
			}
		})
	}
	for i := range 40 {
		b := Behaviour{}
		if i%2 == 0 {
			b = dialect(t, "pessimistic")
			b.UnpagedLimit = 0
		}
		h.srv.SetBehaviour(b)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
