package sync

import (
	"strings"
	"testing"
)

func TestRefLineReadsWellAndIsFoundAgain(t *testing.T) {
	const ref = "HS-0123456789ab"
	for _, tt := range []struct{ details, want string }{
		{"", "— HaloSync ref " + ref},
		{"  \n\n", "— HaloSync ref " + ref},
		{"Printer jams\n", "Printer jams\n\n— HaloSync ref " + ref},
	} {
		got := withRef(tt.details, ref)
		if got != tt.want {
			t.Errorf("withRef(%q) = %q, want %q", tt.details, got, tt.want)
		}
		if body, r := splitRef(got); r != ref || body != strings.TrimSpace(tt.details) {
			t.Errorf("splitRef(%q) = %q, %q", got, body, r)
		}
	}
	// The form tickets created before carry, and the HTML HaloPSA may return.
	for _, old := range []string{"Printer jams\n\nHaloSync ref: " + ref, "<p>Printer jams</p><p>&mdash; HaloSync ref " + ref + "</p>"} {
		if _, r := splitRef(old); r != ref {
			t.Errorf("no ref found in %q", old)
		}
	}
	if body, r := splitRef("Just a note"); r != "" || body != "Just a note" {
		t.Errorf("a note without a ref: %q %q", body, r)
	}
}
