package store

import (
	"context"
	"testing"
)

// The drift watch as an import drives it: watch, clients, evidence, the
// rest, flag. Merges are told by where the gone client's sites went, or by
// its name.
func TestFlagDrift(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	run, _ := db.BeginRun(ctx, KindImport)
	clients := []Client{{ID: 1, Name: "Acme"}, {ID: 2, Name: "Bolt"}, {ID: 3, Name: "Cole"}, {ID: 4, Name: "Dent"},
		{ID: 5, Name: "Eagle"}, {ID: 6, Name: "Dent Group"}, {ID: 7, Name: "Fox"}}
	if _, err := db.UpsertClients(ctx, run, clients); err != nil {
		t.Fatal(err)
	}
	db.UpsertSites(ctx, run, []Site{{ID: 40, ClientID: 4, Name: "Dent HQ"}})
	ids, _ := db.AddLocalClients(ctx, []LocalClient{{Name: "acme"}, {Name: "bolt"}, {Name: "cole"}, {Name: "dent"}, {Name: "eagle"}, {Name: "fox"}})
	var ds []Decision
	for i, id := range ids[:5] {
		ds = append(ds, Decision{LocalID: id, Action: Accept, HaloID: int64(i + 1)})
	}
	ds = append(ds, Decision{LocalID: ids[5], Action: Accept, HaloID: 7})
	if _, err := db.SaveMappings(ctx, ds); err != nil {
		t.Fatal(err)
	}

	// The next import: Acme renamed, Bolt inactive, Cole gone, Dent merged
	// into Dent Group (its site moved), Fox gone while another Fox exists.
	if err := db.WatchMappings(ctx); err != nil {
		t.Fatal(err)
	}
	run2, _ := db.BeginRun(ctx, KindImport)
	db.UpsertClients(ctx, run2, []Client{{ID: 1, Name: "Acme Group"}, {ID: 5, Name: "Eagle"}, {ID: 6, Name: "Dent Group"}, {ID: 8, Name: "FOX "}})
	db.SetState(ctx, Clients, []int64{2}, StateInactive)
	db.SetState(ctx, Clients, []int64{3, 4, 7}, StateDeleted)
	ev, err := db.GoneEvidence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.UpsertSites(ctx, run2, []Site{{ID: 40, ClientID: 6, Name: "Dent HQ"}})
	fresh, err := db.FlagDrift(ctx, run2, ev)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]Review{
		ids[0]: {Reason: ReviewRenamed, OldName: "Acme", NewName: "Acme Group"},
		ids[1]: {Reason: ReviewInactive, OldName: "Bolt"},
		ids[2]: {Reason: ReviewDeleted, OldName: "Cole"},
		ids[3]: {Reason: ReviewMerged, OldName: "Dent", NewName: "Dent Group", MergedInto: 6},
		ids[5]: {Reason: ReviewMerged, OldName: "Fox", NewName: "FOX ", MergedInto: 8},
	}
	if len(fresh) != len(want) {
		t.Fatalf("flagged %d, want %d: %+v", len(fresh), len(want), fresh)
	}
	got, _ := db.Reviews(ctx)
	for id, w := range want {
		g := got[id]
		if g.Reason != w.Reason || g.OldName != w.OldName || (w.NewName != "" && g.NewName != w.NewName) || g.MergedInto != w.MergedInto || g.Run != run2 {
			t.Errorf("local %d: review %+v, want %+v", id, g, w)
		}
	}
	if _, ok := got[ids[4]]; ok {
		t.Error("Eagle did not change but needs review")
	}

	// The next import finds nothing new: no fresh flags, the flags stay.
	db.WatchMappings(ctx)
	if fresh, _ := db.FlagDrift(ctx, run2+1, DriftEvidence{}); len(fresh) != 0 {
		t.Fatalf("flagged again: %+v", fresh)
	}
	if got, _ := db.Reviews(ctx); len(got) != 5 || got[ids[3]].Reason != ReviewMerged {
		t.Fatalf("flags after a quiet import: %+v", got)
	}
	// Accepting again confirms the new name; changing the mapping clears it too.
	if _, err := db.SaveMappings(ctx, []Decision{{LocalID: ids[0], Action: Accept, HaloID: 1}, {LocalID: ids[3], Action: Accept, HaloID: 6}}); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Reviews(ctx)
	if _, ok := got[ids[0]]; ok {
		t.Error("re-accepting did not clear the review")
	}
	if _, ok := got[ids[3]]; ok {
		t.Error("mapping to the merged-into client did not clear the review")
	}
	db.WatchMappings(ctx)
	if fresh, _ := db.FlagDrift(ctx, run2+2, DriftEvidence{}); len(fresh) != 0 {
		t.Fatalf("confirmed mappings flagged again: %+v", fresh)
	}
	// Deleting the local client takes its review with it.
	if err := db.DeleteLocalClient(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Reviews(ctx); len(got) != 2 {
		t.Fatalf("reviews after a delete: %+v", got)
	}
}
