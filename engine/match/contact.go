package match

import (
	"strings"
	"unicode"
)

// freeMail are mail and web hosts shared by many unrelated clients: an
// equal domain among them says nothing.
var freeMail = setOf(`
	gmail.com googlemail.com outlook.com hotmail.com hotmail.co.uk live.com
	live.co.uk msn.com yahoo.com yahoo.co.uk ymail.com icloud.com me.com mac.com
	aol.com protonmail.com proton.me gmx.com gmx.de gmx.net web.de t-online.de
	btinternet.com sky.com virginmedia.com talktalk.net bigpond.com orange.fr
	wanadoo.fr free.fr libero.it mail.com zoho.com yandex.ru qq.com 163.com`)

// hostedSuffixes are domains whose sub-domain names one tenant
// ("acme.onmicrosoft.com"), so three labels identify the client.
var hostedSuffixes = setOf(`
	onmicrosoft.com sharepoint.com halopsa.com wixsite.com squarespace.com
	wordpress.com myshopify.com github.io business.site`)

// secondLevel are the second-level labels of country domains
// ("co.uk", "com.au"), under which three labels identify a client.
var secondLevel = setOf(`co com org net ac gov edu nhs sch ltd plc gv or ne go mil nic police`)

// normDomain reduces a website, URL or e-mail address to the domain that
// identifies its owner ("https://www.hartley-dental.co.uk/contact" ->
// "hartley-dental.co.uk"). It returns "" for an empty, unusable or free-mail
// domain.
func normDomain(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "mailto:")
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexAny(s, "/?#:"); i >= 0 {
		s = s[:i]
	}
	s = strings.Trim(s, ". ")
	s = strings.TrimPrefix(s, "www.")
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return ""
	}
	for _, l := range labels {
		if l == "" || strings.ContainsFunc(l, func(r rune) bool {
			return !(r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r))
		}) {
			return ""
		}
	}
	n := len(labels)
	keep := 2
	last2 := labels[n-2] + "." + labels[n-1]
	if n >= 3 && (hostedSuffixes[last2] || (len(labels[n-1]) == 2 && secondLevel[labels[n-2]])) {
		keep = 3
	}
	d := strings.Join(labels[n-keep:], ".")
	if freeMail[d] || hostedSuffixes[d] {
		return ""
	}
	return d
}

// normPhone reduces a phone number to its last nine digits, so that
// "+44 113 496 0000" and "0113 4960000" compare equal. It returns "" for
// fewer than seven digits.
func normPhone(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	if len(b) < 7 {
		return ""
	}
	if len(b) > 9 {
		b = b[len(b)-9:]
	}
	return string(b)
}

// contacts are a client's normalised domains and phone numbers.
type contacts struct {
	domains []string
	phones  []string
}

func localContacts(l Local) contacts {
	var c contacts
	if d := normDomain(l.Domain); d != "" {
		c.domains = []string{d}
	}
	if p := normPhone(l.Phone); p != "" {
		c.phones = []string{p}
	}
	return c
}

func candidateContacts(c Candidate) contacts {
	var out contacts
	for _, d := range c.Domains {
		if d = normDomain(d); d != "" && !contains(out.domains, d) {
			out.domains = append(out.domains, d)
		}
	}
	for _, p := range c.Phones {
		if p = normPhone(p); p != "" && !contains(out.phones, p) {
			out.phones = append(out.phones, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// shared returns the first value of a that is also in b, or "".
func shared(a, b []string) string {
	for _, x := range a {
		if contains(b, x) {
			return x
		}
	}
	return ""
}
