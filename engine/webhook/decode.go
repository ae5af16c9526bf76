package webhook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
)

// HaloPSA does not document its payload fields, and admins choose between
// "small", "full", "event information only" and custom payloads
// (HALOPSA-API.md section 6). Decode therefore reads defensively, as dotMARC
// does: ids at the top level or under "ticket", "object" or "data", any key
// case, numbers as integers, doubles or strings.

// Event is one webhook delivery as HaloSync reads it: one JSON object, or
// one element of a batched array.
type Event struct {
	// DeliveryID is HaloPSA's per-delivery GUID (the top-level "id"). When
	// the payload has none it is "sha256:" and the hex SHA-256 of the
	// element's bytes, so a re-sent copy still has the same id. Never empty.
	DeliveryID string
	// Event is the event's name: as sent when the payload names it ("Ticket
	// Status Changed"), or, when it gives only a number ("event": 76 or
	// "eventno": "76"), EventName of it ("Ticket Status Changed (76)"). May
	// be empty.
	Event string
	// EventNo is HaloPSA's event number when the payload gives one ("event"
	// as a number or numeric string, else "eventno"), 0 otherwise.
	EventNo int
	// ObjectID is the payload's object_id: the id of the record the event is
	// about. When the payload has none it is TicketID.
	ObjectID int64
	// TicketID is the ticket the event concerns: ticket_id when sent, else the
	// id of the "ticket" object, else ObjectID (HaloSync subscribes to ticket
	// events, whose object_id is the ticket id), else the id of the "object"
	// or, failing that, the "data" object: without object_id and ticket_id,
	// the object a ticket event carries is the ticket.
	TicketID  int64
	StatusID  int64 // the ticket's status_id when HasStatus
	HasStatus bool
	AgentID   int64     // the payload's agent_id (who made the change), 0 when absent
	Timestamp time.Time // the payload's timestamp in UTC; zero when absent or unreadable
	// Ticket is the ticket object sent with the event (the first of the
	// "ticket", "object" and "data" objects whose id is TicketID), or nil
	// for event-only payloads and when none could be read.
	// A small payload fills only some fields: re-fetch the ticket by
	// TicketID when more are needed.
	Ticket *halo.Ticket
	// Action is the action (a note) sent with the event, when the payload
	// carries one under "action" for this ticket: HaloPSA sends "the ticket
	// and action objects where applicable" (HALOPSA-API.md section 6).
	Action *halo.Action
	Raw    json.RawMessage // the element's bytes as received
	// Err is set when the element could not be read (not an object, or no
	// object id). Then only DeliveryID and Raw are meaningful. Its text never
	// quotes the payload.
	Err error
}

// maxDeliveryIDLen bounds the id taken from a payload; a longer "id" is not
// HaloPSA's GUID and the element is identified by its hash instead.
const maxDeliveryIDLen = 128

// entityKeys are the keys under which a payload may carry its object, in
// order of preference.
var entityKeys = [...]string{"ticket", "object", "data"}

// Decode reads a webhook body: one JSON object or a JSON array of them (a
// batched delivery). It returns one Event per element, in order. An element
// that cannot be read does not stop the others: it comes back with Err set.
// Decode returns an error, and no events, only when the body as a whole
// cannot be read: empty, not valid JSON, an empty array, or neither an
// object nor an array. The error text never quotes the body.
func Decode(body []byte) ([]Event, error) { return decode(body, true) }

// decodeHeads is Decode for the receiver, which stores each element with its
// delivery id, event name, object id and error, and nothing else: it skips
// the ticket and action objects and the other fields, whose decoding costs
// more than the rest of the delivery's path through the receiver (the apply
// step decodes the stored element in full). Its elements agree with
// Decode's in every field it fills.
func decodeHeads(body []byte) ([]Event, error) { return decode(body, false) }

// decode is Decode; full says whether to read past each element's head (see
// decodeHeads).
func decode(body []byte, full bool) ([]Event, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return nil, errors.New("empty body")
	}
	switch b[0] {
	case '{':
		ev, err := readElement(b, full)
		if err != nil {
			return nil, jsonError(json.Unmarshal(b, new(any)))
		}
		return []Event{ev}, nil
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(b, &elems); err != nil {
			return nil, jsonError(err)
		}
		if len(elems) == 0 {
			return nil, errors.New("empty array: no deliveries")
		}
		evs := make([]Event, len(elems))
		for i, e := range elems {
			var err error
			// An element of a valid array is valid JSON: err stays nil.
			if evs[i], err = readElement(bytes.TrimSpace(e), full); err != nil {
				evs[i] = Event{DeliveryID: HashID(e), Raw: bytes.TrimSpace(e), Err: jsonError(err)}
			}
			if evs[i].Err != nil {
				evs[i].Err = fmt.Errorf("element %d: %w", i, evs[i].Err)
			}
		}
		return evs, nil
	}
	if !json.Valid(b) {
		return nil, jsonError(json.Unmarshal(b, new(any)))
	}
	return nil, errors.New("not a JSON object or array")
}

// jsonError describes a JSON failure by position only: encoding/json's own
// messages can quote the payload.
func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not valid JSON (at byte %d)", se.Offset)
	}
	return errors.New("not valid JSON")
}

// HashID is the delivery id of a payload without one: "sha256:" and the hex
// SHA-256 of its bytes, surrounding white space removed.
func HashID(b []byte) string {
	sum := sha256.Sum256(bytes.TrimSpace(b))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// readElement reads one element, raw with no surrounding space; when full
// is false it stops after the head: DeliveryID, ObjectID, TicketID, Event,
// EventNo, Raw and Err. An element that is valid JSON but cannot be read
// comes back with Err set; the error is for raw that is not valid JSON.
func readElement(raw []byte, full bool) (Event, error) {
	ev := Event{Raw: json.RawMessage(raw)}
	el, err := scanElement(raw, full)
	if errors.Is(err, errNotObject) {
		ev.DeliveryID, ev.Err = HashID(raw), err
		return ev, nil
	}
	if err != nil {
		return ev, err
	}
	ev.DeliveryID = deliveryID(el.id, raw)

	// Where ids may be: the top level first, then the entity objects.
	scopes := []*scope{&el.top}
	for _, s := range el.entities {
		if s != nil {
			scopes = append(scopes, s)
		}
	}
	if ev.ObjectID, err = findID(scopes, "object_id", func(s *scope) idValue { return s.objectID }); err != nil {
		ev.Err = err
		return ev, nil
	}
	if ev.TicketID, err = findID(scopes, "ticket_id", func(s *scope) idValue { return s.ticketID }); err != nil {
		ev.Err = err
		return ev, nil
	}
	// A "ticket" object's id is a ticket id whatever object_id says (an
	// action event's object_id is the action's); an "object" or "data"
	// object's id only stands in when nothing else names the record.
	if ev.TicketID == 0 {
		ev.TicketID = el.entityID(0)
	}
	if ev.TicketID == 0 {
		ev.TicketID = ev.ObjectID
	}
	for i := 1; i < len(entityKeys) && ev.TicketID == 0; i++ {
		ev.TicketID = el.entityID(i)
	}
	if ev.ObjectID == 0 {
		ev.ObjectID = ev.TicketID
	}
	if ev.ObjectID == 0 {
		ev.Err = errors.New("no object_id or ticket_id")
		return ev, nil
	}

	ev.Event, ev.EventNo = eventOf(el.event, el.eventNo)
	if full {
		el.fill(&ev, scopes)
	}
	return ev, nil
}

// fill sets what a full decode reads past the head.
func (el *element) fill(ev *Event, scopes []*scope) {
	ev.AgentID = el.agentID.id
	var ts halo.Time
	if json.Unmarshal(el.timestamp, &ts) == nil {
		ev.Timestamp = ts.Time
	}
	for _, s := range scopes {
		if v := s.statusID; v.present {
			// A status that cannot be read is left out rather than failing the
			// event: the apply step can re-fetch the ticket.
			if v.err == nil && v.id > 0 {
				ev.StatusID, ev.HasStatus = v.id, true
			}
			break
		}
	}
	for i := range entityKeys {
		if el.entityID(i) != ev.TicketID {
			continue
		}
		// A ticket that does not decode is dropped, not fatal: the event
		// still names the ticket, which the apply step can re-fetch.
		if t := el.ticket(i); t != nil && t.ID.Int() == ev.TicketID {
			ev.Ticket = t
			break
		}
	}
	if el.action != nil {
		var a halo.Action
		// Like the ticket, an action that does not decode is dropped: the
		// apply step can list the ticket's actions instead.
		if json.Unmarshal(el.action, &a) == nil && a.ID > 0 && (a.TicketID.Int() == ev.TicketID || a.TicketID == 0) {
			a.TicketID = halo.ID(ev.TicketID)
			ev.Action = &a
		}
	}
}

// entityID is entity i's own "id", 0 when the entity is absent or its id
// unreadable (a bad id just leaves the ticket unknown).
func (el *element) entityID(i int) int64 {
	if s := el.entities[i]; s != nil {
		return s.own.id
	}
	return 0
}

// eventOf reads the event from the texts of "event" and "eventno": "event" as sent, made readable by EventName
// when it is a number, and the event number from "event" or "eventno".
func eventOf(event, eventNo string) (name string, no int) {
	name = event
	no, isNo := eventNumber(name)
	if !isNo {
		no, _ = eventNumber(eventNo)
	}
	if name == "" && no > 0 {
		name = strconv.Itoa(no)
	}
	return EventName(name), no
}

// deliveryID returns the element's "id", id when it was a string, when it is non-empty (the
// delivery GUID), else the element's hash. A numeric "id" is not a delivery
// id: custom payloads may put the ticket's id there.
func deliveryID(id string, raw []byte) string {
	if id = strings.TrimSpace(id); id != "" && len(id) <= maxDeliveryIDLen {
		return id
	}
	return HashID(raw)
}

// findID returns the first member key found among scopes (member picks it
// from a scope), read as an id; 0 when
// absent or null. A present value that is not a whole number is an error.
func findID(scopes []*scope, key string, member func(*scope) idValue) (int64, error) {
	for _, s := range scopes {
		v := member(s)
		if !v.present {
			continue
		}
		if v.err != nil {
			return 0, fmt.Errorf("%s is not a whole number", key)
		}
		if v.id > 0 {
			return v.id, nil
		}
	}
	return 0, nil
}

// readID reads 12, 12.0, "12" or null (0) through halo.ID; negative ids are
// not ids. Absent (nil) reads as 0. v must be valid JSON.
func readID(v json.RawMessage) (int64, error) {
	if v == nil {
		return 0, nil
	}
	var id halo.ID
	// v is valid JSON (a member's value), so json.Unmarshal would only add
	// its reflection to the call.
	if err := id.UnmarshalJSON(v); err != nil {
		return 0, err
	}
	return max(id.Int(), 0), nil
}

// text reads a JSON string, or the literal text of a number, bool or null
// (an event number, say); "" when absent.
func text(v json.RawMessage) string {
	if v == nil {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	t := string(bytes.TrimSpace(v))
	if t == "" || t == "null" || t[0] == '{' || t[0] == '[' {
		return ""
	}
	return t
}
