//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package secrets

// sessionBusProblem is nil where the keychain does not go through D-Bus.
func sessionBusProblem() error { return nil }
