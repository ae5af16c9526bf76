//go:build !(linux || freebsd || openbsd || netbsd)

package main

// trayAvailable reports whether the desktop shows tray icons: macOS and
// Windows always do.
func trayAvailable() bool { return true }
