package match

import (
	"reflect"
	"testing"
)

func everyPairMatcher(halo []Candidate) *Matcher {
	m := NewMatcher(halo)
	m.everyPair = true
	return m
}

// TestIndexSameAsEveryPair holds the index to scoring every pair: the same
// ranked candidates (down to LowThreshold) and the same suggestions, on the
// labelled set and on a synthetic set, with contacts on some clients.
func TestIndexSameAsEveryPair(t *testing.T) {
	d := loadDataset(t)
	sl, sh, _ := genBooks(1000, 7)
	sl = sl[:100]
	sl[3].Domain, sh[10].Domains = "x-example.com", []string{"x-example.com"}
	sl[4].Phone, sh[11].Phones = "+1 555 010 1234", []string{"555-010-1234"}
	for _, set := range []struct {
		name   string
		locals []Local
		halo   []Candidate
	}{{"labelled", d.locals, d.halo}, {"synthetic", sl, sh}} {
		idx, all := NewMatcher(set.halo), everyPairMatcher(set.halo)
		// Rank(l, 0) for every local, as Suggest computes it.
		ra, rb := idx.rankAll(set.locals, nil), all.rankAll(set.locals, nil)
		for i, l := range set.locals {
			if !reflect.DeepEqual(ra[i], rb[i]) {
				t.Errorf("%s: Rank(%q):\nindex      %v\nevery pair %v", set.name, l.Name, ra[i], rb[i])
			}
		}
		if a, b := suggestFrom(set.locals, ra, SuggestThreshold), suggestFrom(set.locals, rb, SuggestThreshold); !reflect.DeepEqual(a, b) {
			t.Errorf("%s: Suggest differs between the index and every pair", set.name)
		}
		if a := idx.Suggest(set.locals, nil); !reflect.DeepEqual(a, suggestFrom(set.locals, ra, SuggestThreshold)) {
			t.Errorf("%s: Suggest is not suggestFrom(rankAll)", set.name)
		}
		var scored, pairs int
		s := newScratch(len(set.halo))
		for _, l := range set.locals {
			la, lc := analyze(l.Name), localContacts(l)
			scored += len(idx.collect(s, &la, &lc, LowThreshold))
			pairs += len(set.halo)
		}
		t.Logf("%s: the index scored %d of %d pairs (%.2f%%)", set.name, scored, pairs, 100*float64(scored)/float64(pairs))
	}
}
