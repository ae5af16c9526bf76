//go:build !unix

package store

import "os"

// processAlive reports whether a process with this id runs. On Windows
// FindProcess opens the process and fails when there is none.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
