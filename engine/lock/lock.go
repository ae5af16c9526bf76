// Package lock keeps one HaloSync process in charge of a data folder: an
// OS file lock that a crash releases, a note saying who holds it, and a
// small loopback IPC through which other processes hand it work.
package lock

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrHeld means another process (or another Lock in this one) holds the
// data folder.
var ErrHeld = errors.New("the data folder is held by another process")

// Role says why a process holds a folder.
type Role string

const (
	// Owner is the app or `serve`: it runs imports, polling and the
	// outbox, and answers requests from other processes.
	Owner Role = "owner"
	// OneShot is a command that holds the folder for one piece of work
	// and answers nobody; others wait for it.
	OneShot Role = "one-shot"
)

// Info is what the holder writes beside the lock, so that others can name
// it and, when it is the owner, reach it.
type Info struct {
	PID     int       `json:"pid"`
	Role    Role      `json:"role"`
	Addr    string    `json:"addr,omitempty"`  // loopback IPC address, owners only
	Token   string    `json:"token,omitempty"` // proves the caller can read the data folder
	Started time.Time `json:"started"`
}

const (
	lockName = "halosync.lock"
	infoName = "halosync.owner"
)

// Lock is a held data folder. The OS releases it when the process ends,
// however it ends, so a crash never leaves the folder held.
type Lock struct {
	dir string
	f   *os.File
}

// TryLock takes the data folder's lock without waiting; ErrHeld when
// someone holds it.
func TryLock(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the data folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the data folder's lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, ErrHeld) {
			return nil, ErrHeld
		}
		return nil, fmt.Errorf("lock the data folder: %w", err)
	}
	return &Lock{dir: dir, f: f}, nil
}

// Dir returns the locked folder.
func (l *Lock) Dir() string { return l.dir }

// Publish writes who holds the lock. The note is replaced whole (written
// aside, then renamed), so a reader never sees half of it. It is readable
// by the folder's user only: its token admits callers to the owner.
func (l *Lock) Publish(in Info) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(l.dir, infoName+".*")
	if err != nil {
		return fmt.Errorf("write the data folder's owner note: %w", err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write the data folder's owner note: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(l.dir, infoName)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write the data folder's owner note: %w", err)
	}
	return nil
}

// Unlock removes the note and releases the lock. The lock file stays:
// removing it would let a waiter lock a file a newcomer no longer sees.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	os.Remove(filepath.Join(l.dir, infoName))
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// ReadInfo reads the holder's note. It may be stale (the holder crashed
// and nobody holds the folder now) or missing (the holder has not written
// it yet): trust it only while TryLock says ErrHeld.
func ReadInfo(dir string) (Info, error) {
	var in Info
	b, err := os.ReadFile(filepath.Join(dir, infoName))
	if err != nil {
		return in, err
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return in, fmt.Errorf("read the data folder's owner note: %w", err)
	}
	return in, nil
}

// NewToken returns a random token for Info.Token.
func NewToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
