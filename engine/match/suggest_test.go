package match

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

func checkOneToOne(t *testing.T, sugs []Suggestion) {
	t.Helper()
	seen := map[int64]int64{}
	for _, s := range sugs {
		if s.Best == nil {
			continue
		}
		if prev, dup := seen[s.Best.HaloID]; dup {
			t.Errorf("HaloPSA client %d suggested for local %d and %d", s.Best.HaloID, prev, s.LocalID)
		}
		seen[s.Best.HaloID] = s.LocalID
		if s.Best.Score < SuggestThreshold {
			t.Errorf("local %d: suggested below the threshold: %v", s.LocalID, s.Best)
		}
	}
}

func TestSuggestOneToOne(t *testing.T) {
	d := loadDataset(t)
	sugs := SuggestAll(d.locals, d.halo)
	checkOneToOne(t, sugs)
	for i, s := range sugs {
		if s.LocalID != d.locals[i].ID {
			t.Fatalf("order not kept at %d: %d vs %d", i, s.LocalID, d.locals[i].ID)
		}
		if len(s.Alternatives) > MaxAlternatives {
			t.Errorf("local %d: %d alternatives", s.LocalID, len(s.Alternatives))
		}
		for _, a := range s.Alternatives {
			if s.Best != nil && a.HaloID == s.Best.HaloID {
				t.Errorf("local %d: best repeated among alternatives", s.LocalID)
			}
		}
	}
	sl, sh, _ := genBooks(3000, 3)
	checkOneToOne(t, SuggestAll(sl, sh))
	// Many locals typed from the same client compete for it.
	halo := []Candidate{{ID: 1, Name: "Hartley Dental Group Ltd"}}
	locals := []Local{{ID: 1, Name: "Hartley Dental"}, {ID: 2, Name: "hartley dental group"}, {ID: 3, Name: "Hartley Dental Grp"}}
	sugs = SuggestAll(locals, halo)
	checkOneToOne(t, sugs)
	if sugs[1].Best == nil || sugs[0].Best != nil || sugs[2].Best != nil {
		t.Errorf("want the exact local to win: %+v", sugs)
	}
	if len(sugs[0].Alternatives) != 1 {
		t.Errorf("the losers still see the client as an alternative: %+v", sugs[0])
	}
}

func TestSuggestExclude(t *testing.T) {
	d := loadDataset(t)
	m := NewMatcher(d.halo)
	exclude := map[int64]bool{1001: true, 1002: true, 1130: true}
	for _, s := range m.Suggest(d.locals, exclude) {
		if s.Best != nil && exclude[s.Best.HaloID] {
			t.Errorf("local %d: excluded %d suggested", s.LocalID, s.Best.HaloID)
		}
		for _, a := range s.Alternatives {
			if exclude[a.HaloID] {
				t.Errorf("local %d: excluded %d offered", s.LocalID, a.HaloID)
			}
		}
	}
	// With the AB client mapped by hand, the Oy local still gets Oy.
	got := m.Suggest([]Local{{ID: 111, Name: "Nordic Cold Storage Oy"}}, exclude)
	if got[0].Best == nil || got[0].Best.HaloID != 1131 {
		t.Errorf("got %+v", got[0].Best)
	}
}

// TestSuggestCoinToss: a local that fits two free clients equally well is
// not suggested; it is when one of them goes to a better local.
func TestSuggestCoinToss(t *testing.T) {
	halo := []Candidate{{ID: 1, Name: "Hartley Dental"}, {ID: 2, Name: "Hartley Plumbing"}}
	sugs := SuggestAll([]Local{{ID: 1, Name: "Hartley"}}, halo)
	if sugs[0].Best != nil || len(sugs[0].Alternatives) != 2 {
		t.Errorf("coin toss suggested: %+v", sugs[0])
	}
	sugs = SuggestAll([]Local{{ID: 1, Name: "Hartley"}, {ID: 2, Name: "Hartley Plumbing Ltd"}}, halo)
	if sugs[0].Best == nil || sugs[0].Best.HaloID != 1 || sugs[1].Best.HaloID != 2 {
		t.Errorf("got %+v / %+v", sugs[0].Best, sugs[1].Best)
	}
}

// TestAssignBestTotal checks the assignment against trying every matching
// on small random graphs, and reports it against greedy on the labelled set.
func TestAssignBestTotal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		nl, nc := 1+r.IntN(6), 1+r.IntN(6)
		var edges []edge
		for l := range nl {
			for c := range nc {
				if r.IntN(3) > 0 {
					edges = append(edges, edge{l, c, evidence(0.75 + 0.25*r.Float64())})
				}
			}
		}
		got := total(edges, assign(nl, edges))
		if want := bruteBest(nl, edges); got < want-1e-9 {
			t.Fatalf("trial %d: total %.6f, best %.6f", trial, got, want)
		}
	}
	d := loadDataset(t)
	m := NewMatcher(d.halo)
	var edges []edge
	ids := map[int64]int{}
	for i, l := range d.locals {
		for _, sc := range m.Rank(l, 0) {
			if sc.Score >= SuggestThreshold {
				if _, ok := ids[sc.HaloID]; !ok {
					ids[sc.HaloID] = len(ids)
				}
				edges = append(edges, edge{i, ids[sc.HaloID], evidence(sc.Score)})
			}
		}
	}
	greedyOut := make([]int, len(d.locals))
	for i := range greedyOut {
		greedyOut[i] = -1
	}
	greedy(edges, greedyOut)
	opt, gr := total(edges, assign(len(d.locals), edges)), total(edges, greedyOut)
	if opt < gr-1e-9 {
		t.Errorf("assignment total %.4f below greedy %.4f", opt, gr)
	}
	t.Logf("labelled set: best total evidence %.4f, greedy %.4f, %d edges, %d parts", opt, gr, len(edges), len(components(edges)))
}

func total(edges []edge, out []int) float64 {
	sum := 0.0
	for _, e := range edges {
		if out[e.l] == e.c {
			sum += e.w
		}
	}
	return sum
}

func bruteBest(nl int, edges []edge) float64 {
	byL := make([][]edge, nl)
	for _, e := range edges {
		byL[e.l] = append(byL[e.l], e)
	}
	var rec func(l int, used map[int]bool) float64
	rec = func(l int, used map[int]bool) float64 {
		if l == nl {
			return 0
		}
		best := rec(l+1, used)
		for _, e := range byL[l] {
			if !used[e.c] {
				used[e.c] = true
				best = max(best, e.w+rec(l+1, used))
				delete(used, e.c)
			}
		}
		return best
	}
	return rec(0, map[int]bool{})
}

func TestRankAndSearch(t *testing.T) {
	d := loadDataset(t)
	m := NewMatcher(d.halo)
	l := Local{Name: "Hartley Dental"}
	all := m.Rank(l, 0)
	if len(all) < 2 || all[0].HaloID != 1001 {
		t.Fatalf("Rank: %v", all)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Score > all[i-1].Score || all[i].Score < LowThreshold {
			t.Errorf("Rank order or floor: %v", all)
		}
	}
	if got := m.Rank(l, 1); len(got) != 1 || got[0] != all[0] {
		t.Errorf("Rank limit 1: %v", got)
	}
	got := m.Search(l, "hart plumb", 0) // Hartley Plumbing, Hartford Plumbing
	if len(got) != 2 || got[0].HaloID != 1002 {
		t.Errorf("Search hart plumb: %v", got)
	}
	got = m.Search(l, "MULLER", 0)
	if len(got) != 2 {
		t.Errorf("Search MULLER: %v", got)
	}
	got = m.Search(l, "svcs", 3)
	if len(got) != 3 {
		t.Errorf("Search svcs (services), limit 3: %v", got)
	}
	if got = m.Search(l, "", 2); len(got) != 2 || got[0].HaloID != 1001 {
		t.Errorf("empty search is Rank: %v", got)
	}
	if got = m.Search(l, "zzzz", 0); len(got) != 0 {
		t.Errorf("Search zzzz: %v", got)
	}
}

// TestMatcherConcurrent uses one Matcher from many goroutines (run with
// -race).
func TestMatcherConcurrent(t *testing.T) {
	d := loadDataset(t)
	m := NewMatcher(d.halo)
	want := m.Rank(d.locals[0], 0)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < len(d.locals); i += 8 {
				m.Rank(d.locals[i], 3)
				m.Search(d.locals[i], "dental", 2)
			}
			if got := m.Rank(d.locals[0], 0); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("concurrent Rank differs")
			}
		})
	}
	wg.Go(func() { m.Suggest(d.locals[:100], nil) })
	wg.Wait()
}
