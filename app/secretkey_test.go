package app

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

// twoFoldersOneHaloPSA connects two data folders to one HaloPSA through
// one keychain, disconnects the first, and checks the second still syncs.
func twoFoldersOneHaloPSA(t *testing.T, kc secrets.Store) {
	t.Helper()
	_, url := startSim(t, halosim.Options{Seed: 7, Clients: 8})
	ctx := context.Background()
	a := openApp(t, t.TempDir(), kc)
	b := openApp(t, t.TempDir(), kc)
	for _, x := range []*App{a, b} {
		if _, err := x.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Disconnect(context.Background()) })
	}
	if err := a.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.Status(ctx); st.Connected {
		t.Error("the disconnected folder still says connected")
	}
	b2 := openApp(t, b.DataDir(), kc) // a fresh process on the second folder
	if st, _ := b2.Status(ctx); !st.Connected {
		t.Fatalf("disconnecting the first folder disconnected the second: %+v", st)
	}
	if _, err := b2.SyncOnce(ctx, nil); err != nil {
		t.Fatalf("the second folder cannot sync: %v", err)
	}
}

func TestDisconnectRemovesOnlyItsFolderSecret(t *testing.T) {
	twoFoldersOneHaloPSA(t, secrets.NewMemory())
}

func TestDisconnectRemovesOnlyItsFolderSecretRealKeychain(t *testing.T) {
	if os.Getenv("HALOSYNC_REAL_KEYRING") != "1" {
		t.Skip("set HALOSYNC_REAL_KEYRING=1 inside .ci/with-keyring to test the real keychain")
	}
	twoFoldersOneHaloPSA(t, secrets.NewKeychain(ID+".test"))
}

// TestSecretUnderTheOldNameMoves: a secret stored before entries named
// their data folder is found, copied to the folder's entry, and removed
// with it on Disconnect.
func TestSecretUnderTheOldNameMoves(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 8, Clients: 5})
	ctx := context.Background()
	mem := secrets.NewMemory()
	a := openApp(t, t.TempDir(), mem)
	if _, err := a.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	conn := store.Connection{BaseURL: url, ClientID: halosim.DefaultClientID}
	legacy := legacySecretKey(conn.ClientID, conn.BaseURL)
	// As an older HaloSync left it: the secret under the shared name only.
	if err := mem.Delete(a.secretKey(conn)); err != nil {
		t.Fatal(err)
	}
	if err := mem.Set(legacy, halosim.DefaultClientSecret); err != nil {
		t.Fatal(err)
	}
	b := openApp(t, a.DataDir(), mem)
	if st, _ := b.Status(ctx); !st.Connected {
		t.Fatalf("the secret under the old name was not found: %+v", st)
	}
	if got, err := mem.Get(b.secretKey(conn)); err != nil || got != halosim.DefaultClientSecret {
		t.Fatalf("not copied to the folder's entry: %q, %v", got, err)
	}
	if err := b.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{b.secretKey(conn), legacy} {
		if _, err := mem.Get(k); !errors.Is(err, secrets.ErrNotFound) {
			t.Errorf("after Disconnect %q is still there: %v", k, err)
		}
	}
}
