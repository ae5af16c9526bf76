package match

import "strings"

// andWords are "and" in the languages of the legal forms, so that
// "GmbH und Co. KG" is stripped as one legal form.
var andWords = setOf(`und et y och og en es si e i a`)

// droppedAnd are the words for "and" that are dropped like "&" wherever
// they are; the one-letter ones are too often something else.
var droppedAnd = setOf(`and und et och og en es si`)

// simplify applies the word rules of Normalize until none applies: phrases,
// abbreviations, dropping "and", a leading "The", legal forms at the end and
// (for a few countries) at the start. Running to a fixed point is what makes
// Normalize idempotent. What it changes is appended to notes.
func simplify(toks []token, notes *[]note) []token {
	// Every step shrinks the list or makes words canonical, which they then
	// stay, so this ends; the bound is only a guard.
	for range 4*len(toks) + 16 {
		changed := false
		toks, changed = simplifyOnce(toks, notes)
		if !changed {
			break
		}
	}
	return toks
}

func simplifyOnce(toks []token, notes *[]note) ([]token, bool) {
	if out, ok := rewritePhrase(toks, notes); ok {
		return out, true
	}
	changed := false
	for i, t := range toks {
		if c := canonical(t.s); c != t.s {
			*notes = append(*notes, note{kind: noteRead, raw: t.raw, key: t.s, to: c})
			toks[i] = token{s: c, raw: t.raw, w: weightOf(c)}
			changed = true
		}
	}
	if changed {
		return toks, true
	}
	if out, ok := dropAnd(toks, notes); ok {
		return out, true
	}
	if len(toks) > 1 && toks[0].s == "the" {
		for len(toks) > 1 && toks[0].s == "the" {
			*notes = append(*notes, note{kind: noteRemoved, raw: toks[0].raw, key: "the"})
			toks = toks[1:]
		}
		return toks, true
	}
	if n := legalTail(toks); n > 0 && n < len(toks) {
		tail := toks[len(toks)-n:]
		*notes = append(*notes, note{kind: noteRemoved, raw: joinRawText(tail), key: joinTokens(tail)})
		return toks[:len(toks)-n], true
	}
	if len(toks) > 2 && leadingLegal[toks[0].s] {
		*notes = append(*notes, note{kind: noteRemoved, raw: toks[0].raw, key: toks[0].s})
		return toks[1:], true
	}
	return toks, false
}

// rewritePhrase replaces the multi-word phrases ("Church of England" ->
// "c of e") in one pass from left to right.
func rewritePhrase(toks []token, notes *[]note) ([]token, bool) {
	var out []token
	changed := false
	for i := 0; i < len(toks); {
		found := false
		for _, p := range phrases {
			if !hasWordsAt(toks, i, p.from) {
				continue
			}
			if !changed {
				out = append(make([]token, 0, len(toks)+2), toks[:i]...)
				changed = true
			}
			matched := toks[i : i+len(p.from)]
			*notes = append(*notes, note{kind: noteRead, raw: joinRawText(matched), key: joinTokens(matched), to: strings.Join(p.to, " ")})
			for _, s := range p.to {
				out = append(out, token{s: s, raw: joinRawText(matched), w: weightOf(s)})
			}
			i += len(p.from)
			found = true
			break
		}
		if !found {
			if changed {
				out = append(out, toks[i])
			}
			i++
		}
	}
	if !changed {
		return toks, false
	}
	return out, true
}

func hasWordsAt(toks []token, i int, words []string) bool {
	if i < 0 || i+len(words) > len(toks) {
		return false
	}
	for j, w := range words {
		if toks[i+j].s != w {
			return false
		}
	}
	return true
}

// dropAnd removes "&" and "and", unless nothing else is left.
func dropAnd(toks []token, notes *[]note) ([]token, bool) {
	n := 0
	for _, t := range toks {
		if droppedAnd[t.s] {
			n++
		}
	}
	if n == 0 || n == len(toks) {
		return toks, false
	}
	out := make([]token, 0, len(toks)-n)
	for _, t := range toks {
		if droppedAnd[t.s] {
			*notes = append(*notes, note{kind: noteAnd, raw: t.raw, key: strings.ToLower(t.raw)})
			continue
		}
		out = append(out, t)
	}
	return out, true
}

// legalTail returns how many words at the end of toks are a legal form:
// a known phrase ("sa de cv"), or a run of legal words possibly joined by
// "and" words ("gmbh und co kg"). It returns 0 when there is none.
func legalTail(toks []token) int {
	for _, p := range legalPhrases {
		if hasWordsAt(toks, len(toks)-len(p), p) {
			return len(p)
		}
	}
	start := len(toks)
	for start > 0 && (legalForms[toks[start-1].s] || andWords[toks[start-1].s]) {
		start--
	}
	for start < len(toks) && !legalForms[toks[start].s] {
		start++ // a run starts with a legal word, not with "und"
	}
	if start < len(toks) && !legalForms[toks[len(toks)-1].s] {
		return 0 // "... Smith Ltd og" is not a legal form
	}
	return len(toks) - start
}

func joinRawText(toks []token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.raw
	}
	return strings.Join(parts, " ")
}
