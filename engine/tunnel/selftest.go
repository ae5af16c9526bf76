package tunnel

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// SelfTestEvent is the event name of the delivery SelfTest sends; the
// receiver stores it as applied, so it is never taken for a ticket.
const SelfTestEvent = webhook.SelfTestEvent

// How long SelfTest waits: for the answer through the public URL (tunnels
// can be slow to open a connection), then for the delivery to show up.
const (
	selfTestAnswerTimeout = 15 * time.Second
	selfTestArriveTimeout = 10 * time.Second
)

// What SelfTest found wrong. Each error it returns matches one of these
// (with errors.Is) except when ctx was cancelled; the text is meant for the
// user and never contains the receiver's secret path or password.
var (
	ErrNoPublicURL      = errors.New("there is no public webhook URL (no tunnel: HaloSync polls instead)")
	ErrUnreachable      = errors.New("the public URL does not answer")
	ErrSlow             = errors.New("the public URL did not answer in time (is the tunnel running?)")
	ErrRedirected       = errors.New("the public URL redirects elsewhere: give HaloPSA the final URL")
	ErrNotForwarded     = errors.New("the public URL answered 404: the tunnel does not forward to HaloSync's webhook path")
	ErrCredentials      = errors.New("the public URL answered 401: the tunnel forwards, but the webhook credentials differ")
	ErrRefused          = errors.New("the public URL answered 403: something in front of HaloSync (an access policy or firewall) refuses deliveries")
	ErrUpstream         = errors.New("the tunnel answers but cannot reach HaloSync's receiver, or the receiver could not store the delivery")
	ErrUnexpectedAnswer = errors.New("the public URL gave an unexpected answer")
	ErrNotArrived       = errors.New("the delivery was accepted but never reached HaloSync (is another program or another HaloSync behind that URL?)")
)

// SelfTest checks that HaloPSA's deliveries would reach this HaloSync: it
// posts a synthetic delivery (a HaloPSA-shaped body with a fresh GUID id,
// event SelfTestEvent and object_id 0) to publicURL + creds.Path,
// authenticated as auth asks (Basic credentials, a signature header or
// both, from creds), expects a 2xx answer, then calls waitArrived with
// the delivery's id (bounded to 10 s) to see it arrive in this HaloSync's
// inbox: InboxWaiter(db) does that. A nil waitArrived checks the answer
// only. A nil client means http.DefaultClient; redirects are never followed,
// as HaloPSA would not follow them either.
func SelfTest(ctx context.Context, publicURL string, creds webhook.Credentials, auth webhook.Auth, client *http.Client,
	waitArrived func(ctx context.Context, deliveryID string) error) error {
	if publicURL == "" {
		return fmt.Errorf("tunnel self-test: %w", ErrNoPublicURL)
	}
	base, err := url.Parse(publicURL)
	if err != nil || base.Host == "" {
		return fmt.Errorf("tunnel self-test: %q is not a web address", publicURL)
	}
	id, err := newGUID()
	if err != nil {
		return fmt.Errorf("tunnel self-test: %w", err)
	}
	if err := post(ctx, WebhookURL(publicURL, creds), creds, auth, client, selfTestBody(id)); err != nil {
		return fmt.Errorf("tunnel self-test: %w", err)
	}
	if waitArrived == nil {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, selfTestArriveTimeout)
	defer cancel()
	err = waitArrived(wctx, id)
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("tunnel self-test: %w", ctx.Err())
	case wctx.Err() != nil:
		return fmt.Errorf("tunnel self-test: %w", ErrNotArrived)
	}
	return fmt.Errorf("tunnel self-test: checking the inbox: %w", err)
}

// post sends body and turns every outcome but 2xx into a plain error.
func post(ctx context.Context, target string, creds webhook.Credentials, auth webhook.Auth, client *http.Client, body []byte) error {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	pctx, cancel := context.WithTimeout(ctx, selfTestAnswerTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(pctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, redactURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "HaloSync-self-test")
	auth.Authorize(req, creds, body)
	resp, err := c.Do(req)
	if err != nil {
		switch {
		case errors.Is(ctx.Err(), context.Canceled):
			return ctx.Err()
		case pctx.Err() != nil: // our bound or the caller's deadline
			return ErrSlow
		}
		return fmt.Errorf("%w: %s", ErrUnreachable, describeConnError(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return nil
	case code >= 300 && code < 400:
		return fmt.Errorf("%w (it answered %d%s)", ErrRedirected, code, redirectTarget(resp))
	case code == http.StatusNotFound:
		return ErrNotForwarded
	case code == http.StatusUnauthorized:
		return ErrCredentials
	case code == http.StatusForbidden:
		return ErrRefused
	case code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout:
		return fmt.Errorf("the public URL answered %d %s: %w", code, http.StatusText(code), ErrUpstream)
	}
	return fmt.Errorf("%w: %d %s", ErrUnexpectedAnswer, code, http.StatusText(code))
}

// describeConnError explains a failed request without its URL, whose path
// is a secret.
func describeConnError(err error) string {
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
	)
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("no such host %q", dnsErr.Name)
	case errors.As(err, &certErr) || errors.As(err, &unknown) || errors.As(err, &host):
		return "its HTTPS certificate is not valid: " + redactURL(err)
	}
	return redactURL(err)
}

// redactURL is err's text without the request URL that *url.Error adds.
func redactURL(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}

// redirectTarget names where a redirect points, scheme and host only, since
// the path may repeat the secret one.
func redirectTarget(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil || loc.Host == "" {
		return ""
	}
	return " towards " + loc.Scheme + "://" + loc.Host
}

// selfTestBody is a HaloPSA-shaped delivery (HALOPSA-API.md section 6).
func selfTestBody(id string) []byte {
	b, _ := json.Marshal(map[string]any{
		"id":              id,
		"webhook_id":      "00000000-0000-0000-0000-000000000000",
		"notification_id": 0,
		"event":           SelfTestEvent,
		"message":         "A test delivery sent by HaloSync to its own public webhook URL.",
		"object_id":       0,
		"timestamp":       time.Now().UTC().Format(time.RFC3339Nano),
	})
	return b
}

// newGUID returns a random (version 4) GUID like HaloPSA's delivery ids.
func newGUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// InboxLookup finds an inbox item by HaloPSA's delivery id, with an error
// matching store.ErrNotFound when there is none. *store.DB satisfies it.
type InboxLookup interface {
	InboxByDelivery(ctx context.Context, deliveryID string) (store.InboxItem, error)
}

// inboxPoll is how often InboxWaiter looks.
const inboxPoll = 50 * time.Millisecond

// InboxWaiter returns a waitArrived for SelfTest that looks in db's inbox
// until the delivery is there (nil), ctx is done (ctx's error) or the
// lookup fails (that error).
func InboxWaiter(db InboxLookup) func(ctx context.Context, deliveryID string) error {
	return func(ctx context.Context, deliveryID string) error {
		tick := time.NewTicker(inboxPoll)
		defer tick.Stop()
		for {
			_, err := db.InboxByDelivery(ctx, deliveryID)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
		}
	}
}
