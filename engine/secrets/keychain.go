package secrets

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// DefaultTimeout is how long a Keychain waits for the OS keychain when its
// Timeout field is zero.
const DefaultTimeout = 10 * time.Second

// Keychain is a Store in the OS keychain (the Secret Service on Linux, the
// Keychain on macOS, the Credential Manager on Windows) through go-keyring.
// Secrets are filed under Service with the key as the account name, so two
// Keychains with the same Service share their secrets and two with different
// Services never see each other's.
//
// A keychain call can block while the OS shows an unlock prompt, so each
// call waits at most Timeout and then returns an error matching
// ErrUnavailable. The call itself cannot be cancelled: a Set or Delete that
// timed out may still take effect once the keychain answers. Even so, a
// call can take up to Timeout: keep Keychain calls off the GUI goroutine.
//
// A Keychain is safe for concurrent use; do not change its fields while it
// is in use.
type Keychain struct {
	// Service names the application's secrets in the keychain: the app ID,
	// "com.brainstormmsp.halosync".
	Service string

	// Timeout bounds each call; zero means DefaultTimeout.
	Timeout time.Duration

	// backend is the keychain itself; nil means go-keyring. Tests replace
	// it to play slow, failing or misbehaving keychains.
	backend backend
}

// NewKeychain returns a Keychain for service with the default timeout.
func NewKeychain(service string) *Keychain {
	return &Keychain{Service: service}
}

var _ Store = (*Keychain)(nil)

// backend is the part of go-keyring's API that Keychain uses.
type backend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// goKeyring is the backend of the real OS keychain.
type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) {
	return keyring.Get(service, user)
}

func (goKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}

func (goKeyring) Delete(service, user string) error {
	return keyring.Delete(service, user)
}

// Get returns the secret stored under key.
func (k *Keychain) Get(key string) (string, error) {
	const op = "reading"
	if err := k.check(op, key); err != nil {
		return "", err
	}
	var value string
	err := k.call(func(b backend) (err error) {
		value, err = b.Get(k.Service, key)
		return err
	})
	if err != nil {
		return "", k.wrap(op, key, err, "")
	}
	return value, nil
}

// Set stores value under key, replacing any earlier value.
func (k *Keychain) Set(key, value string) error {
	const op = "saving"
	if err := k.check(op, key); err != nil {
		return err
	}
	err := k.call(func(b backend) error {
		return b.Set(k.Service, key, value)
	})
	if err != nil {
		return k.wrap(op, key, err, value)
	}
	return nil
}

// Delete removes the secret stored under key; a missing secret is no error.
func (k *Keychain) Delete(key string) error {
	const op = "deleting"
	if err := k.check(op, key); err != nil {
		return err
	}
	err := k.call(func(b backend) error {
		return b.Delete(k.Service, key)
	})
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return k.wrap(op, key, err, "")
	}
	return nil
}

// check rejects calls that cannot name a secret.
func (k *Keychain) check(op, key string) error {
	if k.Service == "" {
		return fmt.Errorf("secrets: %s %q: the Keychain has no Service name", op, key)
	}
	return checkKey(op, key)
}

// errTimeout is the cause of a call that did not finish within the timeout.
type errTimeout time.Duration

func (e errTimeout) Error() string {
	return fmt.Sprintf("no answer within %s (is it waiting for an unlock prompt?)", time.Duration(e))
}

// noKeychainError is a keychain that is not there at all, as opposed to
// one that failed: its message says so instead of "locked or unavailable".
type noKeychainError struct{ cause error }

func (e *noKeychainError) Error() string {
	return ErrNoKeychain.Error() + ": " + e.cause.Error()
}

// Unwrap makes errors.Is true for ErrNoKeychain and ErrUnavailable.
func (e *noKeychainError) Unwrap() []error { return []error{ErrNoKeychain, ErrUnavailable, e.cause} }

// call runs fn against the backend on its own goroutine and waits at most
// the timeout for it. A panic in the backend (go-keyring trusts the replies
// of the D-Bus peer) becomes an error instead of ending the program.
func (k *Keychain) call(fn func(backend) error) error {
	b := k.backend
	if b == nil {
		// Checked on every call, not once: the desktop session may come
		// or go while the app runs.
		if err := sessionBusProblem(); err != nil {
			return &noKeychainError{err}
		}
		b = goKeyring{}
	}
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	// Buffered, so a call that finishes after the timeout does not leak its
	// goroutine.
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("the keychain service failed: %v", r)
			}
		}()
		done <- fn(b)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return errTimeout(timeout)
	}
}

// wrap turns a backend error into this package's errors: ErrNotFound,
// ErrTooLarge or ErrUnavailable, with a plain-language message. secret is
// the value being stored, if any: a cause whose text contains it is
// replaced by a copy with the value masked, so it cannot leak into logs.
func (k *Keychain) wrap(op, key string, err error, secret string) error {
	var nk *noKeychainError
	switch {
	case errors.As(err, &nk):
		return fmt.Errorf("secrets: %s %q: %w", op, key, err)
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("secrets: %s %q: %w", op, key, ErrNotFound)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("secrets: %s %q: %w", op, key, ErrTooLarge)
	}
	if secret != "" && strings.Contains(err.Error(), secret) {
		err = errors.New(strings.ReplaceAll(err.Error(), secret, "[secret]"))
	}
	return fmt.Errorf("secrets: %s %q: %w: %w", op, key, ErrUnavailable, err)
}
