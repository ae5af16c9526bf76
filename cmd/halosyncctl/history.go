package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// sideJSON is one side of a recorded change in `map history --json`.
type sideJSON struct {
	State    string `json:"state"`
	HaloID   int64  `json:"halo_id,omitempty"`
	HaloName string `json:"halo_name,omitempty"`
}

// changeJSON is one recorded decision in `map history --json`.
type changeJSON struct {
	ID        int64    `json:"id"`
	LocalID   int64    `json:"local_id"`
	LocalName string   `json:"local_name"`
	Before    sideJSON `json:"before"`
	After     sideJSON `json:"after"`
	UndoneBy  int64    `json:"undone_by,omitempty"`
}

// batchJSON is the stable shape of one `map history --json` batch.
type batchJSON struct {
	ID      int64        `json:"id"`
	At      time.Time    `json:"at"`
	Actor   string       `json:"actor"`
	Kind    string       `json:"kind"`
	Undoes  string       `json:"undoes,omitempty"`
	Undone  bool         `json:"undone"`
	Changes []changeJSON `json:"changes"`
}

func side(s store.MappingSide) sideJSON {
	return sideJSON{State: stateName(s.State), HaloID: s.HaloID, HaloName: s.HaloName}
}

// sideText says a mapping in a few words: `accepted "Acme Ltd" (4711)`.
func sideText(s store.MappingSide) string {
	switch s.State {
	case store.MapOpen, store.MapIgnored:
		return stateName(s.State)
	}
	return fmt.Sprintf("%s %q (%d)", stateName(s.State), s.HaloName, s.HaloID)
}

// mapHistory runs `map history` and `map undo`.
func (c *cli) mapHistory(ctx context.Context, a *app.App, sub string, args []string) error {
	if sub == "undo" {
		return c.mapUndo(ctx, a, args)
	}
	fs := c.flags("map history")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 20, "show this many batches, newest first")
	if err := parse(fs, args); err != nil {
		return err
	}
	h, err := a.History(ctx, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]batchJSON, len(h))
		for i, b := range h {
			out[i] = batchJSON{ID: b.ID, At: b.At, Actor: b.Actor, Kind: string(b.Kind), Undoes: b.Undoes, Undone: b.Undone(), Changes: []changeJSON{}}
			for _, ch := range b.Changes {
				out[i].Changes = append(out[i].Changes, changeJSON{ch.ID, ch.LocalID, ch.LocalName, side(ch.Before), side(ch.After), ch.UndoneBy})
			}
		}
		return writeJSON(c.stdout, out)
	}
	if len(h) == 0 {
		fmt.Fprintln(c.stdout, "No mapping has been saved yet.")
		return nil
	}
	for _, b := range h {
		what := "saved"
		if b.Kind == store.BatchUndo {
			what = "undid " + b.Undoes
		}
		fmt.Fprintf(c.stdout, "Batch %d  %s  %s %s", b.ID, formatTime(b.At), b.Actor, what)
		if b.Undone() {
			fmt.Fprint(c.stdout, "  (undone)")
		}
		fmt.Fprintln(c.stdout)
		for _, ch := range b.Changes {
			line := fmt.Sprintf("  decision %d  %s: %s -> %s", ch.ID, ch.LocalName, sideText(ch.Before), sideText(ch.After))
			if ch.UndoneBy != 0 {
				line += fmt.Sprintf("  (undone by batch %d)", ch.UndoneBy)
			}
			fmt.Fprintln(c.stdout, line)
		}
	}
	return nil
}

// mapUndo undoes the last save, a batch or one decision.
func (c *cli) mapUndo(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("map undo")
	batch := fs.Int64("batch", 0, "undo this batch (see map history)")
	decision := fs.Int64("decision", 0, "undo only this decision (see map history)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var (
		b   store.Batch
		err error
	)
	switch {
	case *batch != 0 && *decision != 0:
		return usageError{"usage: map undo [--batch N | --decision N]"}
	case *batch < 0 || *decision < 0:
		return usageError{"a batch or decision number is positive"}
	case *batch != 0:
		b, err = a.UndoBatch(ctx, *batch)
	case *decision != 0:
		b, err = a.UndoDecision(ctx, *decision)
	default:
		b, err = a.UndoLastSave(ctx)
	}
	if errors.Is(err, store.ErrNothingToUndo) {
		return errors.New("nothing to undo: no saved mapping change stands")
	}
	if err != nil {
		return fmt.Errorf("%s (nothing was changed)", strings.TrimPrefix(err.Error(), "store: undo: "))
	}
	fmt.Fprintf(c.stdout, "Undid %s: %d mapping(s) put back (recorded as batch %d; `map undo --batch %d` redoes it).\n",
		b.Undoes, len(b.Changes), b.ID, b.ID)
	for _, ch := range b.Changes {
		fmt.Fprintf(c.stdout, "  %s: %s -> %s\n", ch.LocalName, sideText(ch.Before), sideText(ch.After))
	}
	return nil
}
