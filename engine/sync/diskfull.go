package sync

import (
	"errors"
	gosync "sync"

	"github.com/brainstormmsp/halosync/engine/store"
)

// fullDisk remembers whether a run met a full disk. Every resource that
// writes then fails the same way; the run says so once, at its end, in the
// room the store keeps for that (store.DB.UseReserve). Safe for
// concurrent use.
type fullDisk struct {
	mu  gosync.Mutex
	err *store.DiskFullError
}

// note reports whether err is a full disk, remembering the first one.
func (f *fullDisk) note(err error) bool {
	var dfe *store.DiskFullError
	if !errors.As(err, &dfe) {
		return false
	}
	f.mu.Lock()
	if f.err == nil {
		f.err = dfe
	}
	f.mu.Unlock()
	return true
}

// take returns the full disk met, if any, and forgets it.
func (f *fullDisk) take() *store.DiskFullError {
	f.mu.Lock()
	defer f.mu.Unlock()
	err := f.err
	f.err = nil
	return err
}

// onceFull keeps, of the errors that are a full disk, only the first: the
// others say the same about the same folder.
func onceFull(errs []error) []error {
	var out []error
	seen := false
	for _, err := range errs {
		if errors.Is(err, store.ErrDiskFull) {
			if seen {
				continue
			}
			seen = true
		}
		out = append(out, err)
	}
	return out
}
