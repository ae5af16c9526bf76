// Package clientbook reads and writes the MSP's local client book as CSV,
// the way spreadsheets and other tools export it.
package clientbook

import (
	"encoding/csv"
	"io"

	"github.com/brainstormmsp/halosync/engine/bookcsv"
	"github.com/brainstormmsp/halosync/engine/store"
)

// Columns are the CSV columns HaloSync writes, and reads back. id is the
// owner's own id for the client (store.LocalClient.Ref), written as given.
var Columns = []string{"id", "name", "domain", "phone", "notes"}

// LineError names the line of the file that could not be read.
type LineError = bookcsv.LineError

// ErrNoNameColumn is returned when the header row has no name column.
var ErrNoNameColumn = bookcsv.ErrNoNameColumn

// Row is one client of a file and the line it starts on.
type Row struct {
	Line   int
	Client store.LocalClient // Ref, Name, Domain (as store.Domain makes it), Phone, Notes
}

// File is a client book read from CSV.
type File struct {
	Rows       []Row
	Duplicates []bookcsv.Duplicate // rows left out because they repeat an earlier row exactly
	Encoding   string              // "UTF-8" or "Windows-1252"
}

// ReadFile reads a client book: a header row with at least a name column
// (others: id, domain or website or email, phone, notes; others are
// ignored), in the encodings and with the separators bookcsv.Read takes,
// refusing a bad file with the line to fix, as `halosyncctl match` does.
func ReadFile(r io.Reader) (*File, error) {
	f, err := bookcsv.Read(r, bookcsv.Options{})
	if err != nil {
		return nil, err
	}
	out := &File{Duplicates: f.Duplicates, Encoding: f.Encoding}
	for _, row := range f.Rows {
		out.Rows = append(out.Rows, Row{Line: row.Line, Client: store.LocalClient{
			Ref: row.ID, Name: row.Name, Domain: store.Domain(row.Domain), Phone: row.Phone, Notes: row.Notes}})
	}
	return out, nil
}

// Read is ReadFile's clients alone.
func Read(r io.Reader) ([]store.LocalClient, error) {
	f, err := ReadFile(r)
	if err != nil {
		return nil, err
	}
	cs := make([]store.LocalClient, len(f.Rows))
	for i, row := range f.Rows {
		cs[i] = row.Client
	}
	return cs, nil
}

// Write writes the clients with a header row, in ReadFile's format.
func Write(w io.Writer, cs []store.LocalClient) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, c := range cs {
		if err := cw.Write([]string{c.Ref, c.Name, c.Domain, c.Phone, c.Notes}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
