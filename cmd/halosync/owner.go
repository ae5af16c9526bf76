package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/lock"
)

// showRunning asks the HaloSync that owns dir, when one runs, to bring
// its window forward, and says so on stderr. It reports whether one runs:
// this process then has nothing to do.
func showRunning(dir string, stderr io.Writer) bool {
	l, err := lock.TryLock(dir)
	if err == nil {
		l.Unlock() // nobody runs: Own takes it for good once the folder is open
		return false
	}
	if !errors.Is(err, lock.ErrHeld) {
		return false // Own reports it
	}
	in, err := lock.ReadInfo(dir)
	if err != nil || in.Role != lock.Owner {
		return false // a command holds it for a moment: Own waits for it
	}
	return tellRunning(&lock.RunningError{Dir: dir, Info: in}, stderr)
}

// tellRunning asks the owner in re to show its window and prints re.
// It returns false when the owner did not answer.
func tellRunning(re *lock.RunningError, stderr io.Writer) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := lock.Call(ctx, re.Info, app.OpShow, nil); err != nil {
		var remote *lock.RemoteError
		if !errors.As(err, &remote) { // a serve has no window, but it runs
			return false
		}
	}
	fmt.Fprintf(stderr, "halosync: %v\n", re)
	return true
}

// ownedElsewhere prints err and reports whether it says another HaloSync
// owns the folder.
func ownedElsewhere(err error, stderr io.Writer) bool {
	var re *lock.RunningError
	if !errors.As(err, &re) {
		return false
	}
	if !tellRunning(re, stderr) {
		fmt.Fprintf(stderr, "halosync: %v\n", re)
	}
	return true
}
