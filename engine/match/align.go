package match

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// alignment is how the words of two names correspond.
type alignment struct {
	tok        float64 // the word score
	covA, covB float64 // weighted share of each side's words that found a match
	// For the reason: the first of each kind of finding, as written.
	acronym    [2]string // short, long
	typo       [2]string // local word, HaloPSA word
	conflict   [2]string // a local word and a HaloPSA word that match nothing
	extraLocal string    // a local word that matches nothing
	extraHalo  string    // a HaloPSA word that matches nothing
	// Findings that make a pair weaker evidence than its score says, the
	// first of each, as written (local word, HaloPSA word).
	distinctTypo [2]string // a name word matched only as a typo of another
	shortTypo    [2]string // the same in a word of at most shortWord letters
	refused      bool      // shortTypo was not counted as a match
	truncated    [2]string // a name word matched only as the start of another
}

// align matches the words of a (local) and b (HaloPSA) one to one and
// computes the word score. shortTypos allows typos in words of at most
// shortWord letters, which only a shared domain or phone number earns.
func align(a, b *analysis, shortTypos bool) alignment {
	var al alignment
	A, B := a.toks, b.toks
	simA := make([]float64, len(A))
	simB := make([]float64, len(B))

	// Equal words.
	for i := range A {
		for j := range B {
			if simB[j] == 0 && A[i].s == B[j].s {
				simA[i], simB[j] = 1, 1
				break
			}
		}
	}
	// Two words written as one, either way round.
	merge(A, B, simA, simB)
	merge(B, A, simB, simA)
	// Abbreviations, typos, umlaut spellings: best pairs first.
	type pair struct {
		i, j int
		s    float64
		kind wordKind
	}
	var pairs []pair
	for i := range A {
		if simA[i] > 0 {
			continue
		}
		for j := range B {
			if simB[j] == 0 {
				if s, k := wordMatch(A[i].s, B[j].s, shortTypos); s > 0 {
					pairs = append(pairs, pair{i, j, s, k})
				}
			}
		}
	}
	sort.SliceStable(pairs, func(x, y int) bool { return pairs[x].s > pairs[y].s })
	for _, p := range pairs {
		if simA[p.i] == 0 && simB[p.j] == 0 {
			simA[p.i], simB[p.j] = p.s, p.s
			found := [2]string{A[p.i].raw, B[p.j].raw}
			if al.typo[0] == "" {
				al.typo = found
			}
			if max(A[p.i].w, B[p.j].w) < weightName {
				continue // a trade or filler word mistyped says little either way
			}
			switch {
			case p.kind == kindTypo && min(len(A[p.i].s), len(B[p.j].s)) <= shortWord:
				setOnce(&al.shortTypo, found)
			case p.kind == kindTypo:
				setOnce(&al.distinctTypo, found)
			case p.kind == kindPrefix:
				setOnce(&al.truncated, found)
			}
		}
	}
	// A typo in a short word that was not allowed, for the reason.
	if !shortTypos {
		for i := range A {
			for j := range B {
				la, lb := len(A[i].s), len(B[j].s)
				if simA[i] == 0 && simB[j] == 0 && al.shortTypo[0] == "" && min(la, lb) >= 4 && min(la, lb) <= shortWord && abs(la-lb) <= 3 {
					if _, k := wordMatch(A[i].s, B[j].s, true); k == kindTypo {
						al.shortTypo = [2]string{A[i].raw, B[j].raw}
						al.refused = true
					}
				}
			}
		}
	}
	// Acronyms: "HDG" for "Hartley Dental Group", "TC" for "Town Council".
	acronyms(A, B, simA, simB, &al)
	acronyms(B, A, simB, simA, &al)

	var unA, unB float64
	al.covA, unA, al.extraLocal = coverage(A, simA, a.weight)
	al.covB, unB, al.extraHalo = coverage(B, simB, b.weight)
	al.tok = (al.covA+al.covB)/2 - conflictPenalty*min(unA, unB)
	if al.tok < 0 {
		al.tok = 0
	}
	if unA > 0 && unB > 0 {
		al.conflict = [2]string{al.extraLocal, al.extraHalo}
	}
	return al
}

// merge matches two adjacent unmatched words of x with one word of y.
func merge(x, y []token, simX, simY []float64) {
	for i := 0; i+1 < len(x); i++ {
		if simX[i] > 0 || simX[i+1] > 0 {
			continue
		}
		joined := x[i].s + x[i+1].s
		for j := range y {
			if simY[j] == 0 && y[j].s == joined {
				simX[i], simX[i+1], simY[j] = mergeSim, mergeSim, mergeSim
				break
			}
		}
	}
}

// acronyms matches an unmatched short word of x with a run of unmatched
// words of y whose initials spell it (small words like "of" skipped).
func acronyms(x, y []token, simX, simY []float64, al *alignment) {
	for i, t := range x {
		if simX[i] > 0 || !isAcronymWord(t.s) {
			continue
		}
		start, end := initialsRun(y, simY, t.s)
		if start < 0 {
			continue
		}
		s := acronymSim
		if len(t.s) == 2 {
			s = acronym2Sim
		}
		simX[i] = s
		for j := start; j < end; j++ {
			simY[j] = s
		}
		if al.acronym[0] == "" {
			al.acronym = [2]string{t.raw, joinRawText(y[start:end])}
		}
	}
}

// initialsRun finds unmatched consecutive words of y whose initials are
// acr, and returns their bounds, or -1, -1.
func initialsRun(y []token, simY []float64, acr string) (int, int) {
	for start := range y {
		if simY[start] > 0 || stopWords[y[start].s] || y[start].s[0] != acr[0] {
			continue
		}
		k := 0
		for j := start; j < len(y) && simY[j] == 0; j++ {
			if j > start && stopWords[y[j].s] {
				continue
			}
			if y[j].s[0] != acr[k] {
				break
			}
			k++
			if k == len(acr) {
				return start, j + 1
			}
		}
	}
	return -1, -1
}

func setOnce(dst *[2]string, v [2]string) {
	if dst[0] == "" {
		*dst = v
	}
}

// coverage returns the weighted share of toks that matched, the weighted
// share that matched nothing, and the heaviest word that matched nothing.
func coverage(toks []token, sim []float64, total float64) (cov, unmatched float64, heaviest string) {
	if total == 0 {
		return 0, 0, ""
	}
	var best float64
	for i, t := range toks {
		cov += t.w * sim[i]
		if sim[i] == 0 {
			unmatched += t.w
			if t.w > best && t.w > weightStop {
				best, heaviest = t.w, t.raw
			}
		}
	}
	return cov / total, unmatched / total, heaviest
}

// shortWord is the longest word in which a typo is not allowed without a
// shared domain or phone number: one letter changes a short word into
// another real one too often ("Marlow" / "Harlow", "Nikon" / "Ikon").
const shortWord = 5

// wordKind is how two different words were found to be one.
type wordKind uint8

const (
	kindNone   wordKind = iota
	kindPlural          // "zoes" for "zoe"
	kindPrefix          // "dent" for "dental"
	kindTypo            // Jaro-Winkler at least typoMinJW
	kindUmlaut          // "mueller" for "müller"
)

// wordSim is how alike two different words are as spellings of one word:
// an umlaut spelling, an abbreviation by truncation, or a typo (in words
// longer than shortWord letters). It is 0 for words that are simply
// different, and numbers must be equal.
func wordSim(a, b string) float64 {
	s, _ := wordMatch(a, b, false)
	return s
}

// wordMatch is wordSim with the kind of likeness that decided it;
// shortTypos allows typos in short words too.
func wordMatch(a, b string, shortTypos bool) (float64, wordKind) {
	if hasDigit(a) || hasDigit(b) {
		return 0, kindNone
	}
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	best, kind := 0.0, kindNone
	if min(la, lb) >= 3 && isPlural(a, b) {
		best, kind = pluralSim, kindPlural
	}
	if min(la, lb) >= 4 {
		short, long := a, b
		if lb < la {
			short, long = b, a
		}
		if strings.HasPrefix(long, short) {
			best, kind = prefixSim, kindPrefix
		}
		typos := shortTypos || min(la, lb) > shortWord
		if typos && abs(la-lb) <= 3 && jwBound(a, b) >= typoMinJW {
			if j := jw(a, b); j >= typoMinJW && j > best {
				best, kind = j, kindTypo
			}
		}
	}
	if best < umlautSim && hasUmlautSpelling(a, b) && collapseUmlauts(a) == collapseUmlauts(b) {
		best, kind = umlautSim, kindUmlaut
	}
	return best, kind
}

// jwBound is an upper bound of jw(a, b) that costs a few nanoseconds: the
// Jaro part as if every letter the words share matched in order, plus the
// Winkler bonus for their common prefix. It returns 1 (no bound) for words
// that are not plain ASCII.
func jwBound(a, b string) float64 {
	var count [128]int8
	for i := 0; i < len(a); i++ {
		if a[i] >= 128 {
			return 1
		}
		count[a[i]]++
	}
	m := 0
	for i := 0; i < len(b); i++ {
		if b[i] >= 128 {
			return 1
		}
		if count[b[i]] > 0 {
			count[b[i]]--
			m++
		}
	}
	if m == 0 {
		return 0
	}
	jaro := (float64(m)/float64(len(a)) + float64(m)/float64(len(b)) + 1) / 3
	p := 0
	for p < 4 && p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	return jaro + 0.1*float64(p)*(1-jaro) + 1e-9
}

// isPlural reports whether one word is the other with "s" or "es" added
// ("zoes", "zoe"): a plural or a possessive written without apostrophe.
func isPlural(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return b == a+"s" || b == a+"es"
}

func hasUmlautSpelling(a, b string) bool {
	has := func(s string) bool {
		return strings.Contains(s, "ae") || strings.Contains(s, "oe") || strings.Contains(s, "ue")
	}
	return has(a) || has(b)
}

var umlautReplacer = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

func collapseUmlauts(s string) string { return umlautReplacer.Replace(s) }

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
