package webhook

import (
	"bytes"
	"encoding/json"
	"encoding/json/jsontext"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/brainstormmsp/halosync/engine/halo"
)

// One pass over an element's bytes reads everything decoding needs, with
// jsontext's tokenizer: no maps, no copies of members that are not used, and
// the receiver skips the ticket's fields without reading them (see
// decodeHeads). Member names match in any case (HaloPSA's casing is not
// documented), folded with strings.ToLower; when a name repeats, in any
// case, its last value wins, as when encoding/json decodes into a struct.

// newDecoder tokenizes b in place, accepting what encoding/json accepts
// (json.Valid): repeated names and invalid UTF-8 in strings.
func newDecoder(b []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewBuffer(b), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}

// idValue is a member read as an id.
type idValue struct {
	present bool  // the member was there, even as null
	id      int64 // 0 when null, negative or not a number
	err     error // set when the value is not a whole number
}

// scope is what one object, the element itself or one of its entity
// objects, says about ids.
type scope struct {
	objectID, ticketID, statusID idValue
	own                          idValue // the object's own "id" (used for entity objects)
}

// element is what scanElement reads from one element.
type element struct {
	top scope
	// entities holds the "ticket", "object" and "data" objects' ids by
	// entityKeys' index; nil when absent or not an object.
	entities [len(entityKeys)]*scope
	id       string // the top-level "id" when a string, else ""
	event    string // text of "event"
	eventNo  string // text of "eventno"

	// Read only for a full decode:
	agentID   idValue
	timestamp []byte                  // a copy of "timestamp"
	raw       [len(entityKeys)][]byte // copies of the entity objects
	action    []byte                  // a copy of "action" when it is an object
}

// errNotObject reports an element that is valid JSON but not an object.
var errNotObject = errors.New("not a JSON object")

// scanElement reads raw, one JSON object with no surrounding space. It
// returns errNotObject for another JSON value, and a tokenizer error when
// raw is not valid JSON, trailing bytes included. full also reads the
// members only Decode needs, and copies the objects it decodes later.
func scanElement(raw []byte, full bool) (element, error) {
	var el element
	if len(raw) == 0 || raw[0] != '{' {
		return el, errNotObject
	}
	dec := newDecoder(raw)
	err := members(dec, namesRead(full), func(name string) error {
		if name == "" {
			return dec.SkipValue()
		}
		if i := entityIndex(name); i >= 0 {
			return el.readEntity(dec, i, full)
		}
		if done, err := el.top.read(dec, name, false); done {
			return err
		}
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		switch name {
		case "id":
			el.id = ""
			if v.Kind() == '"' {
				json.Unmarshal(v, &el.id) //nolint:errcheck // a valid string always decodes
			}
		case "event":
			el.event = text(json.RawMessage(v))
		case "eventno":
			el.eventNo = text(json.RawMessage(v))
		// Only a full decode reads these (namesRead).
		case "agent_id":
			el.agentID.read(v)
		case "timestamp":
			el.timestamp = bytes.Clone(v)
		case "action":
			el.action = nil
			if v.Kind() == '{' {
				el.action = bytes.Clone(v)
			}
		}
		return nil
	})
	if err != nil {
		return el, err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return el, errors.New("bytes after the object")
	}
	return el, nil
}

// readEntity reads the value of the entity member with entityKeys index i.
// The receiver reads an object's ids from the token stream; a full decode
// copies the object first, as it decodes it again into a ticket.
func (el *element) readEntity(dec *jsontext.Decoder, i int, full bool) error {
	el.entities[i], el.raw[i] = nil, nil
	if dec.PeekKind() != '{' {
		return dec.SkipValue()
	}
	if full {
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		el.raw[i] = bytes.Clone(v)
		dec = newDecoder(el.raw[i])
	}
	s := new(scope)
	if err := members(dec, namesRead(full), func(name string) error {
		if done, err := s.read(dec, name, true); done {
			return err
		}
		return dec.SkipValue()
	}); err != nil {
		return err
	}
	el.entities[i] = s
	return nil
}

// read reads the value of member name into s when it is one of the ids a
// scope keeps; own says whether the object's "id" is one (entity objects).
// It reports whether it consumed the value.
func (s *scope) read(dec *jsontext.Decoder, name string, own bool) (bool, error) {
	var v *idValue
	switch {
	case name == "object_id":
		v = &s.objectID
	case name == "ticket_id":
		v = &s.ticketID
	case name == "status_id":
		v = &s.statusID
	case name == "id" && own:
		v = &s.own
	default:
		return false, nil
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return true, err
	}
	v.read(raw)
	return true, nil
}

// read sets v from a member's raw value.
func (v *idValue) read(raw []byte) {
	v.present = true
	v.id, v.err = readID(json.RawMessage(raw))
}

// members reads the object starting at dec's next token, calling member
// with each member's name as memberName gives it for known; member must
// consume the value.
func members(dec *jsontext.Decoder, known []string, member func(name string) error) error {
	if _, err := dec.ReadToken(); err != nil { // '{'
		return err
	}
	for dec.PeekKind() == '"' {
		quoted, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if err := member(memberName(quoted, known)); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken() // '}', or the error that stopped the loop
	return err
}

// names are the members decoding reads, lower-cased: the head's first,
// then those only a full decode reads.
var names = [...]string{"id", "event", "eventno", "object_id", "ticket_id", "ticket", "object", "data",
	"agent_id", "timestamp", "action", "status_id"}

// headNames is how many of names the receiver's head decode reads.
const headNames = 8

// namesRead returns the names a decode reads: the receiver skips the others
// (as it does every member no decode reads) without converting them.
func namesRead(full bool) []string {
	if full {
		return names[:]
	}
	return names[:headNames]
}

// memberName is the lower-cased name of a member, quoted as in the JSON
// text, when it is one of known, and "" otherwise. Plain ASCII
// names, nearly all of them, are compared in place; others are unquoted and
// lower-cased first (some non-ASCII letters lower-case to ASCII ones).
func memberName(quoted []byte, known []string) string {
	raw := quoted[1 : len(quoted)-1]
	plain := true
	for _, c := range raw {
		if c >= utf8.RuneSelf || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		for _, n := range known {
			if len(raw) == len(n) && asciiEqualFold(raw, n) {
				return n
			}
		}
		return ""
	}
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return ""
	}
	s = strings.ToLower(s)
	for _, n := range known {
		if s == n {
			return n
		}
	}
	return ""
}

// asciiEqualFold reports whether ASCII b equals lower-case n in any case.
func asciiEqualFold(b []byte, n string) bool {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != n[i] {
			return false
		}
	}
	return true
}

// entityIndex is name's index in entityKeys, -1 when it is not one.
func entityIndex(name string) int {
	for i, k := range entityKeys {
		if name == k {
			return i
		}
	}
	return -1
}

// ticket decodes entity i as a ticket (full decodes only), nil when it does
// not decode: the apply step can re-fetch the ticket by its id.
func (el *element) ticket(i int) *halo.Ticket {
	var t halo.Ticket
	if json.Unmarshal(el.raw[i], &t) != nil {
		return nil
	}
	return &t
}
