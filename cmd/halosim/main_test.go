package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRunServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--addr", "127.0.0.1:0", "--clients", "4", "--tenant", "acme",
			"--client-id", "my-id", "--client-secret", "my-secret"}, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output: %v", <-errc)
	}
	base, ok := strings.CutPrefix(sc.Text(), "halosim: serving ")
	if !ok {
		t.Fatalf("first line %q", sc.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	resp, err := http.PostForm(base+"/auth/token?tenant=acme", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"my-id"}, "client_secret": {"my-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/Client?includeinactive=true", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		RecordCount int `json:"record_count"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if resp.StatusCode != 200 || env.RecordCount != 4 {
		t.Fatalf("clients: %d, record_count %d", resp.StatusCode, env.RecordCount)
	}

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no shutdown")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	if err := run(context.Background(), []string{"--no-such-flag"}, io.Discard); err == nil {
		t.Fatal("bad flag accepted")
	}
	if err := run(context.Background(), []string{"extra"}, io.Discard); err == nil {
		t.Fatal("stray argument accepted")
	}
}

// TestRunSignsWebhooks runs the simulator with a signed webhook, secret
// from the environment, and checks a delivery carries the signature.
func TestRunSignsWebhooks(t *testing.T) {
	const secret = "from-the-environment"
	got := make(chan [2]string, 10)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- [2]string{r.Header.Get("Token"), string(b)}
	}))
	defer recv.Close()
	if err := run(context.Background(), []string{"--webhook-url", recv.URL, "--webhook-hmac-header", "Token"}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "HALOSIM_WEBHOOK_HMAC_SECRET") {
		t.Fatalf("a header without a secret: %v", err)
	}
	t.Setenv("HALOSIM_WEBHOOK_HMAC_SECRET", secret)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--addr", "127.0.0.1:0", "--clients", "3", "--webhook-url", recv.URL,
			"--webhook-hmac-header", "Token"}, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output: %v", <-errc)
	}
	base, _ := strings.CutPrefix(sc.Text(), "halosim: serving ")
	var banner strings.Builder
	for sc.Scan() && !strings.Contains(sc.Text(), "signed in") {
		banner.WriteString(sc.Text() + "\n")
	}
	if !strings.Contains(sc.Text(), "Token") || strings.Contains(banner.String()+sc.Text(), secret) {
		t.Errorf("banner line %q (the secret must not be printed)", sc.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	created := false
	for client := 1; client <= 20 && !created; client++ {
		resp, err := http.Post(fmt.Sprintf("%s/_sim/tickets?client_id=%d&summary=Signed", base, client), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		created = resp.StatusCode == http.StatusOK
	}
	if !created {
		t.Fatal("could not create a ticket")
	}
	select {
	case d := <-got:
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(d[1]))
		if want := base64.StdEncoding.EncodeToString(m.Sum(nil)); d[0] != want {
			t.Errorf("Token = %q, want %q", d[0], want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
