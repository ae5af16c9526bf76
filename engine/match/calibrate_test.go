package match

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestCalibrationSweep prints, for the calibration part only, how precision,
// recall and F1 of the suggestions move with the threshold, and how the
// top candidates' scores split between right and wrong, band by band. It
// is how the thresholds in band.go were chosen. Run it with
// MATCH_CALIBRATE=1 go test -run CalibrationSweep -v ./engine/match
func TestCalibrationSweep(t *testing.T) {
	if os.Getenv("MATCH_CALIBRATE") == "" {
		t.Skip("set MATCH_CALIBRATE=1 to print the calibration sweep")
	}
	d := loadDataset(t)
	var b strings.Builder
	fmt.Fprintln(&b, "threshold  precision  recall  F1   (calibration part)")
	for th := 0.55; th <= 0.9701; th += 0.01 {
		f := measure(d, ourOutcomes(d, th), calibration)
		fmt.Fprintf(&b, "  %.2f      %.3f     %.3f  %.3f  suggested %d right %d\n",
			th, f.precision(), f.recall(), f.f1(), f.suggested, f.correct)
	}
	// Every candidate in the top 3 of each local: is it the right one?
	m := NewMatcher(d.halo)
	type pt struct {
		s     float64
		right bool
	}
	var pts []pt
	for _, l := range d.locals {
		if heldOut(l.ID) {
			continue
		}
		for _, sc := range m.Rank(l, 3) {
			pts = append(pts, pt{sc.Score, sc.HaloID == d.label[l.ID]})
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].s > pts[j].s })
	fmt.Fprintln(&b, "score range   right  wrong  (top-3 candidates, calibration part)")
	for lo := 1.0; lo > 0.5; lo -= 0.05 {
		r, w := 0, 0
		for _, p := range pts {
			if p.s >= lo-0.05 && p.s < lo || (lo == 1.0 && p.s >= 0.95) {
				if p.right {
					r++
				} else {
					w++
				}
			}
		}
		fmt.Fprintf(&b, "[%.2f,%.2f)    %4d   %4d\n", lo-0.05, lo, r, w)
	}
	t.Log("\n" + b.String())
}

// TestDumpDataset prints every local with its label and top candidates.
// Run with MATCH_DUMP=1.
func TestDumpDataset(t *testing.T) {
	if os.Getenv("MATCH_DUMP") == "" {
		t.Skip("set MATCH_DUMP=1 to print the dataset's rankings")
	}
	d := loadDataset(t)
	m := NewMatcher(d.halo)
	names := map[int64]string{}
	for _, c := range d.halo {
		names[c.ID] = c.Name
	}
	for _, l := range d.locals {
		want := d.label[l.ID]
		r := m.Rank(l, 3)
		mark := "ok "
		if len(r) == 0 && want != 0 || len(r) > 0 && r[0].HaloID != want {
			mark = "XX "
		}
		t.Logf("%s%3d %-38q want %-28q", mark, l.ID, l.Name, names[want])
		for _, sc := range r {
			t.Logf("        %.3f %-6s %-36q %s", sc.Score, sc.Band, sc.Name, sc.Reason)
		}
	}
}

// TestCautionAblation prints, on the calibration part of both sets, what
// each caution rule (caution.go) does: the figures with every rule, then
// with one rule off at a time. Scoring every pair keeps the index out of
// it (it assumes the rules as shipped). Run it with
// MATCH_CALIBRATE=1 go test -run CautionAblation -v ./engine/match
func TestCautionAblation(t *testing.T) {
	if os.Getenv("MATCH_CALIBRATE") == "" {
		t.Skip("set MATCH_CALIBRATE=1 to print what each caution rule does")
	}
	saved := rules
	defer func() { rules = saved }()
	sets := []dataset{loadDataset(t), loadVendorSet(t)}
	var b strings.Builder
	fmt.Fprintln(&b, "rule off             set             one-click      precision  recall  F1    (calibration part)")
	for _, off := range []string{"none (all on)", "strictShortWords", "truncated", "typo", "acronym", "ambiguity", "sameName", "all"} {
		rules = saved
		switch off {
		case "strictShortWords":
			rules.strictShortWords = false
		case "truncated":
			rules.truncated = false
		case "typo":
			rules.typo = false
		case "acronym":
			rules.acronym = false
		case "ambiguity":
			rules.ambiguity = false
		case "sameName":
			rules.sameName = false
		case "all":
			rules.strictShortWords, rules.truncated, rules.typo, rules.acronym = false, false, false, false
			rules.ambiguity, rules.sameName = false, false
		}
		for _, d := range sets {
			f := measure(d, everyPairOutcomes(d), calibration)
			fmt.Fprintf(&b, "%-20s %-15s %.3f (%3d)    %.3f      %.3f   %.3f\n",
				off, d.name, f.oneClickPrecision(), f.oneClick, f.precision(), f.recall(), f.f1())
		}
	}
	t.Log("\n" + b.String())
}

// everyPairOutcomes is ourOutcomes with every pair scored.
func everyPairOutcomes(d dataset) map[int64]outcome {
	m := everyPairMatcher(d.halo)
	out := map[int64]outcome{}
	ranked := m.rankAll(d.locals, nil)
	for i, s := range suggestFrom(d.locals, ranked, SuggestThreshold) {
		var o outcome
		if s.Best != nil {
			o.suggested, o.oneClick = s.Best.HaloID, s.Best.Band >= High
		}
		if len(ranked[i]) > 0 {
			o.top1 = ranked[i][0].HaloID
		}
		out[s.LocalID] = o
	}
	return out
}
