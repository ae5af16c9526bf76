package halosim

import (
	"net/http"
	"net/http/httptest"
)

// A write whose answer is lost: HaloPSA commits it, then the connection
// breaks before the answer arrives. The client cannot tell this from a
// write that never arrived, which is why HaloSync's creates and notes
// carry a reference it looks for before sending again.

// LoseAnswers makes the next n successful writes (POST /api/Tickets,
// POST /api/Actions) commit and then close the connection without an
// answer. It replaces any count left; 0 turns it off. Failed writes (a
// 400, say) are answered as usual and do not use up the count.
func (s *Server) LoseAnswers(n int) {
	s.faults.mu.Lock()
	s.faults.loseAnswers = max(n, 0)
	s.faults.mu.Unlock()
}

// postMaybeLost runs a write handler and, when an answer is to be lost and
// the write succeeded, drops the connection instead of answering.
func (s *Server) postMaybeLost(w http.ResponseWriter, r *http.Request, post func(*Server, http.ResponseWriter, *http.Request)) {
	s.faults.mu.Lock()
	lose := s.faults.loseAnswers > 0
	s.faults.mu.Unlock()
	if !lose {
		post(s, w, r)
		return
	}
	rec := httptest.NewRecorder()
	post(s, rec, r)
	if rec.Code < 200 || rec.Code > 299 {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	s.faults.mu.Lock()
	s.faults.loseAnswers = max(s.faults.loseAnswers-1, 0)
	s.faults.mu.Unlock()
	s.stats.add(func(st *Stats) { st.Dropped++ })
	drop(w)
}
