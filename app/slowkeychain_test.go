package app

import (
	"context"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

// slowKeychain is a keychain whose every call, while slow is set, takes
// 5 s (an OS unlock prompt nobody answers), or until the test ends.
type slowKeychain struct {
	secrets.Store
	slow    atomic.Bool
	calls   atomic.Int32 // calls that started waiting
	release chan struct{}
	once    gosync.Once
}

func newSlowKeychain() *slowKeychain {
	return &slowKeychain{Store: secrets.NewMemory(), release: make(chan struct{})}
}

// stop ends every wait, now and later; tests register it after the app's
// Close, so that Close does not wait 5 s for a loop stuck in the keychain.
func (k *slowKeychain) stop() {
	k.once.Do(func() {
		k.slow.Store(false)
		close(k.release)
	})
}

// openConnected connects an app in a new data folder to url and closes
// it, so that the next app opened there reads its secret from kc.
func openConnected(t *testing.T, url string, kc secrets.Store) string {
	t.Helper()
	dir := t.TempDir()
	a, err := Open(Config{DataDir: dir, Secrets: kc})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Connect(context.Background(), request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (k *slowKeychain) wait() {
	if !k.slow.Load() {
		return
	}
	k.calls.Add(1)
	select {
	case <-time.After(5 * time.Second):
	case <-k.release:
	}
}

func (k *slowKeychain) Get(key string) (string, error) { k.wait(); return k.Store.Get(key) }
func (k *slowKeychain) Set(key, v string) error        { k.wait(); return k.Store.Set(key, v) }
func (k *slowKeychain) Delete(key string) error        { k.wait(); return k.Store.Delete(key) }

// TestLoopControlsNeverWaitOnTheKeychain: while the import loop's first
// HaloPSA client is stuck in a keychain read, everything the GUI calls on
// its own goroutine answers at once.
func TestLoopControlsNeverWaitOnTheKeychain(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 5, Clients: 5})
	kc := newSlowKeychain()
	dir := openConnected(t, url, kc)
	ctx := context.Background()

	a := openApp(t, dir, kc) // no client yet: the first use reads the keychain
	t.Cleanup(kc.stop)
	kc.slow.Store(true)
	stuck := make(chan struct{})
	go func() {
		defer close(stuck)
		a.haloClient(ctx) // the background loop's way in, held 5 s
	}()
	a.Start(ctx)
	a.SyncNow()
	eventually(t, "a keychain call to hang", func() bool { return kc.calls.Load() >= 2 })

	calls := []struct {
		name string
		fn   func()
	}{
		{"Paused", func() { a.Paused() }},
		{"SetPaused", func() { a.SetPaused(true) }},
		{"SetPaused again", func() { a.SetPaused(false) }},
		{"SyncInterval", func() { a.SyncInterval() }},
		{"SetSyncInterval", func() { a.SetSyncInterval(time.Hour) }},
		{"Syncing", func() { a.Syncing() }},
		{"SyncNow", func() { a.SyncNow() }},
		{"Subscribe", func() { a.Subscribe(func(Event) {})() }},
		{"wakeTickets", func() { a.wakeTickets() }},
		{"restartWebhook", func() { a.restartWebhook() }},
	}
	for _, c := range calls {
		start := time.Now()
		c.fn()
		if took := time.Since(start); took > 50*time.Millisecond {
			t.Errorf("%s took %v while the keychain hangs", c.name, took)
		}
	}
	select {
	case <-stuck:
		t.Fatal("the client was built without waiting for the keychain: the test proves nothing")
	default:
	}
	if a.SyncInterval() != time.Hour || a.Paused() {
		t.Errorf("interval %v, paused %v after the calls", a.SyncInterval(), a.Paused())
	}
}

// TestHaloClientCallerGivesUp: a caller whose context ends stops waiting
// for a keychain that hangs; the build goes on and a later caller gets it.
func TestHaloClientCallerGivesUp(t *testing.T) {
	_, url := startSim(t, halosim.Options{Seed: 5, Clients: 5})
	kc := newSlowKeychain()
	dir := openConnected(t, url, kc)
	ctx := context.Background()
	a := openApp(t, dir, kc)
	t.Cleanup(kc.stop)
	kc.slow.Store(true)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := a.haloClient(short); err == nil {
		t.Fatal("a client came back although the keychain hangs")
	}
	kc.slow.Store(false)
	kc.release <- struct{}{} // lets the one hanging Get go on
	c1, err := a.haloClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c2, _ := a.haloClient(ctx); c2 != c1 {
		t.Error("a second call built another client")
	}
	if n := kc.calls.Load(); n != 1 {
		t.Errorf("%d keychain calls waited, want the one build's", n)
	}
}
