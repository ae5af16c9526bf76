package gui

import (
	"slices"
	"testing"
)

func TestFitWidths(t *testing.T) {
	want, least := []float32{200, 100, 250}, []float32{100, 50, 250}
	for _, c := range []struct {
		room float32
		out  []float32
	}{
		{1000, []float32{200, 100, 250}}, // room to spare: as wanted, never wider
		{550, []float32{200, 100, 250}},
		{475, []float32{150, 75, 250}}, // half the slack gone: half way from least to want
		{400, []float32{100, 50, 250}},
		{100, []float32{100, 50, 250}}, // too narrow even for least: the table scrolls
	} {
		if got := fitWidths(want, least, c.room); !slices.Equal(got, c.out) {
			t.Errorf("room %v: %v; want %v", c.room, got, c.out)
		}
	}
}
