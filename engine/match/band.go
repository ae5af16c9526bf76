package match

// Band is a confidence band: how sure a score is that two clients are one.
type Band int

// The bands, weakest first.
const (
	None   Band = iota // no real likeness; never shown as a candidate
	Low                // some likeness; shown in the picker, not suggested
	Medium             // likely, but check
	High               // very likely
	Exact              // the same name once normalised
)

// String returns "none", "low", "medium", "high" or "exact".
func (b Band) String() string {
	switch b {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	case Exact:
		return "exact"
	}
	return "none"
}

// The lower bounds of the bands.
//
// How they were calibrated: on the calibration part of the labelled set in
// testdata (local ids whose last digit is 0-6; the held-out part, 7-9, was
// only measured afterwards). TestCalibrationSweep (MATCH_CALIBRATE=1) prints
// precision/recall/F1 of Suggest for every threshold from 0.55 to 0.97, and
// how the top three candidates of each local split between right and wrong
// by score. On that part:
//
//   - wrong candidates (siblings such as "Hartley Dental" / "Hartley
//     Plumbing", other branches, clients with no counterpart) cluster in
//     0.55-0.70 and reach 0.73, apart from one at 0.80 ("Patel Pharmacy" for
//     "A.B. Patel Pharmacy", which another local, "AB Patel Pharmacy", rightly
//     gets); right ones score 0.80 and up. No candidate falls in [0.75, 0.80);
//   - F1 of the suggestions is flat (0.996, precision 1.000) for every
//     threshold from 0.55 to 0.82, falls from 0.83, and is 0.982 at 0.85.
//
// So Medium, the suggested band, starts at 0.75, in that gap, with room
// on both sides rather than at the edge of the plateau. High starts at 0.85:
// above it all 272 top candidates but 2 were right, and those 2 are exact
// ties on another legal form ("Nordic Cold Storage AB" / "... Oy") that the
// tie-break settles. Low starts at 0.55, below which no right candidate
// ranked in the top three; it is the floor of Rank. Exact is not calibrated:
// only names equal after Normalize get 0.98 and more (see score.go).
//
// On real organisations' names (the vendor set in testdata) a score of 0.85
// and more was not enough for one click: 7% of those suggestions were
// wrong. The rules in caution.go, chosen on that set's calibration part,
// hold the doubtful kinds to Medium whatever their score; the thresholds
// themselves did not change.
const (
	ExactThreshold  = 0.98 // only names equal after Normalize score this high
	HighThreshold   = 0.85
	MediumThreshold = 0.75
	LowThreshold    = 0.55
)

// SuggestThreshold is the lowest score that Suggest proposes: the lower bound
// of the Medium band.
const SuggestThreshold = MediumThreshold

// BandOf returns the band a score falls in.
func BandOf(score float64) Band {
	switch {
	case score >= ExactThreshold:
		return Exact
	case score >= HighThreshold:
		return High
	case score >= MediumThreshold:
		return Medium
	case score >= LowThreshold:
		return Low
	}
	return None
}
