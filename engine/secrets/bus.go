//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package secrets

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"
)

// errNoSessionBus says why the Secret Service cannot be reached before
// go-keyring tries. Without a session bus godbus would run dbus-launch,
// which starts a dbus-daemon and, through D-Bus activation, a
// gnome-keyring-daemon; neither is ever stopped, so each keychain call
// from a plain SSH or service shell would leave two daemons behind.
var errNoSessionBus = errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set); " +
	"run HaloSync inside your desktop session, or start one with dbus-run-session")

// busDialTimeout bounds the probe of the bus address: a local socket
// answers at once, so a slow probe means nothing useful is there.
const busDialTimeout = time.Second

// sessionBusProblem returns nil when a session bus answers at the address
// godbus would use, and otherwise an error saying why not. It never starts
// anything.
func sessionBusProblem() error {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" || addr == "autolaunch:" {
		// godbus finds the systemd user bus on its own; anything else
		// would make it autolaunch.
		addr = runtimeBus()
		if addr == "" {
			return errNoSessionBus
		}
	}
	var tried []string
	for _, a := range strings.Split(addr, ";") {
		network, target, ok := busTarget(a)
		if !ok {
			// A transport this probe does not know (unixexec:, nonce-tcp:
			// ...): godbus can handle it without autolaunching.
			return nil
		}
		c, err := net.DialTimeout(network, target, busDialTimeout)
		if err == nil {
			c.Close()
			return nil
		}
		tried = append(tried, err.Error())
	}
	return fmt.Errorf("the D-Bus session bus at DBUS_SESSION_BUS_ADDRESS=%s does not answer (%s); "+
		"run HaloSync inside your desktop session, or start one with dbus-run-session",
		addr, strings.Join(tried, "; "))
}

// runtimeBus is the address of the systemd user bus, /run/user/<uid>/bus,
// when it exists: godbus uses it when the variable is unset.
func runtimeBus() string {
	u, err := user.Current()
	if err != nil {
		return ""
	}
	p := filepath.Join("/run/user", u.Uid, "bus")
	if fi, err := os.Stat(p); err != nil || fi.Mode().Type() != os.ModeSocket {
		return ""
	}
	return "unix:path=" + p
}

// busTarget turns one D-Bus server address ("unix:path=/run/user/1000/bus",
// "unix:abstract=/tmp/dbus-x,guid=...", "tcp:host=h,port=p") into what
// net.Dial takes; ok is false for transports it does not know.
func busTarget(addr string) (network, target string, ok bool) {
	transport, rest, found := strings.Cut(strings.TrimSpace(addr), ":")
	if !found {
		return "", "", false
	}
	kv := map[string]string{}
	for _, pair := range strings.Split(rest, ",") {
		if k, v, ok := strings.Cut(pair, "="); ok {
			kv[k] = unescapeBus(v)
		}
	}
	switch transport {
	case "unix":
		if p := kv["path"]; p != "" {
			return "unix", p, true
		}
		if p := kv["abstract"]; p != "" {
			return "unix", "@" + p, true
		}
	case "tcp":
		if kv["host"] != "" && kv["port"] != "" {
			return "tcp", net.JoinHostPort(kv["host"], kv["port"]), true
		}
	}
	return "", "", false
}

// unescapeBus undoes the %XX escapes D-Bus allows in address values.
func unescapeBus(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			var c byte
			if _, err := fmt.Sscanf(v[i+1:i+3], "%02x", &c); err == nil {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
