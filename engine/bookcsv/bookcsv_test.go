package bookcsv

import (
	"errors"
	"strings"
	"testing"
)

func TestReadAcceptsWhatSpreadsheetsWrite(t *testing.T) {
	cases := map[string]struct{ in, enc string }{
		"plain":         {"id,name,domain\nCUST-0042,Hartley Dental,hartleydental.co.uk\nL340,Café Rouge,\n", "UTF-8"},
		"BOM and CRLF":  {"\xef\xbb\xbfRef,Company,Website\r\nCUST-0042,Hartley Dental,hartleydental.co.uk\r\nL340,Café Rouge,\r\n", "UTF-8"},
		"semicolons":    {"Account;Name;E-mail\nCUST-0042;Hartley Dental;hartleydental.co.uk\nL340;Café Rouge;\n", "UTF-8"},
		"tabs":          {"id\tname\tdomain\nCUST-0042\tHartley Dental\thartleydental.co.uk\nL340\tCafé Rouge\t\n", "UTF-8"},
		"Windows-1252":  {"id;name;domain\r\nCUST-0042;Hartley Dental;hartleydental.co.uk\r\nL340;Caf\xe9 Rouge;\r\n", "Windows-1252"},
		"quoted, blank": {"id,name,domain\n\"CUST-0042\", \"Hartley Dental\",hartleydental.co.uk\n\n,,\n L340 ,\"Café Rouge\",\n", "UTF-8"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f, err := Read(strings.NewReader(tc.in), Options{NeedID: true})
			if err != nil {
				t.Fatal(err)
			}
			if f.Encoding != tc.enc || len(f.Rows) != 2 {
				t.Fatalf("encoding %s, rows %+v", f.Encoding, f.Rows)
			}
			a, b := f.Rows[0], f.Rows[1]
			if a.ID != "CUST-0042" || a.Name != "Hartley Dental" || a.Domain != "hartleydental.co.uk" || a.Line != 2 {
				t.Errorf("first row %+v", a)
			}
			if b.ID != "L340" || b.Name != "Café Rouge" || b.Domain != "" || b.Line < 3 {
				t.Errorf("second row %+v", b)
			}
		})
	}
}

func TestWindows1252Punctuation(t *testing.T) {
	f, err := Read(strings.NewReader("name,notes\nO\x92Brien \x96 Sons,\x80 5\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Rows[0].Name != "O’Brien – Sons" || f.Rows[0].Notes != "€ 5" {
		t.Fatalf("decoded %+v", f.Rows[0])
	}
}

// badFiles are refused by every reader, on these lines, with these words.
var badFiles = []struct {
	name, in string
	line     int
	text     string
}{
	{"no header", "", 1, `"name" column`},
	{"no name column", "id,domain\n1,x.com\n", 1, `"name" column`},
	{"empty name", "id,name,phone\nA1,A,1\nA2, ,2\n", 3, "name is empty"},
	{"too many fields", "id,name,phone\nA1,A,1\nA2,B,2,3\n", 3, "4 fields, but the header has 3"},
	{"unclosed quote at the end", "id,name\nA1,A\nA2,\"B\nA3,C\nA4,D\n", 3, "closing quote is missing"},
	{"unclosed quote meets a quote", "id,name\nA1,\"Acme, Inc\nA2,\"Beta\"\n", 2, "stray \""},
	{"bare quote", "id,name\nA1,Acme \"The\" Ltd\n", 2, "stray \" in a value without quotes"},
	{"same id, other values", "id,name\nCUST-1,Acme\nCUST-2,Beta\nCUST-1,Acme Ltd\n", 4, `id "CUST-1" already on line 2 with other values`},
	{"mixed encodings", "id,name\nA1,Café\nA2,Caf\xe9\n", 3, "not UTF-8 or Windows-1252"},
	{"undefined Windows-1252 byte", "id,name\nA1,Caf\xe9\nA2,X\x81\n", 3, "not UTF-8 or Windows-1252"},
	{"UTF-16", "\xff\xfei\x00d\x00", 1, "UTF-16"},
}

func TestReadNamesTheBadLine(t *testing.T) {
	for _, tc := range badFiles {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in), Options{})
			var le *LineError
			if !errors.As(err, &le) || le.Line != tc.line || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("Read(%q) = %v; want line %d mentioning %q", tc.in, err, tc.line, tc.text)
			}
		})
	}
}

func TestNeedID(t *testing.T) {
	for in, want := range map[string]string{
		"name\nAcme\n":        `line 1: the first row must be a header with an "id" column`,
		"id,name\n,Acme\n":    "line 2: the id is empty",
		"id,name\nX1,Acme\n":  "",
		"ID ,Name\nX1,Acme\n": "",
	} {
		_, err := Read(strings.NewReader(in), Options{NeedID: true})
		if got := errText(err); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestDuplicatesAreReportedNotRepeated(t *testing.T) {
	in := "id,name,domain\nC1,Acme,acme.com\nC2,Beta,\nC1,Acme,acme.com\n,Smith Plumbing,\n,Smith Plumbing,\n,Smith Plumbing,smith.com\n"
	f, err := Read(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, r := range f.Rows {
		lines = append(lines, r.Line)
	}
	if len(f.Rows) != 4 || lines[0] != 2 || lines[1] != 3 || lines[2] != 5 || lines[3] != 7 {
		t.Fatalf("rows on lines %v", lines)
	}
	if len(f.Duplicates) != 2 || f.Duplicates[0].String() != `line 4 repeats line 2 (id "C1")` ||
		f.Duplicates[1].String() != `line 6 repeats line 5 ("Smith Plumbing")` {
		t.Fatalf("duplicates %v", f.Duplicates)
	}
}

func FuzzRead(f *testing.F) {
	for _, tc := range badFiles {
		f.Add(tc.in)
	}
	f.Add("id,name\nA,B\n")
	f.Fuzz(func(t *testing.T, in string) {
		file, err := Read(strings.NewReader(in), Options{})
		var le *LineError
		if err != nil && (!errors.As(err, &le) || le.Line < 1 || le.Line > strings.Count(in, "\n")+1) {
			t.Fatalf("error %v names no line of the file", err)
		}
		if err == nil {
			for _, r := range file.Rows {
				if r.Name == "" || r.Line < 2 {
					t.Fatalf("row %+v", r)
				}
			}
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
