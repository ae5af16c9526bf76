package app

import (
	"context"
	"errors"
	"time"

	"github.com/brainstormmsp/halosync/engine/backoff"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

// ServeOptions configures the ticket loop.
type ServeOptions struct {
	// Listen is the webhook receiver's address, e.g. "127.0.0.1:8787";
	// empty runs without a receiver (polling only).
	Listen string
	// PollInterval overrides the poll interval (default: a minute without
	// webhooks, five with them).
	PollInterval time.Duration
	// SweepInterval is how often the last day is re-read in full, since
	// webhook deliveries can be lost (default 6 hours).
	SweepInterval time.Duration
	// OnListening, when set, is told the receiver's local URL.
	OnListening func(url string)
}

// Serve runs HaloSync headless until ctx ends: the import loop, the
// webhook receiver (when Listen is set), polling, the inbox and the outbox.
// It returns nil after a clean shutdown.
func (a *App) Serve(ctx context.Context, o ServeOptions) error {
	a.startLoops(ctx, o, false)
	<-ctx.Done()
	a.Stop()
	return nil
}

// serveOptions are the ticket loop's settings as the user saved them.
func (a *App) serveOptions(ctx context.Context) ServeOptions {
	listen, _ := a.db.Setting(ctx, "webhook.listen", "")
	return ServeOptions{Listen: listen}
}

// runTickets is the ticket loop: it runs the webhook receiver and tunnel,
// and polls, sweeps, drains the inbox and pushes the outbox. It returns an
// error only when the receiver cannot start at all.
func (a *App) runTickets(ctx context.Context, o ServeOptions, fromSettings bool) error {
	t := &ticketLoop{a: a, o: o, fromSettings: fromSettings, stopHook: func() {}}
	if err := t.startHook(ctx, o.Listen); err != nil {
		return err
	}
	defer func() { t.stopHook() }()
	now := a.run.clock.Now()
	t.s = ticketSchedule{sweep: o.SweepInterval, lastSweep: now,
		retry: backoff.Backoff{Min: 10 * time.Second, Max: time.Minute, Jitter: 0.2}, // after failures other than an outage
		spacing: func(d time.Duration, cost int64) time.Duration {
			return pollSpacing(d, cost, a.cfg.RateLimit, a.cfg.RateWindow)
		}}
	if t.s.sweep <= 0 {
		t.s.sweep = 6 * time.Hour
	}
	t.setPoll()
	l := &loop{clock: a.run.clock, now: a.run.ticketNow, wake: a.run.ticketWake,
		due:     func() (time.Time, bool) { return t.s.next(), true },
		cycle:   t.cycle,
		changed: t.applySettings,
		floor:   100 * time.Millisecond}
	l.run(ctx)
	return nil
}

// ticketLoop is the ticket loop's state, owned by its goroutine.
type ticketLoop struct {
	a            *App
	o            ServeOptions
	fromSettings bool // o came from the saved settings: a change re-reads them
	s            ticketSchedule
	stopHook     func() // stops the running receiver and tunnel
	webhooks     bool   // a receiver or tunnel runs
}

// startHook starts the receiver and tunnel on listen (see startWebhook).
func (t *ticketLoop) startHook(ctx context.Context, listen string) error {
	stop, err := t.a.startWebhook(ctx, listen)
	if err != nil {
		return err
	}
	t.stopHook = stop
	t.a.mu.Lock()
	local, webhooks := t.a.hook.localURL, t.a.hook.localURL != "" || t.a.hook.tunnel != nil
	t.a.mu.Unlock()
	t.webhooks = webhooks
	if local != "" && t.o.OnListening != nil {
		t.o.OnListening(local)
	}
	return nil
}

// setPoll sets the poll interval: the override, or as often as whether
// webhooks arrive makes it.
func (t *ticketLoop) setPoll() {
	t.s.poll = t.o.PollInterval
	if t.s.poll <= 0 {
		t.s.poll = pollInterval(t.webhooks)
	}
}

// applySettings restarts the receiver and tunnel when their settings
// changed, and nothing else: the import loop, and a ticket cycle, go on.
// A receiver that cannot start on its new address leaves the loop polling.
func (t *ticketLoop) applySettings(ctx context.Context) {
	if !t.a.run.hookChanged.Swap(false) {
		return
	}
	t.stopHook()
	t.stopHook, t.webhooks = func() {}, false
	listen := t.o.Listen
	if t.fromSettings {
		listen = t.a.serveOptions(ctx).Listen
	}
	if err := t.startHook(ctx, listen); err != nil && ctx.Err() == nil {
		t.a.log(ctx, store.Error, store.OpWebhook, "", err.Error()+"; HaloSync polls HaloPSA instead")
	}
	t.setPoll()
}

// cycle is one round of the ticket loop.
func (t *ticketLoop) cycle(ctx context.Context) {
	a := t.a
	ts, err := a.ticketSync(ctx)
	if err == nil {
		now := a.run.clock.Now()
		doPoll, doSweep := !now.Before(t.s.nextPoll()), !now.Before(t.s.nextSweep())
		// While HaloPSA is down the poll is the probe, so no push goes
		// out (and logs its retry) before it answers again.
		doPoll = doPoll || a.outage.isDown()
		// A poll or sweep that did not happen stays due.
		var cost int64
		if cost, err = a.ticketCycle(ctx, ts, doPoll, doSweep); err == nil {
			t.s.polled(now, doPoll, doSweep, cost)
		}
	}
	if ctx.Err() != nil {
		return
	}
	now := a.run.clock.Now()
	switch {
	case errors.Is(err, ErrNotConnected) || errors.Is(err, errNoImportYet):
		t.s.failed(now, 30*time.Second) // or until a connect or an import wakes the loop
	case err != nil:
		// The poll stays due: retry after the back-off, not at once.
		t.s.failed(now, a.ticketsFailed(ctx, &t.s.retry, err))
	default:
		a.noteSuccess(loopTickets)
		due, err := a.db.NextOutboxDue(ctx)
		if err != nil {
			due = time.Time{}
		}
		t.s.succeeded(due)
	}
}

// ticketSchedule is when the ticket loop runs next: the next poll (spaced
// out when polls are dear), the next sweep, the next outbox retry, or a
// retry after a failure. Only the loop's goroutine uses it.
type ticketSchedule struct {
	poll, sweep         time.Duration
	cost                int64 // requests the latest poll made, which may space polls out
	spacing             func(poll time.Duration, cost int64) time.Duration
	lastPoll, lastSweep time.Time // zero lastPoll: a poll is due at once
	outboxDue           time.Time // zero: nothing waits in the outbox
	retryAt             time.Time // zero: no failure to retry
	retry               backoff.Backoff
}

func (s *ticketSchedule) nextPoll() time.Time {
	if s.lastPoll.IsZero() {
		return time.Time{}
	}
	d := s.poll
	if s.spacing != nil {
		// A dear poll (the open list of a big HaloPSA) is spaced out to
		// leave the budget to everything else.
		d = s.spacing(s.poll, s.cost)
	}
	return s.lastPoll.Add(d)
}

func (s *ticketSchedule) nextSweep() time.Time { return s.lastSweep.Add(s.sweep) }

// next is when the next cycle is due.
func (s *ticketSchedule) next() time.Time {
	if !s.retryAt.IsZero() {
		return s.retryAt
	}
	at := s.nextPoll() // zero, the earliest time, when a poll is due at once
	if sw := s.nextSweep(); sw.Before(at) {
		at = sw
	}
	if !s.outboxDue.IsZero() && s.outboxDue.Before(at) {
		at = s.outboxDue
	}
	return at
}

// failed records a failed cycle, to be retried after wait.
func (s *ticketSchedule) failed(now time.Time, wait time.Duration) { s.retryAt = now.Add(wait) }

// succeeded records a cycle that worked; outboxDue is when the outbox's
// next retry is due (zero: none waits).
func (s *ticketSchedule) succeeded(outboxDue time.Time) {
	s.retry.Reset()
	s.retryAt, s.outboxDue = time.Time{}, outboxDue
}

// polled records a cycle at now that polled, swept, or both.
func (s *ticketSchedule) polled(now time.Time, poll, sweep bool, cost int64) {
	if poll {
		s.lastPoll, s.cost = now, cost
	}
	if sweep {
		s.lastSweep = now
	}
}

// errNoImportYet holds tickets back until the clients are imported: a
// ticket needs its client, and its client's mapping.
var errNoImportYet = errors.New("no client import has finished yet")

// ticketCycle applies what arrived, pushes what waits, and polls or
// sweeps when due. It returns the requests the poll or sweep made.
func (a *App) ticketCycle(ctx context.Context, ts *sync.Tickets, poll, sweep bool) (int64, error) {
	a.cycleMu.Lock() // a cycle handed over by another process may run beside the loop
	defer a.cycleMu.Unlock()
	if _, err := a.db.LastSuccessfulRun(ctx, store.KindImport); errors.Is(err, store.ErrNotFound) {
		return 0, errNoImportYet
	}
	if ss, err := a.db.Statuses(ctx); err != nil || len(ss) == 0 || sweep {
		if err := ts.LoadStatuses(ctx); err != nil {
			return 0, err
		}
	}
	var res sync.PollResult
	var err error
	switch {
	case sweep:
		res, err = ts.Reconcile(ctx, 24*time.Hour)
	case poll:
		res, err = ts.PollOnce(ctx)
	}
	if err != nil {
		return res.Requests, err
	}
	if _, err := ts.DrainInbox(ctx); err != nil {
		return res.Requests, err
	}
	_, err = ts.PushOutbox(ctx)
	return res.Requests, err
}
