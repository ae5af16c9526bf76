package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mappingOf reads one local client's mapping side.
func mappingOf(t *testing.T, db *DB, localID int64) MappingSide {
	t.Helper()
	var s MappingSide
	err := db.write(context.Background(), func(tx *sql.Tx) error {
		var err error
		_, s, err = mappingSide(context.Background(), tx, localID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSaveRecordsHistory(t *testing.T) {
	db, ids := seedMapping(t)
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	db.now = func() time.Time { return at }
	ctx := WithActor(context.Background(), "alice")
	if err := db.ReplaceSuggestions(ctx, []Mapping{{LocalID: ids[0], HaloID: 10, Score: 0.9, Confidence: "high", Reason: "alike"}}); err != nil {
		t.Fatal(err)
	}
	_, err := db.SaveMappings(ctx, []Decision{
		{LocalID: ids[0], Action: Accept, HaloID: 10},
		{LocalID: ids[1], Action: Accept, HaloID: 12},
		{LocalID: ids[2], Action: Ignore},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Saving the same again changes nothing and records nothing.
	if _, err := db.SaveMappings(ctx, []Decision{{LocalID: ids[2], Action: Ignore}}); err != nil {
		t.Fatal(err)
	}
	h, err := db.History(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 {
		t.Fatalf("%d batches, want one: %+v", len(h), h)
	}
	b := h[0]
	if b.Kind != BatchSave || b.Actor != "alice" || !b.At.Equal(at) || len(b.Changes) != 3 || b.Undone() {
		t.Fatalf("batch = %+v", b)
	}
	c := b.Changes[0]
	if c.LocalName != "hartley dental" || c.Before.State != MapSuggested || c.Before.HaloID != 10 || c.Before.Score != 0.9 ||
		c.After.State != MapAccepted || c.After.HaloName != "Hartley Dental Group Ltd" {
		t.Errorf("accept change = %+v", c)
	}
	if c := b.Changes[1]; c.Before.State != MapOpen || c.After.State != MapManual || c.After.HaloName != "Northwind Traders Inc" {
		t.Errorf("manual change = %+v", c)
	}
	if c := b.Changes[2]; c.After.State != MapIgnored || c.After.HaloID != 0 {
		t.Errorf("ignore change = %+v", c)
	}
}

func TestUndoBatchAndDecision(t *testing.T) {
	db, ids := seedMapping(t)
	ctx := WithActor(context.Background(), "bob")
	db.ReplaceSuggestions(ctx, []Mapping{{LocalID: ids[0], HaloID: 10, Score: 0.9, Confidence: "high", Reason: "alike"}})
	if _, err := db.SaveMappings(ctx, []Decision{{LocalID: ids[0], Action: Accept, HaloID: 10}, {LocalID: ids[1], Action: Ignore}}); err != nil {
		t.Fatal(err)
	}
	first, _ := db.LastSaveBatch(ctx)
	if _, err := db.SaveMappings(ctx, []Decision{{LocalID: ids[2], Action: Accept, HaloID: 11}}); err != nil {
		t.Fatal(err)
	}
	second, _ := db.LastSaveBatch(ctx)
	if second == first {
		t.Fatal("the second save made no batch")
	}

	// Undo one decision of the first batch: the suggestion comes back.
	fb, _ := db.HistoryBatch(ctx, first)
	u, err := db.UndoChange(ctx, fb.Changes[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if m := mappingOf(t, db, ids[0]); m.State != MapSuggested || m.HaloID != 10 || m.Score != 0.9 || m.Reason != "alike" {
		t.Fatalf("after undoing the accept: %+v", m)
	}
	if u.Kind != BatchUndo || u.Undoes != "decision "+itoa(fb.Changes[0].ID) || u.Actor != "bob" || len(u.Changes) != 1 {
		t.Fatalf("undo batch = %+v", u)
	}
	if _, err := db.UndoChange(ctx, fb.Changes[0].ID); !errors.Is(err, ErrAlreadyUndone) {
		t.Fatalf("second undo of the decision: %v", err)
	}

	// Undo last save: the second batch; then the rest of the first.
	if last, _ := db.LastSaveBatch(ctx); last != second {
		t.Fatalf("last save = %d, want %d", last, second)
	}
	if _, err := db.UndoBatch(ctx, second); err != nil {
		t.Fatal(err)
	}
	if m := mappingOf(t, db, ids[2]); m.State != MapOpen {
		t.Fatalf("after undoing the second batch: %+v", m)
	}
	if last, _ := db.LastSaveBatch(ctx); last != first {
		t.Fatalf("last save after one undo = %d, want the first (%d): undo walks back", last, first)
	}
	if _, err := db.UndoBatch(ctx, first); err != nil {
		t.Fatal(err)
	}
	if m := mappingOf(t, db, ids[1]); m.State != MapOpen {
		t.Fatalf("after undoing the first batch: %+v", m)
	}
	if _, err := db.LastSaveBatch(ctx); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("nothing left to undo, got %v", err)
	}
	// An undo can be undone: the ignore comes back.
	h, _ := db.History(ctx, 1)
	if _, err := db.UndoBatch(ctx, h[0].ID); err != nil {
		t.Fatal(err)
	}
	if m := mappingOf(t, db, ids[1]); m.State != MapIgnored {
		t.Fatalf("after undoing the undo: %+v", m)
	}
}

func TestUndoRefusedAfterNewerChange(t *testing.T) {
	db, ids := seedMapping(t)
	ctx := context.Background()
	if _, err := db.SaveMappings(ctx, []Decision{{LocalID: ids[0], Action: Accept, HaloID: 10}, {LocalID: ids[1], Action: Ignore}}); err != nil {
		t.Fatal(err)
	}
	first, _ := db.LastSaveBatch(ctx)
	if _, err := db.SaveMappings(ctx, []Decision{{LocalID: ids[0], Action: Accept, HaloID: 11}}); err != nil {
		t.Fatal(err)
	}
	_, err := db.UndoBatch(ctx, first)
	if !errors.Is(err, ErrChangedSince) || !strings.Contains(err.Error(), `"hartley dental"`) || !strings.Contains(err.Error(), "undo that change first") {
		t.Fatalf("undo over a newer change: %v", err)
	}
	t.Log(err)
	if m := mappingOf(t, db, ids[1]); m.State != MapIgnored {
		t.Fatalf("a refused undo changed another client: %+v", m)
	}
	if m := mappingOf(t, db, ids[0]); m.HaloID != 11 {
		t.Fatalf("a refused undo overwrote the newer change: %+v", m)
	}
	// Undo the newer change first, then the older one goes through.
	second, _ := db.LastSaveBatch(ctx)
	if _, err := db.UndoBatch(ctx, second); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UndoBatch(ctx, first); err != nil {
		t.Fatalf("undo after undoing the newer change: %v", err)
	}
	if m := mappingOf(t, db, ids[0]); m.State != MapOpen {
		t.Fatalf("after both undos: %+v", m)
	}

	// A change made outside the history (a deleted client) is named too.
	if _, err := db.SaveMappings(ctx, []Decision{{LocalID: ids[2], Action: Ignore}}); err != nil {
		t.Fatal(err)
	}
	third, _ := db.LastSaveBatch(ctx)
	if err := db.DeleteLocalClient(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UndoBatch(ctx, third); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "Corner Cafe") {
		t.Fatalf("undo for a deleted client: %v", err)
	}
}

func TestDraftsSharedAndCascade(t *testing.T) {
	db, ids := seedMapping(t)
	ctx := context.Background()
	if err := db.UpdateDrafts(ctx, []Decision{{LocalID: ids[0], Action: Accept, HaloID: 10}, {LocalID: ids[2], Action: Ignore}, {LocalID: 999, Action: Ignore}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.AddDraft(ctx, Decision{LocalID: ids[1], Action: Accept, HaloID: 12}); err != nil { // as `map accept` does
		t.Fatal(err)
	}
	if err := db.UpdateDrafts(ctx, nil, []int64{ids[2]}); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteLocalClient(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	ds, err := db.Drafts(ctx)
	if err != nil || len(ds) != 1 || ds[0].LocalID != ids[1] {
		t.Fatalf("drafts = %+v, %v; want only Northwind's", ds, err)
	}
	if _, err := db.SaveDrafts(ctx); err != nil {
		t.Fatal(err)
	}
	if h, _ := db.History(ctx, 0); len(h) != 1 || h[0].Changes[0].After.HaloID != 12 {
		t.Fatalf("map save is not in the history: %+v", h)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
