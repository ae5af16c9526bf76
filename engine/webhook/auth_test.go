package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/store"
)

// TestSignKnownAnswer checks Sign against RFC 4231's test case 2, a value
// computed by others.
func TestSignKnownAnswer(t *testing.T) {
	want, _ := hex.DecodeString("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
	if got := Sign("Jefe", []byte("what do ya want for nothing?")); got != base64.StdEncoding.EncodeToString(want) {
		t.Fatalf("Sign = %q", got)
	}
}

// signedBody returns a body whose signature under secret differs between
// standard and URL-safe base64, so both encodings are really tried.
func signedBody(t *testing.T, secret string) ([]byte, []byte) {
	t.Helper()
	for i := range 1000 {
		body := fmt.Appendf(nil, `{"id":"sig-%d","object_id":5,"summary":%q}`, i, bodyMarker)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		sum := m.Sum(nil)
		if s := base64.StdEncoding.EncodeToString(sum); strings.ContainsAny(s, "+/") && strings.HasSuffix(s, "=") {
			return body, sum
		}
	}
	t.Fatal("no body with + or / in its signature")
	return nil, nil
}

// encodings are the ways a sender may write a signature.
var encodings = []struct {
	name string
	enc  func([]byte) string
}{
	{"base64", base64.StdEncoding.EncodeToString},
	{"base64 unpadded", base64.RawStdEncoding.EncodeToString},
	{"base64url", base64.URLEncoding.EncodeToString},
	{"base64url unpadded", base64.RawURLEncoding.EncodeToString},
	{"hex", hex.EncodeToString},
	{"HEX", func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }},
	{"sha256=hex", func(b []byte) string { return "sha256=" + hex.EncodeToString(b) }},
	{"SHA256=base64", func(b []byte) string { return "SHA256=" + base64.StdEncoding.EncodeToString(b) }},
	{"spaces", func(b []byte) string { return "  " + base64.StdEncoding.EncodeToString(b) + " " }},
}

func TestVerifySignature(t *testing.T) {
	const secret = "s3cret-shared-with-halopsa"
	body, sum := signedBody(t, secret)
	for _, e := range encodings {
		if !VerifySignature(secret, body, e.enc(sum)) {
			t.Errorf("%s: %q refused", e.name, e.enc(sum))
		}
	}
	good := base64.StdEncoding.EncodeToString(sum)
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-2] ^= 1
	for _, c := range []struct {
		name, secret string
		body         []byte
		value        string
	}{
		{"wrong secret", "another secret", body, good},
		{"tampered body", secret, tampered, good},
		{"trailing newline added", secret, append(append([]byte(nil), body...), '\n'), good},
		{"empty value", secret, body, ""},
		{"empty secret", "", body, Sign("", body)},
		{"cut short", secret, body, good[:20]},
		{"too long", secret, body, hex.EncodeToString(append(sum, 0))},
		{"not an encoding", secret, body, "!!" + good[2:]},
		{"prefix only", secret, body, "sha256="},
		{"other algorithm's length", secret, body, base64.StdEncoding.EncodeToString(sum[:20])},
	} {
		if VerifySignature(c.secret, c.body, c.value) {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

func TestCanonicalHeader(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", DefaultSignatureHeader},
		{"X-Halo-Signature", "X-Halo-Signature"},
		{"x-halo-signature", "X-Halo-Signature"},
		{" Token: ", "Token"}, // as typed in a form, colon and all
		{"authorization", "Authorization"},
		{"X-Hub-Signature-256", "X-Hub-Signature-256"},
	} {
		if got, err := CanonicalHeader(c.in); err != nil || got != c.want {
			t.Errorf("CanonicalHeader(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"X_Halo_Signature", "X Halo Signature", "X-Signatür", "content-type", "Host", "Transfer-Encoding", "a:b"} {
		if got, err := CanonicalHeader(in); err == nil {
			t.Errorf("CanonicalHeader(%q) = %q, want an error", in, got)
		}
	}
}

func TestAuthValidate(t *testing.T) {
	for _, a := range []Auth{{}, {Mode: AuthBasic, Header: "X_ignored"}, {Mode: AuthHMAC}, {Mode: AuthBoth, Header: "token"},
		{Mode: AuthHMAC, Header: "Authorization"}} {
		if err := a.Validate(); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
	for _, a := range []Auth{{Mode: "hmak"}, {Mode: "HMAC"}, {Mode: AuthHMAC, Header: "X_Sig"}, {Mode: AuthBoth, Header: "authorization"}} {
		if err := a.Validate(); err == nil {
			t.Errorf("%+v: valid", a)
		}
	}
	for in, want := range map[string]AuthMode{"basic": AuthBasic, " HMAC ": AuthHMAC, "Both": AuthBoth} {
		if got, err := ParseAuthMode(in); err != nil || got != want {
			t.Errorf("ParseAuthMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseAuthMode(""); err == nil {
		t.Error("ParseAuthMode accepted nothing")
	}
}

// postSigned posts body with Basic credentials when basic, and each of
// headers, and returns the status.
func (rg *rig) postSigned(body []byte, basic bool, headers ...[2]string) int {
	rg.t.Helper()
	req, err := http.NewRequest(http.MethodPost, rg.url, strings.NewReader(string(body)))
	if err != nil {
		rg.t.Fatal(err)
	}
	if basic {
		req.SetBasicAuth(rg.creds.Username, rg.creds.Password)
	}
	for _, h := range headers {
		req.Header.Add(h[0], h[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		rg.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
		rg.t.Error("401 without WWW-Authenticate")
	}
	return resp.StatusCode
}

func TestReceiverHMAC(t *testing.T) {
	rg := startAuthRig(t, nil, Auth{Mode: AuthHMAC})
	body, _ := signedBody(t, rg.creds.HMACSecret)
	good := Sign(rg.creds.HMACSecret, body)
	other, _ := NewCredentials()
	tampered := []byte(strings.Replace(string(body), bodyMarker, "CUSTOMER-PRIVATE-SUMMARX", 1))
	refused := []struct {
		name  string
		body  []byte
		basic bool
		hdrs  [][2]string
	}{
		{"missing header", body, false, nil},
		{"empty header", body, false, [][2]string{{DefaultSignatureHeader, ""}}},
		{"wrong secret", body, false, [][2]string{{DefaultSignatureHeader, Sign(other.HMACSecret, body)}}},
		{"tampered body", tampered, false, [][2]string{{DefaultSignatureHeader, good}}},
		{"another header's name", body, false, [][2]string{{"X-Signature", good}}},
		{"two headers", body, false, [][2]string{{DefaultSignatureHeader, good}, {DefaultSignatureHeader, good}}},
		{"Basic credentials alone", body, true, nil},
		{"the secret itself", body, false, [][2]string{{DefaultSignatureHeader, rg.creds.HMACSecret}}},
	}
	for _, c := range refused {
		if code := rg.postSigned(c.body, c.basic, c.hdrs...); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", c.name, code)
		}
	}
	if n := rg.total(); n != 0 {
		t.Fatalf("refused deliveries stored %d items", n)
	}
	// Each way of writing the signature is accepted, without Basic
	// credentials, in any header-name case.
	for i, e := range encodings {
		b := []byte(strings.Replace(string(body), `"sig-`, fmt.Sprintf(`"enc%d-sig-`, i), 1))
		m := hmac.New(sha256.New, []byte(rg.creds.HMACSecret))
		m.Write(b)
		if code := rg.postSigned(b, false, [2]string{"x-halo-signature", e.enc(m.Sum(nil))}); code != http.StatusOK {
			t.Errorf("%s: status %d, want 200", e.name, code)
		}
	}
	if n := len(rg.items(store.InboxPending)); n != len(encodings) {
		t.Fatalf("%d stored, want %d", n, len(encodings))
	}
	// Refusals were logged, coalesced: the first one only, within a minute.
	rg.mu.Lock()
	logs := strings.Join(rg.logs, "\n")
	rg.mu.Unlock()
	if strings.Count(logs, "refused a delivery (401)") != 1 || !strings.Contains(logs, "X-Halo-Signature") {
		t.Errorf("refusal log:\n%s", logs)
	}
}

func TestReceiverBothAndCustomHeader(t *testing.T) {
	rg := startAuthRig(t, nil, Auth{Mode: AuthBoth, Header: " token: "})
	body := []byte(delivery("both-1", 7, ""))
	sig := [2]string{"Token", Sign(rg.creds.HMACSecret, body)}
	if code := rg.postSigned(body, false, sig); code != http.StatusUnauthorized {
		t.Errorf("signature without Basic: %d", code)
	}
	if code := rg.postSigned(body, true); code != http.StatusUnauthorized {
		t.Errorf("Basic without signature: %d", code)
	}
	if code := rg.postSigned(body, true, [2]string{DefaultSignatureHeader, sig[1]}); code != http.StatusUnauthorized {
		t.Errorf("signature under the default name, not the configured one: %d", code)
	}
	if rg.total() != 0 {
		t.Fatal("a refused delivery was stored")
	}
	if code := rg.postSigned(body, true, sig); code != http.StatusOK {
		t.Errorf("Basic and signature: %d", code)
	}
	if items := rg.items(store.InboxPending); len(items) != 1 || string(items[0].Body) != string(body) {
		t.Fatalf("stored %+v", items)
	}
}

// TestAuthorizeMatchesReceiver checks that what Authorize sets is what the
// receiver checks, for each mode.
func TestAuthorizeMatchesReceiver(t *testing.T) {
	for _, a := range []Auth{{}, {Mode: AuthHMAC}, {Mode: AuthBoth, Header: "Token"}} {
		rg := startAuthRig(t, nil, a)
		body := []byte(delivery("authz", 1, ""))
		req, _ := http.NewRequest(http.MethodPost, rg.url, strings.NewReader(string(body)))
		a.Authorize(req, rg.creds, body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || rg.total() != 1 {
			t.Errorf("%+v: status %d, %d stored", a, resp.StatusCode, rg.total())
		}
	}
}

func TestReceiverAuthMisconfigured(t *testing.T) {
	creds, _ := NewCredentials()
	for _, r := range []*Receiver{
		{Creds: creds, Auth: Auth{Mode: "hmak"}},
		{Creds: creds, Auth: Auth{Mode: AuthHMAC, Header: "X_Sig"}},
		{Creds: Credentials{Path: creds.Path, Username: "u", Password: "p"}, Auth: Auth{Mode: AuthHMAC}},
	} {
		if _, _, err := Listen(context.Background(), "", r); err == nil {
			t.Errorf("Listen started with %+v", r.Auth)
		}
	}
	// Served without Listen, an unknown mode refuses everyone rather than
	// letting everyone in.
	db := openStore(t)
	r := &Receiver{Creds: creds, Auth: Auth{Mode: "none"}, Sink: db}
	req := httptest.NewRequest(http.MethodPost, creds.Path, strings.NewReader(delivery("x", 1, "")))
	req.SetBasicAuth(creds.Username, creds.Password)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("unknown mode: status %d, want 401", w.Code)
	}
	if counts, _ := db.InboxCounts(context.Background()); counts[store.InboxPending]+counts[store.InboxUnreadable] != 0 {
		t.Errorf("stored %v", counts)
	}
}
