package match

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrBadCSV is wrapped by every error MatchCSV returns for bad input.
var ErrBadCSV = errors.New("bad CSV")

// MatchCSV is the offline match: local and halo are CSV files with a header
// row and at least the columns id and name (in any order; optional columns
// domain and phone, several values separated by ";"). A UTF-8 byte-order
// mark is tolerated. It writes "local_id,halo_id,score,confidence" and one
// row per local client in input order, with the suggestion of Suggest (same
// matcher, same thresholds); a local client with no suggestion has an empty
// halo_id and score and confidence "none". An error names the file ("local"
// or "halo") and the line.
func MatchCSV(local, halo io.Reader, out io.Writer) error {
	lrows, err := readClients("local", local)
	if err != nil {
		return err
	}
	hrows, err := readClients("halo", halo)
	if err != nil {
		return err
	}
	locals := make([]Local, len(lrows))
	for i, r := range lrows {
		locals[i] = Local{ID: r.id, Name: r.name, Domain: first(r.domains), Phone: first(r.phones)}
	}
	cands := make([]Candidate, len(hrows))
	for i, r := range hrows {
		cands[i] = Candidate{ID: r.id, Name: r.name, Domains: r.domains, Phones: r.phones}
	}
	w := csv.NewWriter(out)
	_ = w.Write([]string{"local_id", "halo_id", "score", "confidence"})
	for _, s := range SuggestAll(locals, cands) {
		row := []string{strconv.FormatInt(s.LocalID, 10), "", "", None.String()}
		if s.Best != nil {
			row[1] = strconv.FormatInt(s.Best.HaloID, 10)
			row[2] = strconv.FormatFloat(s.Best.Score, 'f', 3, 64)
			row[3] = s.Best.Band.String()
		}
		_ = w.Write(row)
	}
	w.Flush()
	return w.Error()
}

type clientRow struct {
	id              int64
	name            string
	domains, phones []string
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// readClients reads one CSV of clients; what names the file in errors.
func readClients(what string, r io.Reader) ([]clientRow, error) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: %s: empty file, want a header row with id and name", ErrBadCSV, what)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadCSV, what, err)
	}
	col := map[string]int{"id": -1, "name": -1, "domain": -1, "phone": -1}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if j, ok := col[h]; ok && j < 0 {
			col[h] = i
		}
	}
	if col["id"] < 0 || col["name"] < 0 {
		return nil, fmt.Errorf("%w: %s line 1: header %q lacks the columns id and name", ErrBadCSV, what, strings.Join(header, ","))
	}
	var rows []clientRow
	seen := map[int64]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadCSV, what, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		cell := func(name string) string {
			if i := col[name]; i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if col["name"] >= len(rec) || col["id"] >= len(rec) {
			return nil, fmt.Errorf("%w: %s line %d: %d columns, want id and name", ErrBadCSV, what, line, len(rec))
		}
		id, err := strconv.ParseInt(cell("id"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %s line %d: id %q is not a whole number", ErrBadCSV, what, line, cell("id"))
		}
		if prev, dup := seen[id]; dup {
			return nil, fmt.Errorf("%w: %s line %d: id %d already on line %d", ErrBadCSV, what, line, id, prev)
		}
		seen[id] = line
		rows = append(rows, clientRow{id: id, name: cell("name"), domains: splitList(cell("domain")), phones: splitList(cell("phone"))})
	}
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
