package lock

import (
	"context"
	"fmt"
	"time"
)

// RunningError says an owner already holds the folder.
type RunningError struct {
	Dir  string
	Info Info
}

func (e *RunningError) Error() string {
	return fmt.Sprintf("HaloSync is already running for this data folder (%s, process %d)", e.Dir, e.Info.PID)
}

// poll is how often a waiter tries the lock again. flock could block, but
// a waiter also has to notice an owner appearing, to hand it the work.
const poll = 50 * time.Millisecond

// waitNotice is how long a wait lasts before the waiter is told.
const waitNotice = time.Second

// ownerSilence is how long an owner may hold the folder without answering
// before a would-be owner gives up on it anyway: it is starting, or hung.
const ownerSilence = 10 * time.Second

// ClaimOwner takes dir for an owner. When an owner holds it, it returns a
// *RunningError with that owner's note; while a one-shot command holds it,
// it waits for it to finish, telling onWait (when set) once, after a
// second, who it waits for.
func ClaimOwner(ctx context.Context, dir string, onWait func(Info)) (*Lock, error) {
	w := waiter{dir: dir, onWait: onWait, start: time.Now()}
	for {
		l, err := TryLock(dir)
		if err != ErrHeld {
			return l, err
		}
		in, rerr := ReadInfo(dir)
		if rerr == nil && in.Role == Owner {
			if w.answers(ctx, in) || time.Since(w.start) > ownerSilence {
				return nil, &RunningError{Dir: dir, Info: in}
			}
		}
		if err := w.wait(ctx, in); err != nil {
			return nil, err
		}
	}
}

// ClaimOneShot takes dir for one command's work, or finds the owner to
// hand that work to: it returns either a Lock or the owner's note. It
// waits while another one-shot holds the folder (or an owner is still
// starting), telling onWait once after a second.
func ClaimOneShot(ctx context.Context, dir string, onWait func(Info)) (*Lock, *Info, error) {
	w := waiter{dir: dir, onWait: onWait, start: time.Now()}
	for {
		l, err := TryLock(dir)
		if err != ErrHeld {
			return l, nil, err
		}
		in, rerr := ReadInfo(dir)
		if rerr == nil && in.Role == Owner && w.answers(ctx, in) {
			return nil, &in, nil
		}
		if err := w.wait(ctx, in); err != nil {
			return nil, nil, err
		}
	}
}

type waiter struct {
	dir    string
	onWait func(Info)
	start  time.Time
	told   bool
}

// answers says whether the owner in the note is alive and the note its
// own: a crashed owner's note names a closed port or a token nobody knows.
func (w *waiter) answers(ctx context.Context, in Info) bool {
	_, err := Call(ctx, in, "hello", nil)
	return err == nil
}

func (w *waiter) wait(ctx context.Context, in Info) error {
	if !w.told && w.onWait != nil && time.Since(w.start) >= waitNotice {
		w.told = true
		w.onWait(in)
	}
	t := time.NewTimer(poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Running returns the owner that holds dir now, or nil when none does (a
// one-shot command may hold it). It takes nothing: by the time it returns
// an owner may have started or ended.
func Running(ctx context.Context, dir string) *RunningError {
	l, err := TryLock(dir)
	if err == nil {
		l.Unlock()
		return nil
	}
	in, err := ReadInfo(dir)
	if err != nil || in.Role != Owner {
		return nil
	}
	var w waiter
	if !w.answers(ctx, in) {
		return nil
	}
	return &RunningError{Dir: dir, Info: in}
}
