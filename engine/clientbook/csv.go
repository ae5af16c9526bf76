// Package clientbook reads and writes the MSP's local client book as CSV,
// the way spreadsheets and other tools export it.
package clientbook

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/brainstormmsp/halosync/engine/store"
)

// Columns are the CSV columns HaloSync writes, and reads back.
var Columns = []string{"name", "domain", "phone", "notes"}

// headerAliases maps header names people use to our columns.
var headerAliases = map[string]string{
	"name": "name", "client": "name", "client name": "name", "company": "name", "company name": "name", "customer": "name",
	"domain": "domain", "website": "domain", "web": "domain", "url": "domain", "email": "domain", "e-mail": "domain", "email domain": "domain",
	"phone": "phone", "telephone": "phone", "phone number": "phone", "tel": "phone",
	"notes": "notes", "note": "notes", "comments": "notes",
}

// LineError names the line of the file that could not be read.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// ErrNoNameColumn is returned when the header row has no name column.
var ErrNoNameColumn = errors.New(`the first row must be a header with a "name" column`)

// Read parses a CSV file with a header row and at least a name column
// (other columns: domain or website or email, phone, notes; others are
// ignored). It accepts UTF-8 with or without a byte-order mark, and comma,
// semicolon or tab separators (spreadsheets in many locales export
// semicolons). Any bad row fails the whole read, naming its line, so that
// nothing is half-imported.
func Read(r io.Reader) ([]store.LocalClient, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if line := firstInvalidUTF8Line(data); line > 0 {
		return nil, &LineError{line, errors.New("the file is not UTF-8 text; save it as \"CSV UTF-8\"")}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffSeparator(data)
	cr.FieldsPerRecord = -1 // checked below with a clearer message
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &LineError{1, ErrNoNameColumn}
	}
	if err != nil {
		return nil, csvError(err)
	}
	cols := map[string]int{}
	for i, h := range header {
		if c, ok := headerAliases[strings.ToLower(strings.TrimSpace(h))]; ok {
			if _, dup := cols[c]; !dup {
				cols[c] = i
			}
		}
	}
	if _, ok := cols["name"]; !ok {
		return nil, &LineError{1, ErrNoNameColumn}
	}
	var out []store.LocalClient
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) > len(header) {
			return nil, &LineError{line, fmt.Errorf("%d fields, but the header has %d", len(rec), len(header))}
		}
		field := func(c string) string {
			if i, ok := cols[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		c := store.LocalClient{Name: field("name"), Domain: store.Domain(field("domain")), Phone: field("phone"), Notes: field("notes")}
		if c.Name == "" {
			return nil, &LineError{line, errors.New("the name is empty")}
		}
		out = append(out, c)
	}
}

// Write writes the clients with a header row, in Read's format.
func Write(w io.Writer, cs []store.LocalClient) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, c := range cs {
		if err := cw.Write([]string{c.Name, c.Domain, c.Phone, c.Notes}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func sniffSeparator(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	counts := map[rune]int{',': bytes.Count(first, []byte(",")), ';': bytes.Count(first, []byte(";")), '\t': bytes.Count(first, []byte("\t"))}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

func firstInvalidUTF8Line(data []byte) int {
	if utf8.Valid(data) {
		return 0
	}
	for i, l := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(l) {
			return i + 1
		}
	}
	return 1
}

// csvError turns encoding/csv's parse error into a LineError.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &LineError{pe.Line, pe.Err}
	}
	return err
}
