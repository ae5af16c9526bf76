package match

import (
	"fmt"
	"math"
	"strings"
)

// reason says in a few words why a pair scored what it did.
func (r *result) reason(la, ca *analysis) string {
	var parts []string
	switch {
	case r.exact:
		parts = append(parts, exactReason(la, ca))
	case r.compact:
		parts = append(parts, "same name apart from spacing")
	case r.name > 0:
		parts = append(parts, fmt.Sprintf("names %d%% alike", int(math.Round(r.name*100))))
		parts = append(parts, r.al.details()...)
	default:
		parts = append(parts, "names not alike")
	}
	if r.domain != "" {
		parts = append(parts, "same website domain ("+r.domain+")")
	}
	if r.phone {
		parts = append(parts, "same phone number")
	}
	return strings.Join(parts, "; ")
}

// details are the one or two findings of the alignment worth telling.
func (al *alignment) details() []string {
	var out []string
	if al.acronym[0] != "" {
		out = append(out, fmt.Sprintf("%q is the initials of %q", al.acronym[0], al.acronym[1]))
	}
	if al.refused {
		out = append(out, fmt.Sprintf("%q ~ %q not counted: typo in a short word", al.shortTypo[0], al.shortTypo[1]))
	} else if al.conflict[0] != "" {
		out = append(out, fmt.Sprintf("%q here, %q in HaloPSA", al.conflict[0], al.conflict[1]))
	} else if al.typo[0] != "" {
		out = append(out, fmt.Sprintf("%q ~ %q", al.typo[0], al.typo[1]))
	}
	if al.conflict[0] == "" && !al.refused && len(out) < 2 {
		switch {
		case al.extraHalo != "":
			out = append(out, fmt.Sprintf("HaloPSA adds %q", al.extraHalo))
		case al.extraLocal != "":
			out = append(out, fmt.Sprintf("%q not in HaloPSA", al.extraLocal))
		}
	}
	if len(out) > 2 {
		out = out[:2]
	}
	return out
}

// exactReason tells what normalisation had to do to make two names equal:
// `same name after removing "Ltd", reading "Svcs" as "services"`.
func exactReason(la, ca *analysis) string {
	onlyA, onlyB := noteDiff(la.notes, ca.notes), noteDiff(ca.notes, la.notes)
	var removed, read []string
	andA, andB := "", ""
	// "Ltd" on one side, "Limited" on the other: one legal form, two spellings.
	for i, a := range onlyA {
		for j, b := range onlyB {
			if a.kind == noteRemoved && b.kind == noteRemoved && a.key != b.key && lightKey(a.key) == lightKey(b.key) {
				read = append(read, fmt.Sprintf("reading %q as %q", a.raw, b.raw))
				onlyA[i].kind, onlyB[j].kind = noteDone, noteDone
			}
		}
	}
	for _, side := range [][]note{onlyA, onlyB} {
		for _, n := range side {
			switch n.kind {
			case noteRemoved:
				removed = appendUnique(removed, fmt.Sprintf("%q", n.raw))
			case noteRead:
				read = appendUnique(read, fmt.Sprintf("reading %q as %q", n.raw, n.to))
			}
		}
	}
	for _, n := range onlyA {
		if n.kind == noteAnd {
			andA = n.raw
		}
	}
	for _, n := range onlyB {
		if n.kind == noteAnd {
			andB = n.raw
		}
	}
	var parts []string
	switch {
	case andA != "" && andB != "":
		if andB == "&" || andB == "+" {
			andA, andB = andB, andA // "&" as "and", whichever side wrote it
		}
		parts = append(parts, fmt.Sprintf("reading %q as %q", andA, andB))
	case andA != "":
		removed = append(removed, fmt.Sprintf("%q", andA))
	case andB != "":
		removed = append(removed, fmt.Sprintf("%q", andB))
	}
	if len(removed) > 0 {
		parts = append([]string{"removing " + strings.Join(removed, ", ")}, parts...)
	}
	parts = append(parts, read...)
	if la.accents != ca.accents {
		parts = append(parts, "ignoring accents")
	}
	switch {
	case len(parts) > 0:
		return "same name after " + strings.Join(parts, ", ")
	case la.plain == ca.plain:
		return "same name"
	}
	return "same name ignoring case and punctuation"
}

func lightKey(key string) string {
	if c, ok := lightCanon[key]; ok {
		return c
	}
	return key
}

// noteDiff returns the notes of a that b has not.
func noteDiff(a, b []note) []note {
	var out []note
	for _, n := range a {
		found := false
		for _, m := range b {
			if m.kind == n.kind && m.key == n.key {
				found = true
				break
			}
		}
		if !found {
			out = append(out, n)
		}
	}
	return out
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
