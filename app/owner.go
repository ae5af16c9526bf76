package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/brainstormmsp/halosync/engine/lock"
)

// Work that one-shot commands hand to the folder's owner (see HandOff).
const (
	OpSync         = "sync"           // one import
	OpTicketsSync  = "tickets-sync"   // one ticket cycle: poll, apply, push
	OpMapSave      = "map-save"       // save the drafted mapping decisions
	OpShow         = "show"           // bring the owner's window forward
	OpRetryGivenUp = "retry-given-up" // try the given-up webhook deliveries again
)

// OwnOptions says how the owner answers other processes.
type OwnOptions struct {
	// OnShow brings the window forward when a second app starts on the
	// same folder; nil for `serve`, which has none.
	OnShow func()
	// OnWait is told once, after a second, when a one-shot command holds
	// the folder and the owner waits for it to finish.
	OnWait func(lock.Info)
}

// ownerState is the folder lock this App holds and the server through
// which it takes work, guarded by App.mu.
type ownerState struct {
	lock   *lock.Lock
	cancel context.CancelFunc
	done   chan struct{}
}

// Own makes this App its data folder's owner until Close: it holds the
// folder's lock, and takes the work of one-shot commands over a loopback
// port named, with a random token, in a note in the folder. When another
// owner holds the folder it returns a *lock.RunningError saying so.
func (a *App) Own(ctx context.Context, o OwnOptions) error {
	l, err := lock.ClaimOwner(ctx, a.cfg.DataDir, o.OnWait)
	if err != nil {
		return err
	}
	return a.own(l, o)
}

// own starts taking work as the owner of the folder l holds; on failure
// it lets l go.
func (a *App) own(l *lock.Lock, o OwnOptions) error {
	token, err := lock.NewToken()
	if err != nil {
		l.Unlock()
		return err
	}
	srv, err := lock.Listen(token, func(ctx context.Context, op string, _ map[string]string) lock.Reply {
		return a.handle(ctx, op, o)
	})
	if err != nil {
		l.Unlock()
		return err
	}
	if err := l.Publish(lock.Info{PID: os.Getpid(), Role: lock.Owner, Addr: srv.Addr(), Token: token, Started: time.Now()}); err != nil {
		srv.Close()
		l.Unlock()
		return err
	}
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(sctx)
	}()
	a.mu.Lock()
	a.owned = &ownerState{lock: l, cancel: cancel, done: done}
	a.mu.Unlock()
	return nil
}

// disown stops taking work and lets the folder go; Close calls it.
func (a *App) disown() {
	a.mu.Lock()
	o := a.owned
	a.owned = nil
	a.mu.Unlock()
	if o == nil {
		return
	}
	o.cancel()
	<-o.done // work in progress ends before the lock goes
	o.lock.Unlock()
}

// handle does one piece of handed-over work and says what it did in the
// words the command would have printed itself.
func (a *App) handle(ctx context.Context, op string, o OwnOptions) lock.Reply {
	switch op {
	case OpShow:
		if o.OnShow == nil {
			return lock.Reply{Error: "this HaloSync runs without a window (halosyncctl serve)"}
		}
		o.OnShow()
		return lock.Reply{Output: "shown"}
	case OpSync:
		sum, err := a.SyncOnce(ctx, nil)
		if err != nil {
			out := ""
			if sum.Run != 0 {
				out = fmt.Sprintf("Import failed: %s", sum)
			}
			return lock.Reply{Output: out, Error: err.Error()}
		}
		return lock.Reply{Output: fmt.Sprintf("Import finished: %s", sum)}
	case OpTicketsSync:
		res, err := a.TicketsOnce(ctx)
		if err != nil {
			if !errors.Is(err, ErrNotConnected) {
				err = fmt.Errorf("ticket sync: %w (changes stay queued and go out with the next sync)", err)
			}
			return lock.Reply{Error: err.Error()}
		}
		return lock.Reply{Output: fmt.Sprintf("Ticket sync done: %d changed in HaloPSA since the last poll.", res.Changed)}
	case OpRetryGivenUp:
		out, err := a.RetryGivenUp(ctx)
		if err != nil {
			return lock.Reply{Output: out, Error: err.Error()}
		}
		return lock.Reply{Output: out}
	case OpMapSave:
		sum, err := a.SaveDrafts(ctx)
		if err != nil {
			return lock.Reply{Error: fmt.Sprintf("%v (nothing was saved)", err)}
		}
		return lock.Reply{Output: fmt.Sprintf("Saved: %d accepted, %d mapped by hand, %d ignored, %d unmapped", sum.Accepted, sum.Manual, sum.Ignored, sum.Unmapped)}
	}
	return lock.Reply{Error: fmt.Sprintf("this HaloSync does not know %q: is it an older version?", op)}
}

// Handed is work the folder's owner did for this process.
type Handed struct {
	PID    int    // the owner's process
	Output string // what it did, in words
}

// HandOff runs op in the folder's owner when one runs, or holds the
// folder for the caller's own run of it, so that no two processes ever
// import, or push the outbox, at once. With an owner it returns what the
// owner did and its failure; otherwise a release, to call when the work
// is done, and the caller does the work. onWait (may be nil) is told once
// when another command holds the folder for more than a second.
func (a *App) HandOff(ctx context.Context, op string, onWait func(lock.Info)) (release func(), handed *Handed, err error) {
	for {
		l, owner, err := lock.ClaimOneShot(ctx, a.cfg.DataDir, onWait)
		if err != nil {
			return nil, nil, err
		}
		if l != nil {
			if err := l.Publish(lock.Info{PID: os.Getpid(), Role: lock.OneShot, Started: time.Now()}); err != nil {
				l.Unlock()
				return nil, nil, err
			}
			return func() { l.Unlock() }, nil, nil
		}
		rep, err := lock.Call(ctx, *owner, op, nil)
		var remote *lock.RemoteError
		switch {
		case err == nil:
			return nil, &Handed{PID: owner.PID, Output: rep.Output}, nil
		case errors.As(err, &remote):
			return nil, &Handed{PID: owner.PID, Output: rep.Output}, remote
		case errors.Is(err, lock.ErrRefused):
			continue // the owner changed between the probe and the call
		default:
			return nil, &Handed{PID: owner.PID}, err
		}
	}
}

// RunningOwner returns the app or `serve` that owns the data folder now,
// nil when none does. Commands that change what the owner has cached (the
// connection) refuse to run beside it.
func (a *App) RunningOwner(ctx context.Context) *lock.RunningError {
	return lock.Running(ctx, a.cfg.DataDir)
}
