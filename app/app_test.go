package app

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

func startSim(t *testing.T, o halosim.Options) (*halosim.Server, string) {
	t.Helper()
	sim := halosim.New(o)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

func openApp(t *testing.T, dir string, s secrets.Store) *App {
	t.Helper()
	a, err := Open(Config{DataDir: dir, Secrets: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func request(url, secret string) ConnectRequest {
	return ConnectRequest{URL: url, ClientID: halosim.DefaultClientID, Secret: secret}
}

func TestConnectStoresSecretOnlyInTheKeychain(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 1, Clients: 10})
	mem := secrets.NewMemory()
	a := openApp(t, t.TempDir(), mem)
	ctx := context.Background()
	res, err := a.Connect(ctx, request(url+"/api/", halosim.DefaultClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	if res.Address != url || len(res.Verified) != len(halo.RequiredScopes) {
		t.Fatalf("result = %+v", res)
	}
	if mem.Len() != 1 {
		t.Fatalf("keychain holds %d secrets, want 1", mem.Len())
	}
	st, err := a.Status(ctx)
	if err != nil || !st.Connected || st.Address != url {
		t.Fatalf("status = %+v, %v", st, err)
	}
	logs, _ := a.Log(ctx, store.LogQuery{})
	for _, l := range logs {
		if strings.Contains(l.Message, halosim.DefaultClientSecret) {
			t.Fatalf("the sync log holds the secret: %+v", l)
		}
	}
}

func TestFailedConnectStoresNothing(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 1, Clients: 10, Scopes: []string{"read:customers", "read:assets", "read:tickets"}})
	closed := httptest.NewServer(nil)
	closed.Close()
	cases := []struct {
		name string
		req  ConnectRequest
		want error
	}{
		{"wrong secret", request(url, "not-the-secret"), halo.ErrBadCredentials},
		{"missing scope", request(url, halosim.DefaultClientSecret), halo.ErrMissingScope},
		{"server down", request(closed.URL, halosim.DefaultClientSecret), halo.ErrUnreachable},
		{"plain http to a remote host", request("http://halo.example.com", "Zq8-secret-never-logged"), halo.ErrBadURL},
		{"no address", request("", "Zq8-secret-never-logged"), halo.ErrBadURL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := secrets.NewMemory()
			a := openApp(t, t.TempDir(), mem)
			ctx := context.Background()
			_, err := a.Connect(ctx, tc.req)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if mem.Len() != 0 {
				t.Fatal("a failed connect left a secret in the keychain")
			}
			if st, _ := a.Status(ctx); st.Connected || st.Address != "" {
				t.Fatalf("a failed connect left settings: %+v", st)
			}
			errs, _ := a.Log(ctx, store.LogQuery{MinLevel: store.Error})
			if len(errs) == 0 {
				t.Fatal("the failure is not in the sync log")
			}
			all, _ := a.Log(ctx, store.LogQuery{MinLevel: store.Debug})
			for _, l := range all {
				if strings.Contains(l.Message+l.Object, tc.req.Secret) {
					t.Fatalf("the sync log holds the secret: %+v", l)
				}
			}
		})
	}
}

func TestConnectNamesMissingScope(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 1, Clients: 5, Scopes: []string{"read:customers", "read:assets", "read:tickets"}})
	a := openApp(t, t.TempDir(), secrets.NewMemory())
	_, err := a.Connect(context.Background(), request(url, halosim.DefaultClientSecret))
	if err == nil || !strings.Contains(err.Error(), "edit:tickets") {
		t.Fatalf("err = %v; it must name edit:tickets", err)
	}
}

func TestKeychainFailureStoresNothing(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 1, Clients: 5})
	mem := secrets.NewMemory()
	mem.SetFailure(fmt.Errorf("locked: %w", secrets.ErrUnavailable))
	a := openApp(t, t.TempDir(), mem)
	_, err := a.Connect(context.Background(), request(url, halosim.DefaultClientSecret))
	if !errors.Is(err, secrets.ErrUnavailable) || !strings.Contains(err.Error(), "keychain") {
		t.Fatalf("err = %v", err)
	}
	if st, _ := a.Status(context.Background()); st.Address != "" {
		t.Fatalf("settings were saved without the secret: %+v", st)
	}
}

func TestSyncAndReconnectAndDisconnect(t *testing.T) {
	sim, url := startSim(t, halosim.Options{Seed: 2, Clients: 30})
	_, otherURL := startSim(t, halosim.Options{Seed: 3, Clients: 5})
	mem := secrets.NewMemory()
	dir := t.TempDir()
	a := openApp(t, dir, mem)
	ctx := context.Background()
	if _, err := a.SyncOnce(ctx, nil); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("sync before connect: %v", err)
	}
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	// A second App on the same folder reads the secret back from the keychain.
	b := openApp(t, dir, mem)
	if _, err := b.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	st, _ := b.Status(ctx)
	if st.Counts.Clients != sim.Counts().ActiveClients || st.LastRun == nil || st.LastRun.Status != store.StatusOK {
		t.Fatalf("status after sync = %+v", st)
	}
	// Connecting elsewhere replaces the connection and its secret.
	if _, err := a.Connect(ctx, request(otherURL, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	if mem.Len() != 1 {
		t.Fatalf("keychain holds %d secrets after reconnecting, want 1", mem.Len())
	}
	if err := a.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ = a.Status(ctx)
	if st.Connected || mem.Len() != 0 || st.Counts.Clients == 0 {
		t.Fatalf("after disconnect: %+v, %d secrets; imported data must stay", st, mem.Len())
	}
	if _, err := a.SyncOnce(ctx, nil); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("sync after disconnect: %v", err)
	}
}

func TestMissingSecretIsReported(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 1, Clients: 5})
	mem := secrets.NewMemory()
	a := openApp(t, t.TempDir(), mem)
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	st, _ := a.Status(ctx)
	if err := mem.Delete(a.secretKey(store.Connection{BaseURL: st.Address, ClientID: st.ClientID})); err != nil {
		t.Fatal(err)
	}
	st, _ = a.Status(ctx)
	if st.Connected || !strings.Contains(st.Problem, "keychain") {
		t.Fatalf("status = %+v", st)
	}
}

// TestRealKeychain runs connect and a second app's sync through the OS
// keychain over D-Bus (make test provides one through .ci/with-keyring).
func TestRealKeychain(t *testing.T) {
	if os.Getenv("HALOSYNC_REAL_KEYRING") != "1" {
		t.Skip("set HALOSYNC_REAL_KEYRING=1 inside .ci/with-keyring to test the real keychain")
	}
	_, url := startSim(t, halosim.Options{Seed: 4, Clients: 10})
	kc := secrets.NewKeychain(ID + ".test")
	dir := t.TempDir()
	a := openApp(t, dir, kc)
	ctx := context.Background()
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Disconnect(context.Background()) })
	b := openApp(t, dir, secrets.NewKeychain(ID+".test"))
	if _, err := b.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ := a.Status(ctx)
	key := a.secretKey(store.Connection{BaseURL: url, ClientID: halosim.DefaultClientID})
	if _, err := kc.Get(key); !errors.Is(err, secrets.ErrNotFound) || st.Connected {
		t.Fatalf("after disconnect the keychain still answers %v", err)
	}
}
