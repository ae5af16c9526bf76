package gui

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/store"
	engsync "github.com/brainstormmsp/halosync/engine/sync"
)

func TestMain(m *testing.M) {
	searchDelay = 0     // searches run at once, so tests need not sleep
	refreshInterval = 0 // no timer: tests refresh by hand
	os.Exit(m.Run())
}

// fakeBackend is a Backend in memory that records what the window asks.
// Its methods are safe for concurrent use, like the real one's.
type fakeBackend struct {
	mu sync.Mutex

	status     app.Status
	connectRes app.ConnectResult
	connectErr error
	connectHit chan struct{} // when set, Connect signals it was called...
	connectGo  chan struct{} // ...and waits for this
	connects   []app.ConnectRequest
	disconnect int

	logs    []store.LogEntry // in insertion order; ids ascending
	queries []store.LogQuery

	subs     map[int]func(app.Event)
	subID    int
	syncNows int
	paused   bool
	interval time.Duration

	rows      []app.MappingRow
	bulkRows  []app.MappingRow // what the rows become after BulkMap
	bulkRes   app.BulkMapResult
	bulkCalls int
	rank      []match.Scored
	rankQs    []string
	saved     [][]store.Decision
	saveErr   error
	created   [][]int64

	tk fakeTickets // tickets and webhooks: fake_tickets_test.go
	bk fakeBook    // the client book's own actions: fake_book_test.go
	fh fakeHistory // drafts, history and held tickets: fake_history_test.go
}

func connectedStatus() app.Status {
	return app.Status{Connected: true, Address: "https://acme.halopsa.com", ClientID: "client-1",
		Scopes: []string{"read:customers", "read:assets", "read:tickets", "edit:tickets"},
		Counts: store.Counts{Clients: 3, LastSync: time.Now()}}
}

func (f *fakeBackend) Status(context.Context) (app.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status, nil
}

func (f *fakeBackend) Connect(ctx context.Context, req app.ConnectRequest) (app.ConnectResult, error) {
	f.mu.Lock()
	f.connects = append(f.connects, req)
	hit, wait := f.connectHit, f.connectGo
	f.mu.Unlock()
	if hit != nil {
		hit <- struct{}{}
		<-wait
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.connectErr != nil {
		return app.ConnectResult{}, f.connectErr
	}
	f.status = connectedStatus()
	if f.connectRes.Address != "" {
		f.status.Address = f.connectRes.Address
	}
	return f.connectRes, nil
}

func (f *fakeBackend) Disconnect(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disconnect++
	f.status = app.Status{}
	return nil
}

func (f *fakeBackend) SyncOnce(context.Context, func(engsync.Progress)) (engsync.Summary, error) {
	return engsync.Summary{}, nil
}

func (f *fakeBackend) Log(_ context.Context, q store.LogQuery) ([]store.LogEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var out []store.LogEntry
	for i := len(f.logs) - 1; i >= 0 && len(out) < limit; i-- {
		e := f.logs[i]
		if (q.MinLevel != "" && !e.Level.AtLeast(q.MinLevel)) || (q.Before > 0 && e.ID >= q.Before) {
			continue
		}
		s := strings.ToLower(q.Search)
		if s != "" && !strings.Contains(strings.ToLower(string(e.Operation)+"\x00"+e.Object+"\x00"+e.Message), s) {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

func (f *fakeBackend) lastQuery() store.LogQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries[len(f.queries)-1]
}

func (f *fakeBackend) Subscribe(fn func(app.Event)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = map[int]func(app.Event){}
	}
	f.subID++
	id := f.subID
	f.subs[id] = fn
	return func() {
		f.mu.Lock()
		delete(f.subs, id)
		f.mu.Unlock()
	}
}

// emit sends an event to every subscriber, as the engine would.
func (f *fakeBackend) emit(e app.Event) {
	f.mu.Lock()
	fns := make([]func(app.Event), 0, len(f.subs))
	for _, fn := range f.subs {
		fns = append(fns, fn)
	}
	f.mu.Unlock()
	for _, fn := range fns {
		fn(e)
	}
}

func (f *fakeBackend) SyncNow() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncNows++
}

func (f *fakeBackend) SetPaused(p bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused = p
}

func (f *fakeBackend) Paused() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paused
}

func (f *fakeBackend) SetSyncInterval(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.interval = d
}

func (f *fakeBackend) SyncInterval() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.interval == 0 {
		return app.DefaultSyncInterval
	}
	return f.interval
}

func (f *fakeBackend) Syncing() bool { return false }

func (f *fakeBackend) BulkMap(context.Context) (app.BulkMapResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bulkCalls++
	if f.bulkRows != nil {
		f.rows = f.bulkRows
	}
	return f.bulkRes, nil
}

func (f *fakeBackend) MappingRows(_ context.Context, flt app.MappingFilter) ([]app.MappingRow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if flt.State != app.StateAll || flt.Search != "" {
		panic("the window filters locally; it asks for every row")
	}
	return slices.Clone(f.rows), nil
}

func (f *fakeBackend) RankHalo(_ context.Context, _ int64, query string, limit int) ([]match.Scored, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rankQs = append(f.rankQs, query)
	var out []match.Scored
	for _, s := range f.rank {
		if query == "" || strings.Contains(strings.ToLower(s.Name), strings.ToLower(query)) {
			out = append(out, s)
		}
	}
	return out[:min(len(out), limit)], nil
}

func (f *fakeBackend) SaveMappings(_ context.Context, ds []store.Decision) (store.MappingSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saved = append(f.saved, slices.Clone(ds))
	if f.saveErr != nil {
		return store.MappingSummary{}, f.saveErr
	}
	for _, d := range ds {
		delete(f.fh.drafts, d.LocalID) // as the store does, in the same transaction
	}
	var sum store.MappingSummary
	for _, d := range ds {
		for i := range f.rows {
			if f.rows[i].Local.ID != d.LocalID {
				continue
			}
			switch d.Action {
			case store.Accept:
				f.rows[i].State, f.rows[i].HaloID = store.MapAccepted, d.HaloID
				sum.Accepted++
			case store.Ignore:
				f.rows[i].State, f.rows[i].HaloID = store.MapIgnored, 0
				sum.Ignored++
			case store.Unmap:
				f.rows[i].State, f.rows[i].HaloID, f.rows[i].HaloName = store.MapOpen, 0, ""
				sum.Unmapped++
			}
		}
	}
	return sum, nil
}

func (f *fakeBackend) CreateLocalFromUnmapped(_ context.Context, ids []int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = append(f.created, ids)
	return 7, nil
}

// locked runs fn with the fake's lock held, to read what it recorded.
func (f *fakeBackend) locked(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

// newTestWindow builds the window over a fake on Fyne's test app and
// waits until its first loads are done.
func newTestWindow(t *testing.T, f Backend, opts Options) *Window {
	t.Helper()
	a := test.NewTempApp(t)
	u := New(a, f, opts) // its jobs start last: New touches no widget after
	t.Cleanup(u.Close)
	u.work.wait()
	ui(u, func() { u.win.Resize(fyne.NewSize(1200, 760)) })
	return u
}

// findButton finds a button by its text anywhere under o (a dialog, say).
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	if b, ok := o.(*widget.Button); ok {
		if b.Text == text {
			return b
		}
		return nil
	}
	var children []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		children = x.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(x).Objects()
	}
	for _, c := range children {
		if b := findButton(c, text); b != nil {
			return b
		}
	}
	return nil
}

// tapDialogButton taps a button of the dialog on top of the window.
func tapDialogButton(t *testing.T, u *Window, text string) {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog is open to tap %q in", text)
	}
	b := findButton(top, text)
	if b == nil {
		t.Fatalf("the dialog has no %q button", text)
	}
	tap(u, b)
	u.work.wait()
}

// The test driver runs fyne.Do on the job's own goroutine, not on one
// Fyne goroutine, and Fyne's widgets (and its font cache) are not safe for
// concurrent use. So the test acts on the window only while holding the
// lock that jobs take to apply their results, as if it were the Fyne
// goroutine. Code run under it must not call u.do itself.
func ui(u *Window, fn func()) {
	u.uiMu.Lock()
	defer u.uiMu.Unlock()
	fn()
}

// tap taps b as the user would.
func tap(u *Window, b fyne.Tappable) { ui(u, func() { test.Tap(b) }) }

// typeText types s into e a key at a time, waiting for the search each key
// starts: the test driver runs fyne.Do on the job's goroutine, so the test
// must not touch widgets while a job applies its result.
func typeText(u *Window, e *widget.Entry, s string) {
	for _, r := range s {
		ui(u, func() { test.Type(e, string(r)) })
		u.work.wait()
	}
}
