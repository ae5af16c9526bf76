package halo

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Address is a HaloPSA instance's base URL in canonical form: scheme and
// host (and a path prefix for self-hosted installs), no trailing slash,
// no "/api".
type Address string

// API returns the resource server's URL, <base>/api.
func (a Address) API() string { return string(a) + "/api" }

// DefaultAuthURL returns <base>/auth, the authorisation server of a
// self-hosted or *.halopsa.com instance when discovery is unavailable.
func (a Address) DefaultAuthURL() string { return string(a) + "/auth" }

// ParseAddress takes a HaloPSA address as people type it:
// "yourcompany.halopsa.com", with or without "https://", with a trailing "/"
// or "/api". Plain http:// is refused except on loopback, because the client
// secret would cross the network in clear text.
func ParseAddress(raw string) (Address, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("%w: enter your HaloPSA address, for example yourcompany.halopsa.com", ErrBadURL)
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrBadURL, raw, err)
	}
	scheme := strings.ToLower(u.Scheme)
	host := u.Hostname()
	switch {
	case host == "":
		return "", fmt.Errorf("%w: %q has no host name", ErrBadURL, raw)
	case scheme != "https" && scheme != "http":
		return "", fmt.Errorf("%w: %q must start with https://", ErrBadURL, raw)
	case scheme == "http" && !IsLoopback(host):
		return "", fmt.Errorf("%w: %q uses plain http://, which would send the secret unencrypted; use https://", ErrBadURL, raw)
	case u.User != nil:
		return "", fmt.Errorf("%w: %q must not contain a user name or password", ErrBadURL, raw)
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%w: %q must not contain ? or #", ErrBadURL, raw)
	case !strings.Contains(host, ".") && !IsLoopback(host) && !strings.Contains(host, ":"):
		return "", fmt.Errorf("%w: %q is not a full host name; did you mean %s.halopsa.com?", ErrBadURL, raw, host)
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	path = strings.TrimSuffix(path, "/api")
	path = strings.TrimSuffix(strings.TrimSuffix(path, "/auth"), "/")
	hostPort := strings.ToLower(u.Host)
	return Address(scheme + "://" + hostPort + path), nil
}

// IsLoopback reports whether host (without port) is this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// parseAuthURL checks an authorisation server URL given by the user or by
// /api/authinfo, with the same rules as ParseAddress but keeping its path.
func parseAuthURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("%w: auth URL %q is not a URL", ErrBadURL, raw)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && !(scheme == "http" && IsLoopback(u.Hostname())) {
		return "", fmt.Errorf("%w: auth URL %q must use https://", ErrBadURL, raw)
	}
	path := strings.TrimSuffix(strings.TrimRight(u.EscapedPath(), "/"), "/token")
	return scheme + "://" + strings.ToLower(u.Host) + path, nil
}

// PlainLoopback returns the http:// form of raw when raw names this
// machine without a scheme ("127.0.0.1:8080", "localhost:8080"), for a
// caller to try when https does not answer: local test servers and the
// simulator speak plain http, and there the secret never leaves the
// machine. ok is false for anything else, a typed scheme included, so
// every other address stays https-only.
func PlainLoopback(raw string) (a Address, ok bool) {
	s := strings.TrimSpace(raw)
	if s == "" || strings.Contains(s, "://") {
		return "", false
	}
	addr, err := ParseAddress("http://" + s)
	if err != nil {
		return "", false
	}
	u, err := url.Parse(string(addr))
	if err != nil || !IsLoopback(u.Hostname()) {
		return "", false
	}
	return addr, true
}
