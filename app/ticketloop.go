package app

import (
	"context"
	"errors"
	"time"

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
	a.startLoops(ctx, o)
	<-ctx.Done()
	a.Stop()
	return nil
}

// serveOptions are the ticket loop's settings as the user saved them.
func (a *App) serveOptions(ctx context.Context) ServeOptions {
	listen, _ := a.db.Setting(ctx, "webhook.listen", "")
	return ServeOptions{Listen: listen}
}

func (a *App) runTickets(ctx context.Context, o ServeOptions) error {
	wake := make(chan struct{}, 1)
	a.mu.Lock()
	a.ticketWake = wake
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.ticketWake = nil
		a.mu.Unlock()
	}()
	stop, err := a.startWebhook(ctx, o.Listen)
	if err != nil {
		return err
	}
	defer stop()
	a.mu.Lock()
	local, webhooks := a.hook.localURL, a.hook.localURL != "" || a.hook.tunnel != nil
	a.mu.Unlock()
	if local != "" && o.OnListening != nil {
		o.OnListening(local)
	}
	poll := o.PollInterval
	if poll <= 0 {
		poll = pollInterval(webhooks)
	}
	sweep := o.SweepInterval
	if sweep <= 0 {
		sweep = 6 * time.Hour
	}
	nextPoll, nextSweep := time.Now(), time.Now().Add(sweep)
	retry := backoff{min: 10 * time.Second, max: time.Minute, jitter: 0.2} // after failures other than an outage
	for {
		var ts *sync.Tickets
		var err error
		if ts, err = a.ticketSync(ctx); err == nil {
			now := time.Now()
			doPoll, doSweep := !now.Before(nextPoll), !now.Before(nextSweep)
			// While HaloPSA is down the poll is the probe, so no push
			// goes out (and logs its retry) before it answers again.
			doPoll = doPoll || a.outage.isDown()
			// A poll or sweep that did not happen stays due.
			var cost int64
			if cost, err = a.ticketCycle(ctx, ts, doPoll, doSweep); err == nil {
				if doPoll {
					// A dear poll (the open list of a big HaloPSA) is
					// spaced out to leave the budget to everything else.
					nextPoll = now.Add(pollSpacing(poll, cost, a.cfg.RateLimit, a.cfg.RateWindow))
				}
				if doSweep {
					nextSweep = now.Add(sweep)
				}
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		wait := time.Until(nextPoll)
		switch {
		case errors.Is(err, ErrNotConnected) || errors.Is(err, errNoImportYet):
			wait = 30 * time.Second // or until a connect or an import wakes the loop
		case err != nil:
			// The poll stays due: retry after the back-off, not at once.
			wait = a.ticketsFailed(ctx, &retry, err)
		default:
			retry.reset()
			a.noteSuccess(loopTickets)
			if due, err := a.db.NextOutboxDue(ctx); err == nil {
				wait = min(wait, time.Until(due))
			}
		}
		t := time.NewTimer(max(wait, 100*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-wake:
		case <-t.C:
		}
		t.Stop()
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
