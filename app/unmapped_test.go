package app

import (
	"testing"

	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/store"
)

func TestWhyUnmapped(t *testing.T) {
	acme := match.Scored{HaloID: 1, Name: "Acme Ltd", Score: 0.9, Band: match.High}
	acme2 := match.Scored{HaloID: 2, Name: "Acme Inc", Score: 0.89, Band: match.High}
	weak := match.Scored{HaloID: 3, Name: "Acme Group", Score: 0.6, Band: match.Low}
	mapped := map[int64]string{1: "ACME"}
	suggested := map[int64]string{3: "Acme G"}
	merge := &MappingRow{MergeName: "ACME"}
	merge.Merge = &store.MergeSuggestion{LocalID: 9, IntoID: 4}
	for _, tc := range []struct {
		ranked            []match.Scored
		row               *MappingRow
		mapped, suggested map[int64]string
		want              string
	}{
		{nil, &MappingRow{}, nil, nil, "no HaloPSA client scores above 0.55"},
		{[]match.Scored{acme, acme2}, &MappingRow{}, mapped, nil, "its best match, “Acme Ltd” (0.90), is mapped to “ACME”"},
		{[]match.Scored{acme, acme2}, merge, mapped, nil, "its best match, “Acme Ltd” (0.90), is mapped to “ACME”: merge the two if they are one client"},
		{[]match.Scored{acme, acme2}, &MappingRow{}, nil, nil, "2 HaloPSA clients fit equally: pick one"},
		{[]match.Scored{weak}, &MappingRow{}, nil, suggested, "its best match, “Acme Group”, scores only 0.60 (low): pick it by hand if it is right"},
		{[]match.Scored{acme, weak}, &MappingRow{}, nil, map[int64]string{1: "Acme"}, "its best match, “Acme Ltd”, is suggested for “Acme”"},
		{[]match.Scored{acme, weak}, &MappingRow{}, nil, nil, "“Acme Ltd” fits (0.90): run Bulk Map to suggest it"},
	} {
		if got := whyUnmapped(tc.ranked, tc.row, tc.mapped, tc.suggested); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}
