package match

import (
	"math"
	"sort"
	"strings"
)

// scratch is one goroutine's working memory for collecting candidates.
type scratch struct {
	gen     int32
	stamp   []int32   // stamp[e] == gen: e was touched for this local
	maskA   []uint64  // local words that could match e (a bit each: maxScoredWords <= 64)
	accB    []float32 // weight of e's words that could match
	forced  []bool    // e must be scored whatever its bound
	touched []int32
	fuzzy   map[string][]int32 // local word -> vocabulary words it could be a variant of
}

func newScratch(n int) *scratch {
	return &scratch{
		stamp:  make([]int32, n),
		maskA:  make([]uint64, n),
		accB:   make([]float32, n),
		forced: make([]bool, n),
		fuzzy:  map[string][]int32{},
	}
}

func (s *scratch) touch(e int32) {
	if s.stamp[e] != s.gen {
		s.stamp[e] = s.gen
		s.maskA[e], s.accB[e], s.forced[e] = 0, 0, false
		s.touched = append(s.touched, e)
	}
}

func (s *scratch) credit(post []posting, bits uint64) {
	for _, p := range post {
		s.touch(p.e)
		s.maskA[p.e] |= bits
		s.accB[p.e] += p.w
	}
}

func (s *scratch) force(list []int32) {
	for _, e := range list {
		s.touch(e)
		s.forced[e] = true
	}
}

// rank returns the candidates of one local client that score at least
// floor, best first, skipping excluded HaloPSA ids.
func (m *Matcher) rank(s *scratch, l Local, floor float64, exclude map[int64]bool) []Scored {
	la, lc := analyze(l.Name), localContacts(l)
	cands := m.collect(s, &la, &lc, floor)
	var out []Scored
	var corroborated map[int64]bool
	for _, e := range cands {
		h := &m.halo[e]
		if exclude[h.c.ID] {
			continue
		}
		r := scorePair(&la, &h.a, &lc, &h.ct)
		if r.score >= floor {
			out = append(out, r.scored(h.c, &la, &h.a))
			if r.domain != "" || r.phone {
				if corroborated == nil {
					corroborated = map[int64]bool{}
				}
				corroborated[h.c.ID] = true
			}
		}
	}
	sortScored(out)
	cautionRanked(out, corroborated)
	return out
}

func sortScored(out []Scored) {
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].HaloID < out[j].HaloID
	})
}

// collect returns the entries that could score at least floor.
func (m *Matcher) collect(s *scratch, la *analysis, lc *contacts, floor float64) []int32 {
	if m.everyPair {
		all := make([]int32, len(m.halo))
		for i := range all {
			all[i] = int32(i)
		}
		return all
	}
	s.gen++
	if s.gen == math.MaxInt32 {
		clear(s.stamp)
		s.gen = 1
	}
	s.touched = s.touched[:0]
	toks := la.toks
	for i, t := range toks {
		bit := uint64(1) << i
		if id, ok := m.vocab[t.s]; ok {
			s.credit(m.words[id].post, bit)
		}
		for _, id := range m.variants(s, t.s) {
			s.credit(m.words[id].post, bit)
		}
		s.credit(m.merged[t.s], bit)
		if isAcronymWord(t.s) {
			s.credit(m.initials[t.s], bit)
		}
		if i+1 < len(toks) {
			if id, ok := m.vocab[t.s+toks[i+1].s]; ok {
				s.credit(m.words[id].post, bit|bit<<1)
			}
		}
	}
	for _, r := range runs(toks) {
		if id, ok := m.vocab[r.initials]; ok {
			bits := (uint64(1)<<(r.end-r.start) - 1) << r.start
			s.credit(m.words[id].post, bits)
		}
	}
	s.force(m.keys[la.key])
	s.force(m.compacts[la.compact])
	for _, d := range lc.domains {
		s.force(m.domains[d])
	}
	for _, p := range lc.phones {
		s.force(m.phones[p])
	}

	out := make([]int32, 0, 16)
	for _, e := range s.touched {
		if s.forced[e] || m.bound(la, e, s.maskA[e], s.accB[e]) >= floor {
			out = append(out, e)
		}
	}
	return out
}

// bound is the highest score entry e could get given which words could
// match: every such word matched perfectly, and Jaro-Winkler 1.
func (m *Matcher) bound(la *analysis, e int32, mask uint64, accB float32) float64 {
	if la.weight == 0 {
		return 0
	}
	var wA float64
	for i, t := range la.toks {
		if mask&(1<<i) != 0 {
			wA += t.w
		}
	}
	covA := math.Min(1, wA/la.weight)
	covB := 1.0
	if wb := m.halo[e].a.weight; wb > 0 {
		covB = math.Min(1, float64(accB)/wb)
	}
	tok := (covA+covB)/2 - conflictPenalty*min(1-covA, 1-covB)
	tok = math.Max(0, tok)
	return wordShare*tok + (1 - wordShare) + 1e-9
}

// variants returns the vocabulary words that w could be an abbreviation,
// typo or umlaut spelling of (not w itself), through trigrams and prefixes.
// Results are cached in the scratch, which belongs to this Matcher.
func (m *Matcher) variants(s *scratch, w string) []int32 {
	if v, ok := s.fuzzy[w]; ok {
		return v
	}
	seen := map[int32]bool{}
	var out []int32
	try := func(id int32) {
		if seen[id] {
			return
		}
		seen[id] = true
		if v := m.words[id].s; v != w && wordSim(w, v) > 0 {
			out = append(out, id)
		}
	}
	if len(w) >= 4 && !hasDigit(w) {
		for _, g := range trigrams(w) {
			for _, id := range m.grams[g] {
				try(id)
			}
		}
		// Words that w is a prefix of, and prefixes of w.
		i := sort.Search(len(m.sorted), func(i int) bool { return m.words[m.sorted[i]].s >= w })
		for ; i < len(m.sorted) && strings.HasPrefix(m.words[m.sorted[i]].s, w); i++ {
			try(m.sorted[i])
		}
		for n := 4; n < len(w); n++ {
			if id, ok := m.vocab[w[:n]]; ok {
				try(id)
			}
		}
	}
	for _, id := range m.umlauts[collapseUmlauts(w)] {
		try(id)
	}
	s.fuzzy[w] = out
	return out
}
