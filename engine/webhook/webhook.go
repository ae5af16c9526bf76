// Package webhook receives HaloPSA's webhook deliveries: it authenticates
// them, bounds their size, stores each in the inbox and only then answers.
//
// HaloPSA documents Basic authentication and no signing, so the receiver
// also requires a random, unguessable URL path; it can require an
// HMAC-SHA256 signature header instead of or beside Basic (see Auth).
// Applying deliveries to tickets is the sync engine's job, not this
// package's.
package webhook

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/brainstormmsp/halosync/engine/store"
)

// Credentials are the secrets HaloPSA's deliveries prove they know: the
// webhook URL's secret path, the Basic authentication user and password,
// and the key of the signature header (which of the last two a delivery
// must show is Auth's choice). They live in the OS keychain; String and
// GoString redact them so that a stray %v cannot log them.
type Credentials struct {
	Path     string // the URL path, e.g. "/halo/3f9c...", whose last part is random and unguessable
	Username string
	Password string
	// HMACSecret keys the signature header's HMAC-SHA256, as the text
	// entered in HaloPSA (its UTF-8 bytes are the key).
	HMACSecret string `json:",omitempty"`
}

// String describes c without revealing it.
func (c Credentials) String() string { return "webhook.Credentials{redacted}" }

// GoString describes c without revealing it, also for %#v.
func (c Credentials) GoString() string { return c.String() }

// secretBytes is the randomness of the path token and of the password:
// 192 bits each, well above the 128 bits needed against guessing.
// hmacSecretBytes is the HMAC key's: 256 bits, SHA-256's own strength.
const (
	secretBytes     = 24
	hmacSecretBytes = 32
)

// NewCredentials returns fresh random credentials: a path "/halo/<token>"
// and a password, both URL-safe base64 of 192 random bits, and an HMAC
// secret of 256. The user name is fixed; it is not meant to be secret.
func NewCredentials() (Credentials, error) {
	tok, err := randomToken(secretBytes)
	if err != nil {
		return Credentials{}, err
	}
	pw, err := randomToken(secretBytes)
	if err != nil {
		return Credentials{}, err
	}
	key, err := NewHMACSecret()
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{Path: "/halo/" + tok, Username: "halopsa", Password: pw, HMACSecret: key}, nil
}

// NewHMACSecret returns a fresh signature key: URL-safe base64 of 256
// random bits, 43 characters that survive copying into any form.
func NewHMACSecret() (string, error) { return randomToken(hmacSecretBytes) }

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook: random credentials: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Sink stores a delivery's items durably and reports how many were new.
// *store.DB satisfies it; see store.DB.AddInbox for the contract (all or
// nothing, re-sent delivery ids skipped without error).
type Sink interface {
	AddInbox(ctx context.Context, items []store.InboxItem) (int, error)
}

// DefaultMaxBody is the body size limit when Receiver.MaxBody is not set.
// A full ticket object is a few kilobytes; a batch of them stays well below.
const DefaultMaxBody = 1 << 20

// storeTimeout bounds how long a delivery waits for the inbox before it is
// answered 503, well inside the server's write timeout.
const storeTimeout = 10 * time.Second

// Receiver is the webhook endpoint, an http.Handler. Set its fields before
// serving and do not change them after; it is then safe for concurrent use.
type Receiver struct {
	Creds Credentials
	// Auth says whether deliveries must carry Basic credentials, a
	// signature header, or both; the zero value is Basic. Listen refuses
	// to start with an Auth that fails Validate.
	Auth    Auth
	Sink    Sink
	MaxBody int64 // largest body accepted, in bytes; DefaultMaxBody when <= 0
	// OnDelivery, when set, is called after a delivery stored new items, with
	// their number, e.g. to wake the apply loop. It runs on the request's
	// goroutine before the answer is sent, so it must not block.
	OnDelivery func(added int)
	// Logf, when set, receives one line per problem (storage failures;
	// unreadable and refused deliveries at most once a minute each, with
	// a count of those left unlogged). It is never given a body or a
	// credential.
	Logf func(format string, args ...any)

	refusals   burstLog
	unreadable burstLog
}

func (r *Receiver) logf(format string, args ...any) {
	if r.Logf != nil {
		r.Logf(format, args...)
	}
}

// ServeHTTP handles one delivery. In order:
//   - a path other than Creds.Path: 404, as for any unknown URL;
//   - a method other than POST: 405;
//   - missing or wrong Basic credentials when Auth needs them: 401 with
//     WWW-Authenticate;
//   - no signature header, or more than one, when Auth needs one: 401;
//   - a body over MaxBody: 413;
//   - a signature that is not the HMAC-SHA256 of the body's exact bytes
//     under Creds.HMACSecret: 401;
//   - otherwise the delivery (each element of a batched array) is stored
//     through Sink and answered 200 after the store committed, or 503 if it
//     could not be stored, so that the sender tries again.
//
// Nothing is stored unless the request got as far as the last step. A
// re-sent delivery id is answered 200 and not stored again. A delivery that
// authenticates but cannot be read is stored raw as unreadable, logged and
// answered 200 too: HaloPSA documents no retries and can auto-disable a
// webhook whose deliveries keep failing, and resending would not make it
// readable. Content-Type is not checked: proxies and tunnels may change it.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if !r.pathOK(req.URL.Path) {
		http.NotFound(w, req)
		return
	}
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	mode := r.Auth.Mode
	if !mode.known() {
		// A mistyped mode must close the endpoint, not open it.
		r.refuse(w, basicChallenge, fmt.Sprintf("the receiver's authentication mode %q is unknown", mode))
		return
	}
	if mode.NeedsBasic() && !r.authorized(req) {
		r.refuse(w, basicChallenge, "missing or wrong Basic credentials")
		return
	}
	var signature string
	if mode.NeedsSignature() {
		h := r.Auth.SignatureHeader()
		vs := req.Header.Values(h)
		switch len(vs) {
		case 1:
		case 0:
			r.refuse(w, signatureChallenge, "no "+h+" header")
			return
		default:
			r.refuse(w, signatureChallenge, fmt.Sprintf("%d %s headers, want one", len(vs), h))
			return
		}
		signature = vs[0]
	}
	if r.Sink == nil {
		r.logf("webhook: no inbox configured; delivery refused")
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	limit := r.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	if req.ContentLength > limit {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		// The sender went away or stalled; there is nobody to answer.
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	// The signature covers the bytes as sent: checked before anything
	// reads them, so no decoding or re-encoding can change what is checked.
	if mode.NeedsSignature() && !VerifySignature(r.Creds.HMACSecret, body, signature) {
		r.refuse(w, signatureChallenge, "the "+r.Auth.SignatureHeader()+" header is not the body's HMAC-SHA256 under the shared secret")
		return
	}
	items := r.inboxItems(body, time.Now())
	ctx, cancel := context.WithTimeout(req.Context(), storeTimeout)
	defer cancel()
	added, err := r.Sink.AddInbox(ctx, items)
	if err != nil {
		r.logf("webhook: could not store a delivery of %d item(s), answered 503: %v", len(items), err)
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	if added > 0 && r.OnDelivery != nil {
		r.OnDelivery(added)
	}
	w.WriteHeader(http.StatusOK)
}

// pathOK compares in constant time: the path is one of the secrets.
func (r *Receiver) pathOK(p string) bool {
	if r.Creds.Path == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(p), []byte(r.Creds.Path)) == 1
}

// authorized checks Basic credentials in constant time. Both halves are
// hashed first so that neither their lengths nor which half was wrong leak
// through timing. Empty configured credentials refuse everyone rather than
// leaving the endpoint open.
func (r *Receiver) authorized(req *http.Request) bool {
	user, pass, ok := req.BasicAuth()
	if !ok || r.Creds.Username == "" || r.Creds.Password == "" {
		return false
	}
	gu, gp := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	wu, wp := sha256.Sum256([]byte(r.Creds.Username)), sha256.Sum256([]byte(r.Creds.Password))
	return subtle.ConstantTimeCompare(gu[:], wu[:])&subtle.ConstantTimeCompare(gp[:], wp[:]) == 1
}

// SelfTestEvent is the event name of the test delivery HaloSync sends
// through its public URL to check the tunnel (see engine/tunnel).
const SelfTestEvent = "HaloSync self-test"

// noteUnreadable logs an unreadable delivery, at most once a minute: a
// sender gone wrong can send thousands, each kept in the inbox already,
// and one row per burst tells the user as much as a thousand would.
func (r *Receiver) noteUnreadable(id string, why error) {
	log, quiet := r.unreadable.note(time.Now())
	if !log {
		return
	}
	more := ""
	if quiet > 0 {
		more = fmt.Sprintf(" (%d more set aside since the last note)", quiet)
	}
	r.logf("webhook: unreadable delivery %q kept for diagnosis in the inbox%s: %v", id, more, why)
}

// inboxItems turns a body into inbox items: one per element, pending when
// readable and unreadable (kept raw, with the reason) otherwise. A body that
// cannot be read at all becomes one unreadable item holding all of it.
func (r *Receiver) inboxItems(body []byte, at time.Time) []store.InboxItem {
	evs, err := decodeHeads(body)
	if err != nil {
		id := HashID(body)
		r.noteUnreadable(id, fmt.Errorf("%d bytes: %w", len(body), err))
		return []store.InboxItem{{DeliveryID: id, ReceivedAt: at, Status: store.InboxUnreadable,
			Body: body, Error: err.Error()}}
	}
	items := make([]store.InboxItem, len(evs))
	for i, ev := range evs {
		it := store.InboxItem{DeliveryID: ev.DeliveryID, ReceivedAt: at, Event: ev.Event,
			ObjectID: ev.ObjectID, Status: store.InboxPending, Body: ev.Raw}
		switch {
		case ev.Event == SelfTestEvent:
			// HaloSync's own test delivery: stored so the test sees it
			// arrive, never applied.
			it.Status = store.InboxApplied
		case ev.Err != nil:
			it.Status, it.Error = store.InboxUnreadable, ev.Err.Error()
			r.noteUnreadable(ev.DeliveryID, ev.Err)
		}
		items[i] = it
	}
	return items
}
