package halosim

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

// ControlHandler lets a test or a person change the simulated tenant over
// HTTP, as an agent in HaloPSA would, when the simulator runs as its own
// process (cmd/halosim mounts it under /_sim/). Changes fire webhooks.
//
//	POST /_sim/tickets?client_id=N&summary=S       create a ticket
//	POST /_sim/tickets/{id}/status?status_id=N      change its status
//	POST /_sim/tickets/{id}/notes?note=T&private=B  add a note as an agent
//	POST /_sim/tickets/{id}/access?hidden=B&broken=B hide it from the API agent, or make fetching it fail (500)
//	POST /_sim/lose_answers?n=N                     the next N writes commit, then lose their answer
//	GET  /_sim/stats                                request and webhook counters
//	GET  /_sim/behaviour                            the behaviour in effect
//	POST /_sim/behaviour?dialect=D&ticket_order=... change it (see Behaviour.Set)
func (s *Server) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_sim/tickets", func(w http.ResponseWriter, r *http.Request) {
		client, err := strconv.Atoi(r.FormValue("client_id"))
		if err != nil {
			http.Error(w, "client_id must be a number", http.StatusBadRequest)
			return
		}
		id, err := s.CreateTicket(client, r.FormValue("summary"))
		writeControl(w, map[string]int{"id": id}, err)
	})
	mux.HandleFunc("POST /_sim/tickets/{id}/status", func(w http.ResponseWriter, r *http.Request) {
		id, err1 := strconv.Atoi(r.PathValue("id"))
		status, err2 := strconv.Atoi(r.FormValue("status_id"))
		if err1 != nil || err2 != nil {
			http.Error(w, "the ticket id and status_id must be numbers", http.StatusBadRequest)
			return
		}
		writeControl(w, map[string]int{"id": id, "status_id": status}, s.SetTicketStatus(id, status))
	})
	mux.HandleFunc("POST /_sim/tickets/{id}/notes", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		private, perr := strconv.ParseBool(cmp.Or(r.FormValue("private"), "false"))
		if err != nil || perr != nil || r.FormValue("note") == "" {
			http.Error(w, "the ticket id must be a number, note must be set and private true or false", http.StatusBadRequest)
			return
		}
		action, err := s.AddNote(id, r.FormValue("note"), private)
		writeControl(w, map[string]int{"id": action, "ticket_id": id}, err)
	})
	mux.HandleFunc("POST /_sim/tickets/{id}/access", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		hidden, herr := strconv.ParseBool(cmp.Or(r.FormValue("hidden"), "false"))
		broken, berr := strconv.ParseBool(cmp.Or(r.FormValue("broken"), "false"))
		if err != nil || herr != nil || berr != nil || hidden && broken {
			http.Error(w, "the ticket id must be a number, hidden and broken true or false, not both true", http.StatusBadRequest)
			return
		}
		s.HideTicket(id, hidden)
		s.BreakTicket(id, broken)
		writeControl(w, map[string]any{"id": id, "hidden": hidden, "broken": broken}, nil)
	})
	mux.HandleFunc("POST /_sim/lose_answers", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.FormValue("n"))
		if err != nil || n < 0 {
			http.Error(w, "n must be a whole number, 0 or more", http.StatusBadRequest)
			return
		}
		s.LoseAnswers(n)
		writeControl(w, map[string]int{"lose_answers": n}, nil)
	})
	mux.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, r *http.Request) {
		writeControl(w, map[string]any{"requests": s.Stats(), "webhooks": s.WebhookStats()}, nil)
	})
	mux.HandleFunc("GET /_sim/behaviour", func(w http.ResponseWriter, r *http.Request) {
		writeControl(w, s.Behaviour().effective(), nil)
	})
	mux.HandleFunc("POST /_sim/behaviour", func(w http.ResponseWriter, r *http.Request) {
		b, err := behaviourFromForm(s.Behaviour(), r)
		if err == nil {
			s.SetBehaviour(b)
		}
		writeControl(w, s.Behaviour().effective(), err)
	})
	return mux
}

// behaviourFromForm applies the request's parameters to cur: dialect=<name>
// first replaces it with that preset, then each other parameter sets one
// field. The first bad parameter, in name order, is the error; then nothing
// is applied.
func behaviourFromForm(cur Behaviour, r *http.Request) (Behaviour, error) {
	if err := r.ParseForm(); err != nil {
		return cur, err
	}
	if name := r.Form.Get("dialect"); r.Form.Has("dialect") {
		d, err := DialectBehaviour(name)
		if err != nil {
			return cur, fmt.Errorf("dialect: %w", err)
		}
		cur = d
	}
	for _, k := range slices.Sorted(maps.Keys(r.Form)) {
		if k == "dialect" {
			continue
		}
		if err := cur.Set(k, r.Form.Get(k)); err != nil {
			return cur, err
		}
	}
	return cur, nil
}

func writeControl(w http.ResponseWriter, v any, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
}
