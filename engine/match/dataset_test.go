package match

import (
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// dataset is a labelled set in testdata (see testdata/README.md).
type dataset struct {
	name   string
	locals []Local
	label  map[int64]int64 // local id -> HaloPSA id, 0 when it has no counterpart
	halo   []Candidate
}

// heldOut is the fixed split: local ids ending in 7, 8 or 9 (30%) are never
// looked at while calibrating.
func heldOut(id int64) bool { return id%10 >= 7 }

// loadDataset is the set of small-business names written by hand.
func loadDataset(t testing.TB) dataset {
	return loadSet(t, "small-business", "testdata/local.csv", "testdata/halo.csv")
}

// loadVendorSet is the set of real vendor names from pci.ids and usb.ids.
func loadVendorSet(t testing.TB) dataset {
	return loadSet(t, "vendors", "testdata/vendor_local.csv", "testdata/vendor_halo.csv")
}

// loadSet reads a set's two CSV files; columns after the first three are
// notes for people.
func loadSet(t testing.TB, name, localPath, haloPath string) dataset {
	t.Helper()
	d := dataset{name: name}
	d.label = map[int64]int64{}
	for _, row := range readCSV(t, localPath) {
		id := mustInt(t, row[0])
		d.locals = append(d.locals, Local{ID: id, Name: row[1]})
		if row[2] != "" {
			d.label[id] = mustInt(t, row[2])
		} else {
			d.label[id] = 0
		}
	}
	for _, row := range readCSV(t, haloPath) {
		d.halo = append(d.halo, Candidate{ID: mustInt(t, row[0]), Name: row[1]})
	}
	return d
}

func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func mustInt(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// figures are the quality measures of one method on one part of a set.
type figures struct {
	locals, labelled, top1, suggested, correct int
	// oneClick suggestions are in the Exact or High band: what "Accept
	// exact & high" takes in one click.
	oneClick, oneClickRight int
}

func (f figures) accuracy() float64          { return ratio(f.top1, f.labelled) }
func (f figures) precision() float64         { return ratio(f.correct, f.suggested) }
func (f figures) recall() float64            { return ratio(f.correct, f.labelled) }
func (f figures) oneClickPrecision() float64 { return ratio(f.oneClickRight, f.oneClick) }
func (f figures) f1() float64 {
	p, r := f.precision(), f.recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (f figures) String() string {
	return fmt.Sprintf("top-1 %.3f  precision %.3f  recall %.3f  F1 %.3f  (%d locals, %d with a counterpart, %d suggested, %d right)",
		f.accuracy(), f.precision(), f.recall(), f.f1(), f.locals, f.labelled, f.suggested, f.correct)
}

// outcome is one method's answer for one local: its top candidate, its
// suggestion (0 for none) and whether the suggestion is one-click.
type outcome struct {
	top1, suggested int64
	oneClick        bool
}

// measure tallies outcomes over the locals that part selects.
func measure(d dataset, out map[int64]outcome, part func(int64) bool) figures {
	var f figures
	for _, l := range d.locals {
		if !part(l.ID) {
			continue
		}
		f.locals++
		want, o := d.label[l.ID], out[l.ID]
		if want != 0 {
			f.labelled++
			if o.top1 == want {
				f.top1++
			}
		}
		if o.suggested != 0 {
			f.suggested++
			if o.suggested == want {
				f.correct++
			}
			if o.oneClick {
				f.oneClick++
				if o.suggested == want {
					f.oneClickRight++
				}
			}
		}
	}
	return f
}

func ourOutcomes(d dataset, threshold float64) map[int64]outcome {
	m := NewMatcher(d.halo)
	out := map[int64]outcome{}
	for _, s := range m.suggest(d.locals, nil, threshold) {
		var o outcome
		if s.Best != nil {
			o.suggested = s.Best.HaloID
			o.oneClick = s.Best.Band >= High
		}
		out[s.LocalID] = o
	}
	for _, l := range d.locals {
		o := out[l.ID]
		if r := m.Rank(l, 1); len(r) > 0 {
			o.top1 = r[0].HaloID
		}
		out[l.ID] = o
	}
	return out
}

// baselineScores is the naive method: plain Jaro-Winkler on the raw names,
// every pair; the best candidate of each local and its score.
func baselineScores(d dataset) map[int64]Scored {
	best := map[int64]Scored{}
	for _, l := range d.locals {
		var b Scored
		for _, c := range d.halo {
			if s := jw(l.Name, c.Name); s > b.Score {
				b = Scored{HaloID: c.ID, Score: s}
			}
		}
		best[l.ID] = b
	}
	return best
}

func baselineOutcomes(best map[int64]Scored, threshold float64) map[int64]outcome {
	out := map[int64]outcome{}
	for id, b := range best {
		o := outcome{top1: b.HaloID}
		if b.Score >= threshold {
			o.suggested = b.HaloID
		}
		out[id] = o
	}
	return out
}

var (
	calibration = func(id int64) bool { return !heldOut(id) }
	everything  = func(int64) bool { return true }
)

// bestBaselineThreshold gives the baseline its best F1 on the calibration
// part, so that it is compared at its own best, not at ours.
func bestBaselineThreshold(d dataset, best map[int64]Scored) float64 {
	bestT, bestF := 0.0, -1.0
	for t := 0.70; t < 1.0; t += 0.005 {
		if f := measure(d, baselineOutcomes(best, t), calibration).f1(); f > bestF {
			bestT, bestF = t, f
		}
	}
	return bestT
}

func countNone(d dataset) int {
	n := 0
	for _, v := range d.label {
		if v == 0 {
			n++
		}
	}
	return n
}
