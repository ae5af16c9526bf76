package halosim

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// haloTime is the timestamp layout the simulator puts on the wire: ISO 8601
// without a zone designator and with .NET-style trimmed fractional seconds
// (0 to 7 digits), e.g. "2024-03-05T10:22:31.47". The values are UTC. The real
// format is not pinned down by the fact sheet, so the simulator picks the
// less convenient one: a client that parses only RFC 3339 fails here.
const haloTime = "2006-01-02T15:04:05.9999999"

// haloTimeUTC is how Halo writes a value it computed during the request
// (Behaviour.HaloDates, webhook timestamps): UTC, seven fractional digits
// and a Z, e.g. "2024-06-20T14:45:15.9746271Z".
const haloTimeUTC = "2006-01-02T15:04:05.0000000Z"

// Halo's "unset" date sentinels (addendum 2), written instead of leaving the
// key out when Behaviour.HaloDates is on.
const (
	unsetDotNet = "0001-01-01T00:00:00" // DateTime.MinValue
	unset1900   = "1900-01-01T00:00:00" // SQL Server's zero date
	unsetOLE    = "1899-12-30T00:00:00" // OLE Automation's zero date
)

// jsonObj builds one JSON object by hand. Hand-building keeps key order
// stable, lets doubles carry a visible ".0" and is cheap enough to run for
// tens of thousands of records at start-up.
type jsonObj struct {
	b []byte
	n int
}

func newObj(capacity int) *jsonObj {
	b := make([]byte, 0, capacity)
	return &jsonObj{b: append(b, '{')}
}

func (o *jsonObj) key(k string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *jsonObj) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

func (o *jsonObj) int(k string, v int) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, int64(v), 10)
}

// double writes an integral value the way Halo serialises a C# double field:
// with a decimal point, e.g. 12.0.
func (o *jsonObj) double(k string, v int) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, int64(v), 10)
	o.b = append(o.b, '.', '0')
}

func (o *jsonObj) bool(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

func (o *jsonObj) time(k string, t time.Time) {
	o.key(k)
	if t.IsZero() {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '"')
	o.b = t.UTC().AppendFormat(o.b, haloTime)
	o.b = append(o.b, '"')
}

// timeUTC writes t in the haloTimeUTC layout, or unset when t is zero.
func (o *jsonObj) timeUTC(k string, t time.Time, unset string) {
	if t.IsZero() {
		o.str(k, unset)
		return
	}
	o.key(k)
	o.b = append(o.b, '"')
	o.b = t.UTC().AppendFormat(o.b, haloTimeUTC)
	o.b = append(o.b, '"')
}

// timeOr writes t like time, or the sentinel unset when t is zero.
func (o *jsonObj) timeOr(k string, t time.Time, unset string) {
	if t.IsZero() {
		o.str(k, unset)
		return
	}
	o.time(k, t)
}

// raw writes v verbatim; v must already be valid JSON.
func (o *jsonObj) raw(k, v string) {
	o.key(k)
	o.b = append(o.b, v...)
}

func (o *jsonObj) rawBytes(k string, v []byte) {
	o.key(k)
	o.b = append(o.b, v...)
}

func (o *jsonObj) done() []byte {
	return append(o.b, '}')
}

// appendJSONString appends s as a quoted JSON string. Invalid UTF-8 becomes
// U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// messageBody is the {"Message": "..."} error shape.
func messageBody(msg string) []byte {
	o := newObj(len(msg) + 16)
	o.str("Message", msg)
	return o.done()
}
