package lock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestTryLockExcludes(t *testing.T) {
	dir := t.TempDir()
	l, err := TryLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(dir); !errors.Is(err, ErrHeld) {
		t.Fatalf("second TryLock: %v, want ErrHeld", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := TryLock(dir)
	if err != nil {
		t.Fatalf("TryLock after Unlock: %v", err)
	}
	l2.Unlock()
}

// TestHelperHold is not a test: run by TestCrashReleases in a child
// process, it takes the lock, says so and waits to be killed.
func TestHelperHold(t *testing.T) {
	dir := os.Getenv("LOCK_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process")
	}
	l, err := TryLock(dir)
	if err != nil {
		os.Exit(3)
	}
	if err := l.Publish(Info{PID: os.Getpid(), Role: Owner, Addr: "127.0.0.1:1", Token: "x"}); err != nil {
		os.Exit(4)
	}
	os.Stdout.WriteString("held\n")
	time.Sleep(time.Minute)
}

// TestCrashReleases: a SIGKILLed holder leaves its note behind but not the
// lock, and a claimer ignores the stale note.
func TestCrashReleases(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestHelperHold$")
	cmd.Env = append(os.Environ(), "LOCK_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || string(buf[:4]) != "held" {
		t.Fatalf("helper: %q, %v", buf, err)
	}
	if _, err := TryLock(dir); !errors.Is(err, ErrHeld) {
		t.Fatalf("TryLock while the helper holds: %v, want ErrHeld", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if in, err := ReadInfo(dir); err != nil || in.PID != cmd.Process.Pid {
		t.Fatalf("the note after the crash: %+v, %v; want the helper's, left behind", in, err)
	}
	start := time.Now()
	l, owner, err := ClaimOneShot(context.Background(), dir, nil)
	if err != nil || l == nil || owner != nil {
		t.Fatalf("ClaimOneShot after the crash = %v, %+v, %v; want the lock", l, owner, err)
	}
	defer l.Unlock()
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v to claim a crashed holder's folder", d)
	}
}

func TestOneShotWaitsForOneShot(t *testing.T) {
	dir := t.TempDir()
	first, _, err := ClaimOneShot(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	first.Publish(Info{PID: os.Getpid(), Role: OneShot})
	told := make(chan Info, 1)
	got := make(chan *Lock)
	go func() {
		l, _, err := ClaimOneShot(context.Background(), dir, func(in Info) { told <- in })
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	select {
	case in := <-told:
		if in.Role != OneShot {
			t.Errorf("told of %+v", in)
		}
	case <-got:
		t.Fatal("the second one-shot did not wait")
	case <-time.After(5 * time.Second):
		t.Fatal("no wait notice after 5 s")
	}
	first.Unlock()
	select {
	case l := <-got:
		l.Unlock()
	case <-time.After(5 * time.Second):
		t.Fatal("the second one-shot still waits after the first let go")
	}
}

func TestOwnerFoundAndCalled(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := ClaimOwner(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	token, _ := NewToken()
	srv, err := Listen(token, func(_ context.Context, op string, args map[string]string) Reply {
		if op == "fail" {
			return Reply{Error: "it broke"}
		}
		return Reply{Output: op + " " + args["x"]}
	})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ctx)
	if err := l.Publish(Info{PID: 4242, Role: Owner, Addr: srv.Addr(), Token: token}); err != nil {
		t.Fatal(err)
	}

	var re *RunningError
	if _, err := ClaimOwner(ctx, dir, nil); !errors.As(err, &re) || re.Info.PID != 4242 ||
		!strings.Contains(err.Error(), "HaloSync is already running for this data folder ("+dir+", process 4242)") {
		t.Fatalf("second owner: %v", err)
	}
	if re := Running(ctx, dir); re == nil || re.Info.PID != 4242 {
		t.Fatalf("Running = %v, want the owner", re)
	}
	if re := Running(ctx, t.TempDir()); re != nil {
		t.Fatalf("Running on a free folder = %v", re)
	}
	l2, owner, err := ClaimOneShot(ctx, dir, nil)
	if err != nil || l2 != nil || owner == nil || owner.PID != 4242 {
		t.Fatalf("one-shot beside the owner = %v, %+v, %v; want the owner", l2, owner, err)
	}
	if rep, err := Call(ctx, *owner, "sync", map[string]string{"x": "now"}); err != nil || rep.Output != "sync now" {
		t.Fatalf("Call = %+v, %v", rep, err)
	}
	var remote *RemoteError
	if _, err := Call(ctx, *owner, "fail", nil); !errors.As(err, &remote) || remote.Msg != "it broke" {
		t.Fatalf("failing Call: %v", err)
	}
	bad := *owner
	bad.Token = "not-the-token"
	if _, err := Call(ctx, bad, "sync", nil); !errors.Is(err, ErrRefused) {
		t.Fatalf("Call with a bad token: %v, want ErrRefused", err)
	}
}

// TestStaleNoteWhileHeld: the folder is held by a process whose note is
// not written yet (the note left is a crashed owner's): a one-shot waits
// rather than calling a dead port, and gets the lock when it is let go.
func TestStaleNoteWhileHeld(t *testing.T) {
	dir := t.TempDir()
	l, err := TryLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	l.Publish(Info{PID: 1, Role: Owner, Addr: "127.0.0.1:1", Token: "gone"})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, owner, err := ClaimOneShot(ctx, dir, nil); !errors.Is(err, context.DeadlineExceeded) || owner != nil {
		t.Fatalf("ClaimOneShot with a stale note = %+v, %v; want to wait", owner, err)
	}
	time.AfterFunc(100*time.Millisecond, func() { l.Unlock() })
	l2, owner, err := ClaimOneShot(context.Background(), dir, nil)
	if err != nil || l2 == nil || owner != nil {
		t.Fatalf("after unlock = %v, %+v, %v", l2, owner, err)
	}
	l2.Unlock()
}
