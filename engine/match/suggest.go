package match

import (
	"runtime"
	"strings"
	"sync"
)

// Rank returns the best candidates for one local client, best first (ties
// by HaloPSA id), for the picker: at most limit of them, or, when limit <= 0,
// every candidate that scores at least LowThreshold. Candidates below
// LowThreshold are never returned; Search finds any client by name.
func (m *Matcher) Rank(l Local, limit int) []Scored {
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	out := m.rank(s, l, LowThreshold, nil)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// Search is for the picker's search box: the HaloPSA clients whose name
// contains every typed word at the start of one of its words (accents and
// case ignored, "Svcs" finds "Services"), ranked by their score against l.
// An empty query is Rank(l, limit). limit <= 0 returns every match.
// Search looks at every client: 1-10 ms for 10,000, depending on how many
// match.
func (m *Matcher) Search(l Local, query string, limit int) []Scored {
	q := queryWords(query)
	if len(q) == 0 {
		return m.Rank(l, limit)
	}
	la, lc := analyze(l.Name), localContacts(l)
	var out []Scored
	for i := range m.halo {
		h := &m.halo[i]
		if !matchesQuery(h, q) {
			continue
		}
		r := scorePair(&la, &h.a, &lc, &h.ct)
		out = append(out, r.scored(h.c, &la, &h.a))
	}
	sortScored(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// queryWords are the typed words, folded, each with its canonical spelling.
func queryWords(query string) [][2]string {
	segs, _ := splitSegments(query)
	var out [][2]string
	for _, sg := range segs {
		for _, t := range sg.toks {
			out = append(out, [2]string{t.s, canonical(t.s)})
		}
	}
	return out
}

func matchesQuery(h *entry, q [][2]string) bool {
	for _, w := range q {
		if !hasWordPrefix(h.a.plain, w[0]) && !hasWordPrefix(h.a.key, w[1]) {
			return false
		}
	}
	return true
}

// hasWordPrefix reports whether some word of the space-separated s starts
// with p.
func hasWordPrefix(s, p string) bool {
	for {
		if strings.HasPrefix(s, p) {
			return true
		}
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			return false
		}
		s = s[i+1:]
	}
}

// Suggest proposes a HaloPSA client for every local client, one to one: no
// HaloPSA client is the Best of two suggestions, and the pairs are chosen for
// the best total (see assign.go). HaloPSA ids in exclude (already mapped by
// the user) are never suggested nor listed as alternatives. The result has
// one Suggestion per local client, in the order of locals. Ranking runs on
// all CPUs.
func (m *Matcher) Suggest(locals []Local, exclude map[int64]bool) []Suggestion {
	return m.suggest(locals, exclude, SuggestThreshold)
}

// suggest is Suggest with the threshold as a parameter, for calibration.
func (m *Matcher) suggest(locals []Local, exclude map[int64]bool, threshold float64) []Suggestion {
	return suggestFrom(locals, m.rankAll(locals, exclude), threshold)
}

// rankAll ranks every local client, on all CPUs.
func (m *Matcher) rankAll(locals []Local, exclude map[int64]bool) [][]Scored {
	ranked := make([][]Scored, len(locals))
	workers := min(runtime.GOMAXPROCS(0), (len(locals)+63)/64)
	var wg sync.WaitGroup
	next := make(chan int, workers)
	for range workers {
		wg.Go(func() {
			s := m.pool.Get().(*scratch)
			defer m.pool.Put(s)
			for i := range next {
				ranked[i] = m.rank(s, locals[i], LowThreshold, exclude)
			}
		})
	}
	for i := range locals {
		next <- i
	}
	close(next)
	wg.Wait()
	return ranked
}

// suggestFrom assigns candidates one to one from the rankings.
func suggestFrom(locals []Local, ranked [][]Scored, threshold float64) []Suggestion {
	// Edges above the threshold; candidate indexes are per HaloPSA id.
	ids := map[int64]int{}
	var edges []edge
	for i, list := range ranked {
		for _, sc := range list {
			if sc.Score < threshold {
				break
			}
			c, ok := ids[sc.HaloID]
			if !ok {
				c = len(ids)
				ids[sc.HaloID] = c
			}
			edges = append(edges, edge{l: i, c: c, w: evidence(sc.Score)})
		}
	}
	chosen := assign(len(locals), edges)
	withdrawCoinTosses(ranked, ids, chosen)

	out := make([]Suggestion, len(locals))
	for i, list := range ranked {
		out[i].LocalID = locals[i].ID
		best := -1
		if chosen[i] >= 0 {
			for k, sc := range list {
				if sc.Score >= threshold && ids[sc.HaloID] == chosen[i] {
					best = k
					break
				}
			}
		}
		if best >= 0 {
			b := list[best]
			out[i].Best = &b
		}
		for k, sc := range list {
			if k != best && len(out[i].Alternatives) < MaxAlternatives {
				out[i].Alternatives = append(out[i].Alternatives, sc)
			}
		}
	}
	return out
}

// ambiguityMargin: a suggestion is withdrawn when another candidate that no
// local client was given scores within this margin of it ("Hartley" with
// "Hartley Dental" and "Hartley Plumbing" both free): the user picks. For an
// exact match only an equal score withdraws it (two HaloPSA clients with the
// same name).
const ambiguityMargin = 0.02

func withdrawCoinTosses(ranked [][]Scored, ids map[int64]int, chosen []int) {
	taken := map[int]bool{}
	for _, c := range chosen {
		if c >= 0 {
			taken[c] = true
		}
	}
	for i, list := range ranked {
		if chosen[i] < 0 {
			continue
		}
		var best float64
		for _, sc := range list {
			if c, ok := ids[sc.HaloID]; ok && c == chosen[i] {
				best = sc.Score
				break
			}
		}
		margin := ambiguityMargin
		if best >= ExactThreshold {
			margin = 0
		}
		for _, sc := range list {
			c, ok := ids[sc.HaloID]
			if ok && c == chosen[i] || sc.Score < best-margin {
				continue
			}
			if !ok || !taken[c] {
				chosen[i] = -1
				break
			}
		}
	}
}

// SuggestAll is NewMatcher(halo).Suggest(locals, nil).
func SuggestAll(locals []Local, halo []Candidate) []Suggestion {
	return NewMatcher(halo).Suggest(locals, nil)
}
