package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

// TestConnectLoopbackFallsBackToHTTP: the simulator serves plain http;
// typed without a scheme, its address is tried with https first, then
// http, and the result and the sync log say which was used.
func TestConnectLoopbackFallsBackToHTTP(t *testing.T) {
	_, url := startSim(t, halosim.Options{})
	hostPort := strings.TrimPrefix(url, "http://")
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	res, err := a.Connect(ctx, request(hostPort, halosim.DefaultClientSecret))
	if err != nil {
		t.Fatalf("Connect(%q): %v", hostPort, err)
	}
	if res.Address != url || res.Note != NoteHTTPS || res.String() != url+" (https did not answer)" {
		t.Errorf("result %+v (%s); want %s over http, with the note", res, res, url)
	}
	t.Logf("connected in %v", time.Since(start))
	st, err := a.Status(ctx)
	if err != nil || !st.Connected || st.Address != url {
		t.Errorf("status %+v, %v: want connected to %s", st, err, url)
	}
	rows, err := a.Log(ctx, store.LogQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var said bool
	for _, r := range rows {
		said = said || strings.Contains(r.Message, "Connected over plain http (https did not answer)")
	}
	if !said {
		t.Errorf("no sync-log row says http was used: %+v", rows)
	}
}

// TestConnectHTTPSAddressDoesNotFallBack: a scheme typed is a scheme
// meant; https to the plain-http simulator fails and says so.
func TestConnectHTTPSAddressDoesNotFallBack(t *testing.T) {
	_, url := startSim(t, halosim.Options{})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := a.Connect(ctx, request("https://"+strings.TrimPrefix(url, "http://"), halosim.DefaultClientSecret))
	if err == nil {
		t.Fatalf("connected to %+v over https to a plain-http server", res)
	}
}
