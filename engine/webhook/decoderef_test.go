package webhook

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// refFields is the reference for the scanner: a JSON object's members by
// lower-cased name, read with encoding/json into a map. ok is false when
// two names fold to the same one, where a map cannot say which came last.
func refFields(b []byte) (f map[string]json.RawMessage, ok bool) {
	b = bytes.TrimSpace(b)
	var m map[string]json.RawMessage
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &m) != nil {
		return nil, true
	}
	f = make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		f[strings.ToLower(k)] = v
	}
	return f, len(f) == len(m)
}

// refHead reads an element's head the slow, obvious way, for comparison
// with readElement. ok is false when the reference cannot decide.
func refHead(raw []byte) (ev Event, ok bool) {
	top, ok := refFields(raw)
	if top == nil || !ok {
		return Event{Err: errNotObject}, ok
	}
	var s string
	if json.Unmarshal(top["id"], &s) != nil {
		s = ""
	}
	ev.DeliveryID = deliveryID(s, raw)
	scopes := []map[string]json.RawMessage{top}
	var entities [len(entityKeys)]map[string]json.RawMessage
	for i, k := range entityKeys {
		f, fok := refFields(top[k])
		if !fok {
			return ev, false
		}
		if f != nil {
			scopes, entities[i] = append(scopes, f), f
		}
	}
	find := func(key string) (int64, bool) {
		for _, f := range scopes {
			if v, present := f[key]; present {
				id, err := readID(v)
				if err != nil {
					return 0, false
				}
				if id > 0 {
					return id, true
				}
			}
		}
		return 0, true
	}
	entityID := func(f map[string]json.RawMessage) int64 {
		id, _ := readID(f["id"])
		return id
	}
	var good bool
	if ev.ObjectID, good = find("object_id"); !good {
		return Event{DeliveryID: ev.DeliveryID, Err: errNotObject}, true
	}
	if ev.TicketID, good = find("ticket_id"); !good {
		return Event{DeliveryID: ev.DeliveryID, Err: errNotObject}, true
	}
	if ev.TicketID == 0 && entities[0] != nil {
		ev.TicketID = entityID(entities[0])
	}
	if ev.TicketID == 0 {
		ev.TicketID = ev.ObjectID
	}
	for _, f := range entities[1:] {
		if ev.TicketID == 0 && f != nil {
			ev.TicketID = entityID(f)
		}
	}
	if ev.ObjectID == 0 {
		ev.ObjectID = ev.TicketID
	}
	if ev.ObjectID == 0 {
		return Event{DeliveryID: ev.DeliveryID, Err: errNotObject}, true
	}
	ev.Event, ev.EventNo = eventOf(text(top["event"]), text(top["eventno"]))
	return ev, true
}

// checkAgainstRef compares Decode's events for body with the reference's.
func checkAgainstRef(t *testing.T, body []byte, evs []Event, err error) {
	t.Helper()
	b := bytes.TrimSpace(body)
	if len(b) > 0 && b[0] == '{' && (err == nil) != json.Valid(b) {
		t.Fatalf("Decode error %v, but json.Valid = %v", err, json.Valid(b))
	}
	if err != nil {
		return
	}
	var raws []json.RawMessage
	if b[0] == '[' {
		if json.Unmarshal(b, &raws) != nil {
			t.Fatal("an array body decoded but does not unmarshal")
		}
	} else {
		raws = []json.RawMessage{b}
	}
	for i, raw := range raws {
		want, ok := refHead(bytes.TrimSpace(raw))
		if !ok {
			continue
		}
		got := evs[i]
		if (got.Err == nil) != (want.Err == nil) ||
			got.Err == nil && (got.DeliveryID != want.DeliveryID || got.ObjectID != want.ObjectID ||
				got.TicketID != want.TicketID || got.Event != want.Event || got.EventNo != want.EventNo) {
			t.Fatalf("element %d: Decode %+v, reference %+v", i, got, want)
		}
	}
}

func TestDecodeAgreesWithTheReference(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := Decode([]byte(tc.body))
			checkAgainstRef(t, []byte(tc.body), evs, err)
		})
	}
}

// TestRepeatedNamesLastWins pins what the map-based reference cannot:
// a name repeated in another case takes its last value.
func TestRepeatedNamesLastWins(t *testing.T) {
	evs, err := Decode([]byte(`{"ID":"first","id":"second","Object_ID":1,"object_id":2,"ticket":{"ID":3,"id":4}}`))
	if err != nil || evs[0].DeliveryID != "second" || evs[0].ObjectID != 2 || evs[0].TicketID != 4 {
		t.Fatalf("Decode = %+v, %v; want id second, object 2, ticket 4", evs, err)
	}
	for range 20 { // a map would answer at random
		heads, _ := decodeHeads([]byte(`{"id":"x","Object_ID":1,"OBJECT_ID":2,"object_id":3}`))
		if heads[0].ObjectID != 3 {
			t.Fatalf("object id %d, want the last one, 3", heads[0].ObjectID)
		}
	}
}
