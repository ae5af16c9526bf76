package clientbook

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/store"
)

func TestReadAcceptsWhatSpreadsheetsWrite(t *testing.T) {
	cases := map[string]string{
		"plain":            "name,domain,phone\nHartley Dental,hartleydental.co.uk,0161 555\nNorthwind,,\n",
		"BOM and CRLF":     "\xef\xbb\xbfName,Website,Phone\r\nHartley Dental,https://www.hartleydental.co.uk/,0161 555\r\nNorthwind,,\r\n",
		"semicolons":       "Company;E-mail;Telephone\nHartley Dental;ann@hartleydental.co.uk;0161 555\nNorthwind;;\n",
		"extra columns":    "id,name,domain,phone,owner\n1,Hartley Dental,hartleydental.co.uk,0161 555,Ann\n2,Northwind,,,Bob\n",
		"quoted, blank":    "name,domain,phone\n\"Hartley Dental\",hartleydental.co.uk,\"0161 555\"\n\n\"Northwind\",,\n",
		"name column only": "name\nHartley Dental\nNorthwind\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			cs, err := Read(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 2 || cs[0].Name != "Hartley Dental" || cs[1].Name != "Northwind" {
				t.Fatalf("got %+v", cs)
			}
			if name != "name column only" && (cs[0].Domain != "hartleydental.co.uk" || cs[0].Phone != "0161 555") {
				t.Fatalf("first row = %+v", cs[0])
			}
		})
	}
}

func TestReadNamesTheBadLine(t *testing.T) {
	cases := []struct {
		in   string
		line int
		text string
	}{
		{"domain,phone\nx.com,1\n", 1, `"name" column`},
		{"", 1, `"name" column`},
		{"name,phone\nA,1\n ,2\n", 3, "name is empty"},
		{"name,phone\nA,1\nB,2,3\n", 3, "3 fields"},
		{"name,phone\nA,1\n\"B,2\n", 3, "quote"},
		{"name\nCafé\nCaf\xe9 Rouge\n", 3, "UTF-8"},
	}
	for _, tc := range cases {
		_, err := Read(strings.NewReader(tc.in))
		var le *LineError
		if !errors.As(err, &le) || le.Line != tc.line || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("Read(%q) = %v; want line %d mentioning %q", tc.in, err, tc.line, tc.text)
		}
	}
}

func TestWriteThenReadRoundTrips(t *testing.T) {
	in := []store.LocalClient{
		{Ref: "CUST-0042", Name: "Müller & Söhne GmbH", Domain: "mueller.de", Phone: "+49 30 1234", Notes: "line one\nline two, with comma"},
		{Ref: " 007;x", Name: `The "Quoted" Co`},
	}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	in[1].Ref = "007;x" // trimmed, as every cell
	if len(out) != 2 || out[0] != in[0] || out[1] != in[1] {
		t.Fatalf("round trip: %+v", out)
	}
}

func TestReadFileKeepsLinesAndDuplicates(t *testing.T) {
	f, err := ReadFile(strings.NewReader("Account;Company;Website\r\nL340;Caf\xe9 Rouge;https://www.cafe.fr/\r\nL340;Caf\xe9 Rouge;https://www.cafe.fr/\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Encoding != "Windows-1252" || len(f.Rows) != 1 || len(f.Duplicates) != 1 || f.Duplicates[0].Line != 3 {
		t.Fatalf("file %+v", f)
	}
	if r := f.Rows[0]; r.Line != 2 || r.Client != (store.LocalClient{Ref: "L340", Name: "Café Rouge", Domain: "cafe.fr"}) {
		t.Fatalf("row %+v", r)
	}
}
