package match

import (
	"fmt"
	"strings"
)

// Caution: the Exact and High bands are what "Accept exact & high" accepts
// in one click, so they must be right nearly always, on names nobody here
// wrote. On real organisations' names (the vendor set in testdata) the
// wrong High suggestions were of a few kinds, which a high score alone does
// not tell apart from right ones. Each kind keeps its score (it still
// ranks and is still suggested) but is held to Medium unless a domain or a
// phone number agrees, and the reason says so:
//
//   - a name word matched only as the start of another ("Axon" in
//     "Axontel", "Logitec" / "Logitech");
//   - a name word matched only as a typo of another ("Visioneer" /
//     "Visiontek"); in words of at most shortWord letters a typo is not
//     even a match without a domain or phone (align.go);
//   - an acronym ("CAS" for "Chamberlain Access Solutions").
//
// A short name inside a longer one at the level of whole words ("Barco" /
// "Barco Display Systems") already scores Medium or less unless the extra
// words are fillers ("Group"); holding the rest to Medium as well lowered
// only right suggestions on both calibration parts, so it is not a rule.
//
// Two more kinds need the other candidates and are applied by the Matcher
// (rank.go): names equal after Normalize shared by two HaloPSA clients,
// and a runner-up within ambiguityBand of the best.

// rules switches the caution rules; the calibration test turns each off in
// turn to measure what it does. Nothing else changes it.
var rules = struct {
	strictShortWords, truncated, typo, acronym, ambiguity, sameName bool
}{true, true, true, true, true, true}

// caution lowers the band limit of an uncorroborated pair.
func (r *result) caution() {
	if r.exact || r.compact {
		return
	}
	al := &r.al
	if rules.acronym && al.acronym[0] != "" {
		r.lower(Medium, "acronym, not corroborated")
	}
	if rules.truncated && al.truncated[0] != "" {
		r.lower(Medium, fmt.Sprintf("%q is only the start of %q", shorter(al.truncated)...))
	}
	if rules.typo && al.distinctTypo[0] != "" {
		r.lower(Medium, "typo in a distinctive word")
	}
}

// lower caps the band at b, recording why.
func (r *result) lower(b Band, why string) {
	r.limit = min(r.limit, b)
	r.lowered = append(r.lowered, why)
}

// shorter orders a pair of words shorter first, for "x is the start of y".
func shorter(p [2]string) []any {
	if len(p[1]) < len(p[0]) {
		return []any{p[1], p[0]}
	}
	return []any{p[0], p[1]}
}

// ambiguityBand: when another HaloPSA client scores within this of the
// best one, the best is not one-click: the user picks.
const ambiguityBand = 0.03

// cautionRanked applies the rules that need the other candidates of one
// local client, ranked best first: names equal after Normalize shared by
// several HaloPSA clients are none of them one-click, and neither is a
// non-exact best with a runner-up within ambiguityBand. A domain or phone
// number that agrees with the best alone settles either doubt.
func cautionRanked(out []Scored, corroborated map[int64]bool) {
	if len(out) < 2 || out[0].Band < High || corroborated[out[0].HaloID] && !corroborated[out[1].HaloID] {
		return
	}
	exact := 0
	for exact < len(out) && out[exact].Score >= ExactThreshold {
		exact++
	}
	switch {
	case exact >= 2 && rules.sameName:
		for i := range out[:exact] {
			lowerScored(&out[i], fmt.Sprintf("%d HaloPSA clients fit equally: pick one", exact))
		}
	case exact == 0 && rules.ambiguity && out[1].Score >= out[0].Score-ambiguityBand:
		lowerScored(&out[0], fmt.Sprintf("another HaloPSA client scores within %.2f", ambiguityBand))
	}
}

// lowerScored holds s at Medium, saying why.
func lowerScored(s *Scored, why string) {
	if s.Band <= Medium {
		return
	}
	s.Band = Medium
	if strings.Contains(s.Reason, "; lowered: ") {
		s.Reason += ", " + why
	} else {
		s.Reason += "; lowered: " + why
	}
}
