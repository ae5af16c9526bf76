package match

import (
	"strings"
	"testing"
)

func TestScore(t *testing.T) {
	cases := []struct {
		local, halo string
		band        Band
		reason      string // a part of the reason
	}{
		{"Acme", "Acme", Exact, "same name"},
		{"ACME", "Acme", Exact, "same name"},
		{"Hartley Dental", "Hartley Dental Ltd", Exact, `removing "Ltd"`},
		{"Smith Ltd", "Smith Limited", Exact, `reading "Ltd" as "Limited"`},
		{"Smith & Jones", "Smith and Jones", Exact, `reading "&" as "and"`},
		{"Allied Insurance Svcs", "Allied Insurance Services Ltd", Exact, `reading "Svcs" as "services"`},
		{"Mueller Bau", "Müller Bau GmbH", High, `"Mueller" ~ "Müller"`},
		{"Muller Bau", "Müller Bau GmbH", Exact, "ignoring accents"},
		{"Bright Smile Dental (Main Office)", "Bright Smile Dental", Exact, `removing "(Main Office)"`},
		{"Topnotch Decorators", "Top Notch Decorators", High, "apart from spacing"},
		{"Hartly Dental Group", "Hartley Dental Group", Medium, `"Hartly" ~ "Hartley"; lowered: typo in a distinctive word`},
		{"HDG", "Hartley Dental Group Ltd", Medium, `"HDG" is the initials of "Hartley Dental Group"; lowered: acronym, not corroborated`},
		{"Hartley Dental", "Hartley Dental Group", High, `HaloPSA adds "Group"`},
		{"Taylormade Kitchens", "Taylor Made Kitchens", High, ""},
		{"Knaresborough TC", "Knaresborough Town Council", Medium, `"TC" is the initials`},
		// near-miss siblings stay below the suggestion threshold
		{"Hartley Dental", "Hartley Plumbing", None, `"Dental" here, "Plumbing" in HaloPSA`},
		{"Bright Smile Dental Harrogate", "Bright Smile Dental - Leeds", None, `"Harrogate" here, "Leeds" in HaloPSA`},
		{"Smith & Jones Estate Agents", "Smith & Jones Solicitors LLP", Low, ""},
		{"Greenfield Veterinary Hospital", "Greenfield Veterinary Clinic", Low, ""},
		{"Oakwood Dental", "Riverside Plumbing", None, ""},
		// nothing to compare
		{"", "Acme", None, "names not alike"},
		{"!!!", "???", None, "names not alike"},
	}
	for _, c := range cases {
		got := Score(Local{ID: 1, Name: c.local}, Candidate{ID: 2, Name: c.halo})
		if got.Score < 0 || got.Score > 1 {
			t.Errorf("%q vs %q: score %v out of [0,1]", c.local, c.halo, got.Score)
		}
		if got.Band != c.band || !strings.Contains(got.Reason, c.reason) {
			t.Errorf("%q vs %q: %.3f %v %q; want band %v, reason with %q",
				c.local, c.halo, got.Score, got.Band, got.Reason, c.band, c.reason)
		}
		// The band is the score's, or lower when the reason says so.
		lowered := strings.Contains(got.Reason, "; lowered: ")
		if got.HaloID != 2 || got.Name != c.halo || got.Band > BandOf(got.Score) || (got.Band != BandOf(got.Score)) != lowered {
			t.Errorf("%q vs %q: %+v", c.local, c.halo, got)
		}
	}
}

// TestScoreExactTieBreak: among names equal after Normalize, the one
// spelled closest wins, and only equal names reach the Exact band.
func TestScoreExactTieBreak(t *testing.T) {
	l := Local{Name: "Nordic Cold Storage AB"}
	ab := Score(l, Candidate{Name: "Nordic Cold Storage AB"})
	oy := Score(l, Candidate{Name: "Nordic Cold Storage Oy"})
	if !(ab.Score > oy.Score && oy.Band == Exact) {
		t.Errorf("AB %v, Oy %v", ab, oy)
	}
	if s := Score(Local{Name: "Hartley Dental Grou"}, Candidate{Name: "Hartley Dental Group"}); s.Band == Exact {
		t.Errorf("a typo reached Exact: %v", s)
	}
}

func TestScoreContacts(t *testing.T) {
	halo := Candidate{ID: 7, Name: "Meridian Holdings Ltd",
		Domains: []string{"https://www.meridian-group.co.uk/about", "info@gmail.com"},
		Phones:  []string{"+44 113 496 0000"}}
	name := Score(Local{Name: "Meridian Group"}, halo)
	dom := Score(Local{Name: "Meridian Group", Domain: "accounts@meridian-group.co.uk"}, halo)
	tel := Score(Local{Name: "Meridian Group", Phone: "0113 4960000"}, halo)
	both := Score(Local{Name: "Meridian Group", Domain: "meridian-group.co.uk", Phone: "(0113) 496-0000"}, halo)
	free := Score(Local{Name: "Meridian Group", Domain: "someone@gmail.com"}, halo)
	if !(dom.Score > name.Score && tel.Score > name.Score && both.Score > dom.Score && both.Score > tel.Score) {
		t.Errorf("contacts did not raise the score: name %v, domain %v, phone %v, both %v", name, dom, tel, both)
	}
	if free.Score != name.Score {
		t.Errorf("a free-mail domain counted: %v vs %v", free, name)
	}
	if !strings.Contains(dom.Reason, "same website domain (meridian-group.co.uk)") ||
		!strings.Contains(tel.Reason, "same phone number") {
		t.Errorf("reasons: %q, %q", dom.Reason, tel.Reason)
	}
	if both.Band == Exact {
		t.Errorf("contacts alone must not reach Exact: %v", both)
	}
	// A renamed client found by its domain alone.
	renamed := Score(Local{Name: "Blue Fern Consulting", Domain: "bluefern.com"},
		Candidate{Name: "BF Advisory Partners LLP", Domains: []string{"bluefern.com"}})
	if renamed.Score < SuggestThreshold {
		t.Errorf("same domain, different name: %v", renamed)
	}
}

func TestNormDomain(t *testing.T) {
	for in, want := range map[string]string{
		"hartley-dental.co.uk":                     "hartley-dental.co.uk",
		"https://www.Hartley-Dental.co.uk/contact": "hartley-dental.co.uk",
		"mailto:jo@mail.hartley.com":               "hartley.com",
		"jo@hartley.com.au":                        "hartley.com.au",
		"acme.onmicrosoft.com":                     "acme.onmicrosoft.com",
		"http://acme.com:8080/x?y":                 "acme.com",
		"someone@gmail.com":                        "",
		"onmicrosoft.com":                          "",
		"localhost":                                "",
		"":                                         "",
		"not a domain.com":                         "",
	} {
		if got := normDomain(in); got != want {
			t.Errorf("normDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+44 113 496 0000": "134960000",
		"0113 496 0000":    "134960000",
		"(555) 010-9999":   "550109999",
		"123":              "",
		"":                 "",
	} {
		if got := normPhone(in); got != want {
			t.Errorf("normPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBandOf(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want Band
	}{
		{1, Exact}, {ExactThreshold, Exact}, {0.97, High}, {HighThreshold, High},
		{SuggestThreshold, Medium}, {MediumThreshold - 0.001, Low}, {LowThreshold, Low}, {0.2, None}, {0, None},
	} {
		if got := BandOf(c.s); got != c.want {
			t.Errorf("BandOf(%v) = %v, want %v", c.s, got, c.want)
		}
	}
	for b, s := range map[Band]string{None: "none", Low: "low", Medium: "medium", High: "high", Exact: "exact"} {
		if b.String() != s {
			t.Errorf("%d.String() = %q", b, b.String())
		}
	}
}

// TestJWBound: the cheap bound never undercuts Jaro-Winkler, or the bound
// would drop real typos.
func TestJWBound(t *testing.T) {
	words := []string{"hartley", "hartly", "harltey", "dental", "rental", "dentl", "smith", "smyth",
		"mueller", "muller", "abcd", "bacd", "a", "ab", "zzzz", "müller", "lakeside", "lakeview"}
	d := loadDataset(t)
	for _, c := range d.halo {
		for _, tk := range analyze(c.Name).toks {
			words = append(words, tk.s)
		}
	}
	for _, a := range words[:200] {
		for _, b := range words {
			if jwBound(a, b) < jw(a, b) {
				t.Errorf("jwBound(%q, %q) = %v < jw %v", a, b, jwBound(a, b), jw(a, b))
			}
		}
	}
}
