package webhook

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// TestShutdownClosesIdleNewConnections: a connection that never sent a
// request (an HTTP client's spare one) does not hold the shutdown for the
// whole grace period and turn a clean stop into an error.
func TestShutdownClosesIdleNewConnections(t *testing.T) {
	creds, err := NewCredentials()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	url, wait, err := Listen(ctx, "", &Receiver{Creds: creds, Sink: openStore(t)})
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(strings.TrimSuffix(url, creds.Path), "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // the server has accepted it
	cancel()
	if err := wait(); err != nil {
		t.Fatalf("a clean shutdown with a silent connection open: %v", err)
	}
}
