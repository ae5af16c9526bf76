package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/lock"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

// TestOwnAndHandOff: one owner per folder; work handed to it is done by
// it; once it closes, the folder is free for the next owner or command.
func TestOwnAndHandOff(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sim, url := startSim(t, halosim.Options{Seed: 41, Clients: 5})
	mem := secrets.NewMemory()
	owner := openApp(t, dir, mem)
	if _, err := owner.Connect(ctx, request(url, halosim.DefaultClientSecret)); err != nil {
		t.Fatal(err)
	}
	if err := owner.Own(ctx, OwnOptions{}); err != nil {
		t.Fatal(err)
	}

	second := openApp(t, dir, mem)
	var re *lock.RunningError
	if err := second.Own(ctx, OwnOptions{}); !errors.As(err, &re) || !strings.Contains(err.Error(), "HaloSync is already running for this data folder") {
		t.Fatalf("second Own: %v, want a RunningError", err)
	}
	if re := second.RunningOwner(ctx); re == nil {
		t.Fatal("RunningOwner = nil beside an owner")
	}

	release, handed, err := second.HandOff(ctx, OpSync, nil)
	if err != nil || release != nil || handed == nil || !strings.HasPrefix(handed.Output, "Import finished:") {
		t.Fatalf("HandOff(sync) = %v, %+v, %v; want the owner's import", release != nil, handed, err)
	}
	if n, _ := owner.db.Counts(ctx); n.Clients != sim.Counts().ActiveClients {
		t.Errorf("after the handed import: %d clients, want %d", n.Clients, sim.Counts().ActiveClients)
	}
	if _, handed, err := second.HandOff(ctx, OpShow, nil); err == nil || handed == nil {
		t.Errorf("show on a windowless owner: %+v, %v; want its refusal", handed, err)
	}

	owner.Close()
	release, handed, err = second.HandOff(ctx, OpSync, nil)
	if err != nil || release == nil || handed != nil {
		t.Fatalf("HandOff with no owner = %v, %+v, %v; want the folder", release != nil, handed, err)
	}
	// An owner waits for the command that holds the folder, then starts.
	third := openApp(t, dir, mem)
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if err := third.Own(short, OwnOptions{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Own while a command holds the folder: %v, want it to wait", err)
	}
	release()
	if err := third.Own(ctx, OwnOptions{}); err != nil {
		t.Fatalf("Own once the command is done: %v", err)
	}
}
