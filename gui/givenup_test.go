package gui

import (
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// TestGivenUpChangesAreListedAndTriedAgain: with a webhook change given up
// (HaloPSA would not give its ticket), the Tickets tab shows "1 given up";
// its dialog says why, and Try again makes it pending and hides the note.
func TestGivenUpChangesAreListedAndTriedAgain(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	if tt.givenUp.button.Visible() {
		t.Fatal("the given-up note shows with nothing given up")
	}
	f.locked(func() {
		f.tk.fields.givenUp = []store.InboxItem{{ID: 9, DeliveryID: "d-9", Event: "Ticket Status Changed", ObjectID: 1108,
			Status: store.InboxFailed, Attempts: 5, ReceivedAt: time.Date(2026, 11, 30, 5, 18, 0, 0, time.UTC),
			Error: "could not read ticket 1108: HaloPSA refused access: You do not have access to this Ticket"}}
	})
	f.emit(app.Event{TicketsChanged: &app.TicketsChange{}}) // as when a drain gives changes up
	u.work.wait()
	if !tt.givenUp.button.Visible() || tt.givenUp.button.Text != "1 given up" {
		t.Fatalf("given-up note shown %v, %q; want \"1 given up\"", tt.givenUp.button.Visible(), tt.givenUp.button.Text)
	}
	tap(u, tt.givenUp.button)
	var text string
	ui(u, func() {
		if top := u.win.Canvas().Overlays().Top(); top != nil {
			text = strings.Join(labels(top), "\n")
		}
	})
	if !strings.Contains(text, "You do not have access to this Ticket") || !strings.Contains(text, "ticket 1108") {
		t.Fatalf("the dialog does not list the change with why: %q", text)
	}
	capture(t, u, "given-up.png")
	tapDialogButton(t, u, "Try again")
	f.locked(func() {
		if f.tk.fields.retries != 1 {
			t.Errorf("RetryFailedDeliveries called %d times, want once", f.tk.fields.retries)
		}
	})
	if tt.givenUp.button.Visible() || u.win.Canvas().Overlays().Top() != nil {
		t.Errorf("after Try again: note shown %v, a dialog still open %v", tt.givenUp.button.Visible(), u.win.Canvas().Overlays().Top() != nil)
	}
}
