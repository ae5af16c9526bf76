//go:build !linux

package store

import "os"

// syncData flushes f to disk: fsync on Unix, FlushFileBuffers on Windows.
func syncData(f *os.File) error { return f.Sync() }
