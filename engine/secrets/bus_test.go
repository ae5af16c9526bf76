//go:build linux

package secrets

import (
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// countProcs counts running processes whose program is name. It matches
// the command line, since Linux cuts process names to 15 bytes
// ("gnome-keyring-d").
func countProcs(t *testing.T, name string) int {
	t.Helper()
	out, err := exec.Command("pgrep", "-f", "(^|/)"+name+"( |$)").Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return 0 // pgrep found none
	}
	if err != nil {
		t.Fatalf("pgrep -f %s: %v", name, err)
	}
	return len(strings.Fields(string(out)))
}

// TestKeychainWithoutSessionBus checks that without a session bus a real
// Keychain answers at once with a plain error and starts no daemon: godbus
// would otherwise autolaunch a dbus-daemon and a gnome-keyring-daemon and
// leave both running.
func TestKeychainWithoutSessionBus(t *testing.T) {
	if _, err := exec.LookPath("pgrep"); err != nil {
		t.Skip("pgrep is missing: cannot count daemons")
	}
	if runtimeBus() != "" {
		t.Skip("a systemd user bus exists at /run/user/<uid>/bus: godbus would use it")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	daemons := []string{"dbus-daemon", "gnome-keyring-daemon", "dbus-launch"}
	before := map[string]int{}
	for _, d := range daemons {
		before[d] = countProcs(t, d)
	}
	k := &Keychain{Service: testService, Timeout: 5 * time.Second}
	start := time.Now()
	_, err := k.Get("halo.client_secret")
	took := time.Since(start)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrNoKeychain) || errors.Is(err, ErrNotFound) {
		t.Fatalf("Get without a bus: %v, want ErrNoKeychain and ErrUnavailable", err)
	}
	for _, want := range []string{"the OS keychain is not available", "no D-Bus session bus", "DBUS_SESSION_BUS_ADDRESS is not set", "desktop session"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "locked") {
		t.Errorf("error %q blames a lock that is not there", err)
	}
	if took > 500*time.Millisecond {
		t.Errorf("Get took %s, want an immediate answer", took)
	}
	if err := k.Set("k", "v"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Set without a bus: %v", err)
	}
	if err := k.Delete("k"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Delete without a bus: %v", err)
	}
	// Daemons go into the background: give a leaked one time to show.
	time.Sleep(300 * time.Millisecond)
	for _, d := range daemons {
		if n := countProcs(t, d); n > before[d] {
			t.Errorf("%d %s process(es) before the calls, %d after: one was left running", before[d], d, n)
		}
	}
}

// TestKeychainDeadSessionBus checks an address that names a socket nobody
// listens on: an error naming the address, at once.
func TestKeychainDeadSessionBus(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live")
	l, err := net.Listen("unix", live)
	if err != nil {
		t.Skipf("no unix sockets here: %v", err)
	}
	defer l.Close()

	dead := "unix:path=" + filepath.Join(dir, "gone")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", dead)
	_, err = (&Keychain{Service: testService}).Get("k")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "does not answer") || !strings.Contains(err.Error(), dead) {
		t.Errorf("Get with a dead bus address: %v", err)
	}

	// The probe accepts the first address that answers.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", dead+";unix:path="+live)
	if err := sessionBusProblem(); err != nil {
		t.Errorf("a listening socket after a dead one: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+strings.ReplaceAll(live, "/", "%2f"))
	if err := sessionBusProblem(); err != nil {
		t.Errorf("an escaped path to a listening socket: %v", err)
	}
}

func TestBusTarget(t *testing.T) {
	for _, tc := range []struct{ addr, network, target string }{
		{"unix:path=/run/user/1000/bus", "unix", "/run/user/1000/bus"},
		{"unix:abstract=/tmp/dbus-x,guid=0123", "unix", "@/tmp/dbus-x"},
		{"tcp:host=127.0.0.1,port=" + strconv.Itoa(5555), "tcp", "127.0.0.1:5555"},
		{"unixexec:path=/bin/true", "", ""},
		{"nonsense", "", ""},
	} {
		n, tg, ok := busTarget(tc.addr)
		if n != tc.network || tg != tc.target || ok != (tc.network != "") {
			t.Errorf("busTarget(%q) = %q, %q, %v; want %q, %q", tc.addr, n, tg, ok, tc.network, tc.target)
		}
	}
}
