package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/store"
)

// positional parses flags placed before, between or after the positional
// arguments ("map accept 12 --x" as well as "--x 12"), and returns between
// lo and hi positional arguments.
func positional(fs *flag.FlagSet, args []string, lo, hi int, what string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, parse(fs, []string{"-h"}) // the flags, as helpShown
		} else if err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		rest, args = append(rest, args[0]), args[1:]
	}
	if len(rest) < lo || len(rest) > hi {
		return nil, usageError{"usage: " + what}
	}
	return rest, nil
}

func parseID(s, what string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{fmt.Sprintf("%s %q is not an id", what, s)}
	}
	return id, nil
}

// subcommand splits "clients list ..." into "list" and its arguments.
func subcommand(args []string, what string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, usageError{"usage: " + what}
	}
	return args[0], args[1:], nil
}

// mappingJSON is the stable shape of one `map list --json` row.
type mappingJSON struct {
	LocalID    int64   `json:"local_id"`
	LocalName  string  `json:"local_name"`
	State      string  `json:"state"`
	HaloID     int64   `json:"halo_id,omitempty"`
	HaloName   string  `json:"halo_name,omitempty"`
	Score      float64 `json:"score"`
	Confidence string  `json:"confidence,omitempty"`
	Reason     string  `json:"reason,omitempty"`
	MergeInto  int64   `json:"merge_into,omitempty"` // a suggested merge into this client made from HaloPSA
	MergeName  string  `json:"merge_name,omitempty"`
	Review     string  `json:"review,omitempty"` // why it needs review: the HaloPSA client was renamed, ...
}

func stateName(s store.MappingState) string {
	if s == store.MapOpen {
		return "open"
	}
	return string(s)
}

func (c *cli) mapping(ctx context.Context, a *app.App, args []string) error {
	sub, args, err := subcommand(args, "map suggest|list|accept|ignore|unmap|save|history|undo")
	if err != nil {
		return err
	}
	switch sub {
	case "history", "undo":
		return c.mapHistory(ctx, a, sub, args) // history.go
	case "suggest":
		if err := parse(c.flags("map suggest"), args); err != nil {
			return err
		}
		res, err := a.BulkMap(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Suggested a HaloPSA client for %d of %d open local clients. Review with `map list --state suggested`, then accept, ignore and save.\n", res.Suggested, res.Open)
		if res.Merges > 0 {
			fmt.Fprintf(c.stdout, "%d more look like clients made from HaloPSA: see `map list --state open`, then `clients merge` or `clients keep-apart`.\n", res.Merges)
		}
		return nil
	case "list":
		fs := c.flags("map list")
		state := fs.String("state", "all", "open, suggested, accepted, manual, ignored, review or all")
		search := fs.String("search", "", "text in either name")
		conf := fs.String("confidence", "", "exact, high, medium, low or none")
		asJSON := fs.Bool("json", false, "print JSON")
		if err := parse(fs, args); err != nil {
			return err
		}
		f := app.MappingFilter{State: store.MappingState(*state), Search: *search, Confidence: *conf}
		switch *conf {
		case "", "exact", "high", "medium", "low", "none":
		default:
			return usageError{fmt.Sprintf("unknown confidence %q", *conf)}
		}
		switch *state {
		case "open":
			f.State = store.MapOpen
		case "review":
			f.State = app.StateNeedsReview
		case "all", "suggested", "accepted", "manual", "ignored":
		default:
			return usageError{fmt.Sprintf("unknown state %q", *state)}
		}
		rows, err := a.MappingRows(ctx, f)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]mappingJSON, len(rows))
			for i, r := range rows {
				out[i] = mappingJSON{LocalID: r.Local.ID, LocalName: r.Local.Name, State: stateName(r.State), HaloID: r.HaloID,
					HaloName: r.HaloName, Score: r.Score, Confidence: r.Confidence, Reason: r.Reason, MergeName: r.MergeName,
					Review: r.Review.Describe()}
				if r.Merge != nil {
					out[i].MergeInto = r.Merge.IntoID
				}
			}
			return writeJSON(c.stdout, out)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOCAL\tNAME\tSTATE\tHALO\tHALOPSA NAME\tSCORE\tCONFIDENCE\tREASON")
		for _, r := range rows {
			halo, score := "", ""
			if r.HaloID != 0 {
				halo, score = strconv.FormatInt(r.HaloID, 10), fmt.Sprintf("%.2f", r.Score)
			}
			reason := r.Reason
			if r.Merge != nil {
				reason += fmt.Sprintf(" · merge into %d?", r.Merge.IntoID)
			}
			state := stateName(r.State)
			if r.Review.Reason != store.ReviewNone {
				state += " (review: " + r.Review.Describe() + ")"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Local.ID, r.Local.Name, state, halo, r.HaloName, score, r.Confidence, reason)
		}
		return tw.Flush()
	case "accept", "ignore", "unmap":
		hi := 1
		if sub == "accept" {
			hi = 2
		}
		rest, err := positional(c.flags("map "+sub), args, 1, hi, "map "+sub+" LOCAL_ID"+map[bool]string{true: " [HALO_ID]"}[hi == 2])
		if err != nil {
			return err
		}
		d := store.Decision{Action: store.Action(sub)}
		if d.LocalID, err = parseID(rest[0], "local client"); err != nil {
			return err
		}
		if len(rest) == 2 {
			if d.HaloID, err = parseID(rest[1], "HaloPSA client"); err != nil {
				return err
			}
		}
		if err := a.DraftDecision(ctx, d); err != nil {
			return err
		}
		drafts, _ := a.Drafts(ctx)
		fmt.Fprintf(c.stdout, "Noted; %d decision(s) waiting for `map save`.\n", len(drafts))
		return nil
	case "save":
		if err := parse(c.flags("map save"), args); err != nil {
			return err
		}
		// The app, when it runs, saves them: its window holds them too.
		return c.exclusive(ctx, a, app.OpMapSave, func() error {
			sum, err := a.SaveDrafts(ctx)
			if err != nil {
				return fmt.Errorf("%w (nothing was saved)", err)
			}
			fmt.Fprintf(c.stdout, "Saved: %d accepted, %d mapped by hand, %d ignored, %d unmapped\n", sum.Accepted, sum.Manual, sum.Ignored, sum.Unmapped)
			return nil
		})
	}
	return usageError{fmt.Sprintf("unknown map command %q", sub)}
}

// match runs the matcher offline on two id,name CSV files.
func (c *cli) match(args []string) error {
	fs := c.flags("match")
	local := fs.String("local", "", "local clients CSV (id,name)")
	halo := fs.String("halo", "", "HaloPSA clients CSV (id,name)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *local == "" || *halo == "" {
		return usageError{"usage: match --local LOCAL.csv --halo HALO.csv"}
	}
	lf, err := os.Open(*local)
	if err != nil {
		return err
	}
	defer lf.Close()
	hf, err := os.Open(*halo)
	if err != nil {
		return err
	}
	defer hf.Close()
	return match.MatchCSVWarn(lf, hf, c.stdout, func(s string) { fmt.Fprintln(c.stderr, "halosyncctl match: "+s) })
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeFileAtomically writes path through a temporary file and a rename,
// so a failed export never leaves half a file where a good one was.
func writeFileAtomically(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".halosync-export-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
