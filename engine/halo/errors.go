package halo

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Sentinel errors that callers branch on. Every error the client returns for
// a failed call wraps exactly one of them, so errors.Is tells what went wrong
// and Error() says it in plain words.
var (
	// ErrBadURL means the HaloPSA address cannot be used as typed.
	ErrBadURL = errors.New("the HaloPSA address is not valid")
	// ErrUnreachable means no HTTP answer came back (DNS, refused, TLS, timeout).
	ErrUnreachable = errors.New("HaloPSA cannot be reached")
	// ErrNotHalo means something answered, but not like a HaloPSA server.
	ErrNotHalo = errors.New("this address answers, but it is not HaloPSA")
	// ErrBadCredentials means HaloPSA rejected the client ID or secret.
	ErrBadCredentials = errors.New("HaloPSA rejected the client ID or secret")
	// ErrMissingScope means the API application lacks a scope HaloSync needs.
	ErrMissingScope = errors.New("the HaloPSA API application lacks a needed scope")
	// ErrPermission means the call was refused (403): the scope or the API
	// agent's own permissions do not allow it.
	ErrPermission = errors.New("HaloPSA refused access")
	// ErrNotFound means the record does not exist (404).
	ErrNotFound = errors.New("not found in HaloPSA")
	// ErrValidation means HaloPSA rejected the data sent (400).
	ErrValidation = errors.New("HaloPSA rejected the data")
	// ErrRateLimited means HaloPSA kept answering 429 after every back-off.
	ErrRateLimited = errors.New("HaloPSA's rate limit was reached")
	// ErrServer means HaloPSA failed (5xx) after every retry.
	ErrServer = errors.New("HaloPSA had a server error")
)

// APIError is one failed call: what was asked, what came back, and the
// sentinel (Kind) it counts as.
type APIError struct {
	Kind    error             // one of the sentinels above
	Op      string            // e.g. "GET /api/Client"
	Status  int               // HTTP status, 0 when none came back
	Message string            // HaloPSA's own message, when it sent one
	Fields  map[string]string // per-field validation messages (400)
	Err     error             // the underlying transport error, if any
}

// Error reads as one plain sentence followed by the detail.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	var detail []string
	if e.Message != "" {
		detail = append(detail, e.Message)
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			detail = append(detail, k+": "+e.Fields[k])
		}
	}
	if e.Err != nil {
		// A cause that is itself a failed call of the same kind already
		// starts with the sentence: say it once.
		cause := e.Err.Error()
		if inner, ok := e.Err.(*APIError); ok && inner.Kind == e.Kind {
			cause = strings.TrimPrefix(cause, e.Kind.Error()+": ")
		}
		detail = append(detail, cause)
	}
	if len(detail) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(detail, "; "))
	}
	if e.Op != "" {
		fmt.Fprintf(&b, " (%s", e.Op)
		if e.Status != 0 {
			fmt.Fprintf(&b, ", HTTP %d", e.Status)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap exposes both the sentinel and the transport error to errors.Is/As.
func (e *APIError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// MissingScopeError lists the scopes the API application lacks.
type MissingScopeError struct {
	Missing []string
}

// Error names the scopes and where to add them.
func (e *MissingScopeError) Error() string {
	return fmt.Sprintf("%s: add %s to the API application in HaloPSA "+
		"(Configuration > Integrations > Halo API > View Applications)",
		ErrMissingScope, strings.Join(e.Missing, ", "))
}

// Unwrap makes errors.Is(err, ErrMissingScope) true.
func (e *MissingScopeError) Unwrap() error { return ErrMissingScope }

// transportCause drops net/http's "Get \"<whole URL>\": " wrapping from a
// transport error: the operation already names the path, and the query
// string is noise in a message meant for people.
func transportCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}
