package secrets

import (
	"fmt"
	"sync"
)

// Memory is a Store that keeps secrets in memory, for tests of code that
// needs a Store. The zero value is empty and ready to use. It is safe for
// concurrent use and follows the same contract as Keychain.
type Memory struct {
	mu      sync.Mutex
	secrets map[string]string
	failure error
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{}
}

var _ Store = (*Memory)(nil)

// Get returns the secret stored under key.
func (m *Memory) Get(key string) (string, error) {
	if err := checkKey("reading", key); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failure != nil {
		return "", m.failure
	}
	v, ok := m.secrets[key]
	if !ok {
		return "", fmt.Errorf("secrets: reading %q: %w", key, ErrNotFound)
	}
	return v, nil
}

// Set stores value under key.
func (m *Memory) Set(key, value string) error {
	if err := checkKey("saving", key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failure != nil {
		return m.failure
	}
	if m.secrets == nil {
		m.secrets = make(map[string]string)
	}
	m.secrets[key] = value
	return nil
}

// Delete removes the secret stored under key, if any.
func (m *Memory) Delete(key string) error {
	if err := checkKey("deleting", key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failure != nil {
		return m.failure
	}
	delete(m.secrets, key)
	return nil
}

// SetFailure makes every later Get, Set and Delete return err without
// touching the stored secrets, so tests can play a locked or missing
// keychain (pass an error wrapping ErrUnavailable). SetFailure(nil) ends it.
func (m *Memory) SetFailure(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failure = err
}

// Len reports how many secrets are stored.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.secrets)
}
