package match_test

import (
	"fmt"

	"github.com/brainstormmsp/halosync/engine/match"
)

func ExampleScore() {
	s := match.Score(match.Local{Name: "Hartley Dental"}, match.Candidate{ID: 7, Name: "Hartley Dental Ltd"})
	fmt.Println(s.Band, s.Reason)
	s = match.Score(match.Local{Name: "Hartley Dental"}, match.Candidate{ID: 8, Name: "Hartley Plumbing Ltd"})
	fmt.Println(s.Band, s.Reason)
	// Output:
	// exact same name after removing "Ltd"
	// none names 46% alike; "Dental" here, "Plumbing" in HaloPSA
}

func ExampleSuggestAll() {
	halo := []match.Candidate{
		{ID: 10, Name: "Hartley Dental Group Ltd"},
		{ID: 11, Name: "Hartley Plumbing & Heating Ltd"},
		{ID: 12, Name: "Smith & Jones Solicitors LLP"},
	}
	locals := []match.Local{
		{ID: 1, Name: "HDG"},
		{ID: 2, Name: "hartley plumbing and heating"},
		{ID: 3, Name: "Hartley Electrical"},
		{ID: 4, Name: "Smith and Jones"},
	}
	for _, s := range match.SuggestAll(locals, halo) {
		if s.Best == nil {
			fmt.Println(s.LocalID, "no suggestion")
			continue
		}
		fmt.Printf("%d -> %d %.2f %s: %s\n", s.LocalID, s.Best.HaloID, s.Best.Score, s.Best.Band, s.Best.Reason)
	}
	// Output:
	// 1 -> 10 0.85 medium: names 85% alike; "HDG" is the initials of "Hartley Dental Group"; lowered: acronym, not corroborated
	// 2 -> 11 1.00 exact: same name after removing "Ltd", reading "&" as "and"
	// 3 no suggestion
	// 4 -> 12 0.90 high: names 90% alike; HaloPSA adds "Solicitors"
}
