package match

import (
	"testing"
	"unicode/utf8"
)

var normalizeCases = []struct{ in, want string }{
	// case, punctuation, whitespace
	{"Hartley Dental Group Ltd", "hartley dental group"},
	{"  HARTLEY   dental\tgroup  ", "hartley dental group"},
	{"Hartley, Dental; Group!", "hartley dental group"},
	{"", ""},
	{"!!!", ""},
	// & and "and", a leading The
	{"Smith & Jones Solicitors", "smith jones solicitors"},
	{"Smith and Jones Solicitors", "smith jones solicitors"},
	{"Smith + Jones", "smith jones"},
	{"The Meadows Surgery", "meadows surgery"},
	{"The", "the"},
	{"And", "and"},
	// legal forms of many countries
	{"Acme Limited", "acme"},
	{"Acme Inc.", "acme"},
	{"Acme, LLC", "acme"},
	{"Acme L.L.C.", "acme"},
	{"Acme Pty. Ltd.", "acme"},
	{"Acme (Pty) Ltd", "acme"},
	{"Acme Co., Ltd.", "acme"},
	{"Acme GmbH & Co. KG", "acme"},
	{"Acme GmbH und Co. KG", "acme"},
	{"Acme S.A.", "acme"},
	{"Acme S.r.l.", "acme"},
	{"Acme S.p.A.", "acme"},
	{"Acme SARL", "acme"},
	{"Acme B.V.", "acme"},
	{"Acme N.V.", "acme"},
	{"Acme Oy", "acme"},
	{"Acme AB", "acme"},
	{"Acme A/S", "acme"},
	{"Acme ApS", "acme"},
	{"Acme Sp. z o.o.", "acme"},
	{"Acme s.r.o.", "acme"},
	{"Acme Kft.", "acme"},
	{"Acme S.A. de C.V.", "acme"},
	{"Acme Pvt. Ltd.", "acme"},
	{"Acme Sdn. Bhd.", "acme"},
	{"Acme e.V.", "acme"},
	{"Acme PLLC", "acme"},
	{"Oy Acme Nordic", "acme nordic"},
	{"Limited", "limited"},
	{"Inc Ltd", "inc ltd"}, // nothing but legal forms: kept
	// diacritics and ligatures
	{"Müller Bau GmbH", "muller bau"},
	{"Société Générale", "societe generale"},
	{"Strauß & Partner", "strauss partner"},
	{"Çelik İnşaat A.Ş.", "celik insaat"},
	{"Łódzka Logistyka", "lodzka logistyka"},
	{"Þórsson ehf.", "thorsson"},
	{"Nguyễn Nails", "nguyen nails"},
	{"Cafe\u0301 Ole\u0301", "cafe ole"}, // decomposed accents
	// abbreviations
	{"Morgan Mfg. Co.", "morgan manufacturing"},
	{"Allied Insurance Svcs", "allied insurance services"},
	{"Northern Builders Assoc.", "northern builders assoc"},
	{"Northern Builders Association", "northern builders assoc"},
	{"Fairview Intl School", "fairview international school"},
	{"Brown Bros Roofing", "brown brothers roofing"},
	{"St. Mary's School", "st mary school"},
	{"Saint Mary's School", "st mary school"},
	{"Mt. Hood Outdoor Ctr", "mt hood outdoor centre"},
	{"Mount Hood Outdoor Center", "mt hood outdoor centre"},
	{"St Mark's C of E Academy", "st mark c of e academy"},
	{"St Marks Church of England Academy", "st marks c of e academy"},
	{"St Marks CofE Academy", "st marks c of e academy"},
	{"Tri-County Co-op", "tri county cooperative"},
	{"1st Choice Cleaning", "first choice cleaning"},
	// location tags
	{"Bright Smile Dental - North", "bright smile dental"},
	{"Bright Smile Dental (Main Office)", "bright smile dental"},
	{"Bright Smile Dental Ltd - York branch", "bright smile dental york"},
	{"Shelter Housing Aid (Leeds)", "shelter housing aid leeds"},
	{"Tri-County Mfg", "tri county manufacturing"},
	{"(Main Office)", "main office"},
	// apostrophes, initials, numbers
	{"O'Neill's Irish Bar", "oneill irish bar"},
	{"J.W. Robinson & Son", "jw robinson son"},
	{"A.B. Patel Pharmacy", "ab patel pharmacy"},
	{"24/7 Locksmiths", "24 7 locksmiths"},
	{"R&R Automotive", "r r automotive"},
}

func TestNormalize(t *testing.T) {
	for _, c := range normalizeCases {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestNormalizeDataset checks idempotence on every name of the labelled set.
func TestNormalizeDataset(t *testing.T) {
	d := loadDataset(t)
	names := make([]string, 0, len(d.locals)+len(d.halo))
	for _, l := range d.locals {
		names = append(names, l.Name)
	}
	for _, c := range d.halo {
		names = append(names, c.Name)
	}
	for _, n := range names {
		k := Normalize(n)
		if k == "" {
			t.Errorf("Normalize(%q) is empty", n)
		}
		if k2 := Normalize(k); k2 != k {
			t.Errorf("Normalize not idempotent on %q: %q then %q", n, k, k2)
		}
	}
}

// TestLexicon checks that the word lists are consistent: a canonical
// spelling is its own canonical spelling (else Normalize would not be
// idempotent).
func TestLexicon(t *testing.T) {
	for from, to := range abbreviations {
		if abbreviations[to] != to {
			t.Errorf("abbreviation %q -> %q, but %q -> %q", from, to, to, abbreviations[to])
		}
	}
	for _, p := range phrases {
		for _, w := range p.to {
			if c := canonical(w); c != w {
				t.Errorf("phrase output %q is rewritten to %q", w, c)
			}
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, c := range normalizeCases {
		f.Add(c.in)
	}
	f.Add("\xff\xfe bad utf-8 \xc3")
	f.Add("a.b.c.d/e/f 'x's ’s -- ( [ { } ] ) | & + and the")
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: not valid UTF-8", s, n)
		}
		if n2 := Normalize(n); n2 != n {
			t.Fatalf("not idempotent: Normalize(%q) = %q, Normalize of that = %q", s, n, n2)
		}
		Score(Local{Name: s}, Candidate{Name: n}) // must not panic
	})
}
