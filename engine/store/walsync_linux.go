package store

import (
	"os"
	"syscall"
)

// syncData flushes f's data, and its size when that changed, to disk with
// fdatasync, as SQLite itself does on Linux: unlike fsync it does not wait
// for a journal commit that only records a new modification time, which
// matters for the WAL, rewritten in place after each checkpoint.
func syncData(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
