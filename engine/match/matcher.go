package match

import (
	"sort"
	"sync"
)

// Matcher is an index over the HaloPSA clients, built once by NewMatcher.
// Its methods only read it, so any number of goroutines may use one Matcher
// at the same time.
//
// The index finds, for a local client, every HaloPSA client that could
// score at least LowThreshold, without scoring the others. A pair's word
// score is zero unless some word of one name matches some word (or run of
// words) of the other, and the whole-name part alone cannot lift a pair to
// LowThreshold. So the index maps each HaloPSA word, each pair of adjacent
// words written as one, and the initials of each run of words to the
// clients that have them; words a local word could be a typo or an
// abbreviation of are found through character trigrams of the vocabulary.
// While collecting, it adds up the weights of the words that could match on
// each side; a client whose best possible score is below LowThreshold is not
// scored. Equal normalised names, equal names apart from spacing, and
// shared domains or phone numbers are looked up directly and always scored.
type Matcher struct {
	halo     []entry
	keys     map[string][]int32
	compacts map[string][]int32
	vocab    map[string]int32 // word -> index in words
	words    []vocabWord
	sorted   []int32            // word indexes in the order of their spelling, for prefixes
	grams    map[string][]int32 // trigram -> word indexes
	umlauts  map[string][]int32 // collapseUmlauts(word) -> word indexes
	merged   map[string][]posting
	initials map[string][]posting
	domains  map[string][]int32
	phones   map[string][]int32
	pool     sync.Pool // *scratch
	// everyPair makes collect return every client: the reference that the
	// tests hold the index to.
	everyPair bool
}

type entry struct {
	c  Candidate
	a  analysis
	ct contacts
}

type vocabWord struct {
	s    string
	w    float64
	post []posting
}

// posting is one HaloPSA client that has a word, and the weight of its
// words that the word covers.
type posting struct {
	e int32
	w float32
}

// NewMatcher builds the index over the HaloPSA clients.
func NewMatcher(halo []Candidate) *Matcher {
	m := &Matcher{
		halo:     make([]entry, len(halo)),
		keys:     map[string][]int32{},
		compacts: map[string][]int32{},
		vocab:    map[string]int32{},
		grams:    map[string][]int32{},
		umlauts:  map[string][]int32{},
		merged:   map[string][]posting{},
		initials: map[string][]posting{},
		domains:  map[string][]int32{},
		phones:   map[string][]int32{},
	}
	for i, c := range halo {
		e := int32(i)
		m.halo[i] = entry{c: c, a: analyze(c.Name), ct: candidateContacts(c)}
		a := &m.halo[i].a
		if a.key == "" {
			continue
		}
		m.keys[a.key] = append(m.keys[a.key], e)
		m.compacts[a.compact] = append(m.compacts[a.compact], e)
		for _, t := range a.toks {
			m.addWord(t, e)
		}
		for j := 0; j+1 < len(a.toks); j++ {
			s := a.toks[j].s + a.toks[j+1].s
			m.merged[s] = append(m.merged[s], posting{e, float32(a.toks[j].w + a.toks[j+1].w)})
		}
		for _, run := range runs(a.toks) {
			m.initials[run.initials] = append(m.initials[run.initials], posting{e, float32(run.w)})
		}
		for _, d := range m.halo[i].ct.domains {
			m.domains[d] = append(m.domains[d], e)
		}
		for _, p := range m.halo[i].ct.phones {
			m.phones[p] = append(m.phones[p], e)
		}
	}
	m.sorted = make([]int32, len(m.words))
	for i := range m.sorted {
		m.sorted[i] = int32(i)
	}
	sort.Slice(m.sorted, func(i, j int) bool { return m.words[m.sorted[i]].s < m.words[m.sorted[j]].s })
	m.pool.New = func() any { return newScratch(len(m.halo)) }
	return m
}

func (m *Matcher) addWord(t token, e int32) {
	id, ok := m.vocab[t.s]
	if !ok {
		id = int32(len(m.words))
		m.vocab[t.s] = id
		m.words = append(m.words, vocabWord{s: t.s, w: t.w})
		for _, g := range trigrams(t.s) {
			m.grams[g] = append(m.grams[g], id)
		}
		c := collapseUmlauts(t.s)
		m.umlauts[c] = append(m.umlauts[c], id)
	}
	post := m.words[id].post
	if n := len(post); n > 0 && post[n-1].e == e {
		return // the word twice in one name
	}
	m.words[id].post = append(post, posting{e, float32(t.w)})
}

// run is a run of consecutive words and its initials ("hdg").
type run struct {
	start, end int
	initials   string
	w          float64
}

// runs lists the runs of two to six words (not starting with a small word
// like "of", which the initials skip) that an acronym could stand for.
func runs(toks []token) []run {
	var out []run
	for start := range toks {
		if stopWords[toks[start].s] || !isLetter(toks[start].s[0]) {
			continue
		}
		var b []byte
		w := 0.0
		for j := start; j < len(toks); j++ {
			w += toks[j].w
			if j > start && stopWords[toks[j].s] {
				continue
			}
			if !isLetter(toks[j].s[0]) || len(b) == 6 {
				break
			}
			b = append(b, toks[j].s[0])
			if len(b) >= 2 {
				out = append(out, run{start, j + 1, string(b), w})
			}
		}
	}
	return out
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

// trigrams are the character trigrams of a word padded with "$" at both
// ends, so that a word shares some with any word it could be a typo of.
func trigrams(s string) []string {
	r := []rune("$$" + s + "$$")
	out := make([]string, 0, len(r)-2)
	for i := 0; i+3 <= len(r); i++ {
		out = append(out, string(r[i:i+3]))
	}
	return out
}
