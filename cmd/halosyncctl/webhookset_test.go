package main

import (
	"strings"
	"testing"
)

func TestWebhookSetAndTest(t *testing.T) {
	e := newEnv(t)
	if r := e.run("", "webhook", "test"); r.code != 1 || !strings.Contains(r.stderr, "no public webhook URL") {
		t.Fatalf("test without a tunnel: %v", r)
	}
	if r := e.run("", "webhook", "set", "--mode", "bogus"); r.code != 2 {
		t.Fatalf("bad mode: %v", r)
	}
	if r := e.run("", "webhook", "set", "--mode", "external", "--public-url", "http://halo-hooks.example.com"); r.code != 1 {
		t.Fatalf("plain http to a remote host: %v", r)
	}
	r := e.must("", "webhook", "set", "--mode", "external", "--public-url", "https://hooks.example.com/halosync/")
	wantContains(t, "set", r.stdout, "external")
	info := e.must("", "webhook", "info").stdout
	wantContains(t, "info", info, "Payload URL:     https://hooks.example.com/halosync/")
	if r := e.run("", "webhook", "set", "--mode", "ngrok", "--ngrok-token-stdin"); r.code != 2 {
		t.Fatalf("ngrok without a token on stdin: %v", r)
	}
	e.must("", "webhook", "set", "--mode", "none")
}
