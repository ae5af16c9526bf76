package main

import (
	"context"
	"fmt"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/lock"
)

// exclusive runs work that must never run twice at once on a data folder
// (an import, a ticket cycle that pushes the outbox, a mapping save): in
// the running app or `serve` when one owns the folder, whose answer it
// prints; else here, holding the folder until local returns, so that a
// second command waits for this one.
func (c *cli) exclusive(ctx context.Context, a *app.App, op string, local func() error) error {
	release, handed, err := a.HandOff(ctx, op, c.waiting)
	if handed != nil {
		fmt.Fprintf(c.stderr, "Handed to the HaloSync already running for this data folder (process %d).\n", handed.PID)
		if handed.Output != "" {
			fmt.Fprintln(c.stdout, handed.Output)
		}
		return err
	}
	if err != nil {
		return err
	}
	defer release()
	return local()
}

// waiting tells the user, once, why nothing happens yet.
func (c *cli) waiting(in lock.Info) {
	if in.PID == 0 {
		fmt.Fprintln(c.stderr, "Waiting for another HaloSync command to finish with this data folder...")
		return
	}
	fmt.Fprintf(c.stderr, "Waiting for HaloSync process %d to finish with this data folder...\n", in.PID)
}

// notBesideOwner refuses a command that changes the connection while the
// app or serve runs on the folder: the owner keeps the HaloPSA client it
// built, so the change would not reach it.
func notBesideOwner(ctx context.Context, a *app.App, cmd string) error {
	if re := a.RunningOwner(ctx); re != nil {
		return fmt.Errorf("%v: %s in its window, or stop it first", re, cmd)
	}
	return nil
}
