package halosim

import (
	"errors"
	"fmt"
	"strings"
)

// Control helpers that change tickets as an agent working in HaloPSA would:
// the changes show in the API and fire webhooks, with agent_id naming the
// service desk agent rather than the API application's agent.

// ClosedStatusID returns the id of the "Closed" status (8 here, not the
// common 9, so that clients look it up by name).
func (s *Server) ClosedStatusID() int { return closedStatusID }

// CreateTicket logs a new ticket for the client, with the client's "General
// User" as requester, and fires "New Ticket Logged". It returns the ticket
// id. An unknown client is ErrNotFound.
func (s *Server) CreateTicket(clientID int, summary string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.data.clients.get(clientID); !ok {
		return 0, fmt.Errorf("client %d: %w", clientID, ErrNotFound)
	}
	in := ticketInput{clientID: optInt{v: clientID, set: true}, summary: optStr{v: summary, set: true}}
	if err := s.validateOne(in); err != nil {
		return 0, err
	}
	return s.applyTicket(in, s.now(), deskAgentID).id, nil
}

// SetTicketStatus moves a ticket to statusID and fires "Ticket Status
// Changed" (and "Ticket Closed" for the closed status). Setting the status
// it already has changes nothing and fires nothing. An unknown ticket is
// ErrNotFound.
func (s *Server) SetTicketStatus(id, statusID int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.data.tickets.get(id)
	if !ok {
		return fmt.Errorf("ticket %d: %w", id, ErrNotFound)
	}
	if t.statusID == statusID {
		return nil
	}
	in := ticketInput{id: optInt{v: id, set: true}, statusID: optInt{v: statusID, set: true}}
	if err := s.validateOne(in); err != nil {
		return err
	}
	s.applyTicket(in, s.now(), deskAgentID)
	return nil
}

// SetTicketSummary changes a ticket's summary and fires "Ticket Updated".
// An unknown ticket is ErrNotFound.
func (s *Server) SetTicketSummary(id int, summary string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.data.tickets.get(id); !ok {
		return fmt.Errorf("ticket %d: %w", id, ErrNotFound)
	}
	in := ticketInput{id: optInt{v: id, set: true}, summary: optStr{v: summary, set: true}}
	if err := s.validateOne(in); err != nil {
		return err
	}
	s.applyTicket(in, s.now(), deskAgentID)
	return nil
}

// validateOne applies the API's validation to a helper's change, so that
// helpers cannot create data the API would refuse. Caller holds s.mu.
func (s *Server) validateOne(in ticketInput) error {
	var fe fieldErrors
	s.validateTicket(in, "", &fe)
	if len(fe.keys) == 0 {
		return nil
	}
	msgs := make([]string, len(fe.keys))
	for i, k := range fe.keys {
		msgs[i] = k + ": " + fe.msgs[k]
	}
	return errors.New("halosim: " + strings.Join(msgs, "; "))
}
