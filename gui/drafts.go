package gui

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// Unsaved decisions are drafts in the database (shared with the CLI's
// `map accept`), written as the user makes them, so that a quit loses
// none. The writes, the loads and Save All go through one queue, in the
// order the user acted: a load never misses a decision written before it,
// and a save never races a draft write.

// serial runs jobs one at a time, in the order they were queued, off the
// Fyne goroutine. The window's work tracker counts a running queue, so
// Close waits for it.
type serial struct {
	mu      sync.Mutex
	jobs    []func(context.Context)
	running bool
}

// runSerial queues job on q and starts q's worker when it is idle.
func (u *Window) runSerial(q *serial, job func(ctx context.Context)) {
	q.mu.Lock()
	q.jobs = append(q.jobs, job)
	if q.running {
		q.mu.Unlock()
		return
	}
	q.running = true
	q.mu.Unlock()
	u.goWork(func(ctx context.Context) {
		for {
			q.mu.Lock()
			if len(q.jobs) == 0 {
				q.running = false
				q.mu.Unlock()
				return
			}
			job := q.jobs[0]
			q.jobs = q.jobs[1:]
			q.mu.Unlock()
			job(ctx)
		}
	})
}

// draftState is the mapping tab's bookkeeping of draft writes, owned by
// the Fyne goroutine (q excepted, which locks itself).
type draftState struct {
	q         serial
	seq       int            // counts decisions made in this window
	touched   map[int64]int  // local client -> seq of its latest decision here
	unwritten map[int64]bool // decisions whose draft could not be written
}

// draftWriteTimeout bounds one draft write; it is not cut short by a quit.
const draftWriteTimeout = 10 * time.Second

// persist writes what the window holds for each local client (a pending
// decision, or none) as its draft. Writes that failed before are retried.
func (t *mappingTab) persist(ids ...int64) {
	b, d := t.u.b, &t.d
	if b == nil {
		return
	}
	for id := range d.unwritten {
		ids = append(ids, id)
	}
	var put []store.Decision
	var drop []int64
	done := map[int64]bool{}
	for _, id := range ids {
		if done[id] {
			continue
		}
		done[id] = true
		d.seq++
		d.touched[id] = d.seq
		if p, ok := t.pending[id]; ok {
			put = append(put, p.Decision)
		} else {
			drop = append(drop, id)
		}
	}
	if len(done) == 0 {
		return
	}
	t.u.runSerial(&d.q, func(ctx context.Context) {
		// Quitting cancels ctx; the decision must reach the disk all the same.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), draftWriteTimeout)
		err := b.UpdateDrafts(wctx, put, drop)
		cancel()
		t.u.do(func() {
			for id := range done {
				if err != nil {
					d.unwritten[id] = true
				} else {
					delete(d.unwritten, id)
				}
			}
			if err != nil {
				t.setMessage("Your decision could not be kept for later: "+plainError(err)+
					" It stays in this window; Save All Mappings saves it.", widget.WarningImportance)
			}
		})
	})
}

// setDrafts makes the drafts loaded by a reload the pending decisions,
// except for clients decided here since the load was queued (or whose draft
// could not be written): the window's own decision is newer. A decision for
// a client no longer in rows (deleted meanwhile) goes, as its draft did.
func (t *mappingTab) setDrafts(drafts []app.PendingDecision, loadedAt int, rows []app.MappingRow) {
	next := make(map[int64]pendingDecision, len(drafts))
	for _, p := range drafts {
		next[p.LocalID] = pendingDecision{Decision: p.Decision, haloName: p.HaloName}
	}
	for id, seq := range t.d.touched {
		if seq <= loadedAt && !t.d.unwritten[id] {
			delete(t.d.touched, id) // the load saw it
			continue
		}
		if p, ok := t.pending[id]; ok {
			next[id] = p
		} else {
			delete(next, id)
		}
	}
	exists := make(map[int64]bool, len(rows))
	for _, r := range rows {
		exists[r.Local.ID] = true
	}
	for id := range next {
		if !exists[id] {
			delete(next, id)
			delete(t.d.unwritten, id)
		}
	}
	t.pending = next
}
