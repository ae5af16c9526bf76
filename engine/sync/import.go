// Package sync runs HaloSync's sync work against HaloPSA: for now the
// import of clients, sites, contacts and assets into the store.
package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	gosync "sync"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// Progress reports one resource's import as pages arrive. Rows and Total
// count what the summary counts (rows stored: new, changed or unchanged),
// so the last Progress of a resource says what its ResourceSummary says.
type Progress struct {
	Resource store.Resource
	Rows     int // rows stored so far
	// Total is the rows the resource is expected to store: HaloPSA's
	// record_count less the rows received but not stored (of clients not
	// imported, or unreadable), so it only shrinks towards the real count
	// as pages arrive; never below Rows. -1 while HaloPSA gives no count.
	// When Done it is the real count, equal to Rows.
	Total int
	Done  bool // the resource finished (Err says how)
	Err   error
}

// pageProgress is a resource's Progress after a page: kept rows stored of
// received ones, against HaloPSA's count (-1 for none).
func pageProgress(r store.Resource, kept, received, count int) Progress {
	total := -1
	if count >= 0 {
		total = max(count-(received-kept), kept)
	}
	return Progress{Resource: r, Rows: kept, Total: total}
}

// ResourceSummary is what one resource's import did.
type ResourceSummary struct {
	store.UpsertResult
	Removed int // rows gone from HaloPSA (or gone inactive, for clients) since the last import
	Skipped int // rows of clients that are not imported (inactive clients' sites, say)
	Bad     int // rows HaloPSA sent that could not be read
}

// Summary is what one import run did.
type Summary struct {
	Run       int64
	Resources map[store.Resource]ResourceSummary
	Requests  int64 // API requests made during the run
	Limited   int64 // 429 answers met
	Duration  time.Duration
}

// String reads as one line for the sync log and the CLI.
func (s Summary) String() string {
	var parts []string
	for _, r := range []store.Resource{store.Clients, store.Sites, store.Contacts, store.Assets} {
		rs, ok := s.Resources[r]
		if !ok {
			continue
		}
		p := fmt.Sprintf("%s %d (%d new, %d changed", r, rs.Inserted+rs.Updated+rs.Unchanged, rs.Inserted, rs.Updated)
		if rs.Removed > 0 {
			p += fmt.Sprintf(", %d removed", rs.Removed)
		}
		if rs.Bad > 0 {
			p += fmt.Sprintf(", %d unreadable", rs.Bad)
		}
		parts = append(parts, p+")")
	}
	return fmt.Sprintf("%s; %d requests, %d rate-limited, %s", strings.Join(parts, ", "),
		s.Requests, s.Limited, s.Duration.Round(time.Millisecond))
}

// Importer copies HaloPSA's active clients with their sites, contacts and
// assets into the store. A run can be repeated at any time, or after a
// crash: every page is upserted in its own transaction, so a re-run
// updates what changed and never duplicates anything.
type Importer struct {
	Halo *halo.Client
	DB   *store.DB
	// OnProgress, when set, is called from the import's goroutines after
	// each page; it must return quickly.
	OnProgress func(Progress)
	// OnStart, when set, is called with the run's id once the run began,
	// before any progress; it must return quickly.
	OnStart func(run int64)
	// OnLog, when set, is called with every sync-log row the import
	// writes, after it is stored; it must return quickly.
	OnLog func(store.LogEntry)
	// LogError, when set, decides whether a resource's failure gets its
	// own error row. The app says no to failures it reports another way
	// (one row per HaloPSA outage, not one per failed run) and to ones it
	// logged already in the same failure streak. A run whose failures all
	// went unlogged closes with a warning row, not an error row, so one
	// problem raises one desktop notification.
	LogError func(error) bool

	full fullDisk // diskfull.go
}

// Run imports everything once. Clients come first, since they decide
// which sites, contacts and assets belong to an active client; the other
// three then page concurrently within the client's request budget. A
// failing resource does not stop the others; the run's error joins all.
func (im *Importer) Run(ctx context.Context) (Summary, error) {
	start := time.Now()
	before := im.Halo.Stats()
	logCtx := context.WithoutCancel(ctx)
	im.closeInterrupted(logCtx)
	im.full.take() // a run before this one's
	run, err := im.DB.BeginRun(ctx, store.KindImport)
	if err != nil {
		return Summary{}, fmt.Errorf("start import: %w", err)
	}
	im.log(logCtx, run, store.Info, store.OpImport, "", "Import started")
	if im.OnStart != nil {
		im.OnStart(run)
	}
	sum := Summary{Run: run, Resources: map[store.Resource]ResourceSummary{}}

	drift := im.watchDrift(logCtx, run) // drift.go
	active := map[int64]bool{}
	clients, err := importResource(ctx, im, run, store.Clients, im.Halo.Customers, toClient,
		func(c store.Client) int64 { active[c.ID] = !c.Inactive; return c.ID }, nil, im.DB.UpsertClients)
	if err == nil {
		clients.Removed, err = im.retireClients(ctx, run)
	}
	sum.Resources[store.Clients] = clients
	// loud counts the failures that are the run's own to report.
	quiet, err := im.finishResource(logCtx, run, store.Clients, clients, err)
	errs, loud := []error{err}, 0
	if err != nil && !quiet {
		loud++
	}
	if err == nil {
		drift.clientsSettled(logCtx, run)
		keep := func(id int64) bool { return active[id] }
		var mu gosync.Mutex
		var wg gosync.WaitGroup
		child := func(r store.Resource, f func() (ResourceSummary, error)) {
			wg.Go(func() {
				rs, err := f()
				if err == nil {
					rs.Removed, err = im.retireChildren(ctx, run, r)
				}
				quiet, err := im.finishResource(logCtx, run, r, rs, err)
				mu.Lock()
				sum.Resources[r], errs = rs, append(errs, err)
				if err != nil && !quiet {
					loud++
				}
				mu.Unlock()
			})
		}
		child(store.Sites, func() (ResourceSummary, error) {
			return importResource(ctx, im, run, store.Sites, im.Halo.Sites, toSite,
				func(s store.Site) int64 { return s.ClientID }, keep, im.DB.UpsertSites)
		})
		child(store.Contacts, func() (ResourceSummary, error) {
			return importResource(ctx, im, run, store.Contacts, im.Halo.Users, toContact,
				func(c store.Contact) int64 { return c.ClientID }, keep, im.DB.UpsertContacts)
		})
		child(store.Assets, func() (ResourceSummary, error) {
			return importResource(ctx, im, run, store.Assets, im.Halo.Assets, toAsset,
				func(a store.Asset) int64 { return a.ClientID }, keep, im.DB.UpsertAssets)
		})
		wg.Wait()
		drift.finish(logCtx, run)
	}

	after := im.Halo.Stats()
	sum.Requests, sum.Limited = after.Requests-before.Requests, after.RateLimited-before.RateLimited
	sum.Duration = time.Since(start)
	if dfe := im.full.take(); dfe != nil {
		// Written in the space kept for it, before the run's end.
		im.DB.UseReserve()
		im.log(logCtx, run, store.Error, store.OpImport, "", "Import stopped: "+dfe.Error())
		errs = onceFull(errs)
	}
	err = errors.Join(errs...)
	status, level, msg := store.StatusOK, store.Info, "Import finished: "+sum.String()
	if err != nil {
		status, level, msg = store.StatusFailed, store.Error, "Import failed: "+sum.String()
		if loud == 0 {
			level = store.Warn // the caller reports these failures itself
		}
		if ctx.Err() != nil {
			status, level, msg = store.StatusCanceled, store.Warn, "Import cancelled: "+sum.String()
		}
	}
	if ferr := im.DB.FinishRun(logCtx, run, status, sum.String()); ferr != nil {
		err = errors.Join(err, ferr)
	}
	im.log(logCtx, run, level, store.OpImport, "", msg)
	return sum, err
}

// importResource pages through one resource and upserts each page in one
// transaction. clientOf reads a row's client (and may note it); keep, when
// set, drops rows of clients that are not imported.
func importResource[W, R any](
	ctx context.Context, im *Importer, run int64, res store.Resource,
	list func(context.Context, halo.ListOptions, func(halo.Page[W]) error) error,
	convert func(W) R, clientOf func(R) int64, keep func(int64) bool,
	upsert func(context.Context, int64, []R) (store.UpsertResult, error),
) (ResourceSummary, error) {
	var rs ResourceSummary
	received := 0
	err := list(ctx, halo.ListOptions{}, func(p halo.Page[W]) error {
		rows := make([]R, 0, len(p.Rows))
		for _, w := range p.Rows {
			r := convert(w)
			if id := clientOf(r); keep != nil && !keep(id) {
				rs.Skipped++
				continue
			}
			rows = append(rows, r)
		}
		if len(p.Bad) > 0 {
			rs.Bad += len(p.Bad)
			im.log(context.WithoutCancel(ctx), run, store.Warn, store.OpImportOf(res), "",
				fmt.Sprintf("%d row(s) could not be read and were skipped: %v", len(p.Bad), p.Bad[0]))
		}
		if len(rows) > 0 {
			u, err := upsert(ctx, run, rows)
			if err != nil {
				return fmt.Errorf("save %s: %w", res, err)
			}
			rs.Inserted, rs.Updated, rs.Unchanged = rs.Inserted+u.Inserted, rs.Updated+u.Updated, rs.Unchanged+u.Unchanged
		}
		received += len(p.Rows) + len(p.Bad)
		if im.OnProgress != nil {
			im.OnProgress(pageProgress(res, rs.Inserted+rs.Updated+rs.Unchanged, received, p.Total))
		}
		return nil
	})
	return rs, err
}

// retireClients settles the clients this run did not list as active: one
// more listing of inactive clients tells "went inactive" from "deleted",
// and is only made when there is something to settle.
func (im *Importer) retireClients(ctx context.Context, run int64) (int, error) {
	unseen, err := im.DB.Unseen(ctx, store.Clients, run)
	if err != nil || len(unseen) == 0 {
		return 0, err
	}
	inactive := map[int64]bool{}
	err = im.Halo.Customers(ctx, halo.ListOptions{IncludeInactive: true}, func(p halo.Page[halo.Customer]) error {
		for _, c := range p.Rows {
			if c.Inactive {
				inactive[c.ID.Int()] = true
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("list inactive clients: %w", err)
	}
	var gone, off []int64
	for _, id := range unseen {
		if inactive[id] {
			off = append(off, id)
		} else {
			gone = append(gone, id)
		}
	}
	if err := im.DB.SetState(ctx, store.Clients, off, store.StateInactive); err != nil {
		return 0, err
	}
	if err := im.DB.SetState(ctx, store.Clients, gone, store.StateDeleted); err != nil {
		return 0, err
	}
	return len(unseen), nil
}

// retireChildren marks the sites, contacts or assets that HaloPSA no longer
// lists for an active client.
func (im *Importer) retireChildren(ctx context.Context, run int64, r store.Resource) (int, error) {
	unseen, err := im.DB.Unseen(ctx, r, run)
	if err != nil || len(unseen) == 0 {
		return 0, err
	}
	return len(unseen), im.DB.SetState(ctx, r, unseen, store.StateDeleted)
}

// finishResource records a resource's outcome in its sync state, the log
// and the progress callback, and returns err wrapped with the resource;
// quiet says LogError kept it out of the log, for the caller to report.
func (im *Importer) finishResource(ctx context.Context, run int64, r store.Resource, rs ResourceSummary, err error) (quiet bool, _ error) {
	st := store.SyncState{Resource: r, LastRun: run, Rows: rs.Inserted + rs.Updated + rs.Unchanged}
	if prev, ok := im.syncState(ctx, r); ok {
		st.LastSuccess = prev.LastSuccess
	}
	if err != nil {
		err = fmt.Errorf("import %s: %w", r, err)
		st.LastError = err.Error()
		switch {
		case im.full.note(err):
			// Run logs a full disk once, when the run ends.
		case im.LogError != nil && !im.LogError(err):
			quiet = true
		default:
			im.write(ctx, store.LogEntry{Level: store.Error, Operation: store.OpImportOf(r), Message: err.Error(), Err: err, Run: run})
		}
	} else {
		st.LastSuccess = time.Now().UTC()
	}
	if serr := im.DB.SetSyncState(ctx, st); serr != nil && err == nil {
		err, quiet = serr, false
	}
	if im.OnProgress != nil {
		im.OnProgress(Progress{Resource: r, Rows: st.Rows, Total: st.Rows, Done: true, Err: err})
	}
	return quiet, err
}

func (im *Importer) syncState(ctx context.Context, r store.Resource) (store.SyncState, bool) {
	states, err := im.DB.SyncStates(ctx)
	if err != nil {
		return store.SyncState{}, false
	}
	for _, s := range states {
		if s.Resource == r {
			return s, true
		}
	}
	return store.SyncState{}, false
}

// closeInterrupted closes the runs left "running" by a process that died,
// each with an error row. About to start its own run, the importer also
// closes runs of older builds, which did not record their process.
func (im *Importer) closeInterrupted(ctx context.Context) {
	rows, err := im.DB.CloseDeadRuns(ctx, true)
	if err != nil || im.OnLog == nil {
		return
	}
	for _, e := range rows {
		im.OnLog(e)
	}
}

// log writes a sync-log row; a failure to log must not fail the import.
func (im *Importer) log(ctx context.Context, run int64, level store.Level, op store.Operation, object, msg string) {
	im.write(ctx, store.LogEntry{Level: level, Operation: op, Object: object, Message: msg, Run: run})
}

// write stores e (timed now) and hands it to OnLog.
func (im *Importer) write(ctx context.Context, e store.LogEntry) {
	e.Time = time.Now().UTC()
	id, err := im.DB.AddLog(ctx, e)
	if err == nil && im.OnLog != nil {
		e.ID = id
		im.OnLog(e)
	}
}
