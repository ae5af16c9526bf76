package halosim

import (
	"bytes"
	"net/http"
	"strconv"
)

// listTickets serves GET /api/Tickets. Besides the id filters it honours
// open_only and closed_only; the date filters and ordering follow the
// behaviour (ticketquery.go).
func (s *Server) listTickets(w http.ResponseWriter, q query) {
	b := s.behaviour()
	f := newFilter[*ticket](q)
	f.eq("client_id", func(t *ticket) int { return t.clientID })
	f.eq("site_id", func(t *ticket) int { return t.siteID })
	f.eq("user_id", func(t *ticket) int { return t.userID })
	f.eq("status_id", func(t *ticket) int { return t.statusID })
	f.eq("requesttype_id", func(t *ticket) int { return t.typeID })
	for _, k := range []string{"open_only", "closed_only"} {
		on, err := q.boolean(k, false)
		if err != nil {
			f.fail(err)
		}
		if wantClosed := k == "closed_only"; on {
			f.add(func(t *ticket) bool { return (t.statusID == closedStatusID) == wantClosed })
		}
	}
	f.add(func(t *ticket) bool { return !s.hiddenTicket(t) })
	ticketDates(f, b.TicketDateFilter)
	ticketOrder(f, b.TicketOrder)
	serveList(s, w, q, "tickets", &s.data.tickets, f)
}

// listStatuses serves GET /api/Status as a bare array. excludeclosed=true
// leaves out the closed status.
func (s *Server) listStatuses(w http.ResponseWriter, q query) {
	exclClosed, err := q.boolean("excludeclosed", false)
	if err != nil {
		badRequest(w, err)
		return
	}
	var rows [][]byte
	for i, e := range statusCatalog {
		if exclClosed && e.id == closedStatusID {
			continue
		}
		rows = append(rows, statusBodies[i])
	}
	writeJSON(w, http.StatusOK, bareArray(rows))
}

func (s *Server) getStatus(w http.ResponseWriter, id string) {
	serveCatalogOne(w, id, "Status", statusCatalog, statusBodies)
}

// listTicketTypes serves GET /api/TicketType as a bare array.
func (s *Server) listTicketTypes(w http.ResponseWriter, _ query) {
	writeJSON(w, http.StatusOK, bareArray(ticketTypeBodies))
}

func (s *Server) getTicketType(w http.ResponseWriter, id string) {
	serveCatalogOne(w, id, "TicketType", ticketTypeCatalog, ticketTypeBodies)
}

func serveCatalogOne(w http.ResponseWriter, idPart, what string, cat []catalogEntry, bodies [][]byte) {
	if id, err := strconv.Atoi(idPart); err == nil {
		for i, e := range cat {
			if e.id == id {
				writeJSON(w, http.StatusOK, bodies[i])
				return
			}
		}
	}
	writeJSON(w, http.StatusNotFound, messageBody(what+" "+idPart+" not found."))
}

func bareArray(rows [][]byte) []byte {
	return append(append([]byte{'['}, bytes.Join(rows, []byte{','})...), ']')
}
