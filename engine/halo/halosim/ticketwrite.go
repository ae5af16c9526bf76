package halosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// optInt and optStr are JSON fields that may be absent.
type optInt struct {
	v   int
	set bool
}

type optStr struct {
	v   string
	set bool
}

// ticketInput is one element of a POST /api/Tickets array.
type ticketInput struct {
	id, clientID, siteID, userID, lookupID optInt
	statusID, typeID, priorityID           optInt
	summary, details, category1            optStr
}

// fieldErrors collects validation messages keyed by field path ("[0].id"),
// in the order they were found.
type fieldErrors struct {
	keys []string
	msgs map[string]string
	// asMessage sends the first message as {"Message": "..."} instead of
	// keyed by field (Behaviour.ValidationAnswer).
	asMessage bool
}

func (fe *fieldErrors) add(key, msg string) {
	if fe.msgs == nil {
		fe.msgs = make(map[string]string)
	}
	if _, dup := fe.msgs[key]; !dup {
		fe.keys = append(fe.keys, key)
		fe.msgs[key] = msg
	}
}

func (fe *fieldErrors) body() []byte {
	if fe.asMessage && len(fe.keys) > 0 {
		return messageBody(fe.msgs[fe.keys[0]])
	}
	o := newObj(64 * len(fe.keys))
	for _, k := range fe.keys {
		o.str(k, fe.msgs[k])
	}
	return o.done()
}

// intField reads an integer field. Halo rejects a double such as 95.0 for an
// int field, and so does the simulator; strings are rejected too.
func intField(m map[string]any, key, path string, fe *fieldErrors) optInt {
	v, ok := m[key]
	if !ok || v == nil {
		return optInt{}
	}
	if n, isNum := v.(json.Number); isNum && !strings.ContainsAny(string(n), ".eE") {
		if i, err := strconv.Atoi(string(n)); err == nil {
			return optInt{v: i, set: true}
		}
	}
	fe.add(path+key, "must be an integer")
	return optInt{}
}

func strField(m map[string]any, key, path string, fe *fieldErrors) optStr {
	v, ok := m[key]
	if !ok || v == nil {
		return optStr{}
	}
	if s, isStr := v.(string); isStr {
		return optStr{v: s, set: true}
	}
	fe.add(path+key, "must be a string")
	return optStr{}
}

// decodeTicket reads the fields the simulator knows; any other field is
// accepted and ignored, as Halo ignores most of its 835 ticket properties.
func decodeTicket(m map[string]any, i int, fe *fieldErrors) ticketInput {
	p := "[" + strconv.Itoa(i) + "]."
	in := ticketInput{
		id: intField(m, "id", p, fe), clientID: intField(m, "client_id", p, fe),
		siteID: intField(m, "site_id", p, fe), userID: intField(m, "user_id", p, fe),
		statusID: intField(m, "status_id", p, fe), typeID: intField(m, "tickettype_id", p, fe),
		priorityID: intField(m, "priority_id", p, fe),
		summary:    strField(m, "summary", p, fe), details: strField(m, "details", p, fe),
		category1: strField(m, "category_1", p, fe),
	}
	if html := strField(m, "details_html", p, fe); html.set && !in.details.set {
		in.details = html
	}
	if lk, ok := m["userlookup"].(map[string]any); ok {
		in.lookupID = intField(lk, "id", p+"userlookup.", fe)
	}
	return in
}

// postTickets serves POST /api/Tickets. The body must be a JSON array; an
// element without id creates a ticket, one with id merge-updates it. All
// elements are validated before any is applied. The answer is 201 with the
// single object for a one-element array and an array otherwise.
func (s *Server) postTickets(w http.ResponseWriter, r *http.Request) {
	items, ok := readArray(w, r, "tickets")
	if !ok {
		return
	}
	var fe fieldErrors
	inputs := make([]ticketInput, len(items))
	for i, m := range items {
		if m == nil {
			fe.add("["+strconv.Itoa(i)+"]", "must be an object")
			continue
		}
		inputs[i] = decodeTicket(m, i, &fe)
	}
	if len(fe.keys) > 0 {
		writeJSON(w, http.StatusBadRequest, fe.body())
		return
	}

	s.mu.Lock()
	for i, in := range inputs {
		s.validateTicket(in, "["+strconv.Itoa(i)+"].", &fe)
	}
	if len(fe.keys) > 0 {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, fe.body())
		return
	}
	now := s.now()
	out := make([][]byte, len(inputs))
	for i, in := range inputs {
		out[i] = s.applyTicket(in, now, apiAgentID).raw
	}
	s.mu.Unlock()

	if len(out) == 1 {
		writeJSON(w, http.StatusCreated, out[0])
		return
	}
	writeJSON(w, http.StatusCreated, bareArray(out))
}

// validateTicket checks one input against the data. Caller holds s.mu.
func (s *Server) validateTicket(in ticketInput, p string, fe *fieldErrors) {
	st := &s.data
	var cur *ticket
	if in.id.set {
		t, ok := st.tickets.get(in.id.v)
		if !ok {
			fe.add(p+"id", fmt.Sprintf("Ticket %d does not exist.", in.id.v))
			return
		}
		cur = t
	} else {
		if !in.summary.set || strings.TrimSpace(in.summary.v) == "" {
			fe.add(p+"summary", "Summary is required.")
		}
		if !in.clientID.set {
			fe.add(p+"client_id", "Client is required.")
		}
		if (in.userID.set && in.userID.v > 0 || in.lookupID.set && in.lookupID.v > 0) && !in.siteID.set {
			fe.add(p+"site_id", "A site is required when a user is selected.")
		}
		s.requiredMissing(in, p, fe)
	}
	if in.summary.set && strings.TrimSpace(in.summary.v) == "" {
		fe.add(p+"summary", "Summary is required.")
	}
	clientID := 0
	if cur != nil {
		clientID = cur.clientID
	}
	if in.clientID.set {
		clientID = in.clientID.v
		if _, ok := st.clients.get(clientID); !ok {
			fe.add(p+"client_id", fmt.Sprintf("Client %d does not exist.", clientID))
			return
		}
	}
	if in.siteID.set {
		if x, ok := st.sites.get(in.siteID.v); !ok || x.clientID != clientID {
			fe.add(p+"site_id", fmt.Sprintf("Site %d does not belong to client %d.", in.siteID.v, clientID))
		}
	}
	for _, uid := range []optInt{in.userID, in.lookupID} {
		if uid.set && uid.v > 0 {
			if u, ok := st.users.get(uid.v); !ok || u.clientID != clientID {
				fe.add(p+"user_id", fmt.Sprintf("User %d does not belong to client %d.", uid.v, clientID))
			}
		}
	}
	if in.statusID.set && statusName(in.statusID.v) == "" {
		fe.add(p+"status_id", fmt.Sprintf("Status %d does not exist.", in.statusID.v))
	}
	if in.typeID.set && ticketTypeName(in.typeID.v) == "" {
		fe.add(p+"tickettype_id", fmt.Sprintf("Ticket type %d does not exist.", in.typeID.v))
	}
	if in.priorityID.set && priorityName(in.priorityID.v) == "" {
		fe.add(p+"priority_id", fmt.Sprintf("Priority %d does not exist.", in.priorityID.v))
	}
}

// applyTicket creates or updates one validated ticket on behalf of agent
// and queues its webhook events. Caller holds s.mu.
func (s *Server) applyTicket(in ticketInput, now time.Time, agent int) *ticket {
	st := &s.data
	isNew := !in.id.set
	t, _ := st.tickets.get(in.id.v)
	if isNew {
		t = &ticket{statusID: newStatusID, typeID: 1, occurred: now, created: now, lastAction: now}
		if in.typeID.set {
			t.typeID = in.typeID.v
		}
		t.priorityID = ticketTypeRules[t.typeID].defaultPriority
	}
	if in.category1.set {
		t.category1 = in.category1.v
	}
	if in.summary.set {
		t.summary = in.summary.v
	}
	if in.details.set && in.details.v != t.details {
		t.details, t.lastAction = in.details.v, now
	}
	clientChanged := in.clientID.set && in.clientID.v != t.clientID
	if clientChanged {
		t.clientID = in.clientID.v
		t.clientName = st.clientName(t.clientID)
	}
	// The requester: an explicit user, the lookup, or (on create, or when
	// the client moved) the client's "General User".
	uid := 0
	switch {
	case in.userID.set && in.userID.v > 0:
		uid = in.userID.v
	case in.lookupID.set && in.lookupID.v > 0:
		uid = in.lookupID.v
	case in.userID.set || in.lookupID.set || clientChanged || isNew:
		if g := st.generalUser(t.clientID); g != nil {
			uid = g.id
		}
	}
	if uid != 0 {
		u, _ := st.users.get(uid)
		t.userID, t.userName = u.id, u.name()
		if !in.siteID.set {
			t.siteID = u.siteID
		}
	}
	if in.siteID.set {
		t.siteID = in.siteID.v
	}
	if clientChanged && !in.siteID.set && uid == 0 {
		if c, ok := st.clients.get(t.clientID); ok {
			t.siteID = c.mainSiteID
		}
	}
	t.siteName = st.siteName(t.siteID)
	if in.typeID.set {
		t.typeID = in.typeID.v
	}
	if in.priorityID.set {
		t.priorityID = in.priorityID.v
	}
	statusChanged := in.statusID.set && in.statusID.v != t.statusID
	if statusChanged {
		t.statusID, t.lastAction = in.statusID.v, now
		if t.statusID == closedStatusID {
			t.closed, t.closedAt = true, now
		}
	}
	t.lastUpdate = now
	if isNew {
		t.id = nextID(s.rng, &st.lastTicket, 1000)
		st.tickets.add(t)
	}
	t.raw = st.encodeTicket(t)
	s.ticketEvents(t, isNew, statusChanged, agent, now)
	return t
}

// readArray reads a POST body that must be a non-empty JSON array of
// objects (what names them in the 400 it answers otherwise), as HaloPSA's
// write endpoints take; numbers stay json.Number.
func readArray(w http.ResponseWriter, r *http.Request, what string) ([]map[string]any, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	var items []map[string]any
	if err := dec.Decode(&items); err != nil || len(items) == 0 {
		writeJSON(w, http.StatusBadRequest, messageBody("The request body must be a non-empty JSON array of "+what+"."))
		return nil, false
	}
	return items, true
}
