//go:build linux || freebsd || openbsd || netbsd

package main

import "github.com/godbus/dbus/v5"

// trayAvailable reports whether the desktop shows tray icons: on Linux and
// the BSDs a tray host registers org.kde.StatusNotifierWatcher on the
// session bus (GNOME needs an extension for it). Without one, hiding the
// window on close would leave HaloSync running with no way back to it.
func trayAvailable() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
