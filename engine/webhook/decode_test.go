package webhook

import (
	"strings"
	"testing"
	"time"
)

// dotMARCVerbatim is the observed live payload from HALOPSA-API.md section 6,
// character for character. Its "..." elisions make it invalid JSON.
const dotMARCVerbatim = `{"id":"<guid>", "webhook_id":"<guid>", "notification_id":41, "escmsg_id":"<guid>",
 "event":"ticket status changed", "message":"The status has been changed for Ticket ID: 0004242.",
 "object_id":4242, "agent_id":3, "timestamp":"2026-09-25T06:41:08.7895915Z",
 "ticket":{"id":4242,"summary":"...","status_id":9,"tickettype_id":25,"client_id":1,"team_id":5,
           "agent_id":3,"customfields":[],"hasbeenclosed":true, ...}}`

// dotMARCSample is the same payload with the trailing elision removed.
var dotMARCSample = strings.Replace(dotMARCVerbatim, `"hasbeenclosed":true, ...}`, `"hasbeenclosed":true}`, 1)

// want is what one decoded element must look like. id "sha256" means a hash id.
type want struct {
	id, event        string
	no               int // EventNo
	obj, tkt, status int64
	hasStatus        bool
	agent            int64
	ts               string // RFC 3339 in UTC, "" for zero
	ticket           bool   // a Ticket is decoded
	err              bool   // the element is unreadable
}

var decodeCases = []struct {
	name    string
	body    string
	bodyErr bool // the whole body is unreadable
	want    []want
}{
	{name: "dotMARC live sample", body: dotMARCSample, want: []want{{id: "<guid>", event: "ticket status changed",
		obj: 4242, tkt: 4242, status: 9, hasStatus: true, agent: 3, ts: "2026-09-25T06:41:08.7895915Z", ticket: true}}},
	{name: "dotMARC verbatim with elisions", body: dotMARCVerbatim, bodyErr: true},
	{name: "small payload", body: `{"id":"a1","event":"Ticket Updated","object_id":7,"ticket":{"id":7,"summary":"x","status_id":2,"client_id":3,"last_update":"2026-03-10T12:00:00.47"}}`,
		want: []want{{id: "a1", event: "Ticket Updated", obj: 7, tkt: 7, status: 2, hasStatus: true, ticket: true}}},
	{name: "event only", body: `{"id":"e1","webhook_id":"w","event":"New Ticket Logged","object_id":12,"timestamp":"2026-09-25T06:41:08Z"}`,
		want: []want{{id: "e1", event: "New Ticket Logged", obj: 12, tkt: 12, ts: "2026-09-25T06:41:08Z"}}},
	{name: "no id: hashed", body: `{"event":"x","object_id":5}`, want: []want{{id: "sha256", event: "x", obj: 5, tkt: 5}}},
	{name: "numeric id is not a delivery id", body: `{"id":99,"object_id":5}`, want: []want{{id: "sha256", obj: 5, tkt: 5}}},
	{name: "over-long id is hashed", body: `{"id":"` + strings.Repeat("g", 200) + `","object_id":5}`, want: []want{{id: "sha256", obj: 5, tkt: 5}}},
	{name: "doubles and strings", body: `{"id":"d","object_id":4242.0,"status_id":"9","agent_id":"3"}`,
		want: []want{{id: "d", obj: 4242, tkt: 4242, status: 9, hasStatus: true, agent: 3}}},
	{name: "ids under data", body: `{"id":"u","event":"e","data":{"ticket_id":5,"status_id":2}}`,
		want: []want{{id: "u", event: "e", obj: 5, tkt: 5, status: 2, hasStatus: true}}},
	{name: "ids under object", body: `{"id":"o","object":{"object_id":8}}`, want: []want{{id: "o", obj: 8, tkt: 8}}},
	{name: "ticket id from the ticket object only", body: `{"id":"t","ticket":{"id":31,"status_id":1}}`,
		want: []want{{id: "t", obj: 31, tkt: 31, status: 1, hasStatus: true, ticket: true}}},
	{name: "action event names its ticket", body: `{"id":"act","object_id":777,"ticket_id":5,"object":{"id":777,"note":"n"}}`,
		want: []want{{id: "act", obj: 777, tkt: 5}}},
	{name: "keys in any case", body: `{"ID":"c","Event":"Ticket Closed","Object_ID":5,"Status_Id":8}`,
		want: []want{{id: "c", event: "Ticket Closed", obj: 5, tkt: 5, status: 8, hasStatus: true}}},
	{name: "ticket under object, id only", body: `{"id":"o42","event":"Ticket Updated","object":{"id":42}}`,
		want: []want{{id: "o42", event: "Ticket Updated", obj: 42, tkt: 42, ticket: true}}},
	{name: "ticket under data", body: `{"id":"d43","data":{"id":43.0,"status_id":2,"summary":"x"}}`,
		want: []want{{id: "d43", obj: 43, tkt: 43, status: 2, hasStatus: true, ticket: true}}},
	{name: "ticket's id beats object's", body: `{"id":"p1","ticket":{"id":5},"object":{"id":6}}`,
		want: []want{{id: "p1", obj: 5, tkt: 5, ticket: true}}},
	{name: "object's id beats data's", body: `{"id":"p2","object":{"id":"7"},"data":{"id":8}}`,
		want: []want{{id: "p2", obj: 7, tkt: 7, ticket: true}}},
	{name: "object_id beats object's id", body: `{"id":"p3","object_id":9,"object":{"id":10}}`,
		want: []want{{id: "p3", obj: 9, tkt: 9}}},
	{name: "ticket_id picks the matching entity", body: `{"id":"p4","ticket_id":5,"object":{"id":777},"data":{"id":5,"summary":"x"}}`,
		want: []want{{id: "p4", obj: 5, tkt: 5, ticket: true}}},
	{name: "entity id not a number", body: `{"id":"p5","object":{"id":"abc"}}`, want: []want{{id: "p5", err: true}}},
	{name: "entity id zero", body: `{"id":"p6","data":{"id":0}}`, want: []want{{id: "p6", err: true}}},
	{name: "numeric event", body: `{"id":"n","event":76,"object_id":5}`,
		want: []want{{id: "n", event: "Ticket Status Changed (76)", no: 76, obj: 5, tkt: 5}}},
	{name: "numeric string event", body: `{"id":"n2","event":"1072","object_id":5}`,
		want: []want{{id: "n2", event: "Ticket Deleted (1072)", no: 1072, obj: 5, tkt: 5}}},
	{name: "event as a double", body: `{"id":"n3","event":3.0,"object_id":5}`,
		want: []want{{id: "n3", event: "New Ticket Logged (3)", no: 3, obj: 5, tkt: 5}}},
	{name: "eventno only", body: `{"id":"n4","eventno":"61","object_id":5}`,
		want: []want{{id: "n4", event: "Ticket Updated (61)", no: 61, obj: 5, tkt: 5}}},
	{name: "event name and eventno", body: `{"id":"n5","event":"Ticket Status Changed","EventNo":76,"object_id":5}`,
		want: []want{{id: "n5", event: "Ticket Status Changed", no: 76, obj: 5, tkt: 5}}},
	{name: "unknown event number", body: `{"id":"n6","event":500,"object_id":5}`,
		want: []want{{id: "n6", event: "500", no: 500, obj: 5, tkt: 5}}},
	{name: "negative event number", body: `{"id":"n7","event":-76,"object_id":5}`,
		want: []want{{id: "n7", event: "-76", obj: 5, tkt: 5}}},
	{name: "zone-less and odd timestamps", body: `[{"id":"z1","object_id":1,"timestamp":"2026-09-25 06:41:08"},{"id":"z2","object_id":1,"timestamp":"yesterday"}]`,
		want: []want{{id: "z1", obj: 1, tkt: 1, ts: "2026-09-25T06:41:08Z"}, {id: "z2", obj: 1, tkt: 1}}},
	{name: "unreadable ticket is dropped", body: `{"id":"b","object_id":5,"ticket":{"id":5,"hasbeenclosed":"maybe"}}`,
		want: []want{{id: "b", obj: 5, tkt: 5}}},
	{name: "someone else's ticket is dropped", body: `{"id":"x","ticket_id":5,"ticket":{"id":6}}`,
		want: []want{{id: "x", obj: 5, tkt: 5}}},
	{name: "bad status ignored", body: `{"id":"s","object_id":5,"status_id":"open"}`, want: []want{{id: "s", obj: 5, tkt: 5}}},
	{name: "batch with one bad element", body: `[{"id":"b1","object_id":1},{"id":"b2"},{"id":"b3","object_id":3,"event":"e"}]`,
		want: []want{{id: "b1", obj: 1, tkt: 1}, {id: "b2", err: true}, {id: "b3", event: "e", obj: 3, tkt: 3}}},
	{name: "batch of non-objects", body: ` [1, null, "x", [] ] `,
		want: []want{{id: "sha256", err: true}, {id: "sha256", err: true}, {id: "sha256", err: true}, {id: "sha256", err: true}}},
	{name: "no object id", body: `{"id":"g","event":"x"}`, want: []want{{id: "g", err: true}}},
	{name: "object id zero", body: `{"id":"g","object_id":0}`, want: []want{{id: "g", err: true}}},
	{name: "object id not a number", body: `{"id":"g","object_id":"abc"}`, want: []want{{id: "g", err: true}}},
	{name: "empty", body: "", bodyErr: true},
	{name: "white space", body: " \r\n\t", bodyErr: true},
	{name: "truncated", body: `{"id":`, bodyErr: true},
	{name: "trailing garbage", body: `{"id":"a","object_id":1} x`, bodyErr: true},
	{name: "empty array", body: `[]`, bodyErr: true},
	{name: "string", body: `"hello"`, bodyErr: true},
	{name: "number", body: `42`, bodyErr: true},
	{name: "null", body: `null`, bodyErr: true},
	{name: "not JSON", body: `id=1&object_id=2`, bodyErr: true},
}

func TestDecode(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := Decode([]byte(tc.body))
			if tc.bodyErr {
				if err == nil || evs != nil {
					t.Fatalf("Decode = %v, %v; want a body error and no events", evs, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(evs) != len(tc.want) {
				t.Fatalf("%d events, want %d", len(evs), len(tc.want))
			}
			for i, w := range tc.want {
				checkEvent(t, evs[i], w)
			}
		})
	}
}

func checkEvent(t *testing.T, ev Event, w want) {
	t.Helper()
	if w.id == "sha256" {
		if !strings.HasPrefix(ev.DeliveryID, "sha256:") || len(ev.DeliveryID) != len("sha256:")+64 {
			t.Errorf("DeliveryID = %q, want a sha256 id", ev.DeliveryID)
		}
		if ev.DeliveryID != HashID(ev.Raw) {
			t.Errorf("DeliveryID = %q, want the hash of the element", ev.DeliveryID)
		}
	} else if ev.DeliveryID != w.id {
		t.Errorf("DeliveryID = %q, want %q", ev.DeliveryID, w.id)
	}
	if len(ev.Raw) == 0 {
		t.Error("Raw is empty")
	}
	if w.err {
		if ev.Err == nil {
			t.Errorf("%+v: want an element error", ev)
		}
		return
	}
	if ev.Err != nil {
		t.Fatalf("element error: %v", ev.Err)
	}
	var ts string
	if !ev.Timestamp.IsZero() {
		ts = ev.Timestamp.Format(time.RFC3339Nano)
	}
	if ev.Event != w.event || ev.EventNo != w.no || ev.ObjectID != w.obj || ev.TicketID != w.tkt || ev.StatusID != w.status ||
		ev.HasStatus != w.hasStatus || ev.AgentID != w.agent || ts != w.ts || (ev.Ticket != nil) != w.ticket {
		t.Errorf("got event=%q/%d obj=%d tkt=%d status=%d/%v agent=%d ts=%q ticket=%v\nwant %+v",
			ev.Event, ev.EventNo, ev.ObjectID, ev.TicketID, ev.StatusID, ev.HasStatus, ev.AgentID, ts, ev.Ticket != nil, w)
	}
}

func TestDecodeTicketFields(t *testing.T) {
	evs, err := Decode([]byte(dotMARCSample))
	if err != nil || evs[0].Ticket == nil {
		t.Fatalf("Decode = %v, %v", evs, err)
	}
	tk := evs[0].Ticket
	if tk.ID != 4242 || tk.StatusID != 9 || tk.TicketTypeID != 25 || tk.ClientID != 1 || !bool(tk.HasBeenClosed) || tk.Summary != "..." {
		t.Errorf("ticket = %+v", *tk)
	}
}

// TestDecodeErrorsDoNotQuote checks that error texts, which are logged and
// stored, never repeat payload content.
func TestDecodeErrorsDoNotQuote(t *testing.T) {
	const marker = "S3CRET-CUSTOMER-TEXT"
	for _, body := range []string{
		`{"id":"g","object_id":"` + marker + `"}`,
		`{"id":"g","ticket_id":"` + marker + `"}`,
		`{"summary": ` + marker + `}`,
		`[{"object_id":1}, ` + marker + `]`,
		`"` + marker + `"`,
		marker,
	} {
		evs, err := Decode([]byte(body))
		if err != nil && strings.Contains(err.Error(), marker) {
			t.Errorf("%s: error %q quotes the body", body, err)
		}
		for _, ev := range evs {
			if ev.Err != nil && strings.Contains(ev.Err.Error(), marker) {
				t.Errorf("%s: element error %q quotes the body", body, ev.Err)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, tc := range decodeCases {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := Decode(body)
		if err != nil {
			if evs != nil {
				t.Fatalf("events %v with body error %v", evs, err)
			}
			return
		}
		if len(evs) == 0 {
			t.Fatal("no events and no error")
		}
		for _, ev := range evs {
			if ev.DeliveryID == "" {
				t.Fatalf("empty DeliveryID: %+v", ev)
			}
			if ev.Err == nil && (ev.ObjectID <= 0 || ev.TicketID <= 0) {
				t.Fatalf("readable event without ids: %+v", ev)
			}
			if ev.Ticket != nil && ev.Ticket.ID.Int() != ev.TicketID {
				t.Fatalf("ticket %d attached to event for %d", ev.Ticket.ID, ev.TicketID)
			}
		}
		checkHeads(t, body, evs, err)
		checkAgainstRef(t, body, evs, err)
	})
}

// TestDecodeHeadsAgrees checks that the receiver's shortcut reads every
// case as Decode does, as far as it reads.
func TestDecodeHeadsAgrees(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := Decode([]byte(tc.body))
			checkHeads(t, []byte(tc.body), evs, err)
		})
	}
}

// checkHeads compares decodeHeads(body) with Decode's result for body.
func checkHeads(t *testing.T, body []byte, full []Event, fullErr error) {
	t.Helper()
	heads, err := decodeHeads(body)
	if (err == nil) != (fullErr == nil) || err != nil && err.Error() != fullErr.Error() || len(heads) != len(full) {
		t.Fatalf("decodeHeads = %d events, %v; Decode = %d events, %v", len(heads), err, len(full), fullErr)
	}
	for i, h := range heads {
		f := full[i]
		if h.DeliveryID != f.DeliveryID || h.ObjectID != f.ObjectID || h.TicketID != f.TicketID ||
			h.Event != f.Event || h.EventNo != f.EventNo || string(h.Raw) != string(f.Raw) ||
			(h.Err == nil) != (f.Err == nil) || h.Err != nil && h.Err.Error() != f.Err.Error() {
			t.Fatalf("element %d: decodeHeads %+v, Decode %+v", i, h, f)
		}
	}
}

func TestEventName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"3", "New Ticket Logged (3)"},
		{"19", "Ticket Updated by User (19)"},
		{"39", "Closed (39)"},
		{"42", "1st SLA Warning (42)"},
		{"46", "2nd SLA Warning (46)"},
		{"61", "Ticket Updated (61)"},
		{"70", "Ticket Deadline (70)"},
		{"76", "Ticket Status Changed (76)"},
		{" 76 ", "Ticket Status Changed (76)"},
		{"76.0", "Ticket Status Changed (76)"},
		{"1072", "Ticket Deleted (1072)"},
		{"1073", "1073"},   // unknown numbers stay as given
		{"76.5", "76.5"},   // not a whole number
		{"0", "0"},         //
		{"-76", "-76"},     //
		{"1e400", "1e400"}, // out of range
		{"NaN", "NaN"},     //
		{"Ticket Closed", "Ticket Closed"},
		{"", ""},
	} {
		if got := EventName(c.in); got != c.want {
			t.Errorf("EventName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestDecodeEntityTicket checks the ticket read from an "object" entity
// is the one named, with its fields.
func TestDecodeEntityTicket(t *testing.T) {
	ev := mustDecode(t, []byte(`{"id":"g","data":{"id":12,"summary":"Mail down","status_id":4,"client_id":3}}`))
	if ev.Ticket == nil || ev.Ticket.ID != 12 || ev.Ticket.Summary != "Mail down" || ev.Ticket.ClientID != 3 || ev.StatusID != 4 {
		t.Fatalf("event %+v, ticket %+v", ev, ev.Ticket)
	}
}
