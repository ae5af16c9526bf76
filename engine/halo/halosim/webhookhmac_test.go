package halosim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

// TestWebhookHMAC checks that with a secret set every delivery, batched or
// not, carries base64(HMAC-SHA256(secret, body)) in the configured header,
// and that Basic authentication stays independent of it.
func TestWebhookHMAC(t *testing.T) {
	const secret = "shared-with-the-receiver"
	for _, c := range []struct {
		name, header, want string
		batch              int
		user               string
	}{
		{"default header", "", "X-Halo-Signature", 0, ""},
		{"named header, batched", "Token", "Token", 3, ""},
		{"with Basic too", "X-Sig", "X-Sig", 0, "halo"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := New(small())
			recv := newHookRecv(t)
			s.SetWebhook(WebhookConfig{URL: recv.ts.URL, HMACSecret: secret, HMACHeader: c.header, Batch: c.batch,
				Username: c.user, Password: "pw"})
			client := s.ActiveClientIDs()[0]
			id, err := s.CreateTicket(client, "Signed")
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SetTicketStatus(id, 2); err != nil {
				t.Fatal(err)
			}
			flush(t, s)
			reqs := recv.requests()
			if len(reqs) == 0 {
				t.Fatal("no deliveries")
			}
			for i, q := range reqs {
				m := hmac.New(sha256.New, []byte(secret))
				m.Write(q.body)
				want := base64.StdEncoding.EncodeToString(m.Sum(nil))
				if got := q.header.Values(c.want); len(got) != 1 || got[0] != want {
					t.Errorf("delivery %d: %s = %q, want %q", i, c.want, got, want)
				}
				if q.hasAuth != (c.user != "") {
					t.Errorf("delivery %d: Basic auth %v, want %v", i, q.hasAuth, c.user != "")
				}
			}
		})
	}
	// Without a secret nothing is signed.
	s := New(small())
	recv := newHookRecv(t)
	s.SetWebhook(WebhookConfig{URL: recv.ts.URL, HMACHeader: "Token"})
	if _, err := s.CreateTicket(s.ActiveClientIDs()[0], "Unsigned"); err != nil {
		t.Fatal(err)
	}
	flush(t, s)
	for _, q := range recv.requests() {
		if q.header.Get("Token") != "" || q.header.Get(DefaultHMACHeader) != "" {
			t.Errorf("unsigned webhook sent a signature: %v", q.header)
		}
	}
}
