package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrDiskFull means a write failed because the disk holding the data
// folder is full. Errors from the store that match it are *DiskFullError.
var ErrDiskFull = errors.New("the disk is full")

// DiskFullError is a write refused for want of space. Its message names
// the folder and what to do, and leaves out SQLite's own text, which only
// says the same less usefully.
type DiskFullError struct {
	Dir string // the data folder
	Err error  // what SQLite or the OS said
}

// Error says where and what to do.
func (e *DiskFullError) Error() string {
	return fmt.Sprintf("the disk holding the data folder %s is full: free some space on it, then sync again", e.Dir)
}

// Unwrap makes errors.Is(err, ErrDiskFull) true and keeps the cause.
func (e *DiskFullError) Unwrap() []error { return []error{ErrDiskFull, e.Err} }

// sqliteFull is SQLITE_FULL, "database or disk is full"; sqliteShmSize is
// SQLITE_IOERR_SHMSIZE, how opening a WAL database fails when the shared
// memory file cannot grow: on a full disk, "disk I/O error (4874)".
const (
	sqliteFull    = 13
	sqliteShmSize = 10 | 19<<8
)

// diskFull turns a disk-full failure into a *DiskFullError and returns any
// other error as it is.
func (db *DB) diskFull(err error) error {
	var dfe *DiskFullError
	if err == nil || errors.As(err, &dfe) {
		return err
	}
	var coded interface{ Code() int }
	full := errors.Is(err, syscall.ENOSPC) ||
		(errors.As(err, &coded) && (coded.Code()&0xff == sqliteFull || coded.Code() == sqliteShmSize)) ||
		strings.Contains(err.Error(), "database or disk is full")
	if !full {
		return err
	}
	return &DiskFullError{Dir: filepath.Dir(db.path), Err: err}
}

// reserveSize is the room kept aside in the data folder: enough for a run
// that met a full disk to record how it ended and why.
const reserveSize = 256 << 10

// reservePath is the file that holds the reserve.
func (db *DB) reservePath() string { return db.path + "-reserve" }

// keepReserve makes sure the reserve file exists, when there is room for
// it. A failure is not an error: the reserve is a courtesy.
func (db *DB) keepReserve() {
	p := db.reservePath()
	if fi, err := os.Stat(p); err == nil && fi.Size() >= reserveSize {
		return
	}
	// Written, not truncated to size: a sparse file would reserve nothing.
	if err := os.WriteFile(p, make([]byte, reserveSize), 0o600); err != nil {
		_ = os.Remove(p)
	}
}

// UseReserve gives up the space kept aside in the data folder, so that a
// run stopped by a full disk can still record its end and its error row.
// It reports whether there was a reserve to give up. The reserve comes back
// at the next Open or successful run that finds room for it.
func (db *DB) UseReserve() bool {
	return os.Remove(db.reservePath()) == nil
}
