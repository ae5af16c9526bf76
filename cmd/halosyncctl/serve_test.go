package main

import (
	"context"
	neturl "net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

// served is `halosyncctl serve` running as a child process.
type served struct {
	t      *testing.T
	cmd    *exec.Cmd
	out    lockedBuffer // standard output and error
	exited chan struct{}
}

// serve starts `halosyncctl serve` with args; the test's end kills it if
// it still runs.
func (p *proc) serve(args ...string) *served {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	s := &served{t: p.t, cmd: p.command(ctx, append([]string{"serve"}, args...)...), exited: make(chan struct{})}
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	if err := s.cmd.Start(); err != nil {
		cancel()
		p.t.Fatal(err)
	}
	go func() {
		_ = s.cmd.Wait()
		cancel()
		close(s.exited)
	}()
	p.t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
	})
	return s
}

// waitFor checks cond every 20 ms until it holds, and fails the test if
// it does not within timeout or serve ends first.
func (s *served) waitFor(what string, timeout time.Duration, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		select {
		case <-s.exited:
			s.t.Fatalf("serve ended (%v) while waiting for %s:\n%s", s.cmd.ProcessState, what, s.out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no %s within %v; serve said:\n%s", what, timeout, s.out.String())
		}
	}
}

// stop sends sig and waits for serve to end, at most 10 s; it returns how
// long that took.
func (s *served) stop(sig syscall.Signal) time.Duration {
	s.t.Helper()
	start := time.Now()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.t.Fatalf("serve still runs 10 s after %v:\n%s", sig, s.out.String())
	}
	return time.Since(start)
}

// terminate stops serve with SIGTERM and fails unless it ended cleanly
// within 5 s.
func (s *served) terminate() {
	s.t.Helper()
	took := s.stop(syscall.SIGTERM)
	if code := s.cmd.ProcessState.ExitCode(); code != 0 || took > 5*time.Second || !strings.Contains(s.out.String(), "Stopped.") {
		s.t.Fatalf("serve after SIGTERM: exit %d after %v; want exit 0 within 5 s saying Stopped.:\n%s", code, took, s.out.String())
	}
	s.t.Logf("serve stopped %v after SIGTERM", took.Round(time.Millisecond))
}

// kill ends serve with SIGKILL: no deferred Close, no answer awaited.
func (s *served) kill() {
	s.t.Helper()
	s.stop(syscall.SIGKILL)
	if ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		s.t.Fatalf("serve was not killed: %v\n%s", s.cmd.ProcessState, s.out.String())
	}
}

// tickets returns `tickets list --json` run as its own process.
func (p *proc) tickets() []ticketJSON {
	p.t.Helper()
	var rows []ticketJSON
	decodeJSON(p.t, p.must("", "tickets", "list", "--json").stdout, &rows)
	return rows
}

func findTicket(rows []ticketJSON, haloID int64) (ticketJSON, bool) {
	for _, r := range rows {
		if r.HaloID == haloID {
			return r, true
		}
	}
	return ticketJSON{}, false
}

var (
	receiverLine = regexp.MustCompile(`Webhook receiver: (http://\S+)`)
	infoLine     = regexp.MustCompile(`(?m)^\s*(Payload URL|Username|Password):\s+(\S.*\S)\s*$`)
)

// TestServe runs serve as the user would: polling only, then with the
// webhook receiver that the simulator posts to with the credentials
// `webhook info --reveal` prints. SIGTERM stops it cleanly both times.
func TestServe(t *testing.T) {
	t.Parallel()
	p := newProc(t)
	secret := randomSecret(t)
	sim, srv := startSim(t, halosim.Options{Seed: 24, Clients: 5, TicketsPerClient: 4, ClientSecret: secret})
	p.keychainEntry(srv.URL)
	t.Cleanup(func() {
		db, _ := filepath.Abs(filepath.Join(p.dir, "halosync.db"))
		_ = secrets.NewKeychain(app.ID).Delete("webhook-credentials:" + db)
	})
	p.must(secret+"\n", "connect", "--url", srv.URL, "--client-id", halosim.DefaultClientID)
	p.must("", "tickets", "sync")
	open := p.tickets()
	if len(open) == 0 {
		t.Fatal("no open tickets")
	}

	// Polling: a change made in HaloPSA arrives within a few polls.
	s := p.serve("--poll", "200ms")
	s.waitFor("start", 10*time.Second, func() bool { return strings.Contains(s.out.String(), "HaloSync is running") })
	target := open[0]
	want := int64(4) // Waiting on Customer
	if target.StatusID == want {
		want = 2
	}
	if err := sim.SetTicketStatus(int(target.HaloID), int(want)); err != nil {
		t.Fatal(err)
	}
	s.waitFor("the polled status change", 10*time.Second, func() bool {
		got, _ := findTicket(p.tickets(), target.HaloID)
		return got.StatusID == want && got.SyncState == "synced"
	})
	s.terminate()
	p.outputs = append(p.outputs, s.out.String())

	// Webhooks: a long poll interval, so only a delivery can bring the
	// ticket once the first poll (made at start) is done.
	polls := sim.Stats().ByPath["/api/tickets"]
	s = p.serve("--listen", "127.0.0.1:0", "--poll", "1h")
	s.waitFor("the receiver's URL", 10*time.Second, func() bool { return receiverLine.MatchString(s.out.String()) })
	url := receiverLine.FindStringSubmatch(s.out.String())[1]
	s.waitFor("the first poll", 10*time.Second, func() bool { return sim.Stats().ByPath["/api/tickets"] > polls })

	info := p.must("", "webhook", "info", "--reveal").stdout
	p.outputs = p.outputs[:len(p.outputs)-2] // the one output meant to show the webhook password
	fields := map[string]string{}
	for _, m := range infoLine.FindAllStringSubmatch(info, -1) {
		fields[m[1]] = m[2]
	}
	u, err := neturl.Parse(url)
	if err != nil || fields["Username"] == "" || fields["Password"] == "" || len(u.Path) < 10 || !strings.HasSuffix(fields["Payload URL"], u.Path) {
		t.Fatalf("webhook info --reveal (%v) does not match the receiver at %s (%v):\n%s", fields, url, err, info)
	}
	sim.SetWebhook(halosim.WebhookConfig{URL: url, Username: fields["Username"], Password: fields["Password"], PayloadType: "small"})
	id, err := sim.CreateTicket(sim.ActiveClientIDs()[1], "Arrived by webhook")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sim.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	if ws := sim.WebhookStats(); ws.Sent == 0 || ws.Failed != 0 {
		t.Fatalf("webhook deliveries: %+v", ws)
	}
	s.waitFor("the ticket from the webhook", 10*time.Second, func() bool {
		got, ok := findTicket(p.tickets(), int64(id))
		return ok && got.Summary == "Arrived by webhook" && got.SyncState == "synced"
	})
	s.terminate()
	p.outputs = append(p.outputs, s.out.String())
	// One poll reads the open and the closed tickets: up to 2 list requests.
	if n := sim.Stats().ByPath["/api/tickets"]; n > polls+2 {
		t.Errorf("%d ticket list requests while the receiver ran, want only the first poll's (at most 2)", n-polls)
	}
	p.wantSecretNowhere(secret)
	p.wantSecretNowhere(fields["Password"])
}
