package sync

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// putOffRig is a ticket rig with a webhook endpoint, and a way to send
// event-only deliveries, whose tickets the apply step must fetch.
type putOffRig struct {
	*ticketRig
	hook hookEndpoint
	sent int
	now  time.Time // the clock of the asks' delays (askAgain)
}

// later moves the rig's clock on by d.
func (r *putOffRig) later(d time.Duration) { r.now = r.now.Add(d) }

func newPutOffRig(t *testing.T, answer string) *putOffRig {
	r := &putOffRig{ticketRig: newTicketRig(t, halosim.Options{})}
	r.sim.SetBehaviour(halosim.Behaviour{RestrictedTicketAnswer: answer})
	// One retry of a 5xx, not five: a broken ticket then costs 0.25 s.
	r.ts.Halo = newClient(t, r.srv, func(c *halo.Config) { c.MaxRetries = 1 })
	r.hook = r.listen(webhook.Auth{})
	r.now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	r.ts.now = func() time.Time { return r.now }
	return r
}

// ticket creates a ticket in HaloPSA and returns its id.
func (r *putOffRig) ticket() int {
	r.t.Helper()
	id, err := r.sim.CreateTicket(r.sim.ActiveClientIDs()[0], "put-off test")
	if err != nil {
		r.t.Fatal(err)
	}
	return id
}

// changed moves ticket id to status and sends the event-only delivery.
func (r *putOffRig) changed(id, status int) {
	r.t.Helper()
	if err := r.sim.SetTicketStatus(id, status); err != nil {
		r.t.Fatal(err)
	}
	r.sent++
	body := fmt.Sprintf(`{"id":"putoff-%d","event":"Ticket Status Changed","object_id":%d}`, r.sent, id)
	if code := r.hook.post(r.t, body); code != http.StatusOK {
		r.t.Fatalf("delivery answered %d", code)
	}
}

// delivery returns the inbox row of ticket id's last delivery.
func (r *putOffRig) delivery(id int) store.InboxItem {
	r.t.Helper()
	var last store.InboxItem
	for _, s := range []store.InboxStatus{store.InboxPending, store.InboxApplied, store.InboxFailed} {
		items, err := r.db.InboxByStatus(r.ctx, s, 1000)
		if err != nil {
			r.t.Fatal(err)
		}
		for _, it := range items {
			if it.ObjectID == int64(id) && it.ID > last.ID {
				last = it
			}
		}
	}
	return last
}

func (r *putOffRig) fetches(id int) int {
	return r.sim.Stats().ByPath[fmt.Sprintf("/api/tickets/%d", id)]
}

// logs returns the log rows at level or above that contain text.
func (r *putOffRig) logs(level store.Level, text string) []store.LogEntry {
	r.t.Helper()
	rows, err := r.db.Logs(r.ctx, store.LogQuery{Search: text, MinLevel: level})
	if err != nil {
		r.t.Fatal(err)
	}
	return rows
}

// TestTicketHaloPSAWillNotGiveDoesNotHoldUpOthers sends a change to a
// ticket the API agent may not see, then changes to others, in each way
// HaloPSA may answer for such a ticket, and to a ticket HaloPSA fails on.
// The others apply at once; the refused one is tried at each drain and
// given up, with one error row, after maxApplyTries drains.
func TestTicketHaloPSAWillNotGiveDoesNotHoldUpOthers(t *testing.T) {
	for _, tt := range []struct{ name, answer string }{
		{"hidden, 403", "forbidden"}, {"hidden, empty answer", "empty"}, {"hidden, 404", "not_found"}, {"broken, 500", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newPutOffRig(t, tt.answer)
			bad, good := r.ticket(), r.ticket()
			if tt.name == "broken, 500" {
				r.sim.BreakTicket(bad, true)
			} else {
				r.sim.HideTicket(bad, true)
			}
			r.changed(bad, 3)
			r.changed(good, 4)
			if n, err := r.ts.DrainInbox(r.ctx); err != nil || n < 1 {
				t.Fatalf("DrainInbox = %d, %v; want the other ticket applied, no error", n, err)
			}
			if got := r.local(good).StatusID; got != 4 {
				t.Fatalf("the other ticket's status is %d, want 4", got)
			}
			if tt.answer == "not_found" {
				// Indistinguishable from a deleted ticket: skipped at once, as before.
				if d := r.delivery(bad); d.Status != store.InboxApplied {
					t.Fatalf("404 delivery %+v; want it settled", d)
				}
				return
			}
			d := r.delivery(bad)
			if d.Status != store.InboxPending || d.Attempts != 1 || !strings.Contains(d.Error, fmt.Sprintf("could not read ticket %d: ", bad)) {
				t.Fatalf("refused delivery %+v; want pending, 1 attempt, the reason", d)
			}
			warn := r.logs(store.Warn, "Could not read this ticket")
			if len(warn) != 1 || warn[0].Object != fmt.Sprintf("ticket %d", bad) {
				t.Fatalf("warnings %+v; want one naming ticket %d", warn, bad)
			}
			// Drains soon after ask nothing and count nothing.
			fetched := r.fetches(bad)
			r.changed(good, 3)
			if _, err := r.ts.DrainInbox(r.ctx); err != nil || r.fetches(bad) != fetched || r.delivery(bad).Attempts != 1 {
				t.Fatalf("a drain a moment later: %v, %d more fetches, %d attempts; want no ask and no try counted",
					err, r.fetches(bad)-fetched, r.delivery(bad).Attempts)
			}
			for try := 2; try <= maxApplyTries; try++ {
				r.later(askAgain.Nth(try - 1)) // the delay before ask number try
				if try%2 == 0 {
					// Something else to apply; a drain with the refused delivery
					// alone counts too, as other tickets were read lately.
					r.changed(good, 2+try%4/2)
				}
				changes := 0
				r.ts.OnChange = func() { changes++ }
				if _, err := r.ts.DrainInbox(r.ctx); err != nil {
					t.Fatalf("drain %d: %v", try, err)
				}
				if try == maxApplyTries && changes != 1 {
					t.Errorf("the drain that gave the delivery up called OnChange %d times, want once (the window shows it)", changes)
				}
				d := r.delivery(bad)
				if want := map[bool]store.InboxStatus{true: store.InboxFailed, false: store.InboxPending}[try == maxApplyTries]; d.Status != want || d.Attempts != try {
					t.Fatalf("after drain %d the refused delivery is %+v; want %s with %d attempts", try, d, want, try)
				}
			}
			if n := len(r.logs(store.Warn, "Could not read this ticket")); n != 1 {
				t.Errorf("%d warnings; want the first try's only", n)
			}
			gaveUp := r.logs(store.Error, "Gave up changes to this ticket after 5 tries")
			if len(gaveUp) != 1 || gaveUp[0].Object != fmt.Sprintf("ticket %d", bad) {
				t.Fatalf("error rows %+v; want one naming ticket %d", gaveUp, bad)
			}
			before := r.fetches(bad)
			r.later(time.Hour)
			r.changed(good, 1)
			if _, err := r.ts.DrainInbox(r.ctx); err != nil || r.fetches(bad) != before {
				t.Fatalf("drain after giving up: %v, %d fetches of the refused ticket (had %d)", err, r.fetches(bad), before)
			}
		})
	}
}

// TestRefusedEverywhereStopsTheDrain refuses every ticket, as a HaloPSA
// that took the API agent's access away would: the drain stops after
// maxInARow tries with HaloPSA's error, and counts nothing against the
// deliveries, which all wait for HaloPSA to answer again.
func TestRefusedEverywhereStopsTheDrain(t *testing.T) {
	r := newPutOffRig(t, "forbidden")
	var ids []int
	for range 6 {
		id := r.ticket()
		r.sim.HideTicket(id, true)
		r.changed(id, 3)
		ids = append(ids, id)
	}
	r.sim.ResetStats()
	n, err := r.ts.DrainInbox(r.ctx)
	if n != 0 || !errors.Is(err, halo.ErrPermission) {
		t.Fatalf("DrainInbox = %d, %v; want 0 and HaloPSA's refusal", n, err)
	}
	fetched := 0
	for _, id := range ids {
		fetched += r.fetches(id)
		if d := r.delivery(id); d.Status != store.InboxPending || d.Attempts != 0 {
			t.Errorf("delivery %+v; want pending with no attempt counted", d)
		}
	}
	if fetched != maxInARow {
		t.Errorf("%d tickets fetched; want the drain to stop after %d", fetched, maxInARow)
	}
	if rows := r.logs(store.Warn, "Could not read"); len(rows) != 0 {
		t.Errorf("put-off rows %+v; want none while no ticket can be read", rows)
	}
	// A lone refused delivery is tried at each drain, and nothing is held
	// against it while it is the only one.
	for _, id := range ids[1:] {
		r.sim.HideTicket(id, false)
	}
	r.later(askAgain.Nth(1))
	if _, err := r.ts.DrainInbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ts.DrainInbox(r.ctx); err != nil {
		t.Fatal(err)
	}
	if d := r.delivery(ids[0]); d.Status != store.InboxPending || d.Attempts != 1 {
		t.Errorf("lone refused delivery %+v; want pending with the one attempt of the drain that applied others", d)
	}
}

// TestPollGoesOnWithoutATicketHaloPSAWillNotGive hides an open ticket from
// the API agent on every dialect and every way HaloPSA may answer for it:
// polls that look for it (it left the open list) go on without it, with
// one warning, and apply another ticket's change.
func TestPollGoesOnWithoutATicketHaloPSAWillNotGive(t *testing.T) {
	for _, d := range halosim.Dialects() {
		for _, answer := range []string{"forbidden", "empty"} {
			t.Run(d.Name+"/"+answer, func(t *testing.T) {
				d.Behaviour.RestrictedTicketAnswer = answer
				r := newPollRig(t, d)
				r.sync()
				open := r.openIDs()
				hidden, other := open[5], open[9]
				r.sim.HideTicket(hidden, true)
				if err := r.sim.SetTicketSummary(other, "Changed beside a hidden ticket"); err != nil {
					t.Fatal(err)
				}
				r.sync() // fails the test on a poll error
				if got := r.local(other).Summary; got != "Changed beside a hidden ticket" {
					t.Fatalf("the other ticket's summary is %q", got)
				}
				warned := func() int {
					rows, _ := r.db.Logs(r.ctx, store.LogQuery{Search: "HaloPSA would not give this ticket"})
					return len(rows)
				}
				// Only a poll that reads the open list looks for the ticket.
				if n := warned(); n > 1 {
					t.Fatalf("%d warnings; want at most one", n)
				}
				before := r.sim.Stats().ByPath[fmt.Sprintf("/api/tickets/%d", hidden)]
				r.sync()
				if after := r.sim.Stats().ByPath[fmt.Sprintf("/api/tickets/%d", hidden)]; after != before || warned() > 1 {
					t.Fatalf("the next poll fetched the hidden ticket %d more times, %d warnings; want none again", after-before, warned())
				}
			})
		}
	}
}

// TestSeveralChangesToOneRefusedTicket sends four changes to a ticket the
// API agent may not see, then one to another ticket: they are one refusal,
// not four in a row, so the drain goes on to the other ticket, and asks
// HaloPSA for the refused one once.
func TestSeveralChangesToOneRefusedTicket(t *testing.T) {
	r := newPutOffRig(t, "forbidden")
	bad, good := r.ticket(), r.ticket()
	r.sim.HideTicket(bad, true)
	for status := range 4 {
		r.changed(bad, 1+status)
	}
	r.changed(good, 4)
	r.sim.ResetStats()
	if _, err := r.ts.DrainInbox(r.ctx); err != nil {
		t.Fatalf("DrainInbox: %v; want the refused ticket's changes put off and the other applied", err)
	}
	if got := r.local(good).StatusID; got != 4 {
		t.Errorf("the other ticket's status is %d, want 4", got)
	}
	if n := r.fetches(bad); n != 1 {
		t.Errorf("the refused ticket was fetched %d times, want once", n)
	}
	pending, _ := r.db.PendingInbox(r.ctx, 10)
	if len(pending) != 4 {
		t.Fatalf("%d deliveries pending, want the refused ticket's 4", len(pending))
	}
	for _, it := range pending {
		if it.ObjectID != int64(bad) || it.Attempts != 1 {
			t.Errorf("pending %+v; want ticket %d's with one attempt", it, bad)
		}
	}
	if warn := r.logs(store.Warn, "Could not read this ticket from HaloPSA"); len(warn) != 1 {
		t.Errorf("warnings %+v; want one, for the one ticket", warn)
	}
	// Asked again only after the delay, or at once after ForgetRefusals
	// (a retry of given-up deliveries).
	if _, err := r.ts.DrainInbox(r.ctx); err != nil || r.fetches(bad) != 1 {
		t.Fatalf("a drain right after: %v, %d fetches; want none more", err, r.fetches(bad))
	}
	r.ts.ForgetRefusals()
	if _, err := r.ts.DrainInbox(r.ctx); err != nil || r.fetches(bad) != 2 {
		t.Fatalf("a drain after ForgetRefusals: %v, %d fetches; want one more", err, r.fetches(bad))
	}
}
