package halosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestTicketFieldLists(t *testing.T) {
	h := startAuthed(t, small())
	var types []map[string]any
	h.getJSON("/api/TicketType", &types)
	if len(types) != len(ticketTypeCatalog) || num(types[1], "default_priority") != 4 {
		t.Fatalf("ticket types = %v", types)
	}
	for _, tc := range []struct{ key, path string }{{"id", "/api/Priority"}, {"priorityid", "/api/Priority"}} {
		h.srv.SetBehaviour(Behaviour{PriorityIDKey: tc.key})
		var ps []map[string]any
		h.getJSON(tc.path, &ps)
		if len(ps) != 4 || num(ps[0], tc.key) != 1 || ps[0]["name"] != "Critical" {
			t.Fatalf("priorities with key %s = %v", tc.key, ps)
		}
	}
	var outcomes []map[string]any
	h.getJSON("/api/Outcome", &outcomes)
	if len(outcomes) != len(outcomeCatalog) || num(outcomes[2], "id") != 7 || outcomes[2]["outcome"] != "Internal Note" {
		t.Fatalf("outcomes = %v", outcomes)
	}
}

// postTo sends a JSON array to path and returns the status and body.
func (h *harness) postTo(path, body string) (int, string) {
	h.t.Helper()
	code, _, b := h.do(http.MethodPost, path, body)
	return code, string(b)
}

func TestTicketTypeRequiredFields(t *testing.T) {
	h := startAuthed(t, small())
	client := h.srv.ActiveClientIDs()[0]
	var sites, users []map[string]any
	sites = h.all(fmt.Sprintf("Site?client_id=%d", client), "sites")
	users = h.all(fmt.Sprintf("Users?client_id=%d", client), "users")
	site, user := num(sites[0], "id"), num(users[0], "id")

	code, body := h.postTo("/api/Tickets", fmt.Sprintf(`[{"summary":"x","client_id":%d,"tickettype_id":3}]`, client))
	if code != 400 || !strings.Contains(body, `"[0].site_id":"Please select a Site`) || !strings.Contains(body, "Service Request") {
		t.Fatalf("missing site: %d %s", code, body)
	}
	h.srv.SetBehaviour(Behaviour{ValidationAnswer: "message"})
	code, body = h.postTo("/api/Tickets", fmt.Sprintf(`[{"summary":"x","client_id":%d,"tickettype_id":4}]`, client))
	if code != 400 || body != `{"Message":"Please select a Category: it is required for the ticket type Problem."}` {
		t.Fatalf("missing category, message answer: %d %s", code, body)
	}
	code, body = h.postTo("/api/Tickets", fmt.Sprintf(`[{"summary":"x","client_id":%d,"tickettype_id":3,"site_id":%d,"user_id":%d,"priority_id":1}]`, client, site, user))
	var got map[string]any
	if code != 201 || json.Unmarshal([]byte(body), &got) != nil {
		t.Fatalf("full create: %d %s", code, body)
	}
	if num(got, "site_id") != site || num(got, "user_id") != user || num(got, "tickettype_id") != 3 || num(got, "priority_id") != 1 {
		t.Fatalf("created %v", got)
	}
	// Without a priority the type's default applies.
	_, body = h.postTo("/api/Tickets", fmt.Sprintf(`[{"summary":"y","client_id":%d,"tickettype_id":4,"category_1":"Hardware"}]`, client))
	got = nil
	if json.Unmarshal([]byte(body), &got); num(got, "priority_id") != 2 || got["category_1"] != "Hardware" {
		t.Fatalf("default priority: %s", body)
	}
}

func TestActions(t *testing.T) {
	h := startAuthed(t, small())
	tickets := h.all("Tickets", "tickets")
	tid := num(tickets[0], "id")
	before := tickets[0]["last_update"]

	if code, body := h.get("/api/Actions"); code != 500 {
		t.Fatalf("actions without ticket_id: %d %s", code, body)
	}
	code, body := h.postTo("/api/Actions", fmt.Sprintf(`[{"ticket_id":%d,"note":"hello"}]`, tid))
	if code != 400 || !strings.Contains(body, "An Outcome must be entered for this Action") {
		t.Fatalf("no outcome: %d %s", code, body)
	}
	code, body = h.postTo("/api/Actions", fmt.Sprintf(`[{"ticket_id":%d,"outcome_id":99,"note":"x"}]`, tid))
	if code != 400 || !strings.Contains(body, "You do not have access to this Action") {
		t.Fatalf("locked outcome: %d %s", code, body)
	}
	code, body = h.postTo("/api/Actions", fmt.Sprintf(`[{"ticket_id":%d,"outcome_id":7,"hiddenfromuser":true,"note":"first note"}]`, tid))
	var a map[string]any
	if code != 201 || json.Unmarshal([]byte(body), &a) != nil || a["note"] != "first note" || a["hiddenfromuser"] != true || a["outcome"] != "Internal Note" {
		t.Fatalf("add: %d %s", code, body)
	}
	var env struct {
		RecordCount int              `json:"record_count"`
		Actions     []map[string]any `json:"actions"`
	}
	h.getJSON(fmt.Sprintf("/api/Actions?ticket_id=%d", tid), &env)
	if env.RecordCount != 1 || len(env.Actions) != 1 || num(env.Actions[0], "id") != num(a, "id") {
		t.Fatalf("list = %+v", env)
	}
	h.getJSON(fmt.Sprintf("/api/Actions?ticket_id=%d&excludeprivate=true", tid), &env)
	if len(env.Actions) != 0 {
		t.Fatalf("excludeprivate listed %v", env.Actions)
	}
	if code, _ := h.get(fmt.Sprintf("/api/Actions/%d?ticket_id=%d", num(a, "id"), tid)); code != 200 {
		t.Fatalf("single action: %d", code)
	}
	var tk map[string]any
	h.getJSON(fmt.Sprintf("/api/Tickets/%d", tid), &tk)
	if tk["last_update"] == before {
		t.Fatal("adding an action did not move the ticket's last_update")
	}

	// With note_html as the key, "note" is ignored on the way in and left out on the way out.
	h.srv.SetBehaviour(Behaviour{ActionNoteKey: "note_html"})
	_, body = h.postTo("/api/Actions", fmt.Sprintf(`[{"ticket_id":%d,"outcome_id":7,"note":"plain","note_html":"<p>html</p>"}]`, tid))
	a = nil
	if json.Unmarshal([]byte(body), &a); a["note_html"] != "<p>html</p>" || a["note"] != nil {
		t.Fatalf("note_html tenant answered %s", body)
	}
}

func TestActionWebhookCarriesTheAction(t *testing.T) {
	h := startAuthed(t, small())
	rcv := newHookRecv(t)
	h.srv.SetWebhook(WebhookConfig{URL: rcv.ts.URL})
	tid := num(h.all("Tickets", "tickets")[0], "id")
	id, err := h.srv.AddNote(tid, "Called the customer", false)
	if err != nil {
		t.Fatal(err)
	}
	flush(t, h.srv)
	ps := rcv.payloads(t)
	if len(ps) != 1 || str(t, ps[0]["event"]) != EventActionAdded {
		t.Fatalf("payloads = %v", ps)
	}
	var a map[string]any
	if err := json.Unmarshal(ps[0]["action"], &a); err != nil || num(a, "id") != id || a["note"] != "Called the customer" || num(a, "ticket_id") != tid {
		t.Fatalf("action in the delivery = %s", ps[0]["action"])
	}
	if _, ok := ps[0]["ticket"]; !ok {
		t.Fatal("the delivery has no ticket")
	}
}

func TestLoseAnswersCommitsThenDrops(t *testing.T) {
	h := startAuthed(t, small())
	tid := num(h.all("Tickets", "tickets")[0], "id")
	h.srv.LoseAnswers(1)
	req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/api/Actions",
		strings.NewReader(fmt.Sprintf(`[{"ticket_id":%d,"outcome_id":7,"note":"lost answer"}]`, tid)))
	req.Header.Set("Authorization", "Bearer "+h.token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the answer arrived: %d", resp.StatusCode)
	}
	if n := h.srv.NoteCount(tid, "lost answer"); n != 1 {
		t.Fatalf("the write was not committed: %d notes", n)
	}
	// The count is used up: the next write is answered.
	if code, body := h.postTo("/api/Actions", fmt.Sprintf(`[{"ticket_id":%d,"outcome_id":7,"note":"answered"}]`, tid)); code != 201 {
		t.Fatalf("next write: %d %s", code, body)
	}
}

func TestActionIDsArePerTicket(t *testing.T) {
	h := startAuthed(t, small())
	tickets := h.all("Tickets", "tickets")
	a, _ := h.srv.AddNote(num(tickets[0], "id"), "one", false)
	b, _ := h.srv.AddNote(num(tickets[1], "id"), "other", false)
	if a != 1 || b != 1 {
		t.Fatalf("action ids %d and %d; want 1 each, as HaloPSA numbers them per ticket", a, b)
	}
	if code, _ := h.get(fmt.Sprintf("/api/Actions/1?ticket_id=%d", num(tickets[1], "id"))); code != 200 {
		t.Fatalf("GET the second ticket's action 1: %d", code)
	}
}
