package app

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

var (
	refused = &halo.APIError{Kind: halo.ErrUnreachable, Op: "GET /api/Client", Err: errors.New("dial tcp: connection refused")}
	http500 = fmt.Errorf("poll tickets: %w", &halo.APIError{Kind: halo.ErrServer, Op: "GET /api/Tickets", Status: 500, Message: "An error has occurred."})
)

// step is one report to the tracker at a time since the start: a failure
// (err set) or an answer, and the row it should write ("" for none,
// else the level and the start of the message).
type step struct {
	at        time.Duration
	err       error
	wantLevel store.Level
	wantRow   string
	wantRetry time.Duration // failures: the retry, as time since the start
}

func TestOutageTracker(t *testing.T) {
	const s, m = time.Second, time.Minute
	cases := []struct {
		name  string
		steps []step
	}{
		{"a 5-minute outage seen by both loops: one error row, one info row", []step{
			{at: 0, err: refused, wantLevel: store.Error,
				wantRow: "HaloPSA cannot be reached: dial tcp: connection refused (GET /api/Client). HaloSync keeps retrying.", wantRetry: 10 * s},
			{at: 2 * s, err: http500, wantRetry: 10 * s}, // the other loop: counted, the retry stays
			{at: 10 * s, err: refused, wantRetry: 30 * s},
			{at: 10*s + 300*time.Millisecond, err: http500, wantRetry: 30 * s},
			{at: 30 * s, err: refused, wantRetry: 70 * s},
			{at: 70 * s, err: refused, wantRetry: 150 * s},
			{at: 150 * s, err: refused, wantRetry: 310 * s},
			{at: 5 * m, wantLevel: store.Info, wantRow: "HaloPSA answers again after 5 min (7 failed attempts)"},
			{at: 5*m + s}, // further answers are not news
		}},
		{"a long outage earns one warning", []step{
			{at: 0, err: http500, wantLevel: store.Error,
				wantRow: "HaloPSA cannot be reached: poll tickets: HaloPSA had a server error: An error has occurred. (GET /api/Tickets, HTTP 500). HaloSync keeps retrying.", wantRetry: 10 * s},
			{at: 10 * s, err: http500, wantRetry: 30 * s},
			{at: 30 * s, err: http500, wantRetry: 70 * s},
			{at: 70 * s, err: http500, wantRetry: 150 * s},
			{at: 150 * s, err: http500, wantRetry: 310 * s},
			{at: 310 * s, err: http500, wantRetry: 610 * s}, // capped at 5 minutes
			{at: 610 * s, err: http500, wantRetry: 910 * s},
			{at: 910 * s, err: http500, wantRetry: 1210 * s},
			{at: 1210 * s, err: http500, wantRetry: 1510 * s},
			{at: 1510 * s, err: http500, wantRetry: 1810 * s},
			{at: 1810 * s, err: refused, wantLevel: store.Warn,
				wantRow: "HaloPSA still cannot be reached after 11 attempts over 30 min 10 s; HaloSync keeps retrying. The latest error: dial tcp: connection refused (GET /api/Client).", wantRetry: 2110 * s},
			{at: 2110 * s, err: refused, wantRetry: 2410 * s},
			{at: 65 * m, err: refused, wantRetry: 65*m + 5*m},
			{at: 66 * m, wantLevel: store.Info, wantRow: "HaloPSA answers again after 1 h 6 min (13 failed attempts)"},
		}},
		{"the next outage starts over", []step{
			{at: 0, err: refused, wantLevel: store.Error, wantRow: "HaloPSA cannot be reached: ", wantRetry: 10 * s},
			{at: 10 * s, err: refused, wantRetry: 30 * s},
			{at: 12 * s, wantLevel: store.Info, wantRow: "HaloPSA answers again after 12 s (2 failed attempts)"},
			{at: m, err: refused, wantLevel: store.Error, wantRow: "HaloPSA cannot be reached: ", wantRetry: m + 10*s},
			{at: m + 10*s, wantLevel: store.Info, wantRow: "HaloPSA answers again after 10 s (1 failed attempt)"},
		}},
		{"answers without an outage are not news", []step{{at: 0}, {at: m}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			start := clock.t
			tr := newOutageTracker(clock.now)
			tr.retry.Jitter = 0 // exact delays; TestBackoff covers the jitter
			for i, st := range c.steps {
				clock.t = start.Add(st.at)
				var news outageNews
				if st.err != nil {
					var retry time.Time
					news, retry = tr.failed(st.err)
					if got := retry.Sub(start); got != st.wantRetry {
						t.Errorf("step %d: retry at %v, want %v", i, got, st.wantRetry)
					}
					if h, ok := tr.health(); !ok || h.State != HealthUnreachable || !h.RetryAt.Equal(retry) {
						t.Errorf("step %d: health %+v during the outage", i, h)
					}
				} else {
					news = tr.answered()
					if _, ok := tr.health(); ok {
						t.Errorf("step %d: still down after an answer", i)
					}
				}
				switch {
				case st.wantRow == "" && news.msg != "":
					t.Errorf("step %d: wrote %q; want no row", i, news.msg)
				case st.wantRow != "" && (!strings.HasPrefix(news.msg, st.wantRow) || news.level != st.wantLevel):
					t.Errorf("step %d: wrote %s %q; want %s %q", i, news.level, news.msg, st.wantLevel, st.wantRow)
				}
				if news.recovered != (st.err == nil && news.msg != "") {
					t.Errorf("step %d: recovered = %v", i, news.recovered)
				}
			}
		})
	}
}

func TestOutageClassification(t *testing.T) {
	scope := &halo.MissingScopeError{Missing: []string{"read:assets"}}
	api := func(kind error) error {
		return fmt.Errorf("import clients: %w", &halo.APIError{Kind: kind, Op: "GET /api/Client"})
	}
	cases := []struct {
		name             string
		err              error
		outage, answered bool
	}{
		{"connection refused", refused, true, false},
		{"server errors after the retries", http500, true, false},
		{"one resource down among others", errors.Join(api(halo.ErrPermission), refused), true, false},
		{"credentials rejected", api(halo.ErrBadCredentials), false, true},
		{"a permission refused", api(halo.ErrPermission), false, true},
		{"a 400", api(halo.ErrValidation), false, true},
		{"429 after every back-off", api(halo.ErrRateLimited), false, true},
		{"a missing scope", scope, false, true},
		{"something that is not HaloPSA answered", api(halo.ErrNotHalo), false, false},
		{"the database failed", errors.New("database is locked"), false, false},
	}
	for _, c := range cases {
		if got := isOutage(c.err); got != c.outage {
			t.Errorf("%s: isOutage = %v", c.name, got)
		}
		if got := answeredByHalo(c.err); got != c.answered {
			t.Errorf("%s: answeredByHalo = %v", c.name, got)
		}
	}
}

func TestFailureStreaks(t *testing.T) {
	tr := newOutageTracker(time.Now)
	for i, c := range []struct {
		do   func() bool
		want bool
		why  string
	}{
		{func() bool { return tr.firstInStreak(loopTickets, "refused") }, true, "the first failure"},
		{func() bool { return tr.firstInStreak(loopTickets, "refused") }, false, "the same text again"},
		{func() bool { return tr.firstInStreak(loopImport, "refused") }, true, "the other loop's streak is its own"},
		{func() bool { return tr.firstInStreak(loopTickets, "a 400") }, true, "another text"},
		{func() bool { tr.endStreak(loopTickets); return tr.firstInStreak(loopTickets, "refused") }, true, "after a success"},
		{func() bool { return tr.firstInStreak(loopImport, "refused") }, false, "the import's streak goes on"},
	} {
		if got := c.do(); got != c.want {
			t.Errorf("step %d (%s): log = %v, want %v", i, c.why, got, c.want)
		}
	}
}

func TestSpell(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                              "1 s",
		1400 * time.Millisecond:        "1 s",
		12 * time.Second:               "12 s",
		59600 * time.Millisecond:       "1 min",
		4*time.Minute + 50*time.Second: "4 min 50 s",
		time.Hour:                      "1 h",
		2*time.Hour + 5*time.Minute + 30*time.Second: "2 h 5 min",
	} {
		if got := spell(d); got != want {
			t.Errorf("spell(%v) = %q, want %q", d, got, want)
		}
	}
}
