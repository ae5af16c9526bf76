package secrets

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// fakeKeyring is an in-memory backend that answers like go-keyring:
// keyring.ErrNotFound for missing secrets, also from Delete.
type fakeKeyring struct {
	mu      sync.Mutex
	secrets map[[2]string]string
}

func (f *fakeKeyring) Get(service, user string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.secrets[[2]string{service, user}]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeKeyring) Set(service, user, password string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.secrets == nil {
		f.secrets = make(map[[2]string]string)
	}
	f.secrets[[2]string{service, user}] = password
	return nil
}

func (f *fakeKeyring) Delete(service, user string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.secrets[[2]string{service, user}]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.secrets, [2]string{service, user})
	return nil
}

// funcKeyring answers every call with fn, given the value being stored.
type funcKeyring func(value string) (string, error)

func (f funcKeyring) Get(string, string) (string, error) { return f("") }
func (f funcKeyring) Set(_, _, password string) error {
	_, err := f(password)
	return err
}
func (f funcKeyring) Delete(string, string) error {
	_, err := f("")
	return err
}

const testService = "com.brainstormmsp.halosync.test"

// TestKeychainContractFake checks Keychain's own logic (error mapping,
// missing-key deletes, timeouts that do not fire) over a fake backend, so it
// runs everywhere; real_test.go runs the same contract on the OS keychain.
func TestKeychainContractFake(t *testing.T) {
	testStoreContract(t, func(*testing.T) Store {
		return &Keychain{Service: testService, backend: &fakeKeyring{}}
	})
}

func TestNewKeychain(t *testing.T) {
	k := NewKeychain(testService)
	if k.Service != testService || k.Timeout != 0 || k.backend != nil {
		t.Fatalf("NewKeychain = %+v", k)
	}
}

func TestKeychainSharesByService(t *testing.T) {
	fake := &fakeKeyring{}
	a := &Keychain{Service: "svc.a", backend: fake}
	a2 := &Keychain{Service: "svc.a", backend: fake}
	b := &Keychain{Service: "svc.b", backend: fake}
	mustSet(t, a, "k", "from a")
	if got, err := a2.Get("k"); err != nil || got != "from a" {
		t.Errorf("same service: Get = %q, %v", got, err)
	}
	if _, err := b.Get("k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("other service: Get error = %v, want ErrNotFound", err)
	}
}

func TestKeychainNoService(t *testing.T) {
	k := &Keychain{backend: &fakeKeyring{}}
	if _, err := k.Get("k"); err == nil {
		t.Error("Get with no Service: want an error")
	}
	if err := k.Set("k", "v"); err == nil {
		t.Error("Set with no Service: want an error")
	}
	if err := k.Delete("k"); err == nil {
		t.Error("Delete with no Service: want an error")
	}
}

func TestKeychainTimeout(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	hang := funcKeyring(func(string) (string, error) {
		<-release // an unlock prompt nobody answers
		return "late", nil
	})
	k := &Keychain{Service: testService, Timeout: 50 * time.Millisecond, backend: hang}

	calls := map[string]func() error{
		"Get":    func() error { _, err := k.Get("k"); return err },
		"Set":    func() error { return k.Set("k", "v") },
		"Delete": func() error { return k.Delete("k") },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			err := call()
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("returned after %v, want about 50ms", elapsed)
			}
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("error = %v, want ErrUnavailable", err)
			}
			if !strings.Contains(err.Error(), "unlock prompt") {
				t.Errorf("error %q does not hint at an unlock prompt", err)
			}
		})
	}
}

func TestKeychainDefaultTimeout(t *testing.T) {
	// A call that takes longer than a short Timeout but returns well within
	// DefaultTimeout succeeds when Timeout is zero.
	slow := funcKeyring(func(string) (string, error) {
		time.Sleep(100 * time.Millisecond)
		return "v", nil
	})
	k := &Keychain{Service: testService, backend: slow}
	if got, err := k.Get("k"); err != nil || got != "v" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if DefaultTimeout != 10*time.Second {
		t.Errorf("DefaultTimeout = %v, want 10s", DefaultTimeout)
	}
}

func TestKeychainErrors(t *testing.T) {
	const secret = "hunter2-very-secret"
	tests := []struct {
		name    string
		backend error
		want    error
		wantMsg string
	}{
		{"locked collection", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"),
			ErrUnavailable, "the OS keychain is locked or unavailable"},
		{"no service", errors.New("The name org.freedesktop.secrets was not provided by any .service files"),
			ErrUnavailable, "not provided"},
		{"unsupported platform", keyring.ErrUnsupportedPlatform, ErrUnavailable, "unsupported platform"},
		{"too big", keyring.ErrSetDataTooBig, ErrTooLarge, "too large"},
		{"cause quotes the secret", errors.New("rejected item with secret " + secret + " (bad)"),
			ErrUnavailable, "rejected item with secret [secret] (bad)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := &Keychain{Service: testService, backend: funcKeyring(func(string) (string, error) {
				return "", tc.backend
			})}
			_, getErr := k.Get("halo.client_secret")
			setErr := k.Set("halo.client_secret", secret)
			delErr := k.Delete("halo.client_secret")
			for op, err := range map[string]error{"Get": getErr, "Set": setErr, "Delete": delErr} {
				if !errors.Is(err, tc.want) {
					t.Errorf("%s error = %v, want %v", op, err, tc.want)
					continue
				}
				msg := err.Error()
				// Only Set knows the secret; the fake quotes it to all three.
				if op == "Set" && strings.Contains(msg, secret) {
					t.Errorf("%s error contains the secret: %q", op, msg)
				}
				if op == "Set" && !strings.Contains(msg, tc.wantMsg) {
					t.Errorf("%s error = %q, want it to contain %q", op, msg, tc.wantMsg)
				}
				if !strings.Contains(msg, `"halo.client_secret"`) {
					t.Errorf("%s error = %q does not name the key", op, msg)
				}
			}
			// The cause stays reachable unless it had to be masked.
			if tc.want == ErrUnavailable && tc.name != "cause quotes the secret" &&
				!errors.Is(setErr, tc.backend) {
				t.Errorf("Set error %v does not wrap the cause %v", setErr, tc.backend)
			}
			walkErrors(setErr, func(e error) {
				if strings.Contains(e.Error(), secret) {
					t.Errorf("error wrapped in Set's error contains the secret: %q", e)
				}
			})
		})
	}
}

func TestKeychainNotFoundMapping(t *testing.T) {
	k := &Keychain{Service: testService, backend: funcKeyring(func(string) (string, error) {
		return "", keyring.ErrNotFound
	})}
	_, err := k.Get("k")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get error = %v, want ErrNotFound", err)
	}
	if errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("Get error %v exposes go-keyring's sentinel", err)
	}
	if err := k.Delete("k"); err != nil {
		t.Errorf("Delete of a missing secret = %v, want nil", err)
	}
}

func TestKeychainBackendPanic(t *testing.T) {
	k := &Keychain{Service: testService, backend: funcKeyring(func(string) (string, error) {
		panic("interface conversion: interface {} is nil, not bool")
	})}
	if _, err := k.Get("k"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get error = %v, want ErrUnavailable", err)
	}
}

// walkErrors calls fn on err and on every error it wraps.
func walkErrors(err error, fn func(error)) {
	if err == nil {
		return
	}
	fn(err)
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		walkErrors(e.Unwrap(), fn)
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			walkErrors(inner, fn)
		}
	}
}
