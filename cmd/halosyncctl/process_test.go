package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

// realKeyringEnv turns on the tests that run the built halosyncctl against
// the real OS keychain. Set it only where the keychain is private to the
// tests, as .ci/with-keyring does: they write and delete real secrets.
const realKeyringEnv = "HALOSYNC_REAL_KEYRING"

// binary is the halosyncctl TestMain built, "" without the real keychain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if os.Getenv(realKeyringEnv) != "1" {
		return m.Run() // the process tests skip: no need to build
	}
	dir, err := os.MkdirTemp("", "halosyncctl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "halosyncctl")
	build := exec.Command("go", "build", "-o", binary, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build halosyncctl: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// requireRealKeychain skips the test unless HALOSYNC_REAL_KEYRING=1, and
// then fails it if the OS keychain does not answer.
func requireRealKeychain(t *testing.T) {
	t.Helper()
	if os.Getenv(realKeyringEnv) != "1" {
		t.Skipf("runs halosyncctl against the real OS keychain: set %s=1 (run under .ci/with-keyring)", realKeyringEnv)
	}
	// Without a bus address godbus would autolaunch a session bus, and
	// D-Bus activation a locked gnome-keyring-daemon, both left running.
	if runtime.GOOS == "linux" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatalf("%s=1 but DBUS_SESSION_BUS_ADDRESS is empty: run the tests under .ci/with-keyring", realKeyringEnv)
	}
	if _, err := secrets.NewKeychain(app.ID).Get("halosyncctl-test-probe"); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("%s=1 but the OS keychain does not answer: %v", realKeyringEnv, err)
	}
}

// proc runs the built halosyncctl on one data directory and keeps every
// output, so a test can search them all.
type proc struct {
	t       *testing.T
	dir     string
	outputs []string
}

func newProc(t *testing.T) *proc {
	requireRealKeychain(t)
	return &proc{t: t, dir: t.TempDir()}
}

// command prepares one halosyncctl command line.
func (p *proc) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, binary, append([]string{"--data-dir", p.dir}, args...)...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run executes one command line with stdin piped in.
func (p *proc) run(stdin string, args ...string) result {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := p.command(ctx, args...)
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		p.t.Fatalf("halosyncctl %v: %v", args, err)
	}
	r := result{cmd.ProcessState.ExitCode(), out.String(), errOut.String()}
	p.outputs = append(p.outputs, r.stdout, r.stderr)
	return r
}

func (p *proc) must(stdin string, args ...string) result {
	p.t.Helper()
	r := p.run(stdin, args...)
	if r.code != 0 {
		p.t.Fatalf("halosyncctl %v: %v", args, r)
	}
	return r
}

func (p *proc) status() statusJSON {
	p.t.Helper()
	var s statusJSON
	decodeJSON(p.t, p.must("", "status", "--json").stdout, &s)
	return s
}

// randomSecret returns a 40-character secret no other text contains.
func randomSecret(t *testing.T) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 40)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// keychainEntry is the real keychain's entry for a connection to url with
// the default client ID from p's data folder; it is removed when the test
// ends.
func (p *proc) keychainEntry(url string) (*secrets.Keychain, string) {
	kc := secrets.NewKeychain(app.ID)
	key := app.ClientSecretKey(p.dir, halosim.DefaultClientID, url)
	p.t.Cleanup(func() { _ = kc.Delete(key) })
	return kc, key
}

// wantSecretNowhere fails if secret's bytes appear in any file under dir
// (the database with its -wal and -shm files included) or in any output.
// It returns the names of the files it read.
func (p *proc) wantSecretNowhere(secret string) []string {
	p.t.Helper()
	var files []string
	err := filepath.WalkDir(p.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files = append(files, d.Name())
		if bytes.Contains(b, []byte(secret)) {
			p.t.Errorf("%s holds the client secret", path)
		}
		return nil
	})
	if err != nil {
		p.t.Fatal(err)
	}
	if len(files) == 0 {
		p.t.Fatalf("no files under %s", p.dir)
	}
	for _, out := range p.outputs {
		if strings.Contains(out, secret) {
			p.t.Errorf("halosyncctl printed the client secret:\n%s", out)
		}
	}
	return files
}

// TestSecretOnlyInKeychain connects and imports with the real keychain and
// looks for the secret everywhere else it could leak.
func TestSecretOnlyInKeychain(t *testing.T) {
	t.Parallel()
	p := newProc(t)
	secret := randomSecret(t)
	sim, srv := startSim(t, halosim.Options{Seed: 21, ClientSecret: secret})
	kc, key := p.keychainEntry(srv.URL)

	r := p.must(secret+"\n", "connect", "--url", srv.URL, "--client-id", halosim.DefaultClientID)
	wantContains(t, "connect's output", r.stdout, "Granted scopes:", "Import finished:")
	if got, err := kc.Get(key); err != nil || got != secret {
		t.Fatalf("keychain %q = %q, %v; want the secret", key, got, err)
	}
	p.wantSecretNowhere(secret)
	s := p.status()
	if !s.Connected {
		t.Fatalf("status after connect = %+v", s)
	}
	wantImported(t, s, sim)

	// A new process reads the secret back from the keychain.
	p.must("", "sync", "--once")
	p.run("", "log", "--json", "--limit", "1000")
	p.run("", "log", "--limit", "1000")
	p.wantSecretNowhere(secret)

	wantContains(t, "disconnect's output", p.must("", "disconnect").stdout, "removed from the keychain")
	if _, err := kc.Get(key); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("keychain after disconnect: %v, want ErrNotFound", err)
	}
	s = p.status()
	if s.Connected || s.Address != "" {
		t.Errorf("status after disconnect = %+v, want not connected", s)
	}
	wantImported(t, s, sim)
	if r := p.run("", "sync", "--once"); r.code != 1 || !strings.Contains(r.stderr, "connect first") {
		t.Errorf("sync after disconnect: want exit 1 saying connect first: %v", r)
	}
	p.wantSecretNowhere(secret)
}

// TestWrongSecretStoresNothing: a rejected secret reaches neither the
// keychain nor the disk.
func TestWrongSecretStoresNothing(t *testing.T) {
	t.Parallel()
	p := newProc(t)
	wrong := randomSecret(t)
	_, srv := startSim(t, halosim.Options{Seed: 22, Clients: 3, ClientSecret: randomSecret(t)})
	kc, key := p.keychainEntry(srv.URL)

	r := p.run(wrong+"\n", "connect", "--url", srv.URL, "--client-id", halosim.DefaultClientID)
	if r.code != 1 || !strings.Contains(r.stderr, "rejected the client ID or secret") {
		t.Fatalf("want exit 1 saying the secret was rejected: %v", r)
	}
	if v, err := kc.Get(key); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("keychain %q = %q, %v; want nothing stored", key, v, err)
	}
	if s := p.status(); s.Connected || s.Address != "" || s.Errors != 1 {
		t.Errorf("status = %+v, want not connected, one error", s)
	}
	p.run("", "log", "--json")
	p.wantSecretNowhere(wrong)
}
