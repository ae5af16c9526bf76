package match

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestMatchCSV(t *testing.T) {
	local := "\xEF\xBB\xBFid,name\n1,Hartley Dental Group\n2,hartley plumbing and heating\n3,Nobody Here Ltd\n4,\"Smith, Jones & Co\"\n"
	halo := "name,ID,phone\nHartley Dental Group Ltd,10,\nHartley Plumbing & Heating Ltd,11,0113 496 0000\n\"Smith Jones & Co.\",12,\n"
	var out bytes.Buffer
	if err := MatchCSV(strings.NewReader(local), strings.NewReader(halo), &out); err != nil {
		t.Fatal(err)
	}
	want := "local_id,halo_id,score,confidence\n1,10,0.999,exact\n2,11,1.000,exact\n3,,,none\n4,12,1.000,exact\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// TestMatchCSVSameAsSuggest: the CLI path gives Suggest's answers.
func TestMatchCSVSameAsSuggest(t *testing.T) {
	var lb, hb, out bytes.Buffer
	lb.WriteString("id,name\n")
	hb.WriteString("id,name\n")
	d := loadDataset(t)
	for _, l := range d.locals {
		lb.WriteString(itoa(l.ID) + "," + quote(l.Name) + "\n")
	}
	for _, c := range d.halo {
		hb.WriteString(itoa(c.ID) + "," + quote(c.Name) + "\n")
	}
	if err := MatchCSV(&lb, &hb, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")[1:]
	sugs := SuggestAll(d.locals, d.halo)
	if len(lines) != len(sugs) {
		t.Fatalf("%d lines for %d locals", len(lines), len(sugs))
	}
	for i, s := range sugs {
		f := strings.Split(lines[i], ",")
		got := f[1]
		want := ""
		if s.Best != nil {
			want = itoa(s.Best.HaloID)
		}
		if f[0] != itoa(s.LocalID) || got != want {
			t.Errorf("line %d: %q, want local %d halo %q", i+2, lines[i], s.LocalID, want)
		}
	}
}

func TestMatchCSVErrors(t *testing.T) {
	good := "id,name\n1,Acme\n"
	for _, c := range []struct{ local, halo, want string }{
		{"", good, `local: line 1: the first row must be a header with a "name" column`},
		{"name\nAcme\n", good, `local: line 1: the first row must be a header with an "id" column`},
		{"id,name\n1,Acme\n,Beta\n", good, "local: line 3: the id is empty"},
		{good, "id,name\n5,A\n5,B\n", `halo: line 3: id "5" already on line 2 with other values`},
		{good, "id,name\n5\n", "halo: line 2: the name is empty"},
		{"id,name\n1,\"Acme\n2,Beta\n", good, "local: line 2: a quoted value starts here and its closing quote is missing"},
	} {
		err := MatchCSV(strings.NewReader(c.local), strings.NewReader(c.halo), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrBadCSV) {
			t.Errorf("local %q halo %q: err %v, want %q", c.local, c.halo, err, c.want)
		}
	}
}

// TestMatchCSVTextIDs: ids are the owner's own text, printed as given,
// whatever the file's encoding and separator.
func TestMatchCSVTextIDs(t *testing.T) {
	local := "Ref;Company\r\nCUST-0042;Caf\xe9 Rouge\r\nL340;hartley dental\r\n007;Nobody Here\r\nCUST-0042;Caf\xe9 Rouge\r\n"
	halo := "\xEF\xBB\xBFid,name\nH-1,Hartley Dental Group Ltd\nh 2,Café Rouge Ltd\n"
	var out bytes.Buffer
	var warned []string
	err := MatchCSVWarn(strings.NewReader(local), strings.NewReader(halo), &out, func(s string) { warned = append(warned, s) })
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "CUST-0042,h 2,") || !strings.HasPrefix(lines[2], "L340,H-1,") || lines[3] != "007,,,none" {
		t.Fatalf("output:\n%s", out.String())
	}
	if len(warned) != 1 || warned[0] != `local: line 5 repeats line 2 (id "CUST-0042"); left out` {
		t.Fatalf("warnings %q", warned)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
