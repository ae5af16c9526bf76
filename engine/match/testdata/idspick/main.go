// Command idspick lists candidate pairs for the vendor-name set in
// engine/match/testdata (see testdata/README.md): for each vendor name of
// usb.ids, the vendor names of pci.ids that could be the same company or a
// near miss of it. It only proposes pairs to look at, by rules that share
// nothing with the matcher (first words, edit distance, initials); every
// label in the set was decided by hand. The tests never run it.
//
//	go run ./engine/match/testdata/idspick > /tmp/pairs.tsv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"
)

type vendor struct {
	id, name string
	toks     []string
	bracket  string // "[AMD]" in "Advanced Micro Devices, Inc. [AMD]"
}

// legal words are ignored when finding a name's first word.
var legal = map[string]bool{"inc": true, "corp": true, "corporation": true, "co": true, "ltd": true,
	"limited": true, "llc": true, "gmbh": true, "ag": true, "sa": true, "company": true, "the": true,
	"incorporated": true, "bv": true, "ab": true, "srl": true, "kk": true, "plc": true, "oy": true}

var vendorLine = regexp.MustCompile(`^([0-9a-f]{4})  (.+)$`)
var bracketRe = regexp.MustCompile(`\[([^\]]+)\]`)

func read(path string) []vendor {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	var out []vendor
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := vendorLine.FindStringSubmatch(sc.Text())
		if m == nil || strings.Contains(strings.ToLower(m[2]), "wrong id") {
			continue
		}
		v := vendor{id: m[1], name: strings.TrimSpace(m[2])}
		if b := bracketRe.FindStringSubmatch(v.name); b != nil {
			v.bracket = strings.ToLower(b[1])
		}
		for _, t := range strings.FieldsFunc(strings.ToLower(v.name), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			if !legal[t] {
				v.toks = append(v.toks, t)
			}
		}
		if len(v.toks) > 0 {
			out = append(out, v)
		}
	}
	return out
}

func lev(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev = cur
	}
	return prev[len(rb)]
}

func initials(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte(t[0])
	}
	return b.String()
}

// why says why two names are worth a look, or "".
func why(u, p vendor, common map[string]bool) string {
	a, b := u.toks[0], p.toks[0]
	second := len(u.toks) > 1 && len(p.toks) > 1 && u.toks[1] == p.toks[1]
	switch {
	case a == b && (!common[a] || second):
		return "first word"
	case a == b:
		return ""
	case len(a) >= 4 && len(b) >= 4 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)):
		return "prefix"
	case len(a) >= 4 && len(b) >= 4 && lev(a, b) <= 1+min(len(a), len(b))/7:
		return "spelling"
	case len(u.toks) > 1 && u.toks[0]+u.toks[1] == b, len(p.toks) > 1 && p.toks[0]+p.toks[1] == a:
		return "joined"
	case len(a) >= 2 && len(a) <= 5 && (a == p.bracket || len(p.toks) > 1 && a == initials(p.toks)):
		return "initials"
	case len(b) >= 2 && len(b) <= 5 && (b == u.bracket || len(u.toks) > 1 && b == initials(u.toks)):
		return "initials"
	}
	return ""
}

func main() {
	pciPath := flag.String("pci", "/usr/share/misc/pci.ids", "pci.ids")
	usbPath := flag.String("usb", "/usr/share/misc/usb.ids", "usb.ids")
	flag.Parse()
	pci, usb := read(*pciPath), read(*usbPath)
	count := map[string]int{}
	for _, p := range pci {
		count[p.toks[0]]++
	}
	common := map[string]bool{}
	for w, n := range count {
		common[w] = n > 3
	}
	for _, u := range usb {
		for _, p := range pci {
			if w := why(u, p, common); w != "" {
				fmt.Printf("%s\t%s\t%s\t%s\t%s\n", u.id, u.name, p.id, p.name, w)
			}
		}
	}
}
