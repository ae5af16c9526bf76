package match

import (
	"strings"
	"unicode"
)

// token is one word of a name after normalisation.
type token struct {
	s   string  // normalised spelling, e.g. "services"
	raw string  // as written, e.g. "Svcs.", for reasons
	w   float64 // weightOf(s)
}

// noteKind says what normalisation did to a name.
type noteKind uint8

const (
	noteRemoved noteKind = iota // a legal form, "The", a location tag
	noteAnd                     // "&" or "and" dropped
	noteRead                    // an abbreviation read as its full word
	noteDone                    // already told (while building a reason)
)

// note records one change normalisation made, for the reason of an exact match.
type note struct {
	kind noteKind
	raw  string // as written: "Ltd.", "(Main Office)", "Svcs"
	key  string // what it compares by: "ltd", "main office", "svcs"
	to   string // for noteRead: what it was read as
}

// analysis is everything the scorer needs to know about one name. It is
// computed once per name: the Matcher keeps one for every HaloPSA client.
type analysis struct {
	key     string  // Normalize's result
	jwKey   string  // key cut to maxScoredRunes, for Jaro-Winkler
	light   string  // all words, abbreviations and legal forms made canonical, nothing dropped
	compact string  // key without spaces, for "Topnotch" vs "Top Notch"
	plain   string  // folded, words joined by single spaces: "same name" when equal
	toks    []token // the words of key
	weight  float64 // sum of the words' weights
	notes   []note
	accents bool // folding removed accents
}

// Normalize returns the canonical form of a client name that names are
// compared by: lower case, accents folded ("Müller" -> "muller"), punctuation
// dropped, dotted abbreviations joined ("S.r.l." -> "srl"), "&" and "and"
// dropped, a leading "The" dropped, legal forms from many countries stripped
// from the end ("Ltd", "GmbH & Co. KG", "Pty Ltd", "S.A. de C.V."), common
// abbreviations made canonical ("Svcs" -> "services", "Mt." -> "mt", "Ctr" ->
// "centre") and qualifier words of a location tag removed ("- North",
// "(Main Office)"; a place name in a tag is kept). Words are separated by
// single spaces. Normalize is idempotent and safe on any input, including
// invalid UTF-8. A name with no letters or digits normalises to "".
func Normalize(name string) string {
	return analyze(name).key
}

// Scoring looks at most at the first maxScoredWords words and the first
// maxScoredRunes characters of a name: real client names are far shorter,
// and a page of text pasted as a name must not stall a ranking.
const (
	maxScoredWords = 64
	maxScoredRunes = 256
)

// analyze normalises name and keeps what scoring and reasons need.
func analyze(name string) analysis {
	var a analysis
	segs, accents := splitSegments(name)
	a.accents = accents
	var main, tags, all []token
	for _, sg := range segs {
		all = append(all, sg.toks...)
		if !sg.tag {
			main = append(main, sg.toks...)
			continue
		}
		tags = append(tags, tagWords(sg, &a.notes)...)
	}
	main = simplify(main, &a.notes)
	a.toks = simplify(append(main, tags...), &a.notes)
	if len(a.toks) == 0 && len(all) > 0 {
		// Nothing but a tag, "(Main Office)": keep its words after all.
		a.notes = a.notes[:0]
		a.toks = simplify(append([]token(nil), all...), &a.notes)
	}
	a.key = joinTokens(a.toks)
	a.compact = strings.ReplaceAll(a.key, " ", "")
	a.plain = joinRaw(all)
	a.light = capRunes(lightForm(all))
	a.jwKey = capRunes(a.key)
	if len(a.toks) > maxScoredWords {
		a.toks = a.toks[:maxScoredWords]
	}
	for _, t := range a.toks {
		a.weight += t.w
	}
	return a
}

// segment is a run of words: the name itself, or a tag in brackets or after
// a spaced dash ("Acme Ltd - North", "Acme (Main Office)").
type segment struct {
	tag  bool
	raw  string
	toks []token
}

// splitSegments tokenises name into segments of words.
func splitSegments(name string) ([]segment, bool) {
	rs := []rune(name)
	var segs []segment
	cur := segment{}
	start := 0
	accents := false
	flush := func(end int, nextTag bool) {
		if len(cur.toks) > 0 {
			cur.raw = strings.TrimSpace(string(rs[start:end]))
			segs = append(segs, cur)
		}
		cur = segment{tag: nextTag}
		start = end
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isWordStart(r):
			j := wordEnd(rs, i)
			for _, t := range wordTokens(string(rs[i:j])) {
				if t.changed {
					accents = true
				}
				cur.toks = append(cur.toks, t.token)
			}
			i = j
			continue
		case r == '&' || r == '+':
			cur.toks = append(cur.toks, token{s: "and", raw: string(r)})
		case r == '(' || r == '[' || r == '{':
			flush(i, true)
		case r == ')' || r == ']' || r == '}':
			flush(i+1, false)
		case r == '|' || (isDash(r) && spacedAt(rs, i)):
			flush(i, true)
		}
		i++
	}
	flush(len(rs), false)
	return segs, accents
}

func isWordStart(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isDash(r rune) bool { return r == '-' || r == '–' || r == '—' }

// spacedAt reports whether the dash at i stands between spaces (or at an end
// of the name): "Acme - North" is a tag, "Tri-County" is one name.
func spacedAt(rs []rune, i int) bool {
	before := i == 0 || unicode.IsSpace(rs[i-1])
	after := i == len(rs)-1 || unicode.IsSpace(rs[i+1])
	return before && after
}

// wordEnd returns the end of the word starting at i: letters, digits and
// combining marks, with apostrophes, dots and slashes inside it.
func wordEnd(rs []rune, i int) int {
	j := i
	for j < len(rs) {
		r := rs[j]
		if isWordStart(r) || unicode.Is(unicode.Mn, r) {
			j++
			continue
		}
		if (r == '\'' || r == '’' || r == '.' || r == '/') && j+1 < len(rs) && isWordStart(rs[j+1]) {
			j++
			continue
		}
		break
	}
	if j < len(rs) && rs[j] == '.' {
		j++ // keep "Ltd." whole in the raw text
	}
	return j
}

type wordToken struct {
	token
	changed bool
}

// wordTokens splits one written word into tokens: "S.r.l." is one token
// "srl", "St.Mary" two, "O'Neill's" is "oneill", "A/S" is "as".
func wordTokens(raw string) []wordToken {
	w := strings.TrimSuffix(raw, ".")
	for _, suf := range []string{"'s", "’s", "'S", "’S"} {
		if len(w) > len(suf) && strings.HasSuffix(w, suf) {
			w = strings.TrimSuffix(w, suf)
			break
		}
	}
	w = strings.NewReplacer("'", "", "’", "").Replace(w)
	pieces := strings.FieldsFunc(w, func(r rune) bool { return r == '.' || r == '/' })
	single := len(pieces) > 1
	for _, p := range pieces {
		if len([]rune(p)) != 1 {
			single = false
		}
	}
	if single || len(pieces) == 1 {
		f, ch := fold(strings.Join(pieces, ""))
		return []wordToken{{token{s: f, raw: raw, w: weightOf(f)}, ch}}
	}
	out := make([]wordToken, 0, len(pieces))
	for _, p := range pieces {
		f, ch := fold(p)
		out = append(out, wordToken{token{s: f, raw: p, w: weightOf(f)}, ch})
	}
	return out
}

// tagWords keeps the place names of a location tag and notes what it drops.
func tagWords(sg segment, notes *[]note) []token {
	var kept []token
	var dropped []token
	for _, t := range sg.toks {
		s := canonical(t.s)
		if qualifiers[s] || legalForms[s] || s == "and" {
			dropped = append(dropped, t)
			continue
		}
		kept = append(kept, t)
	}
	switch {
	case len(kept) == 0:
		*notes = append(*notes, note{kind: noteRemoved, raw: sg.raw, key: joinTokens(sg.toks)})
	default:
		for _, t := range dropped {
			*notes = append(*notes, note{kind: noteRemoved, raw: t.raw, key: t.s})
		}
	}
	return kept
}

func canonical(s string) string {
	if c, ok := abbreviations[s]; ok {
		return c
	}
	return s
}

func capRunes(s string) string {
	if len(s) <= maxScoredRunes {
		return s
	}
	if rs := []rune(s); len(rs) > maxScoredRunes {
		return string(rs[:maxScoredRunes])
	}
	return s
}

func joinTokens(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.s)
	}
	return b.String()
}

func joinRaw(toks []token) string {
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		parts = append(parts, t.s)
	}
	return strings.Join(parts, " ")
}

// lightCanon makes the spellings of one legal form equal, so that among names
// that normalise alike, "Smith Limited" is closer to "Smith Ltd" than to
// "Smith Inc".
var lightCanon = map[string]string{
	"limited": "ltd", "incorporated": "inc", "corporation": "corp",
	"company": "co", "aktiengesellschaft": "ag", "private": "pvt",
}

func lightForm(toks []token) string {
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		s := canonical(t.s)
		if c, ok := lightCanon[s]; ok {
			s = c
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
