package secrets

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zalando/go-keyring"
)

// realKeyringEnv turns on the tests against the real OS keychain. Set it
// only where a keychain is unlocked and private to the tests, as
// .ci/with-keyring does: the tests write and delete real secrets.
const realKeyringEnv = "HALOSYNC_REAL_KEYRING"

var (
	serviceSeq atomic.Int64

	// realReachable checks once that the Secret Service answers.
	realReachable = sync.OnceValue(func() error {
		_, err := NewKeychain("com.brainstormmsp.halosync.test.probe").Get("probe")
		if err == nil || errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
)

// newRealKeychain returns a Keychain on the real OS keychain under a service
// name no other test uses, removing its secrets when the test ends. Without
// HALOSYNC_REAL_KEYRING=1 it skips the test; with it, an unreachable keychain
// fails the test.
func newRealKeychain(t *testing.T) *Keychain {
	t.Helper()
	requireRealKeychain(t)
	service := fmt.Sprintf("com.brainstormmsp.halosync.test.%d.%d", os.Getpid(), serviceSeq.Add(1))
	t.Cleanup(func() {
		if err := keyring.DeleteAll(service); err != nil {
			t.Errorf("removing the test's secrets from %s: %v", service, err)
		}
	})
	return NewKeychain(service)
}

// requireRealKeychain skips the test unless HALOSYNC_REAL_KEYRING=1, and
// then fails it if the OS keychain does not answer.
func requireRealKeychain(t *testing.T) {
	t.Helper()
	if os.Getenv(realKeyringEnv) != "1" {
		t.Skipf("not testing the real OS keychain: set %s=1 (run under .ci/with-keyring)", realKeyringEnv)
	}
	// Without a bus address godbus would autolaunch a session bus, and
	// D-Bus activation a locked gnome-keyring-daemon, both left running.
	if runtime.GOOS == "linux" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatalf("%s=1 but DBUS_SESSION_BUS_ADDRESS is empty: run the tests under .ci/with-keyring", realKeyringEnv)
	}
	if err := realReachable(); err != nil {
		t.Fatalf("%s=1 but the OS keychain does not answer: %v", realKeyringEnv, err)
	}
}

func TestRealKeychainContract(t *testing.T) {
	requireRealKeychain(t)
	testStoreContract(t, func(t *testing.T) Store { return newRealKeychain(t) })
}

func TestRealKeychainFreshInstance(t *testing.T) {
	first := newRealKeychain(t)
	mustSet(t, first, "halo.client_secret", "kept across instances ✓")

	fresh := NewKeychain(first.Service)
	if got, err := fresh.Get("halo.client_secret"); err != nil || got != "kept across instances ✓" {
		t.Fatalf("fresh Keychain: Get = %q, %v", got, err)
	}
	if err := fresh.Delete("halo.client_secret"); err != nil {
		t.Fatalf("fresh Keychain: Delete: %v", err)
	}
	if _, err := first.Get("halo.client_secret"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("first Keychain after the fresh one deleted: error = %v, want ErrNotFound", err)
	}
}

func TestRealKeychainServicesIsolated(t *testing.T) {
	a, b := newRealKeychain(t), newRealKeychain(t)
	mustSet(t, a, "token", "a's token")
	if _, err := b.Get("token"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("b sees a's secret: error = %v, want ErrNotFound", err)
	}
	mustSet(t, b, "token", "b's token")
	if got, err := a.Get("token"); err != nil || got != "a's token" {
		t.Fatalf("a after b's Set: Get = %q, %v", got, err)
	}
	if err := a.Delete("token"); err != nil {
		t.Fatalf("a.Delete: %v", err)
	}
	if got, err := b.Get("token"); err != nil || got != "b's token" {
		t.Fatalf("b after a's Delete: Get = %q, %v", got, err)
	}
}
