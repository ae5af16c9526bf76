package halosim

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// listTickets serves GET /api/Tickets. Besides the id filters it honours
// open_only, closed_only and datesearch with startdate/enddate (inclusive).
// Supported datesearch columns: dateoccured (the default), last_update,
// lastactiondate and datecleared. Any other datesearch value is ignored and
// the date range is not applied, so a client must still re-filter what it
// gets, as the fact sheet recommends.
func (s *Server) listTickets(w http.ResponseWriter, q query) {
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
	df, err := dateFilter(q)
	if err != nil {
		f.fail(err)
	}
	if df != nil {
		f.add(df)
	}
	serveList(s, w, q, "tickets", &s.data.tickets, f)
}

// dateFilter builds the datesearch predicate, or nil when none applies.
func dateFilter(q query) (func(*ticket) bool, error) {
	start, hasStart, err := parseDate(q, "startdate")
	if err != nil {
		return nil, err
	}
	end, hasEnd, err := parseDate(q, "enddate")
	if err != nil {
		return nil, err
	}
	if !hasStart && !hasEnd {
		return nil, nil
	}
	var col func(*ticket) time.Time
	switch strings.ToLower(q["datesearch"]) {
	case "", "dateoccured":
		col = func(t *ticket) time.Time { return t.occurred }
	case "last_update":
		col = func(t *ticket) time.Time { return t.lastUpdate }
	case "lastactiondate":
		col = func(t *ticket) time.Time { return t.lastAction }
	case "datecleared":
		col = func(t *ticket) time.Time {
			if t.statusID != closedStatusID {
				return time.Time{}
			}
			return t.closedAt
		}
	default:
		return nil, nil
	}
	return func(t *ticket) bool {
		v := col(t)
		if v.IsZero() {
			return false
		}
		return (!hasStart || !v.Before(start)) && (!hasEnd || !v.After(end))
	}, nil
}

// parseDate accepts RFC 3339 and zone-less ISO 8601 (read as UTC).
func parseDate(q query, k string) (time.Time, bool, error) {
	v := q[k]
	if v == "" {
		return time.Time{}, false, nil
	}
	for _, layout := range []string{time.RFC3339Nano, haloTime, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true, nil
		}
	}
	return time.Time{}, false, paramError{key: k, value: v}
}

func (s *Server) getTicket(w http.ResponseWriter, id string) {
	serveOne(s, w, id, "Ticket", &s.data.tickets)
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
