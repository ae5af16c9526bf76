package gui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// manyRows is a client book of n rows in every mapping state.
func manyRows(n int) []app.MappingRow {
	rows := make([]app.MappingRow, n)
	states := []store.MappingState{store.MapSuggested, store.MapSuggested, store.MapOpen, store.MapAccepted, store.MapIgnored}
	for i := range rows {
		r := app.MappingRow{Local: store.LocalClient{ID: int64(i + 1), Name: fmt.Sprintf("Client %05d Holdings", i)}, State: states[i%len(states)]}
		if r.State == store.MapSuggested || r.State == store.MapAccepted {
			r.HaloID, r.HaloName = int64(10000+i), fmt.Sprintf("Client %05d Holdings Ltd", i)
			r.Score, r.Confidence, r.Reason = 0.93, "high", "same name after removing \"Ltd\""
		}
		rows[i] = r
	}
	return rows
}

// BenchmarkMappingTable measures the Clients & Mapping table with 10,000
// rows in a 1200×760 window: building the tab and showing the rows, a
// reload, a filter change, a search, and one decision (which recounts).
func BenchmarkMappingTable(b *testing.B) {
	rows := manyRows(10_000)
	f := &fakeBackend{status: connectedStatus(), rows: rows}
	u := New(test.NewTempApp(b), f, Options{Tab: "mapping"})
	defer u.Close()
	u.work.wait()
	u.win.Resize(fyne.NewSize(1200, 760))
	m := u.mapping
	show := func(t *mappingTab) {
		u.tabs.Items[tabMapping].Content = t.content
		u.tabs.Refresh()
	}

	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			t := newMappingTab(u)
			show(t)
			t.setRows(rows)
		}
		show(m)
	})
	b.Run("reload", func(b *testing.B) {
		for b.Loop() {
			m.setRows(rows)
		}
	})
	b.Run("filter", func(b *testing.B) {
		i := 0
		for b.Loop() {
			m.filter.SetSelected(mappingFilters[i%len(mappingFilters)])
			i++
		}
	})
	b.Run("search", func(b *testing.B) {
		i := 0
		for b.Loop() {
			m.search.SetText([]string{"client 0", "holdings ltd", "9999", ""}[i%4])
			i++
		}
	})
	m.search.SetText("")
	m.filter.SetSelected(showAll)
	b.Run("decide", func(b *testing.B) {
		i := 0
		for b.Loop() {
			ui(u, func() { m.onIgnore(i % len(m.all)) }) // its draft is written off the Fyne goroutine
			i++
		}
		u.work.wait()
	})
}
