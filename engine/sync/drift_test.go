package sync

import (
	"context"
	"strings"
	"testing"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/store"
)

// After a rename, an inactive and a delete in HaloPSA, the next import flags
// exactly those mappings, with the old and new names, in one log row.
func TestImportFlagsDriftedMappings(t *testing.T) {
	sim, srv := startSim(t, halosim.Options{Seed: 5, Clients: 30, InactiveClients: -1})
	db := openDB(t)
	ctx := context.Background()
	var logged []store.LogEntry
	im := &Importer{Halo: newClient(t, srv, nil), DB: db, OnLog: func(e store.LogEntry) { logged = append(logged, e) }}
	if _, err := im.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateLocalFromHalo(ctx, nil); err != nil { // every client mapped to its own
		t.Fatal(err)
	}
	ids := sim.ActiveClientIDs()
	renamed, inactive, deleted, merged := ids[0], ids[1], ids[2], ids[3]
	names := map[int]string{}
	for _, c := range sim.Clients() {
		names[c.ID] = c.Name
	}
	// The second import only watches: the mappings were made after the first.
	if _, err := im.Run(ctx); err != nil {
		t.Fatal(err)
	}
	sim.RenameClient(renamed, "Renamed Holdings")
	sim.SetClientInactive(inactive, true)
	sim.DeleteClient(deleted)
	sim.DeleteClient(merged)
	into := sim.AddClient(names[merged]) // the merge target carries the old name
	logged = nil
	if _, err := im.Run(ctx); err != nil {
		t.Fatal(err)
	}

	reviews, err := db.Reviews(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byHalo := map[int64]store.Review{}
	for _, r := range reviews {
		byHalo[r.HaloID] = r
	}
	if len(byHalo) != 4 {
		t.Fatalf("%d mappings need review, want 4: %+v", len(byHalo), reviews)
	}
	for id, want := range map[int]store.Review{
		renamed:  {Reason: store.ReviewRenamed, OldName: names[renamed], NewName: "Renamed Holdings"},
		inactive: {Reason: store.ReviewInactive, OldName: names[inactive]},
		deleted:  {Reason: store.ReviewDeleted, OldName: names[deleted]},
		merged:   {Reason: store.ReviewMerged, OldName: names[merged], NewName: names[merged], MergedInto: int64(into)},
	} {
		got := byHalo[int64(id)]
		if got.Reason != want.Reason || got.OldName != want.OldName || (want.NewName != "" && got.NewName != want.NewName) || got.MergedInto != want.MergedInto {
			t.Errorf("HaloPSA client %d: %+v, want %+v", id, got, want)
		}
	}
	var rows []store.LogEntry
	for _, e := range logged {
		if e.Operation == store.OpMappingReview {
			rows = append(rows, e)
		}
	}
	if len(rows) != 1 || rows[0].Level != store.Warn || !strings.Contains(rows[0].Message, "4 mapping(s) need review") ||
		!strings.Contains(rows[0].Message, `renamed to "Renamed Holdings"`) {
		t.Fatalf("review rows = %+v, want one summary", rows)
	}

	// A quiet import adds no row; re-accepting the renamed one clears it.
	logged = nil
	if _, err := im.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, e := range logged {
		if e.Operation == store.OpMappingReview {
			t.Fatalf("a quiet import logged %q", e.Message)
		}
	}
	local := byHalo[int64(renamed)].LocalID
	if _, err := db.SaveMappings(ctx, []store.Decision{{LocalID: local, Action: store.Accept, HaloID: int64(renamed)}}); err != nil {
		t.Fatal(err)
	}
	if reviews, _ := db.Reviews(ctx); len(reviews) != 3 {
		t.Fatalf("after re-accepting: %d reviews, want 3", len(reviews))
	}
}
