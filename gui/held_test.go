package gui

import (
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/app"
)

func sampleHeld() []app.HeldClient {
	since := time.Now().Add(-2 * time.Hour)
	return []app.HeldClient{
		{HaloID: 301, Name: "Larkspur Care Homes", Reason: app.HeldNotMapped, Why: "not mapped to any of your clients",
			Changes: 3, Since: since, Tickets: []app.HeldTicket{{ID: 7001, Summary: "Printer on fire"}, {ID: 7002}}},
		{HaloID: 302, Name: "Whitmore Legal LLC", Reason: app.HeldDeleted, Why: "deleted in HaloPSA",
			Changes: 1, Since: since, Tickets: []app.HeldTicket{{ID: 7003, Summary: "Old matter"}}},
	}
}

// The Tickets tab says how many changes are held; its dialog says whose
// and why, applies them to a chosen local client or drops them.
func TestHeldTicketsNoteAndDialog(t *testing.T) {
	u, f, tt := ticketsWindow(t)
	if !tt.held.button.Hidden {
		t.Fatal("the held note shows with nothing held")
	}
	f.locked(func() { f.fh.held = sampleHeld() })
	ui(u, func() { tt.reload(true) })
	u.work.wait()
	if tt.held.button.Hidden || tt.held.button.Text != "4 held" {
		t.Fatalf("held note %q hidden=%v", tt.held.button.Text, tt.held.button.Hidden)
	}

	tap(u, tt.held.button)
	u.work.wait()
	d := tt.held.dlg
	if d == nil || len(d.rows) != 2 {
		t.Fatalf("held dialog rows: %+v", d)
	}
	text := strings.Join(labels(d.list), "\n")
	for _, want := range []string{"Larkspur Care Homes (HaloPSA client 301): 3 changes of 2 tickets", "Not mapped to any of your clients",
		"#7001 Printer on fire", "Whitmore Legal LLC", "Deleted in HaloPSA"} {
		if !strings.Contains(text, want) {
			t.Errorf("the dialog does not say %q:\n%s", want, text)
		}
	}
	r := d.rows[301]
	if !r.apply.Disabled() {
		t.Error("Apply is enabled before a local client is chosen")
	}
	if !d.rows[302].mapIt.Disabled() {
		t.Error("Map is offered for a deleted HaloPSA client")
	}
	ui(u, func() {
		r.to.SetSelected("Corner Cafe (#5)")
		r.mapIt.SetChecked(true)
	})
	tap(u, r.apply)
	u.work.wait()
	f.locked(func() {
		if len(f.fh.released) != 1 || f.fh.released[0] != [3]int64{301, 5, 1} {
			t.Errorf("ReleaseHeld calls = %v", f.fh.released)
		}
	})
	if !strings.Contains(d.message.Text, "Larkspur Care Homes: 3 changes, mapped to Corner Cafe (#5)") {
		t.Errorf("message %q", d.message.Text)
	}
	if tt.held.button.Text != "1 held" || len(d.rows) != 1 {
		t.Errorf("after release: note %q, %d rows", tt.held.button.Text, len(d.rows))
	}

	tap(u, d.rows[302].drop)
	tapDialogButton(t, u, "Yes")
	f.locked(func() {
		if len(f.fh.dropped) != 1 || f.fh.dropped[0] != 302 {
			t.Errorf("DropHeld calls = %v", f.fh.dropped)
		}
	})
	if !tt.held.button.Hidden {
		t.Error("the note still shows with nothing held")
	}
}
