// Package bookcsv reads lists of clients the way spreadsheets export them.
// The client book import and the offline match both read through it, so
// they accept the same files and refuse the same bad ones with the same
// messages.
package bookcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Row is one client of a file, its cells trimmed.
type Row struct {
	Line   int    // the line the row starts on; the header is line 1
	ID     string // the owner's own id, exactly as given; may be empty unless Options.NeedID
	Name   string
	Domain string // as typed: a domain, a website or an e-mail address
	Phone  string
	Notes  string
}

// Duplicate is a row that repeats an earlier row of the file exactly. Read
// leaves it out of File.Rows, so that it is not added twice.
type Duplicate struct {
	Line  int    // the repeating row
	First int    // the row it repeats
	Key   string // its id, or its name when the file has no id for it
}

// String says it the way the import and the match report it.
func (d Duplicate) String() string {
	return fmt.Sprintf("line %d repeats line %d (%s)", d.Line, d.First, d.Key)
}

// File is what Read found in a file.
type File struct {
	Rows       []Row
	Duplicates []Duplicate
	Encoding   string // "UTF-8", or "Windows-1252" when the file was decoded from it
}

// Options say what a reader needs of a file.
type Options struct {
	// NeedID makes the id column, and an id on every row, required.
	NeedID bool
}

// LineError names the line of the file that could not be read.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// Errors that callers may branch on; each arrives inside a LineError.
var (
	ErrNoNameColumn = errors.New(`the first row must be a header with a "name" column`)
	ErrNoIDColumn   = errors.New(`the first row must be a header with an "id" column`)
	ErrNotText      = errors.New(`the file is not UTF-8 or Windows-1252 text; save it as "CSV UTF-8"`)
)

// headerAliases maps the header names people use to the columns.
var headerAliases = func() map[string]string {
	m := map[string]string{}
	for col, names := range map[string][]string{
		"id": {"id", "ref", "reference", "client id", "customer id", "account", "account id", "account number",
			"account no", "external id", "code", "client code"},
		"name":   {"name", "client", "client name", "company", "company name", "customer", "customer name"},
		"domain": {"domain", "website", "web", "url", "email", "e-mail", "email domain"},
		"phone":  {"phone", "telephone", "phone number", "tel"},
		"notes":  {"notes", "note", "comments"},
	} {
		for _, n := range names {
			m[n] = col
		}
	}
	return m
}()

// Read parses a CSV file with a header row and at least a name column
// (others: id, domain or website or email, phone, notes; unknown columns
// are ignored). It reads UTF-8 with or without a byte-order mark, and
// decodes a file with no UTF-8 in it as Windows-1252 (which Excel writes
// for "CSV (Comma delimited)" in western locales); it takes comma,
// semicolon or tab separators, whichever the header row uses most. Any bad
// row fails the whole read, naming its line, so that nothing is
// half-imported. A row that repeats an earlier one exactly is left out and
// listed in File.Duplicates; two rows with one id and different values are
// an error.
func Read(r io.Reader, o Options) (*File, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data, enc, err := decode(raw)
	if err != nil {
		return nil, err
	}
	sep := sniffSeparator(data)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = rune(sep)
	cr.FieldsPerRecord = -1 // checked below with a clearer message
	cr.TrimLeadingSpace = sep != '\t'
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &LineError{1, ErrNoNameColumn}
	}
	if err != nil {
		return nil, csvError(err, data, sep)
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
	if _, ok := cols["id"]; o.NeedID && !ok {
		return nil, &LineError{1, ErrNoIDColumn}
	}
	f := &File{Encoding: enc}
	seen := map[string]int{} // identity key -> index in f.Rows
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return nil, csvError(err, data, sep)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) > len(header) {
			return nil, &LineError{line, fmt.Errorf("%d fields, but the header has %d", len(rec), len(header))}
		}
		if blank(rec) {
			continue // a blank line, or one of empty cells that spreadsheets leave at the end
		}
		cell := func(c string) string {
			if i, ok := cols[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := Row{Line: line, ID: cell("id"), Name: cell("name"), Domain: cell("domain"), Phone: cell("phone"), Notes: cell("notes")}
		if row.Name == "" {
			return nil, &LineError{line, errors.New("the name is empty")}
		}
		if o.NeedID && row.ID == "" {
			return nil, &LineError{line, errors.New("the id is empty")}
		}
		key, shown := "i\x00"+row.ID, fmt.Sprintf("id %q", row.ID)
		if row.ID == "" {
			// Rows without an id are repeats only when every cell is equal:
			// two "Smith Plumbing" in two towns are two clients.
			key, shown = "r\x00"+row.Name+"\x00"+row.Domain+"\x00"+row.Phone+"\x00"+row.Notes, fmt.Sprintf("%q", row.Name)
		}
		if i, ok := seen[key]; ok {
			first := f.Rows[i]
			if sameValues(first, row) {
				f.Duplicates = append(f.Duplicates, Duplicate{Line: line, First: first.Line, Key: shown})
				continue
			}
			return nil, &LineError{line, fmt.Errorf("id %q already on line %d with other values", row.ID, first.Line)}
		}
		seen[key] = len(f.Rows)
		f.Rows = append(f.Rows, row)
	}
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func sameValues(a, b Row) bool {
	a.Line, b.Line = 0, 0
	return a == b
}

// sniffSeparator picks the separator the header row uses most, counting
// outside quotes; a comma when it uses none.
func sniffSeparator(data []byte) byte {
	counts := map[byte]int{}
	quoted := false
	for _, c := range data {
		if c == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		counts[c]++
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// csvError turns encoding/csv's parse error into a LineError in plain
// words. A quote problem is reported on the line where the quoted value
// starts, which is where it needs fixing; encoding/csv names the line where
// it gave up, often the end of the file.
func csvError(err error, data []byte, sep byte) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		line, unclosed := badQuote(data, sep)
		if line == 0 {
			line = pe.StartLine
		}
		if unclosed {
			return &LineError{line, errors.New(`a quoted value starts here and its closing quote is missing`)}
		}
		return &LineError{line, errors.New(`a quoted value starts here and has a stray " inside; write "" for a quote within quotes`)}
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &LineError{pe.Line, errors.New(`a stray " in a value without quotes; put the value in quotes and write "" for each quote in it`)}
	}
	return &LineError{pe.Line, pe.Err}
}

// badQuote finds the first quoted value that is never closed, or is closed
// by a quote followed by something other than a separator or the end of
// the line, and returns the line it starts on.
func badQuote(data []byte, sep byte) (line int, unclosed bool) {
	line, start := 1, true // start: at the beginning of a field
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '\n':
			line, start = line+1, true
		case c == sep:
			start = true
		case start && (c == ' ' || c == '\t'):
			// leading space before a quote is allowed
		case start && c == '"':
			open := line
			for i++; ; i++ {
				if i >= len(data) {
					return open, true
				}
				if data[i] == '\n' {
					line++
				}
				if data[i] != '"' {
					continue
				}
				if i+1 < len(data) && data[i+1] == '"' {
					i++
					continue
				}
				if i+1 == len(data) || data[i+1] == sep || data[i+1] == '\r' || data[i+1] == '\n' {
					break
				}
				return open, false
			}
			start = false
		default:
			start = false
		}
	}
	return 0, false
}
