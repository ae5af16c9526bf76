package webhook

import "testing"

func TestDecodeReadsTheAction(t *testing.T) {
	evs, err := Decode([]byte(`{"id":"g1","event":"Action Added","object_id":1001,
		"ticket":{"id":1001,"status_id":2,"client_id":5,"last_update":"2026-03-10T12:00:00"},
		"action":{"id":5001,"ticket_id":1001,"outcome_id":7,"note_html":"Called<br>back","hiddenfromuser":true,"datetime":"2026-03-10T12:00:00"}}`))
	if err != nil || len(evs) != 1 || evs[0].Err != nil {
		t.Fatalf("%+v, %v", evs, err)
	}
	a := evs[0].Action
	if a == nil || a.ID != 5001 || a.TicketID != 1001 || a.Note != "Called\nback" || !bool(a.HiddenFromUser) {
		t.Fatalf("action = %+v", a)
	}
	// An action of another ticket is not taken for this one's.
	evs, _ = Decode([]byte(`{"id":"g2","object_id":1001,"ticket":{"id":1001},"action":{"id":5002,"ticket_id":77,"note":"x"}}`))
	if evs[0].Action != nil {
		t.Fatalf("took another ticket's action: %+v", evs[0].Action)
	}
}
