package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]Level{
		"debug": Debug, "INFO": Info, " Warn ": Warn, "warning": Warn, "error": Error,
	} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "fatal", "3"} {
		if _, err := ParseLevel(bad); err == nil {
			t.Errorf("ParseLevel(%q) succeeded", bad)
		}
	}
	order := []Level{Debug, Info, Warn, Error}
	for i := 1; i < len(order); i++ {
		if order[i].Severity() <= order[i-1].Severity() || !order[i].AtLeast(order[i-1]) || order[i-1].AtLeast(order[i]) {
			t.Errorf("%s is not more severe than %s", order[i], order[i-1])
		}
	}
	if Level("loud").Severity() != -1 {
		t.Error("an unknown level has a severity")
	}
}

func TestLogs(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	now := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return now }

	// 40 entries cycling through the levels; every fifth mentions ACME.
	var ids []int64
	for i := range 40 {
		e := LogEntry{
			Level:     []Level{Debug, Info, Warn, Error}[i%4],
			Operation: "import clients",
			Object:    fmt.Sprintf("client %d", i),
			Message:   fmt.Sprintf("entry %d", i),
			Run:       int64(i % 2),
		}
		if i%5 == 0 {
			e.Message = "fetched Acme 100% ok"
		}
		id, err := db.AddLog(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if !slices.IsSorted(ids) {
		t.Errorf("log ids not increasing: %v", ids)
	}

	// Defaults: level Info, time now (UTC).
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600))
	id, err := db.AddLog(ctx, LogEntry{Message: "defaults"})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := db.AddLog(ctx, LogEntry{Message: "explicit", Time: at, Level: Error})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Logs(ctx, LogQuery{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []LogEntry{
		{ID: id2, Time: at.UTC(), Level: Error, Message: "explicit"},
		{ID: id, Time: now, Level: Info, Message: "defaults"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("newest two = %+v\nwant %+v", got, want)
	}
	if _, err := db.AddLog(ctx, LogEntry{Level: "loud"}); err == nil {
		t.Error("AddLog with an unknown level succeeded")
	}

	count := func(q LogQuery) int {
		t.Helper()
		es, err := db.Logs(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		for i := 1; i < len(es); i++ {
			if es[i].ID >= es[i-1].ID {
				t.Fatalf("%+v: not newest first", q)
			}
		}
		for _, e := range es {
			if q.MinLevel != "" && !e.Level.AtLeast(q.MinLevel) {
				t.Fatalf("%+v: entry at %s", q, e.Level)
			}
		}
		return len(es)
	}
	for _, tc := range []struct {
		q    LogQuery
		want int
	}{
		{LogQuery{}, 42},
		{LogQuery{Limit: 5}, 5},
		{LogQuery{Limit: 1000}, 42},
		{LogQuery{MinLevel: Debug}, 42},
		{LogQuery{MinLevel: Warn}, 21},  // 10 warn + 10 error + "explicit"
		{LogQuery{MinLevel: Error}, 11}, // 10 + "explicit"
		{LogQuery{Search: "acme"}, 8},
		{LogQuery{Search: "ACME 100%"}, 8},
		{LogQuery{Search: "100_"}, 0},                  // '_' is literal
		{LogQuery{Search: "client 3"}, 11},             // object: 3, 30..39
		{LogQuery{Search: "CLIENTS"}, 40},              // operation
		{LogQuery{Search: "acme", MinLevel: Error}, 2}, // i = 15, 35
		{LogQuery{Before: ids[10]}, 10},
		{LogQuery{Before: ids[10], MinLevel: Warn, Limit: 3}, 3},
	} {
		if got := count(tc.q); got != tc.want {
			t.Errorf("%+v: %d entries, want %d", tc.q, got, tc.want)
		}
	}
	if _, err := db.Logs(ctx, LogQuery{MinLevel: "loud"}); err == nil {
		t.Error("Logs with an unknown level succeeded")
	}

	// Paging with Before walks every entry exactly once, newest first.
	var seen []int64
	q := LogQuery{Limit: 7}
	for {
		page, err := db.Logs(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			seen = append(seen, e.ID)
		}
		q.Before = page[len(page)-1].ID
	}
	all := append(slices.Clone(ids), id, id2)
	slices.Reverse(all)
	if !slices.Equal(seen, all) {
		t.Errorf("paging saw %v\nwant %v", seen, all)
	}

	// Pruning removes by time: only "explicit" (2020) is older than now.
	if n, err := db.PruneLogs(ctx, now.Add(-time.Hour)); err != nil || n != 1 {
		t.Errorf("PruneLogs = %d, %v; want 1", n, err)
	}
}

func TestLogRun(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	run, _ := db.BeginRun(ctx, KindImport)
	if _, err := db.AddLog(ctx, LogEntry{Run: run, Message: "x"}); err != nil {
		t.Fatal(err)
	}
	es, err := db.Logs(ctx, LogQuery{})
	if err != nil || len(es) != 1 || es[0].Run != run {
		t.Errorf("Logs = %+v, %v; want one entry of run %d", es, err, run)
	}
}

func TestTrimLogsKeepsTheNewest(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for i := range 25 {
		if _, err := db.AddLog(ctx, LogEntry{Level: Info, Message: fmt.Sprint("row ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.TrimLogs(ctx, 10); err != nil || n != 15 {
		t.Fatalf("TrimLogs(10) = %d, %v; want 15", n, err)
	}
	rows, _ := db.Logs(ctx, LogQuery{Limit: 100})
	if len(rows) != 10 || rows[0].Message != "row 24" || rows[9].Message != "row 15" {
		t.Errorf("kept %d rows, newest %q, oldest %q", len(rows), rows[0].Message, rows[len(rows)-1].Message)
	}
	if n, err := db.TrimLogs(ctx, 10); err != nil || n != 0 {
		t.Errorf("a second trim = %d, %v; want 0", n, err)
	}
}
