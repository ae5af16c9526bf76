package match

import (
	"strings"
	"testing"
)

// TestCautionKinds: each kind of wrong one-click suggestion seen on real
// names is held below High, and the reason says why; with a domain that
// agrees, the same pair may be one-click again.
func TestCautionKinds(t *testing.T) {
	cases := []struct {
		kind, local, halo string
		reason            string // a part of the reason
	}{
		{"one-letter variant of a distinctive word", "Marlow Dental", "Harlow Dental", `"Marlow" here, "Harlow" in HaloPSA`},
		{"one-letter variant of a distinctive word", "Visioneer", "VISIONTEK", "lowered: typo in a distinctive word"},
		{"one-letter variant of a distinctive word", "Logitech, Inc.", "Logitec Corp.", "lowered: typo in a distinctive word"},
		{"one-letter variant of a short word", "Nikon Corp.", "Ikon Corporation", `"Nikon" ~ "Ikon" not counted: typo in a short word`},
		{"one-letter variant of a short word", "HUMAX Co., Ltd.", "UMAX", "typo in a short word"},
		{"short name inside a longer word", "Axon AG", "Axontel Inc", `lowered: "Axon" is only the start of "Axontel"`},
		{"short name inside a longer word", "Cytechinfo Inc.", "Cytec Corp", `lowered: "Cytec" is only the start of "Cytechinfo"`},
		{"short name inside a longer name", "Barco Display Systems", "BARCO", `"Display" not in HaloPSA`},
		{"letters swapped between words", "Cobo Inc", "BoCo Inc", ""},
		{"acronym for a long name", "CAS Corp", "Chamberlain Access Solutions", "lowered: acronym, not corroborated"},
		{"acronym for a long name", "HDG", "Hartley Dental Group Ltd", "lowered: acronym, not corroborated"},
	}
	for _, c := range cases {
		got := Score(Local{Name: c.local}, Candidate{ID: 1, Name: c.halo})
		if got.Band >= High || !strings.Contains(got.Reason, c.reason) {
			t.Errorf("%s: %q vs %q: %.3f %v %q; want below high, reason with %q",
				c.kind, c.local, c.halo, got.Score, got.Band, got.Reason, c.reason)
		}
		if got.Band > BandOf(got.Score) {
			t.Errorf("%s: band %v above the score's %v", c.kind, got.Band, BandOf(got.Score))
		}
	}
	// Corroborated by a shared domain, an acronym or a typo may be one-click.
	for _, c := range [][2]string{{"HDG", "Hartley Dental Group Ltd"}, {"Hartly Dental", "Hartley Dental"}} {
		got := Score(Local{Name: c[0], Domain: "hartleydental.co.uk"},
			Candidate{Name: c[1], Domains: []string{"www.hartleydental.co.uk"}})
		if got.Band < High || strings.Contains(got.Reason, "lowered") {
			t.Errorf("%q vs %q with a shared domain: %v", c[0], c[1], got)
		}
	}
	// A typo in a short word counts when a phone number agrees.
	got := Score(Local{Name: "Nikon", Phone: "+81 3 1234 5678"}, Candidate{Name: "Ikon", Phones: []string{"03 1234 5678"}})
	if !strings.Contains(got.Reason, `"Nikon" ~ "Ikon"`) || strings.Contains(got.Reason, "not counted") {
		t.Errorf("short typo with a shared phone: %v", got)
	}
}

// TestCautionAmongCandidates: the rules that need the other HaloPSA clients.
func TestCautionAmongCandidates(t *testing.T) {
	m := NewMatcher([]Candidate{
		{ID: 1, Name: "Acme Ltd"}, {ID: 2, Name: "ACME Inc."},
		{ID: 3, Name: "Oakwood Dental Practice"}, {ID: 4, Name: "Oakwood Dental Studio"},
		{ID: 5, Name: "Riverside Plumbing", Domains: []string{"riverside-plumbing.com"}},
		{ID: 6, Name: "Riverside Plumbing Ltd"},
	})
	// Names equal after Normalize shared by two HaloPSA clients.
	r := m.Rank(Local{Name: "Acme"}, 0)
	if len(r) != 2 {
		t.Fatalf("Rank(Acme): %v", r)
	}
	for _, s := range r {
		if s.Band != Medium || !strings.Contains(s.Reason, "lowered: 2 HaloPSA clients fit equally: pick one") {
			t.Errorf("two equal names: %+v", s)
		}
	}
	sug := m.Suggest([]Local{{ID: 9, Name: "Acme"}}, nil)
	if b := sug[0].Best; b != nil && b.Band >= High {
		t.Errorf("Suggest made a coin toss one-click: %+v", b)
	}
	// A runner-up within ambiguityBand.
	r = m.Rank(Local{Name: "Oakwood Dental"}, 0)
	if len(r) < 2 || r[0].Score-r[1].Score > ambiguityBand {
		t.Fatalf("Rank(Oakwood Dental): %v", r)
	}
	if r[0].Band != Medium || !strings.Contains(r[0].Reason, "lowered: another HaloPSA client scores within 0.03") {
		t.Errorf("ambiguous best: %+v", r[0])
	}
	// A shared domain settles a tie of equal names.
	r = m.Rank(Local{Name: "Riverside Plumbing", Domain: "info@riverside-plumbing.com"}, 0)
	if len(r) < 2 || r[0].HaloID != 5 || r[0].Band != Exact {
		t.Errorf("corroborated tie: %v", r)
	}
}
