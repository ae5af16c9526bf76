package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/store"
)

// TestSmokeDemo runs the real binary on a real X display (Xvfb in CI):
// `halosync --demo` starts, connects to the simulated HaloPSA, imports,
// a screenshot is taken, Ctrl+3 shows the Tickets tab (when xdotool is
// installed) and a second screenshot is taken, then Clients & Mapping in a
// window resized to 900x600 (it must stay that size, with the status bar
// drawn along its bottom) and a third, and SIGTERM quits it cleanly within
// 5 seconds.
// It runs only with HALOSYNC_GUI_SMOKE=1 and DISPLAY set, e.g.
//
//	HALOSYNC_GUI_SMOKE=1 xvfb-run -a -s "-screen 0 1280x800x24" go test -run Smoke -v ./cmd/halosync
//
// HALOSYNC_SHOT_DIR, when set, keeps the screenshots there too.
func TestSmokeDemo(t *testing.T) {
	if os.Getenv("HALOSYNC_GUI_SMOKE") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("set HALOSYNC_GUI_SMOKE=1 and DISPLAY (run under xvfb-run) for the GUI smoke test")
	}
	if _, err := exec.LookPath("import"); err != nil {
		t.Fatal("the smoke test takes its screenshot with ImageMagick's import: apt-get install imagemagick")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "halosync")
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go tool is not on PATH")
	}
	build := exec.Command(goTool, "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	data := filepath.Join(dir, "data")
	var out bytes.Buffer
	cmd := exec.Command(bin, "--demo", "--data-dir", data)
	// Fyne keeps preferences (the window size) under the user's config
	// folder: the test's own, so that it neither reads nor changes yours.
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
		t.Logf("halosync's output:\n%s", out.String())
	}()

	waitForImport(t, filepath.Join(data, "demo", "halosync.db"), exited)
	secondInstance(t, bin, data, exited)
	time.Sleep(1500 * time.Millisecond) // let the window draw the result
	shot := filepath.Join(dir, "smoke.png")
	if out, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	checkScreenshot(t, shot)
	keep := os.Getenv("HALOSYNC_SHOT_DIR")
	if keep != "" {
		if err := copyFile(shot, filepath.Join(keep, "halosync-smoke.png")); err != nil {
			t.Error(err)
		}
	}
	if shot, ok := ticketsShot(t, dir); ok && keep != "" {
		if err := copyFile(shot, filepath.Join(keep, "halosync-smoke-tickets.png")); err != nil {
			t.Error(err)
		}
	}
	if shot, ok := smallWindowShot(t, dir); ok && keep != "" {
		if err := copyFile(shot, filepath.Join(keep, "halosync-smoke-900x600.png")); err != nil {
			t.Error(err)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("halosync exited with %v after SIGTERM", err)
		}
		t.Logf("quit %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("halosync did not quit within 5 s of SIGTERM")
	}
}

// ticketsShot presses Ctrl+3 in the window with xdotool and takes a
// screenshot of the Tickets tab; without xdotool it skips that step.
func ticketsShot(t *testing.T, dir string) (string, bool) {
	t.Helper()
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Log("no xdotool (apt-get install xdotool): the Tickets tab is not shot")
		return "", false
	}
	out, err := exec.Command("xdotool", "search", "--name", "HaloSync").Output()
	ids := strings.Fields(string(out))
	if err != nil || len(ids) == 0 {
		t.Fatalf("xdotool found no HaloSync window: %v", err)
	}
	for _, args := range [][]string{{"windowfocus", ids[0]}, {"key", "ctrl+3"}} {
		if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
			t.Fatalf("xdotool %s: %v\n%s", args[0], err, out)
		}
	}
	time.Sleep(1500 * time.Millisecond) // the tab loads its tickets off the UI goroutine
	shot := filepath.Join(dir, "smoke-tickets.png")
	if out, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	checkScreenshot(t, shot)
	return shot, true
}

// waitForImport polls the demo's database until the connection is saved
// and an import has finished with clients in it.
func waitForImport(t *testing.T, path string, exited <-chan error) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(90 * time.Second)
	var db *store.DB
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	for {
		select {
		case err := <-exited:
			t.Fatalf("halosync exited before the import finished: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no finished import in the demo database after 90 s")
		}
		time.Sleep(250 * time.Millisecond)
		if db == nil {
			if _, err := os.Stat(path); err != nil {
				continue // the app has not created it yet (it resets the demo first)
			}
			var err error
			if db, err = store.Open(path); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Connection(ctx); errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		run, err := db.LastRun(ctx, store.KindImport)
		if errors.Is(err, store.ErrNotFound) || (err == nil && run.Status == store.StatusRunning) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != store.StatusOK || n.Clients == 0 {
			t.Fatalf("the demo import ended %s with %d clients: %s", run.Status, n.Clients, run.Summary)
		}
		t.Logf("connected; import %s: %s", run.Status, run.Summary)
		return
	}
}

// checkScreenshot fails unless the image shows more than one colour, so a
// black screen (no window drawn) does not pass.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	img := readPNG(t, path)
	colours := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
		}
	}
	if len(colours) < 10 {
		t.Fatalf("the screenshot has %d colours: was the window drawn? (%v)", len(colours), b.Size())
	}
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// secondInstance starts a second demo on the same data folder: it must
// ask the first to show its window, say so and end non-zero, and leave
// the first running.
func secondInstance(t *testing.T, bin, data string, first <-chan error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, bin, "--demo", "--data-dir", data)
	second.Env = append(os.Environ(), "LANG=C.UTF-8")
	out, err := second.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 || !strings.Contains(string(out), "HaloSync is already running for this data folder") {
		t.Fatalf("second halosync --demo: %v, want a non-zero exit saying it already runs:\n%s", err, out)
	}
	select {
	case err := <-first:
		t.Fatalf("the first halosync ended when the second started: %v", err)
	default:
	}
}

// readPNG reads the screenshot at path.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return img
}
