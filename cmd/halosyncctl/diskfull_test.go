package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

// smallDisk mounts a 2 MiB tmpfs for the test, or skips it where that is
// not allowed (not root, no mount, not Linux).
func smallDisk(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux to mount a small tmpfs")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a 2 MiB tmpfs to fill (needs root): %v: %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes to path until the disk is full, then frees keep bytes of it.
func fill(t *testing.T, path string, keep int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	var n int64
	for {
		w, err := f.Write(chunk)
		n += int64(w)
		if errors.Is(err, syscall.ENOSPC) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(max(0, n-keep)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestImportOnAFullDisk fills the disk under the data folder during an
// import and checks what the user is told: which folder and to free
// space, once, in the sync log and on the command line; status says the
// import failed and counts the error.
func TestImportOnAFullDisk(t *testing.T) {
	t.Parallel()
	disk := smallDisk(t)
	_, srv := startSim(t, halosim.Options{Seed: 41, Clients: 100})
	e := &env{t: t, dir: filepath.Join(disk, "data"), mem: secrets.NewMemory()}
	if r := e.connect(srv.URL, halosim.DefaultClientSecret, "--no-sync"); r.code != 0 {
		t.Fatal(r)
	}
	// Room for the run to begin and write a little, not for the import.
	fill(t, filepath.Join(disk, "filler"), 96<<10)

	r := e.run("", "sync", "--once")
	if r.code == 0 {
		t.Fatalf("an import on a full disk succeeded: %v", r)
	}
	out := r.stdout + r.stderr
	if n := strings.Count(out, "free some space"); n != 1 || !strings.Contains(out, e.dir) {
		t.Errorf("sync --once says %q %d times (want once, with %s):\n%s", "free some space", n, e.dir, out)
	}
	if strings.Contains(out, "database or disk is full") {
		t.Errorf("sync --once repeats SQLite's words:\n%s", out)
	}

	s := e.status()
	if s.LastRunStatus != store.StatusFailed || s.Errors == 0 {
		t.Errorf("status after the full disk: last_run_status %q, errors %d; want failed and the error counted", s.LastRunStatus, s.Errors)
	}
	logs := e.must("", "log", "--level", "error").stdout
	if n := strings.Count(logs, "free some space"); n != 1 || !strings.Contains(logs, e.dir) {
		t.Errorf("the error log says %q %d times (want once, with %s):\n%s", "free some space", n, e.dir, logs)
	}
	if strings.Contains(logs, "database or disk is full") {
		t.Errorf("the error log repeats SQLite's words:\n%s", logs)
	}

	// Full to the last byte, the data folder cannot even be opened: the
	// command says so in the same words.
	fill(t, filepath.Join(disk, "filler2"), 0)
	r = e.run("", "status")
	if r.code == 0 || strings.Count(r.stderr, "free some space") != 1 || !strings.Contains(r.stderr, e.dir) {
		t.Errorf("status on a disk full to the last byte: %v", r)
	}
	if err := os.Remove(filepath.Join(disk, "filler2")); err != nil {
		t.Fatal(err)
	}

	// With space again, the next import succeeds.
	if err := os.Remove(filepath.Join(disk, "filler")); err != nil {
		t.Fatal(err)
	}
	e.must("", "sync", "--once")
	if s := e.status(); s.LastRunStatus != store.StatusOK {
		t.Errorf("after freeing space: last_run_status %q, want ok", s.LastRunStatus)
	}
}
