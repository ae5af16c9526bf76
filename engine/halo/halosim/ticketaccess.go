package halosim

import (
	"fmt"
	"net/http"
	"strconv"
)

// A real tenant can hold tickets the API agent may not see (its teams,
// departments and customer restrictions, HALOPSA-API.md section 1), and
// records HaloPSA fails on. Lists leave a hidden ticket out, as the fact
// sheet confirms; how GET /api/Tickets/{id} answers for one is not
// recorded, so the behaviour's RestrictedTicketAnswer picks one of the
// plausible answers.

// The answers to GET /api/Tickets/{id} for a ticket the agent may not see.
const (
	restrictedForbidden = "forbidden" // 403 with a message (the default)
	restrictedNotFound  = "not_found" // 404, as for a ticket that does not exist
	restrictedEmpty     = "empty"     // 200 with an empty object
)

// ticketFault is what is wrong with one ticket.
type ticketFault int

const (
	ticketHidden ticketFault = iota + 1 // the API agent may not see it
	ticketBroken                        // HaloPSA answers 500 for it
)

// HideTicket makes ticket id invisible to the API agent (hidden false
// shows it again): lists leave it out and fetching it answers as the
// behaviour's RestrictedTicketAnswer says.
func (s *Server) HideTicket(id int, hidden bool) { s.setTicketFault(id, ticketHidden, hidden) }

// BreakTicket makes HaloPSA answer 500 to every fetch of ticket id (broken
// false mends it), as for a record its own code cannot load.
func (s *Server) BreakTicket(id int, broken bool) { s.setTicketFault(id, ticketBroken, broken) }

func (s *Server) setTicketFault(id int, f ticketFault, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ticketFaults == nil {
		s.ticketFaults = map[int]ticketFault{}
	}
	switch {
	case on:
		s.ticketFaults[id] = f
	case s.ticketFaults[id] == f:
		delete(s.ticketFaults, id)
	}
}

// ticketFault returns what is wrong with ticket id, 0 for nothing.
func (s *Server) ticketFault(id int) ticketFault {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ticketFaults[id]
}

// hiddenTicket reports whether lists leave t out. Caller holds s.mu.
func (s *Server) hiddenTicket(t *ticket) bool { return s.ticketFaults[t.id] == ticketHidden }

// getTicket serves GET /api/Tickets/{id}.
func (s *Server) getTicket(w http.ResponseWriter, idPart string) {
	id, err := strconv.Atoi(idPart)
	if err == nil {
		switch s.ticketFault(id) {
		case ticketBroken:
			writeJSON(w, http.StatusInternalServerError, messageBody("An error occurred while processing your request."))
			return
		case ticketHidden:
			switch s.behaviour().RestrictedTicketAnswer {
			case restrictedNotFound:
				writeJSON(w, http.StatusNotFound, messageBody(fmt.Sprintf("Ticket %s not found.", idPart)))
			case restrictedEmpty:
				writeJSON(w, http.StatusOK, []byte("{}"))
			default:
				writeJSON(w, http.StatusForbidden, messageBody("You do not have access to this Ticket"))
			}
			return
		}
	}
	serveOne(s, w, idPart, "Ticket", &s.data.tickets)
}
