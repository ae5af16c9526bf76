package halosim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Actions are a ticket's notes, emails and status changes (schema
// "Actions", HALOPSA-API.md 3.5). The simulator keeps the notes: what an
// agent or the API writes with POST /api/Actions, each with an outcome.

// action is one stored action.
type action struct {
	id        int
	ticketID  int
	outcomeID int
	note      string
	hidden    bool // hiddenfromuser: a private note
	agentID   int
	at        time.Time
	raw       []byte
}

// agentNames are the names of the agents that write actions.
var agentNames = map[int]string{apiAgentID: "HaloSync API", deskAgentID: "Sam Service Desk"}

// encodeAction writes an action with its text under the behaviour's key.
func encodeAction(a *action, noteKey string) []byte {
	o := newObj(320 + len(a.note))
	o.int("id", a.id)
	o.int("ticket_id", a.ticketID)
	o.int("outcome_id", a.outcomeID)
	o.str("outcome", outcomeName(a.outcomeID))
	o.str(noteKey, a.note)
	o.bool("hiddenfromuser", a.hidden)
	o.bool("important", false)
	o.str("who", agentNames[a.agentID])
	o.int("who_agentid", a.agentID)
	o.int("actionby_agent_id", a.agentID)
	o.time("datetime", a.at)
	o.time("actiondatecreated", a.at)
	o.time("last_updated", a.at)
	return o.done()
}

// ticketParam reads the ticket_id every /api/Actions call needs. Without it
// HaloPSA answers 500 (addendum 2: action ids are per ticket), and so does
// the simulator.
func ticketParam(w http.ResponseWriter, q query) (int, bool) {
	id, ok, err := q.integer("ticket_id")
	if err != nil {
		badRequest(w, err)
		return 0, false
	}
	if !ok {
		writeJSON(w, http.StatusInternalServerError, messageBody("An error has occurred."))
		return 0, false
	}
	return id, true
}

// listActions serves GET /api/Actions?ticket_id=N: the ticket's actions,
// oldest first, in the {"record_count", "actions"} envelope. excludeprivate
// leaves out private notes; count keeps the newest N.
func (s *Server) listActions(w http.ResponseWriter, q query) {
	tid, ok := ticketParam(w, q)
	if !ok {
		return
	}
	exclPrivate, err := q.boolean("excludeprivate", false)
	if err != nil {
		badRequest(w, err)
		return
	}
	count, hasCount, err := q.integer("count")
	if err != nil {
		badRequest(w, err)
		return
	}
	s.mu.RLock()
	var rows [][]byte
	for _, a := range s.data.actionsOf[tid] {
		if !(exclPrivate && a.hidden) {
			rows = append(rows, a.raw)
		}
	}
	s.mu.RUnlock()
	if hasCount && count >= 0 && count < len(rows) {
		rows = rows[len(rows)-count:]
	}
	o := newObj(64)
	o.int("record_count", len(rows))
	o.rawBytes("actions", bareArray(rows))
	writeJSON(w, http.StatusOK, o.done())
}

// getAction serves GET /api/Actions/{id}?ticket_id=N.
func (s *Server) getAction(w http.ResponseWriter, idPart string, q query) {
	tid, ok := ticketParam(w, q)
	if !ok {
		return
	}
	id, err := strconv.Atoi(idPart)
	s.mu.RLock()
	var a *action
	for _, x := range s.data.actionsOf[tid] {
		if x.id == id {
			a = x
		}
	}
	s.mu.RUnlock()
	if err != nil || a == nil {
		writeJSON(w, http.StatusNotFound, messageBody("Action "+idPart+" not found."))
		return
	}
	writeJSON(w, http.StatusOK, a.raw)
}

// actionInput is one element of a POST /api/Actions array.
type actionInput struct {
	ticketID, outcomeID optInt
	note                string
	hidden              bool
}

// postActions serves POST /api/Actions: an array of new actions, each
// needing a ticket and an outcome. Every element is checked before any is
// applied; the answer is 201 with the object (one element) or an array.
func (s *Server) postActions(w http.ResponseWriter, r *http.Request) {
	items, ok := readArray(w, r, "actions")
	if !ok {
		return
	}
	noteKey := s.behaviour().ActionNoteKey
	var fe fieldErrors
	inputs := make([]actionInput, len(items))
	for i, m := range items {
		p := "[" + strconv.Itoa(i) + "]."
		if _, hasID := m["id"]; hasID {
			fe.add(p+"id", "Updating actions is not simulated.")
			continue
		}
		in := actionInput{ticketID: intField(m, "ticket_id", p, &fe), outcomeID: intField(m, "outcome_id", p, &fe)}
		in.note = strField(m, noteKey, p, &fe).v
		if h, ok := m["hiddenfromuser"].(bool); ok {
			in.hidden = h
		}
		inputs[i] = in
	}
	if len(fe.keys) > 0 {
		writeJSON(w, http.StatusBadRequest, fe.body())
		return
	}
	s.mu.Lock()
	for _, in := range inputs {
		if msg, status := s.checkAction(in); msg != "" {
			s.mu.Unlock()
			writeJSON(w, status, messageBody(msg))
			return
		}
	}
	now := s.now()
	out := make([][]byte, len(inputs))
	for i, in := range inputs {
		out[i] = s.addAction(in, apiAgentID, now).raw
	}
	s.mu.Unlock()
	if len(out) == 1 {
		writeJSON(w, http.StatusCreated, out[0])
		return
	}
	writeJSON(w, http.StatusCreated, bareArray(out))
}

// checkAction validates one action with HaloPSA's wording and status.
// Caller holds s.mu.
func (s *Server) checkAction(in actionInput) (string, int) {
	if !in.ticketID.set {
		return "A Ticket must be selected for this Action", http.StatusBadRequest
	}
	if _, ok := s.data.tickets.get(in.ticketID.v); !ok {
		return fmt.Sprintf("Ticket %d does not exist.", in.ticketID.v), http.StatusBadRequest
	}
	switch {
	case !in.outcomeID.set || in.outcomeID.v <= 0:
		return "An Outcome must be entered for this Action", http.StatusBadRequest
	case outcomeName(in.outcomeID.v) == "" || in.outcomeID.v == lockedOutcome:
		return "You do not have access to this Action at the moment", http.StatusBadRequest
	}
	return "", 0
}

// addAction stores a checked action, moves the ticket's last update and
// last action (so polls see the change) and queues a webhook event that
// carries the action. Caller holds s.mu.
func (s *Server) addAction(in actionInput, agent int, now time.Time) *action {
	st := &s.data
	// Action ids count per ticket, 1, 2, 3... (addendum 2: "action ids are
	// per ticket"), so two tickets' actions share ids.
	a := &action{id: len(st.actionsOf[in.ticketID.v]) + 1, ticketID: in.ticketID.v, outcomeID: in.outcomeID.v,
		note: in.note, hidden: in.hidden, agentID: agent, at: now}
	a.raw = encodeAction(a, s.behaviour().ActionNoteKey)
	st.actionsOf[a.ticketID] = append(st.actionsOf[a.ticketID], a)
	t, _ := st.tickets.get(a.ticketID)
	t.lastUpdate, t.lastAction = now, now
	t.raw = st.encodeTicket(t)
	s.queueActionHook(t, a, agent, now)
	return a
}

// AddNote adds a note to a ticket as a service desk agent working in
// HaloPSA would (outcome 7, "Internal Note", when private; 1, "Email
// User", otherwise), and fires the action's webhook event. It returns the
// action id. An unknown ticket is ErrNotFound.
func (s *Server) AddNote(ticketID int, note string, private bool) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.data.tickets.get(ticketID); !ok {
		return 0, fmt.Errorf("ticket %d: %w", ticketID, ErrNotFound)
	}
	outcome := 1
	if private {
		outcome = internalNoteOutcome
	}
	in := actionInput{ticketID: optInt{v: ticketID, set: true}, outcomeID: optInt{v: outcome, set: true}, note: note, hidden: private}
	return s.addAction(in, deskAgentID, s.now()).id, nil
}

// NoteCount returns how many actions of the ticket contain text, so tests
// can check a note arrived exactly once.
func (s *Server) NoteCount(ticketID int, text string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, a := range s.data.actionsOf[ticketID] {
		if strings.Contains(a.note, text) {
			n++
		}
	}
	return n
}
