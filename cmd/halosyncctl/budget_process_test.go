package main

import (
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

// TestSyncRightAfterConnectMeetsNo429 is issue 13 as it was reported:
// `sync --once` right after `connect`, and again right after that, each a
// new process with a new budget, against a HaloPSA whose window the
// previous process filled. The budget shared in the data folder must make
// them wait for the window, not meet 429s and their back-off.
func TestSyncRightAfterConnectMeetsNo429(t *testing.T) {
	t.Parallel()
	p := newProc(t)
	const limit, window = 4, time.Second
	secret := randomSecret(t)
	sim, srv := startSim(t, halosim.Options{Seed: 29, Clients: 8, ClientSecret: secret, RateLimit: limit, RateWindow: window})
	p.keychainEntry(srv.URL)
	rate := []string{"--rate-limit", "4", "--rate-window", window.String()}

	start := time.Now()
	p.must(secret+"\n", append(rate, "connect", "--no-sync", "--url", srv.URL, "--client-id", halosim.DefaultClientID)...)
	for range 2 {
		p.must("", append(rate, "sync", "--once")...)
	}
	took := time.Since(start)

	st := sim.Stats()
	if st.RateLimited != 0 {
		t.Fatalf("the simulator answered 429 %d times", st.RateLimited)
	}
	api := 0 // the requests the limit counts: not the token's nor discovery's
	for path, n := range st.ByPath {
		if strings.HasPrefix(path, "/api/") && path != "/api/authinfo" {
			api += n
		}
	}
	least := time.Duration((api-1)/limit) * window
	t.Logf("%d API requests in %v; the limit allows them in %v", api, took, least)
	if api <= 2*limit || took < least || took > least+2*window+3*time.Second {
		t.Fatalf("%d requests took %v; at %d per %v they need %v", api, took, limit, window, least)
	}
}
