package halosim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Faults are the run-time adjustable failure modes. They apply to /api
// resource requests only; the token endpoint and /api/authinfo are exempt.
type Faults struct {
	Latency    time.Duration // delay before each resource request is handled
	RateLimit  int           // requests per rolling RateWindow (0 = unlimited)
	RateWindow time.Duration // window of the rate limit (default 5m when RateLimit > 0)
	ErrorRate  float64       // fraction of requests answered 500
	DropRate   float64       // fraction of requests whose connection is closed with no response
}

// Stats are request counters since New or the last ResetStats.
type Stats struct {
	Requests     int            // every request, including token and authinfo
	ByPath       map[string]int // per lower-cased URL path, without the query
	RateLimited  int            // 429 answers
	ServerErrors int            // injected 500 answers
	Dropped      int            // connections closed without a response
	TokensIssued int            // successful token requests
	Unauthorized int            // 401 answers to resource requests
}

// SetFaults replaces every fault setting at once; it is safe to call while
// requests are in flight. Changing RateLimit or RateWindow restarts the window.
func (s *Server) SetFaults(f Faults) {
	s.faults.set(f)
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	st := s.stats.st
	st.ByPath = make(map[string]int, len(s.stats.st.ByPath))
	for k, v := range s.stats.st.ByPath {
		st.ByPath[k] = v
	}
	return st
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.stats.reset()
}

// statsState guards the counters.
type statsState struct {
	mu sync.Mutex
	st Stats
}

func (ss *statsState) reset() {
	ss.mu.Lock()
	ss.st = Stats{ByPath: make(map[string]int)}
	ss.mu.Unlock()
}

func (ss *statsState) request(path string) {
	ss.mu.Lock()
	ss.st.Requests++
	ss.st.ByPath[path]++
	ss.mu.Unlock()
}

func (ss *statsState) add(f func(*Stats)) {
	ss.mu.Lock()
	f(&ss.st)
	ss.mu.Unlock()
}

// faultState holds the current faults, the seeded PRNG that decides errors
// and drops, and the rate limiter's log.
//
// The limiter keeps the arrival times of the last RateLimit requests in a
// ring. Every /api request is logged, including the ones answered 429: a
// client that keeps retrying inside the window stays locked out. That is the
// harsh reading of "rolling window", chosen on purpose so that clients must
// back off instead of hammering.
type faultState struct {
	mu   sync.Mutex
	f    Faults
	rng  *rand.Rand
	ring []time.Time // the last RateLimit arrival times; oldest at next once full
	next int
	// loseAnswers counts the successful writes still to commit without
	// an answer (LoseAnswers).
	loseAnswers int
}

func (fs *faultState) init(seed int64, f Faults) {
	fs.rng = rand.New(rand.NewPCG(uint64(seed), 0xfa017))
	fs.set(f)
}

func (fs *faultState) set(f Faults) {
	if f.RateLimit > 0 && f.RateWindow <= 0 {
		f.RateWindow = 5 * time.Minute
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f.RateLimit != fs.f.RateLimit || f.RateWindow != fs.f.RateWindow {
		fs.ring, fs.next = nil, 0
	}
	fs.f = f
}

func (fs *faultState) get() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.f
}

// verdict is the fault pipeline's decision for one request.
type verdict int

const (
	pass verdict = iota
	limited
	dropped
	failed
)

// decide logs the arrival at now and decides the request's fate.
func (fs *faultState) decide(now time.Time) (verdict, Faults) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	// Always draw both numbers so the sequence of decisions depends only on
	// the seed and the request order, not on which faults are switched on.
	e, d := fs.rng.Float64(), fs.rng.Float64()
	if n := fs.f.RateLimit; n > 0 {
		// The ring grows to n entries as requests arrive, then the oldest
		// entry (at next) is the n-th most recent arrival: if it is still
		// inside the window, n requests already arrived within it.
		over := false
		if len(fs.ring) < n {
			fs.ring = append(fs.ring, now)
		} else {
			over = now.Sub(fs.ring[fs.next]) < fs.f.RateWindow
			fs.ring[fs.next] = now
			fs.next = (fs.next + 1) % n
		}
		if over {
			return limited, fs.f
		}
	}
	switch {
	case d < fs.f.DropRate:
		return dropped, fs.f
	case e < fs.f.ErrorRate:
		return failed, fs.f
	}
	return pass, fs.f
}

// applyFaults sleeps the latency, then rate-limits, drops or fails the
// request. It reports whether the request should be handled normally.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request) bool {
	if lat := s.faults.get().Latency; lat > 0 {
		t := time.NewTimer(lat)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false
		}
	}
	v, f := s.faults.decide(s.now())
	switch v {
	case limited:
		s.stats.add(func(st *Stats) { st.RateLimited++ })
		// A plain-text body and deliberately no Retry-After header.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = fmt.Fprintf(w, "Rate Limit Reached - %d Requests per rolling %s window", f.RateLimit, windowText(f.RateWindow))
		return false
	case dropped:
		s.stats.add(func(st *Stats) { st.Dropped++ })
		drop(w)
		return false
	case failed:
		s.stats.add(func(st *Stats) { st.ServerErrors++ })
		writeJSON(w, http.StatusInternalServerError, messageBody("An error has occurred."))
		return false
	}
	return true
}

// drop closes the connection without writing a response. Without a
// hijackable connection (HTTP/2, recorders) it aborts the handler instead,
// which net/http turns into a reset stream or closed connection.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// windowText renders a window the way Halo's message does ("5 minute").
func windowText(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d minute", d/time.Minute)
	case d >= time.Second && d%time.Second == 0:
		return fmt.Sprintf("%d second", d/time.Second)
	}
	return d.String()
}
