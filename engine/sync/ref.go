package sync

import (
	"regexp"
	"strings"
)

// HaloSync writes a reference into the details of each ticket it creates
// and into each note it posts, so that a write whose answer was lost is
// found again instead of repeated, and its echo is recognised. It is a
// short labelled last line after a blank line, "— HaloSync ref HS-…", so
// that it reads as a signature in HaloPSA. Tickets created before that
// carry "HaloSync ref: HS-…", which is still recognised.

// refPattern finds a reference in either form.
var refPattern = regexp.MustCompile(`HaloSync ref:? (HS-[0-9a-f]{12})`)

// refTail matches the reference line at the end of a text, with the space
// before it and the dash (as HaloPSA may return it in HTML).
var refTail = regexp.MustCompile(`\s*(?:—|&mdash;|&#8212;|-)?\s*HaloSync ref:? HS-[0-9a-f]{12}\s*$`)

// withRef ends text with the reference line. Text without words is just
// the line: a ticket with no details does not start with blank lines.
func withRef(text, ref string) string {
	line := "— HaloSync ref " + ref
	if text = strings.TrimSpace(text); text == "" {
		return line
	}
	return text + "\n\n" + line
}

// splitRef returns text without a trailing reference line, and the
// reference ("" when it has none).
func splitRef(text string) (body, ref string) {
	m := refPattern.FindStringSubmatch(text)
	if m == nil {
		return text, ""
	}
	return strings.TrimSpace(refTail.ReplaceAllString(text, "")), m[1]
}

// RefOf returns the HaloSync reference a ticket's details or a note's text
// carry, in either form, or "" when it carries none.
func RefOf(text string) string {
	_, ref := splitRef(text)
	return ref
}
