package app

import (
	"errors"
	"fmt"
	"strings"
	gosync "sync"
	"time"

	"github.com/brainstormmsp/halosync/engine/backoff"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// Outage handling defaults.
const (
	// outageRetryMin and outageRetryMax bound the back-off both loops
	// share while HaloPSA cannot be reached.
	outageRetryMin = 10 * time.Second
	outageRetryMax = 5 * time.Minute
	// outageWarnAfter is how long an outage lasts before it earns its one
	// "still cannot be reached" warning.
	outageWarnAfter = 30 * time.Minute
)

// isOutage reports whether err means HaloPSA cannot be reached: no answer
// at all (refused, dropped, timed out) or server errors after the client's
// own retries. Such failures pass by themselves, so HaloSync retries
// quietly instead of logging each one.
func isOutage(err error) bool {
	return errors.Is(err, halo.ErrUnreachable) || errors.Is(err, halo.ErrServer)
}

// answeredByHalo reports whether err came back from HaloPSA itself (a
// refusal, a rejected request): then HaloPSA is up, whatever it said.
func answeredByHalo(err error) bool {
	if isOutage(err) {
		return false
	}
	var api *halo.APIError
	var scope *halo.MissingScopeError
	return (errors.As(err, &api) && api.Kind != halo.ErrNotHalo) || errors.As(err, &scope)
}

// outageNews is what one report to the tracker changed: a sync-log row to
// write (none when msg is empty), whether the health changed, and whether
// HaloPSA just answered again after an outage.
type outageNews struct {
	level     store.Level
	msg       string
	changed   bool
	recovered bool
}

// outageTracker is the loops' shared view of one HaloPSA outage: when it
// began, how many attempts failed, when the next is due, and which rows it
// wrote. The loops report their failures, since they own the retry
// schedule; successes come from the HaloPSA client itself, since any
// answer proves HaloPSA is back, whoever asked. It also remembers, per
// loop, the other errors already logged in the loop's current failure
// streak. It is safe for concurrent use; its methods return what to write
// and publish, and the App does that outside the lock.
type outageTracker struct {
	now       func() time.Time
	warnAfter time.Duration

	mu       gosync.Mutex
	retry    backoff.Backoff // the shared schedule while HaloPSA is down
	down     bool
	since    time.Time
	retryAt  time.Time
	attempts int
	reason   string
	warned   bool
	logged   map[string]map[string]bool // per loop: error texts logged in its failure streak
}

func newOutageTracker(now func() time.Time) *outageTracker {
	return &outageTracker{now: now, warnAfter: outageWarnAfter,
		retry: backoff.Backoff{Min: outageRetryMin, Max: outageRetryMax, Jitter: 0.2}}
}

// failed records a failed attempt for which isOutage is true, and returns
// when to try again. The first failure starts the outage and writes its one
// error row; later ones are counted. The shared back-off steps only when
// its retry was due, so two loops failing together do not double it twice,
// and a loop woken early (a local change to push) does not stretch it.
func (t *outageTracker) failed(err error) (outageNews, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.reason = reasonOf(err)
	news := outageNews{changed: true} // the attempts and the next retry change
	switch {
	case !t.down:
		t.down, t.since, t.attempts, t.warned = true, now, 0, false
		t.retry.Reset()
		news.level, news.msg = store.Error, "HaloPSA cannot be reached: "+t.reason+". HaloSync keeps retrying."
	case !t.warned && now.Sub(t.since) >= t.warnAfter:
		t.warned = true
		news.level, news.msg = store.Warn, fmt.Sprintf("HaloPSA still cannot be reached after %s over %s; HaloSync keeps retrying. The latest error: %s.",
			plural(t.attempts+1, "attempt"), spell(now.Sub(t.since)), t.reason)
	}
	t.attempts++
	if !now.Before(t.retryAt) {
		t.retryAt = now.Add(t.retry.Next())
	}
	return news, t.retryAt
}

// answered records that HaloPSA answered. It ends the outage, if one is on,
// with its info row.
func (t *outageTracker) answered() outageNews {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.down {
		return outageNews{}
	}
	msg := fmt.Sprintf("HaloPSA answers again after %s (%s)", spell(t.now().Sub(t.since)), plural(t.attempts, "failed attempt"))
	t.down, t.retryAt = false, time.Time{}
	t.retry.Reset()
	return outageNews{level: store.Info, msg: msg, changed: true, recovered: true}
}

// health returns the outage as a Health, and false when there is none.
func (t *outageTracker) health() (Health, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.down {
		return Health{}, false
	}
	return Health{State: HealthUnreachable, Since: t.since, RetryAt: t.retryAt, Attempts: t.attempts, Reason: t.reason}, true
}

// isDown reports whether HaloPSA is known to be unreachable.
func (t *outageTracker) isDown() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.down
}

// firstInStreak reports whether loop should log a failure with this text:
// only the first time in its failure streak, so a lasting problem (a
// refused permission, say) is one row, not one per retry.
func (t *outageTracker) firstInStreak(loop, text string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.logged == nil {
		t.logged = map[string]map[string]bool{}
	}
	if t.logged[loop] == nil {
		t.logged[loop] = map[string]bool{}
	}
	if t.logged[loop][text] {
		return false
	}
	t.logged[loop][text] = true
	return true
}

// endStreak forgets what loop logged: it succeeded, so the same failure
// coming back is news again.
func (t *outageTracker) endStreak(loop string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.logged, loop)
}

// reasonOf is an outage's error without the words the row says already.
func reasonOf(err error) string {
	s := err.Error()
	if _, after, ok := strings.Cut(s, halo.ErrUnreachable.Error()+": "); ok {
		s = after
	}
	return strings.TrimRight(strings.TrimSpace(s), ".")
}

// spell says a duration the way people read it: "12 s", "4 min 50 s",
// "2 h 5 min"; never less than a second.
func spell(d time.Duration) string {
	d = max(d.Round(time.Second), time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	case h > 0:
		return fmt.Sprintf("%d h", h)
	case m > 0 && s > 0:
		return fmt.Sprintf("%d min %d s", m, s)
	case m > 0:
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d s", s)
}

// plural says "1 attempt", "3 attempts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
