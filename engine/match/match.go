// Package match suggests which HaloPSA client each local client is: it
// normalises client names, scores a pair of clients on several signals,
// finds candidates through an index instead of scoring every pair, and
// assigns suggestions one to one.
//
// Everything here is pure computation on values: no I/O, no clock, no
// globals that change. A Matcher is immutable once built and safe for
// concurrent use.
package match

// Local is a client in HaloSync's own client book.
type Local struct {
	ID     int64
	Name   string
	Domain string // a website or e-mail domain (a URL or an address will do); may be empty
	Phone  string // may be empty
}

// Candidate is a HaloPSA client, with the domains and phone numbers known
// from its website, sites and contacts.
type Candidate struct {
	ID      int64
	Name    string
	Domains []string
	Phones  []string
}

// Scored is one candidate for a local client, with how alike they are.
type Scored struct {
	HaloID int64
	Name   string  // the HaloPSA client's name
	Score  float64 // in [0, 1]
	// Band is BandOf(Score), or Medium where the evidence is weaker than the
	// score says (an acronym, a typo, another client as likely; see
	// caution.go): Exact and High are what may be accepted in one click.
	Band   Band
	Reason string // for the user, e.g. "same name after removing \"Ltd\""; "lowered: ..." says why a band is below the score's
}

// Suggestion is what Bulk Map proposes for one local client.
type Suggestion struct {
	LocalID int64
	// Best is the suggested HaloPSA client, or nil when no candidate reaches
	// SuggestThreshold or its candidates went to better-matching local
	// clients.
	Best *Scored
	// Alternatives are the next best candidates (at most MaxAlternatives),
	// best first, for the picker. They may be suggested for other local
	// clients: the user decides.
	Alternatives []Scored
}

// MaxAlternatives is how many alternatives a Suggestion carries.
const MaxAlternatives = 5
