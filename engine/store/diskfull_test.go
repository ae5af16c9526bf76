package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// codedErr stands for the SQLite driver's error, which carries a code.
type codedErr int

func (e codedErr) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e codedErr) Code() int     { return int(e) }

func TestDiskFullIsNamedOnce(t *testing.T) {
	db := openTest(t)
	dir := filepath.Dir(db.path)
	for _, tc := range []struct {
		name string
		err  error
		full bool
	}{
		{"ENOSPC", fmt.Errorf("write: %w", syscall.ENOSPC), true},
		{"SQLITE_FULL", codedErr(13), true},
		{"SQLITE_FULL extended", codedErr(13 | 1<<8), true},
		{"SQLite's words", errors.New("database or disk is full (13)"), true},
		{"SQLITE_IOERR_SHMSIZE", codedErr(4874), true},
		{"SQLITE_IOERR", codedErr(10), false},
		{"SQLITE_BUSY", codedErr(5), false},
		{"other", errors.New("constraint failed"), false},
	} {
		err := db.diskFull(tc.err)
		if got := errors.Is(err, ErrDiskFull); got != tc.full {
			t.Errorf("%s: errors.Is(ErrDiskFull) = %v, want %v (%v)", tc.name, got, tc.full, err)
			continue
		}
		if !tc.full {
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, dir) || !strings.Contains(msg, "free some space") || strings.Contains(msg, "database or disk is full") {
			t.Errorf("%s: %q, want the folder and what to do, without SQLite's text", tc.name, msg)
		}
		if again := db.diskFull(fmt.Errorf("upsert: %w", err)); strings.Count(again.Error(), "free some space") != 1 {
			t.Errorf("%s wrapped twice: %q", tc.name, again)
		}
	}
}

func TestReserveIsKeptAndGivenUp(t *testing.T) {
	db := openTest(t)
	fi, err := os.Stat(db.reservePath())
	if err != nil || fi.Size() != reserveSize {
		t.Fatalf("reserve after Open: %v, %v; want %d bytes", fi, err, reserveSize)
	}
	if !db.UseReserve() {
		t.Fatal("UseReserve found no reserve")
	}
	if db.UseReserve() {
		t.Error("UseReserve gave up a reserve twice")
	}
	db.keepReserve()
	if _, err := os.Stat(db.reservePath()); err != nil {
		t.Errorf("reserve not kept again: %v", err)
	}
}
