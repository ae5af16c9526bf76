package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

func TestDecideHealthPrecedence(t *testing.T) {
	at := time.Date(2026, 3, 2, 14, 2, 0, 0, time.UTC)
	rejected := &Health{State: HealthRejected, Since: at, Reason: "HaloPSA rejected the client ID or secret"}
	outage := &Health{State: HealthUnreachable, Since: at, RetryAt: at.Add(5 * time.Minute), Attempts: 3}
	wait := &Health{State: HealthWaiting, Since: at, Until: at.Add(3 * time.Minute)}
	for _, c := range []struct {
		name string
		f    healthFacts
		want Health
	}{
		{"nothing wrong", healthFacts{}, Health{State: HealthOK}},
		{"paused", healthFacts{paused: true}, Health{State: HealthPaused}},
		{"syncing", healthFacts{syncing: true}, Health{State: HealthSyncing}},
		{"a Sync now while paused shows the import", healthFacts{syncing: true, paused: true}, Health{State: HealthSyncing}},
		{"an import waiting for the rate limit", healthFacts{wait: wait, syncing: true, paused: true}, *wait},
		{"an outage outweighs a wait", healthFacts{outage: outage, wait: wait, syncing: true}, *outage},
		{"a refusal outweighs an outage", healthFacts{rejected: rejected, outage: outage, wait: wait}, *rejected},
		{"not connected outweighs everything", healthFacts{notConnected: true, rejected: rejected, outage: outage, syncing: true, paused: true},
			Health{State: HealthNotConnected}},
	} {
		if got := decideHealth(c.f); got != c.want {
			t.Errorf("%s: %+v; want %+v", c.name, got, c.want)
		}
	}
}

func TestHealthStateStrings(t *testing.T) {
	seen := map[string]bool{}
	for s := HealthOK; s <= HealthNotConnected; s++ {
		name := s.String()
		if name == fmt.Sprintf("HealthState(%d)", int(s)) || seen[name] {
			t.Errorf("state %d is named %q", int(s), name)
		}
		seen[name] = true
	}
}

// TestHealthEvents drives an App through pausing, an import, a refusal of
// its credentials and a reconnect, and checks the health event each
// change publishes.
func TestHealthEvents(t *testing.T) {
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	r := record(t, a)
	last := func(step string, want HealthState) {
		t.Helper()
		// SetPaused publishes from a goroutine of its own: allow it a
		// moment; every other change publishes before it returns.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			r.mu.Lock()
			n := len(r.health)
			got := n > 0 && r.health[n-1].State == want
			events := append([]Health(nil), r.health...)
			r.mu.Unlock()
			if got {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: health events %+v; want the last to be %v", step, events, want)
			}
		}
	}
	a.SetPaused(true)
	last("paused", HealthPaused)
	a.SetPaused(false)
	last("resumed", HealthOK)

	done := a.importRuns()
	last("an import runs", HealthSyncing)
	done()
	last("the import ended", HealthOK)

	refused := &halo.APIError{Kind: halo.ErrBadCredentials, Op: "POST /auth/token", Status: 401}
	a.noteFailure(context.Background(), loopImport, refused)
	last("credentials refused", HealthRejected)
	a.SetPaused(true)
	last("paused while refused", HealthRejected)
	a.SetPaused(false)
	a.haloAnswered()
	last("a request succeeded", HealthOK)

	a.noteFailure(context.Background(), loopTickets, refused)
	last("refused again", HealthRejected)
	a.noteConnected(true, true)
	last("connected again", HealthOK)
	a.noteConnected(false, true)
	last("disconnected", HealthNotConnected)
}

// TestCredentialsRejectedBySimulator: HaloPSA's token endpoint starts
// refusing the stored secret; the next background import puts the health
// in HealthRejected (the status says so too), and it stays there until a
// request succeeds again.
func TestCredentialsRejectedBySimulator(t *testing.T) {
	sim := halosim.New(halosim.Options{})
	var refuse atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse.Load() && strings.HasSuffix(r.URL.Path, "/token") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(srv.URL, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	if err := a.backgroundSync(ctx); err != nil {
		t.Fatalf("first import: %v", err)
	}
	refuse.Store(true)
	sim.ExpireTokens() // the next request needs a new token
	if err := a.backgroundSync(ctx); !errors.Is(err, halo.ErrBadCredentials) {
		t.Fatalf("import with the secret refused: %v; want ErrBadCredentials", err)
	}
	st, err := a.Status(ctx)
	if err != nil || st.Health.State != HealthRejected || !strings.Contains(st.Health.Reason, "rejected") {
		t.Fatalf("status %+v, %v; want HealthRejected with the reason", st.Health, err)
	}
	refuse.Store(false)
	if err := a.backgroundSync(ctx); err != nil {
		t.Fatalf("import after the refusal ended: %v", err)
	}
	if h := a.health(); h.State != HealthOK {
		t.Errorf("health after a successful import: %+v", h)
	}
}
