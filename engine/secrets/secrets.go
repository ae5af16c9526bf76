// Package secrets keeps HaloSync's secrets in the OS keychain.
//
// Secrets (the HaloPSA client secret, webhook credentials, the tunnel token)
// live only here: callers hold a [Store], which is a [Keychain] in the app and
// a [Memory] in unit tests. No error from this package ever contains a
// secret value; keys are names such as "halo.client_secret" and may appear.
package secrets

import (
	"errors"
	"fmt"
)

// Store keeps secrets by key. Implementations are safe for concurrent use.
type Store interface {
	// Get returns the secret stored under key, or an error that matches
	// ErrNotFound when there is none.
	Get(key string) (string, error)
	// Set stores value under key, replacing any earlier value.
	Set(key, value string) error
	// Delete removes the secret stored under key. Deleting a key that has
	// no secret is not an error.
	Delete(key string) error
}

var (
	// ErrNotFound means no secret is stored under the key. It stands for
	// go-keyring's keyring.ErrNotFound, which this package never returns.
	ErrNotFound = errors.New("no secret is stored under that name")

	// ErrUnavailable means the keychain could not be used: it is locked,
	// no keychain service is running, it did not answer in time (often an
	// unlock prompt waiting for the user), or it failed.
	ErrUnavailable = errors.New("the OS keychain is locked or unavailable")

	// ErrNoKeychain means there is no keychain to ask at all: on Linux, no
	// D-Bus session bus. Errors that match it match ErrUnavailable too.
	ErrNoKeychain = errors.New("the OS keychain is not available")

	// ErrTooLarge means the keychain refused a value as too large. Linux's
	// Secret Service has no fixed limit; macOS and Windows allow a few KiB.
	ErrTooLarge = errors.New("the secret is too large for the OS keychain")

	// ErrInvalidKey means the key is empty: every secret needs a name.
	ErrInvalidKey = errors.New("a secret needs a non-empty name")
)

// checkKey returns ErrInvalidKey, wrapped with the operation, for an empty
// key.
func checkKey(op, key string) error {
	if key == "" {
		return fmt.Errorf("secrets: %s: %w", op, ErrInvalidKey)
	}
	return nil
}
