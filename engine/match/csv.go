package match

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/brainstormmsp/halosync/engine/bookcsv"
)

// ErrBadCSV is wrapped by every error MatchCSV returns for bad input.
var ErrBadCSV = errors.New("bad CSV")

// MatchCSV is the offline match: local and halo are CSV files with a header
// row and at least the columns id and name (in any order; optional columns
// domain and phone, several values separated by ";"). Ids are any text and
// are printed exactly as given. The files are read like the client book
// import reads them (bookcsv: UTF-8 with or without a byte-order mark or
// Windows-1252, comma, semicolon or tab). It writes
// "local_id,halo_id,score,confidence" and one row per local client in input
// order, with the suggestion of Suggest (same matcher, same thresholds); a
// local client with no suggestion has an empty halo_id and score and
// confidence "none". An error names the file ("local" or "halo") and the
// line.
func MatchCSV(local, halo io.Reader, out io.Writer) error {
	return MatchCSVWarn(local, halo, out, nil)
}

// MatchCSVWarn is MatchCSV that tells warn (when not nil) about each row
// left out because it repeats an earlier row of its file exactly, e.g.
// "local: line 7 repeats line 3 (id "C-1")".
func MatchCSVWarn(local, halo io.Reader, out io.Writer, warn func(string)) error {
	lrows, err := readClients("local", local, warn)
	if err != nil {
		return err
	}
	hrows, err := readClients("halo", halo, warn)
	if err != nil {
		return err
	}
	// The matcher keys clients by number: each file's row index stands in
	// for its text id.
	locals := make([]Local, len(lrows))
	for i, r := range lrows {
		locals[i] = Local{ID: int64(i), Name: r.Name, Domain: first(splitList(r.Domain)), Phone: first(splitList(r.Phone))}
	}
	cands := make([]Candidate, len(hrows))
	for i, r := range hrows {
		cands[i] = Candidate{ID: int64(i), Name: r.Name, Domains: splitList(r.Domain), Phones: splitList(r.Phone)}
	}
	w := csv.NewWriter(out)
	_ = w.Write([]string{"local_id", "halo_id", "score", "confidence"})
	for _, s := range SuggestAll(locals, cands) {
		row := []string{lrows[s.LocalID].ID, "", "", None.String()}
		if s.Best != nil {
			row[1] = hrows[s.Best.HaloID].ID
			row[2] = strconv.FormatFloat(s.Best.Score, 'f', 3, 64)
			row[3] = s.Best.Band.String()
		}
		_ = w.Write(row)
	}
	w.Flush()
	return w.Error()
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// readClients reads one CSV of clients; what names the file in errors.
func readClients(what string, r io.Reader, warn func(string)) ([]bookcsv.Row, error) {
	f, err := bookcsv.Read(r, bookcsv.Options{NeedID: true})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadCSV, what, err)
	}
	if warn != nil {
		for _, d := range f.Duplicates {
			warn(what + ": " + d.String() + "; left out")
		}
	}
	return f.Rows, nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
