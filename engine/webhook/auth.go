package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// HaloPSA documents None and Basic authentication for its webhooks. A
// production integration (HALOPSA-API.md, addendum 2) has HaloPSA send a
// header instead, whose value is base64(HMAC-SHA256(shared secret, raw
// body)), and checks it on receipt; the receiver can require that header,
// Basic, or both.

// AuthMode is what a delivery must carry to be accepted.
type AuthMode string

// The authentication modes.
const (
	AuthBasic AuthMode = "basic" // Basic credentials (the default)
	AuthHMAC  AuthMode = "hmac"  // a signature header: HMAC-SHA256 of the raw body
	AuthBoth  AuthMode = "both"  // Basic credentials and a signature header
)

// ParseAuthMode reads "basic", "hmac" or "both", in any case.
func ParseAuthMode(s string) (AuthMode, error) {
	switch m := AuthMode(strings.ToLower(strings.TrimSpace(s))); m {
	case AuthBasic, AuthHMAC, AuthBoth:
		return m, nil
	}
	return "", fmt.Errorf("webhook authentication %q: want basic, hmac or both", s)
}

// known reports whether m is one of the modes, or the zero mode.
func (m AuthMode) known() bool {
	return m == "" || m == AuthBasic || m == AuthHMAC || m == AuthBoth
}

// NeedsBasic reports whether deliveries must carry Basic credentials. The
// zero mode means AuthBasic.
func (m AuthMode) NeedsBasic() bool { return m == "" || m == AuthBasic || m == AuthBoth }

// NeedsSignature reports whether deliveries must carry a signature header.
func (m AuthMode) NeedsSignature() bool { return m == AuthHMAC || m == AuthBoth }

// DefaultSignatureHeader is the signature header's name unless configured
// otherwise. HaloPSA's admin types the same name into the webhook form.
const DefaultSignatureHeader = "X-Halo-Signature"

// Auth is how the receiver authenticates deliveries. The zero value is
// Basic authentication.
type Auth struct {
	Mode AuthMode // "" means AuthBasic
	// Header names the signature header; "" means DefaultSignatureHeader.
	// Case does not matter (HTTP header names are case-insensitive).
	Header string
}

// SignatureHeader is the canonical name of the signature header.
func (a Auth) SignatureHeader() string {
	h, err := CanonicalHeader(a.Header)
	if err != nil { // Validate reports it; a receiver will not start with it
		return textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(a.Header))
	}
	return h
}

// Validate reports a mode or header name the receiver cannot work with.
func (a Auth) Validate() error {
	if !a.Mode.known() {
		return fmt.Errorf("webhook authentication %q: want basic, hmac or both", a.Mode)
	}
	if !a.Mode.NeedsSignature() {
		return nil
	}
	h, err := CanonicalHeader(a.Header)
	if err != nil {
		return err
	}
	if a.Mode == AuthBoth && h == "Authorization" {
		return errors.New("webhook: the signature header cannot be Authorization while Basic authentication uses it")
	}
	return nil
}

// reservedHeaders cannot carry a signature: HTTP itself, proxies or
// tunnels set or rewrite them.
var reservedHeaders = map[string]bool{
	"Host": true, "Content-Length": true, "Content-Type": true, "Content-Encoding": true,
	"Transfer-Encoding": true, "Connection": true, "Keep-Alive": true, "Te": true, "Trailer": true,
	"Upgrade": true, "Proxy-Authorization": true, "Cookie": true,
}

// CanonicalHeader checks a header name as an admin might type it into
// HaloPSA or HaloSync (surrounding spaces and a trailing colon are
// forgiven) and returns it in canonical form; "" gives
// DefaultSignatureHeader.
func CanonicalHeader(s string) (string, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ":"))
	if s == "" {
		return DefaultSignatureHeader, nil
	}
	for _, c := range s {
		switch {
		case c == '_':
			// nginx and other proxies drop such headers by default, so
			// deliveries would arrive without it.
			return "", fmt.Errorf("header name %q: use hyphens, not underscores (proxies drop headers with underscores)", s)
		case c > 0x7e || !isTokenChar(byte(c)):
			return "", fmt.Errorf("header name %q: only letters, digits and - are safe in a header name", s)
		}
	}
	h := textproto.CanonicalMIMEHeaderKey(s)
	if reservedHeaders[h] {
		return "", fmt.Errorf("header name %q is used by HTTP itself; choose another, e.g. %s", s, DefaultSignatureHeader)
	}
	return h, nil
}

// isTokenChar is RFC 9110's tchar.
func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// Sign is the signature header's value for body: standard base64 (with
// padding) of HMAC-SHA256 keyed with the secret's UTF-8 bytes, as the
// secret is typed into HaloPSA.
func Sign(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(mac(secret, body))
}

func mac(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

// VerifySignature reports whether value is the HMAC-SHA256 of body under
// secret. Senders write it in different ways, so value may be base64
// (standard or URL-safe, with or without padding) or hex, optionally after
// "sha256=". The comparison takes constant time; an empty secret matches
// nothing.
func VerifySignature(secret string, body []byte, value string) bool {
	if secret == "" {
		return false
	}
	got := decodeSignature(value)
	return len(got) == sha256.Size && hmac.Equal(got, mac(secret, body))
}

// decodeSignature reads a signature header's value into its bytes, or nil.
// How it is written says nothing about the secret, so trying encodings in
// turn leaks nothing through timing.
func decodeSignature(v string) []byte {
	v = strings.TrimSpace(v)
	if len(v) > 7 && strings.EqualFold(v[:7], "sha256=") {
		v = strings.TrimSpace(v[7:])
	}
	if len(v) == hex.EncodedLen(sha256.Size) {
		if b, err := hex.DecodeString(v); err == nil {
			return b
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			return b
		}
	}
	return nil
}

// Authorize sets on req what a Receiver with this Auth requires: Basic
// credentials, the signature of body (which must be req's body, byte for
// byte), or both. HaloSync's self-test and tests use it.
func (a Auth) Authorize(req *http.Request, c Credentials, body []byte) {
	if a.Mode.NeedsBasic() {
		req.SetBasicAuth(c.Username, c.Password)
	}
	if a.Mode.NeedsSignature() {
		req.Header.Set(a.SignatureHeader(), Sign(c.HMACSecret, body))
	}
}

// The WWW-Authenticate challenges of a 401 (RFC 9110 requires one).
// "Signature" is no registered scheme; it names what is missing.
const (
	basicChallenge     = `Basic realm="HaloSync webhook", charset="UTF-8"`
	signatureChallenge = `Signature realm="HaloSync webhook"`
)

// refusalLogEvery bounds how often refused deliveries are logged: one
// misconfigured webhook (or someone who found the URL) must not flood the
// sync log, but the user has to learn why deliveries stop arriving.
const refusalLogEvery = time.Minute

// burstLog coalesces the log lines about one kind of problem: the first is
// logged, later ones within refusalLogEvery are only counted, and the next
// line logged says how many went unlogged.
type burstLog struct {
	mu    sync.Mutex
	last  time.Time
	quiet int // occurrences not logged since last
}

// note records one occurrence at now and says whether to log it and how
// many went unlogged before it.
func (l *burstLog) note(now time.Time) (log bool, unlogged int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < refusalLogEvery {
		l.quiet++
		return false, 0
	}
	unlogged = l.quiet
	l.last, l.quiet = now, 0
	return true, unlogged
}

// refuse answers 401 with challenge and logs why, at most once a minute.
func (r *Receiver) refuse(w http.ResponseWriter, challenge, why string) {
	w.Header().Set("WWW-Authenticate", challenge)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
	log, quiet := r.refusals.note(time.Now())
	if !log {
		return
	}
	more := ""
	if quiet > 0 {
		more = fmt.Sprintf(" (%d more refused since the last note)", quiet)
	}
	r.logf("webhook: refused a delivery (401): %s%s", why, more)
}
