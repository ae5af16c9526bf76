package sync

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// hookEndpoint is a receiver served on loopback into the rig's store.
type hookEndpoint struct {
	url   string
	creds webhook.Credentials
	auth  webhook.Auth
}

// listen serves a receiver with auth into the rig's inbox.
func (r *ticketRig) listen(auth webhook.Auth) hookEndpoint {
	r.t.Helper()
	creds, err := webhook.NewCredentials()
	if err != nil {
		r.t.Fatal(err)
	}
	rcv := &webhook.Receiver{Creds: creds, Auth: auth, Sink: r.db, Logf: r.t.Logf}
	ctx, cancel := context.WithCancel(context.Background())
	url, wait, err := webhook.Listen(ctx, "", rcv)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { cancel(); wait() })
	return hookEndpoint{url, creds, auth}
}

// post sends body as HaloPSA would, authenticated as the endpoint asks,
// and returns the answer's status.
func (e hookEndpoint) post(t *testing.T, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	e.auth.Authorize(req, e.creds, []byte(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestTicketUnderObjectAppliesEndToEnd delivers a ticket event that names
// its ticket only by the id of the "object" it carries (no object_id, no
// ticket_id): the receiver stores it, and the apply path fetches the
// ticket from HaloPSA and applies it.
func TestTicketUnderObjectAppliesEndToEnd(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	id, err := r.sim.CreateTicket(r.sim.ActiveClientIDs()[0], "Scanner offline")
	if err != nil {
		t.Fatal(err)
	}
	e := r.listen(webhook.Auth{})
	body := fmt.Sprintf(`{"id":"6f1c0e4a-0b7e-4a51-9d55-0c1f3e2a9b71","event":"Ticket Updated","object":{"id":%d}}`, id)
	if code := e.post(t, body); code != http.StatusOK {
		t.Fatalf("delivery answered %d", code)
	}
	pending, err := r.db.PendingInbox(r.ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].ObjectID != int64(id) {
		t.Fatalf("inbox = %+v, %v; want one delivery for ticket %d", pending, err, id)
	}
	gets := r.sim.Stats().ByPath[fmt.Sprintf("/api/tickets/%d", id)]
	if n, err := r.ts.DrainInbox(r.ctx); err != nil || n != 1 {
		t.Fatalf("DrainInbox = %d, %v; want 1 applied", n, err)
	}
	if got := r.sim.Stats().ByPath[fmt.Sprintf("/api/tickets/%d", id)]; got != gets+1 {
		t.Errorf("%d GETs of the ticket while applying; want one to complete the id-only payload", got-gets)
	}
	tk := r.local(id)
	if tk.Summary != "Scanner offline" || tk.LocalClientID == 0 || tk.SyncState != store.TicketSynced {
		t.Fatalf("applied ticket = %+v", tk)
	}
	if counts, _ := r.db.InboxCounts(r.ctx); counts[store.InboxApplied] != 1 || counts[store.InboxPending] != 0 {
		t.Fatalf("inbox after applying: %v", counts)
	}
}

// TestTicketDeletedIsNotAnError delivers Ticket Deleted (1072) for a
// ticket HaloPSA no longer has, event-only and with the ticket as it was:
// both are applied without error, and logged, by name, as skipped.
func TestTicketDeletedIsNotAnError(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	e := r.listen(webhook.Auth{})
	const gone = 987654 // no such ticket in the simulator
	for i, body := range []string{
		fmt.Sprintf(`{"id":"del-1","event":1072,"object_id":%d}`, gone),
		fmt.Sprintf(`{"id":"del-2","eventno":"1072","ticket":{"id":%d,"summary":"was here","status_id":2,"client_id":%d,"last_update":"2026-03-10T12:00:00"}}`,
			gone, r.sim.ActiveClientIDs()[0]),
	} {
		if code := e.post(t, body); code != http.StatusOK {
			t.Fatalf("delivery %d answered %d", i, code)
		}
	}
	items, _ := r.db.PendingInbox(r.ctx, 10)
	if len(items) != 2 || items[0].Event != "Ticket Deleted (1072)" {
		t.Fatalf("inbox = %+v; want two deliveries named Ticket Deleted (1072)", items)
	}
	if n, err := r.ts.DrainInbox(r.ctx); err != nil || n != 2 {
		t.Fatalf("DrainInbox = %d, %v; want both done without error", n, err)
	}
	if _, err := r.db.TicketByHalo(r.ctx, gone); err == nil {
		t.Fatal("a deleted ticket's old copy was stored")
	}
	logs, _ := r.db.Logs(r.ctx, store.LogQuery{Search: "no longer has this ticket"})
	if len(logs) != 2 {
		t.Fatalf("log = %+v; want two rows", logs)
	}
	for _, l := range logs {
		if l.Level != store.Info || !strings.Contains(l.Message, "Ticket Deleted (1072)") || l.Object != fmt.Sprintf("ticket %d", gone) {
			t.Errorf("log row %+v; want an info row naming the event", l)
		}
	}
	if errs, _ := r.db.Logs(r.ctx, store.LogQuery{MinLevel: store.Error}); len(errs) != 0 {
		t.Errorf("errors logged: %+v", errs)
	}
}

// TestSignedDeliveriesApplyEndToEnd runs the simulator's HMAC-signed
// deliveries into a receiver that requires the signature header (and no
// Basic credentials): they are stored and applied; signed with another
// secret, every one is refused and nothing is stored.
func TestSignedDeliveriesApplyEndToEnd(t *testing.T) {
	r := newTicketRig(t, halosim.Options{})
	e := r.listen(webhook.Auth{Mode: webhook.AuthHMAC, Header: "Token"})
	other, _ := webhook.NewCredentials()
	r.sim.SetWebhook(halosim.WebhookConfig{URL: e.url, HMACSecret: other.HMACSecret, HMACHeader: "token"})
	if _, err := r.sim.CreateTicket(r.sim.ActiveClientIDs()[1], "Forged"); err != nil {
		t.Fatal(err)
	}
	r.flushAndApply()
	if st := r.sim.WebhookStats(); st.Sent == 0 || st.Failed != st.Sent {
		t.Fatalf("signed with another secret: %+v; want every delivery refused", st)
	}
	if counts, _ := r.db.InboxCounts(r.ctx); counts[store.InboxPending]+counts[store.InboxApplied]+counts[store.InboxUnreadable] != 0 {
		t.Fatalf("refused deliveries stored: %v", counts)
	}

	r.sim.SetWebhook(halosim.WebhookConfig{URL: e.url, HMACSecret: e.creds.HMACSecret, HMACHeader: "token",
		PayloadType: "small", Batch: 2, Delay: 20 * time.Millisecond})
	failed := r.sim.WebhookStats().Failed
	id, err := r.sim.CreateTicket(r.sim.ActiveClientIDs()[1], "Signed and sealed")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.sim.SetTicketStatus(id, int(r.statusNamed("Waiting on Customer"))); err != nil {
		t.Fatal(err)
	}
	r.flushAndApply()
	if st := r.sim.WebhookStats(); st.Failed != failed {
		t.Fatalf("correctly signed deliveries refused: %+v", st)
	}
	if tk := r.local(id); tk.Summary != "Signed and sealed" || tk.StatusID != r.statusNamed("Waiting on Customer") {
		t.Fatalf("ticket from signed deliveries = %+v", tk)
	}
}
