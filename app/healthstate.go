package app

import (
	"errors"
	"fmt"
	gosync "sync"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
)

// HealthState is HaloSync's standing with HaloPSA in one word. One state
// drives the status bar, the Connection tab and the tray, so that they
// never disagree.
//
// When several hold at once, the first in this order wins, because it is
// the one the user must act on or wait for: not connected, credentials
// rejected, unreachable, waiting for the request limit, syncing, paused,
// OK. Syncing outranks paused because a Sync now runs while paused, and a
// pause does not stop a running import: saying "paused" then would hide
// the work on screen.
type HealthState int

// The health states. The zero value is HealthOK; the values of the first
// three are kept stable for code that stores or compares them.
const (
	// HealthOK: connected, HaloPSA answers and nothing is running.
	HealthOK HealthState = iota
	// HealthWaiting: the request budget holds requests back to stay
	// within HaloPSA's rate limit; they resume at Health.Until.
	HealthWaiting
	// HealthUnreachable: HaloPSA does not answer (refused or dropped
	// connections, timeouts, server errors); HaloSync tries again at
	// Health.RetryAt.
	HealthUnreachable
	// HealthSyncing: an import runs.
	HealthSyncing
	// HealthRejected: HaloPSA refused the stored client ID or secret. It
	// lasts until a request succeeds or the user connects again.
	HealthRejected
	// HealthPaused: the user paused the background sync.
	HealthPaused
	// HealthNotConnected: no HaloPSA connection is stored, or its secret
	// is missing.
	HealthNotConnected
)

// String names the state in a few words.
func (s HealthState) String() string {
	switch s {
	case HealthOK:
		return "ok"
	case HealthWaiting:
		return "waiting for the request limit"
	case HealthUnreachable:
		return "unreachable"
	case HealthSyncing:
		return "syncing"
	case HealthRejected:
		return "credentials rejected"
	case HealthPaused:
		return "paused"
	case HealthNotConnected:
		return "not connected"
	}
	return fmt.Sprintf("HealthState(%d)", int(s))
}

// Health is HaloSync's standing with HaloPSA: a state and the times that
// go with it. Only the fields of its state are set.
type Health struct {
	State    HealthState
	Since    time.Time // when the state began (Waiting, Unreachable, Rejected)
	Until    time.Time // Waiting: when requests resume
	RetryAt  time.Time // Unreachable: when HaloSync tries again
	Attempts int       // Unreachable: failed attempts so far
	Reason   string    // Waiting: why; Unreachable, Rejected: the latest error
}

// healthFacts is everything the health state is decided from, read at
// one moment.
type healthFacts struct {
	notConnected bool
	rejected     *Health // nil unless HaloPSA refused the credentials
	outage       *Health // nil while HaloPSA answers
	wait         *Health // nil while requests flow
	syncing      bool
	paused       bool
}

// decideHealth is the one place the precedence of HealthState lives.
func decideHealth(f healthFacts) Health {
	switch {
	case f.notConnected:
		return Health{State: HealthNotConnected}
	case f.rejected != nil:
		return *f.rejected
	case f.outage != nil:
		return *f.outage
	case f.wait != nil:
		return *f.wait
	case f.syncing:
		return Health{State: HealthSyncing}
	case f.paused:
		return Health{State: HealthPaused}
	}
	return Health{State: HealthOK}
}

// standing holds the inputs of the health state that the outage and wait
// trackers do not: whether a connection is stored, whether HaloPSA
// refused its credentials, and how many imports run. Its zero value is
// ready (connected as far as it knows). It is safe for concurrent use.
type standing struct {
	mu           gosync.Mutex
	notConnected bool
	rejected     *Health
	imports      int
}

// health is the current state (see decideHealth).
func (a *App) health() Health {
	a.standing.mu.Lock()
	f := healthFacts{notConnected: a.standing.notConnected, rejected: a.standing.rejected,
		syncing: a.standing.imports > 0}
	a.standing.mu.Unlock()
	if h, ok := a.outage.health(); ok {
		f.outage = &h
	}
	if h, ok := a.waits.health(); ok {
		f.wait = &h
	}
	f.paused = a.Paused()
	return decideHealth(f)
}

// setStanding changes the standing under its lock and publishes the
// health when change reports that something changed.
func (a *App) setStanding(change func(s *standing) bool) {
	a.standing.mu.Lock()
	changed := change(&a.standing)
	a.standing.mu.Unlock()
	if changed {
		a.publishHealth()
	}
}

// noteConnected records whether a usable connection is stored; a new
// connection also forgets an earlier refusal of its credentials.
func (a *App) noteConnected(connected, fresh bool) {
	a.setStanding(func(s *standing) bool {
		changed := s.notConnected == connected
		s.notConnected = !connected
		if fresh && s.rejected != nil {
			s.rejected, changed = nil, true
		}
		return changed
	})
}

// noteRejected enters HealthRejected when err says HaloPSA refused the
// credentials, and reports whether it did.
func (a *App) noteRejected(err error) bool {
	if !errors.Is(err, halo.ErrBadCredentials) {
		return false
	}
	a.setStanding(func(s *standing) bool {
		if s.rejected != nil && s.rejected.Reason == err.Error() {
			return false
		}
		since := time.Now()
		if s.rejected != nil {
			since = s.rejected.Since
		}
		s.rejected = &Health{State: HealthRejected, Since: since, Reason: err.Error()}
		return true
	})
	return true
}

// credentialsAccepted ends HealthRejected: a request succeeded.
func (a *App) credentialsAccepted() {
	a.setStanding(func(s *standing) bool {
		was := s.rejected != nil
		s.rejected = nil
		return was
	})
}

// importRuns marks an import as running until the returned func is
// called, and publishes the health at both ends.
func (a *App) importRuns() (done func()) {
	a.setStanding(func(s *standing) bool { s.imports++; return s.imports == 1 })
	return func() {
		a.setStanding(func(s *standing) bool { s.imports--; return s.imports == 0 })
	}
}
