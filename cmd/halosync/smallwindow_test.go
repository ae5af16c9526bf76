package main

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// smallWindowShot shows Clients & Mapping, resizes the window to 900x600,
// the smallest HaloSync promises to fit, and checks that the window kept
// that size (its content did not force it wider or taller) and that the
// status bar is drawn along its bottom edge. Without xdotool it skips.
func smallWindowShot(t *testing.T, dir string) (string, bool) {
	t.Helper()
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Log("no xdotool (apt-get install xdotool): the 900x600 window is not shot")
		return "", false
	}
	id := xdo(t, "search", "--name", "HaloSync")
	id = strings.Fields(id)[0]
	xdo(t, "windowfocus", id)
	xdo(t, "key", "ctrl+2")
	xdo(t, "windowsize", id, "900", "600")
	time.Sleep(1500 * time.Millisecond) // the driver lays out again, wrapped rows included
	geo := map[string]int{}
	for _, line := range strings.Fields(xdo(t, "getwindowgeometry", "--shell", id)) {
		if k, v, ok := strings.Cut(line, "="); ok {
			geo[k], _ = strconv.Atoi(v)
		}
	}
	if geo["WIDTH"] != 900 || geo["HEIGHT"] != 600 {
		t.Errorf("the window is %dx%d after resizing it to 900x600: its content needs more", geo["WIDTH"], geo["HEIGHT"])
	}
	shot := filepath.Join(dir, "smoke-900x600.png")
	if out, err := exec.Command("import", "-window", id, shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	checkScreenshot(t, shot)
	checkStatusBar(t, shot)
	return shot, true
}

// xdo runs xdotool and returns its output.
func xdo(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("xdotool", args...).Output()
	if err != nil || (args[0] == "search" && strings.TrimSpace(string(out)) == "") {
		t.Fatalf("xdotool %s: %v (%q)", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// checkStatusBar fails unless the screenshot's bottom 30 pixels, where the
// status bar's state line is, hold drawn text: a cut-off or missing status
// bar leaves one flat colour there.
func checkStatusBar(t *testing.T, path string) {
	t.Helper()
	img := readPNG(t, path)
	b := img.Bounds()
	colours := map[[4]uint32]bool{}
	for y := b.Max.Y - 30; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Min.X+b.Dx()/2; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
		}
	}
	if len(colours) < 8 {
		t.Errorf("the bottom of the 900x600 window has %d colours: no status bar text is drawn there", len(colours))
	}
}
