package bookcsv

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// decode returns the file as UTF-8 without a byte-order mark, and the
// encoding it was in.
//
// A file that is not valid UTF-8 is decoded as Windows-1252 (a superset of
// Latin-1's printable characters) only when it holds no UTF-8 at all: a
// file that mixes both is a broken UTF-8 file, and decoding it as
// Windows-1252 would garble every accented name that was right. That file,
// UTF-16 (Excel's "Unicode Text") and anything with bytes Windows-1252 does
// not define are refused, naming the first bad line.
func decode(data []byte) ([]byte, string, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, "", &LineError{1, errors.New(`the file is UTF-16 text; save it as "CSV UTF-8"`)}
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(data) {
		return data, "UTF-8", nil
	}
	if hasUTF8(data) {
		return nil, "", &LineError{firstInvalidLine(data), ErrNotText}
	}
	out := make([]byte, 0, len(data)+len(data)/8)
	line := 1
	for _, b := range data {
		if b == '\n' {
			line++
		}
		if b < 0x80 {
			out = append(out, b)
			continue
		}
		r := rune(b)
		if b < 0xA0 {
			r = cp1252[b-0x80]
			if r == 0 {
				return nil, "", &LineError{line, ErrNotText}
			}
		}
		out = utf8.AppendRune(out, r)
	}
	return out, "Windows-1252", nil
}

// hasUTF8 reports whether data holds any valid multi-byte UTF-8 sequence.
func hasUTF8(data []byte) bool {
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if n > 1 && r != utf8.RuneError {
			return true
		}
		data = data[n:]
	}
	return false
}

func firstInvalidLine(data []byte) int {
	for i, l := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(l) {
			return i + 1
		}
	}
	return 1
}

// cp1252 maps Windows-1252's bytes 0x80-0x9F, where it differs from
// Latin-1; zero marks the five bytes it leaves undefined.
var cp1252 = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}
