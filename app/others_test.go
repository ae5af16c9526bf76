package app

import (
	"context"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

// TestWritesByOtherProcessesReachTheGUI: a client added to the book by
// another process on the data folder (halosyncctl beside the app) makes
// the running app publish MappingChanged and TicketsChanged; the app's own
// writes do not set the watch off.
func TestWritesByOtherProcessesReachTheGUI(t *testing.T) {
	dir := t.TempDir()
	a := openApp(t, dir, secrets.NewMemory())
	got := make(chan Event, 16)
	t.Cleanup(a.Subscribe(func(e Event) {
		if m := e.MappingChanged; m != nil && m.Cause == MappingElsewhere || e.TicketsChanged != nil {
			got <- e
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.watchOthers(ctx, 20*time.Millisecond)
	}()
	t.Cleanup(func() { cancel(); <-done })

	// Its own write: nothing, for several rounds.
	if _, err := a.db.AddLocalClient(context.Background(), store.LocalClient{Name: "Own Client Ltd"}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-got:
		t.Fatalf("the app's own write was taken for another process's: %+v", e)
	case <-time.After(200 * time.Millisecond):
	}

	cli := openApp(t, dir, secrets.NewMemory()) // as halosyncctl opens the folder
	if _, err := cli.AddLocalClient(context.Background(), store.LocalClient{Name: "Added From The CLI"}); err != nil {
		t.Fatal(err)
	}
	var mapping, tickets bool
	for deadline := time.After(10 * time.Second); !mapping || !tickets; {
		select {
		case e := <-got:
			mapping = mapping || e.MappingChanged != nil
			tickets = tickets || e.TicketsChanged != nil
		case <-deadline:
			t.Fatalf("after another process wrote: MappingChanged %v, TicketsChanged %v", mapping, tickets)
		}
	}
}
