package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
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
