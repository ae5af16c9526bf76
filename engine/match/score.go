package match

import (
	"math"
	"strings"

	"github.com/adrg/strutil"
	"github.com/adrg/strutil/metrics"
)

// Scoring. A pair of names gets a name score from two signals:
//
//   - a word score: the words of both names are aligned (equal, an
//     abbreviation or typo of each other, two words written as one, or an
//     acronym of several), each side's words weighted by how much they say
//     (names and places 1, trades 0.5, "group"/"services" 0.25, "of" 0.1).
//     It is the mean of the two sides' weighted coverage, less a penalty when
//     both sides have words the other lacks: "Hartley Dental" and "Hartley
//     Plumbing" share a name but are siblings, not the same client;
//   - Jaro-Winkler similarity of the two normalised names, which forgives
//     what the words miss (spacing, a mangled word), mixed in with weight
//     1-wordShare and only when it is higher than the word score.
//
// Names equal after Normalize score ExactThreshold and up (the closer the
// spelling before normalisation, the higher: "Smith Ltd" prefers "Smith
// Limited" to "Smith Inc"); no other pair reaches ExactThreshold. An equal
// website/e-mail domain or phone number then removes part of the remaining
// doubt: score = 1 - (1-score)*factor.
const (
	wordShare       = 0.75
	conflictPenalty = 1.0
	nonExactCap     = 0.97
	spacingScore    = 0.96 // "Topnotch" vs "Top Notch", for the whole name
	typoMinJW       = 0.90 // two words this alike (Jaro-Winkler) are one word mistyped
	mergeSim        = 0.95 // "taylormade" = "taylor" + "made"
	prefixSim       = 0.85 // "dent" for "dental"
	pluralSim       = 0.95 // "zoes" for "zoe"
	umlautSim       = 0.97 // "mueller" for "müller"
	acronymSim      = 0.85 // "hdg" for "hartley dental group"
	acronym2Sim     = 0.75 // two letters say less: "tc" for "town council"
	domainFactor    = 0.35
	phoneFactor     = 0.5
)

var jaroWinkler = metrics.NewJaroWinkler() // Compare does not mutate it: safe to share

func jw(a, b string) float64 { return strutil.Similarity(a, b, jaroWinkler) }

// result is the score of a pair and what the reason is made from.
type result struct {
	score   float64
	name    float64 // the name part alone
	exact   bool
	compact bool // equal apart from spacing
	al      alignment
	domain  string // the shared domain, if any
	phone   bool   // a shared phone number
	// limit is the highest band the evidence allows (see caution.go), and
	// lowered says why, for the reason.
	limit   Band
	lowered []string
}

// Score returns the full score of one pair, its band and a reason a user can
// read. It is the score that Matcher ranks by; Score analyses both names, so
// a Matcher is faster for many pairs.
func Score(l Local, c Candidate) Scored {
	la, ca := analyze(l.Name), analyze(c.Name)
	lc, cc := localContacts(l), candidateContacts(c)
	r := scorePair(&la, &ca, &lc, &cc)
	return r.scored(c, &la, &ca)
}

func (r *result) scored(c Candidate, la, ca *analysis) Scored {
	band := BandOf(r.score)
	reason := r.reason(la, ca)
	if r.limit < band {
		band = r.limit
		reason += "; lowered: " + strings.Join(r.lowered, ", ")
	}
	return Scored{HaloID: c.ID, Name: c.Name, Score: r.score, Band: band, Reason: reason}
}

// scorePair is the one scoring function behind Score, Rank and Suggest.
func scorePair(la, ca *analysis, lc, cc *contacts) result {
	r := result{limit: Exact}
	r.domain = shared(lc.domains, cc.domains)
	r.phone = shared(lc.phones, cc.phones) != ""
	corroborated := r.domain != "" || r.phone
	switch {
	case la.key == "" || ca.key == "":
	case la.key == ca.key:
		r.exact = true
		r.name = ExactThreshold + (1-ExactThreshold)*jw(la.light, ca.light)
	case la.compact == ca.compact:
		r.compact = true
		r.name = spacingScore
	default:
		r.al = align(la, ca, corroborated || !rules.strictShortWords)
		j := jw(la.jwKey, ca.jwKey)
		r.name = wordShare*r.al.tok + (1-wordShare)*math.Max(j, r.al.tok)
		r.name = math.Min(r.name, nonExactCap)
	}
	r.score = r.name
	if r.domain != "" {
		r.score = 1 - (1-r.score)*domainFactor
	}
	if r.phone {
		r.score = 1 - (1-r.score)*phoneFactor
	}
	if !r.exact {
		r.score = math.Min(r.score, nonExactCap)
	}
	r.score = math.Round(r.score*1e6) / 1e6 // stable across platforms and in ties
	if !corroborated {
		r.caution()
	}
	return r
}
