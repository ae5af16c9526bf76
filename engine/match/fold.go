package match

import (
	"strings"
	"unicode"
)

// foldTable maps a lower-case letter with a diacritic (or a ligature) to its
// plain Latin spelling. It is built from foldGroups at start-up, so that the
// table is written once, readably, and covers the Latin letters in use in
// Western, Northern and Central Europe, Turkey and Vietnam.
var foldTable = buildFoldTable()

// foldGroups lists, for each plain letter, the accented forms that fold to it.
var foldGroups = map[string]string{
	"a":  "àáâãäåāăąǎǟǡǻȁȃȧạảấầẩẫậắằẳẵặ",
	"b":  "ḃḅ",
	"c":  "çćĉċčƈ",
	"d":  "ďđɗḋḍð",
	"e":  "èéêëēĕėęěȅȇȩẹẻẽếềểễệ",
	"f":  "ḟ",
	"g":  "ĝğġģǧǵ",
	"h":  "ĥħḣḥ",
	"i":  "ìíîïĩīĭįıǐȉȋịỉ",
	"j":  "ĵǰ",
	"k":  "ķǩ",
	"l":  "ĺļľŀłḷ",
	"m":  "ṁṃ",
	"n":  "ñńņňŉǹṅṇŋ",
	"o":  "òóôõöøōŏőơǒǫǭǿȍȏȫȭȯȱọỏốồổỗộớờởỡợ",
	"p":  "ṗ",
	"r":  "ŕŗřȑȓṙṛ",
	"s":  "śŝşšșṡṣ",
	"t":  "ţťŧțṫṭ",
	"u":  "ùúûüũūŭůűųưǔǖǘǚǜȕȗụủứừửữự",
	"w":  "ŵẁẃẅ",
	"y":  "ýÿŷỳỵỷỹ",
	"z":  "źżžẓ",
	"ss": "ß",
	"ae": "æǽ",
	"oe": "œ",
	"th": "þ",
	"ij": "ĳ",
}

func buildFoldTable() map[rune]string {
	t := make(map[rune]string, 400)
	for plain, accented := range foldGroups {
		for _, r := range accented {
			t[r] = plain
		}
	}
	return t
}

// fold lower-cases s and replaces letters with diacritics by plain letters.
// Combining marks (as left by decomposed input) are dropped. It reports
// whether anything other than case changed, so that a reason can say
// "ignoring accents".
func fold(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	for _, r := range s {
		if r < 0x80 {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			changed = true
			continue
		}
		l := unicode.ToLower(r)
		if p, ok := foldTable[l]; ok {
			b.WriteString(p)
			changed = true
			continue
		}
		b.WriteRune(l)
	}
	return b.String(), changed
}
