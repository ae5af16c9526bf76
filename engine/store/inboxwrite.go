package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// AddInbox is on the webhook receiver's hot path: HaloPSA waits for the
// answer, and the receiver may only answer 2xx once the delivery is on disk
// (HaloPSA does not send it again). Three things make that fast and safe:
//
//   - Group commit. Concurrent AddInbox calls are handed to one writer
//     goroutine, which inserts everything queued at that moment in one
//     transaction. A lone call commits at once without waiting for company.
//   - Durable commits, with the sync taken out of the commit. The store runs
//     SQLite in WAL mode with synchronous=NORMAL: a commit writes its pages
//     to the WAL file and returns without syncing it, so it survives a crash
//     of HaloSync but not yet a power loss. A caller is answered only after
//     the WAL file was synced (fsync, FlushFileBuffers on Windows) following
//     its commit (walsync.go): the same guarantee synchronous=FULL gives, as
//     FULL syncs the same file at the same point, but the writer does not
//     wait for the disk. It commits the next batch while the previous one is
//     being synced, and one sync serves every commit made before it began.
//     Frames a checkpoint moved out of the WAL were synced by that
//     checkpoint (NORMAL syncs the WAL before and the database after one).
//   - One prepared insert on the writer's connection, reused by every
//     transaction.

// ErrClosed is returned by AddInbox once the database is closing or closed.
var ErrClosed = errors.New("store: database is closed")

// maxInboxBatch bounds the items in one group commit, so that one transaction
// stays short even when a burst of batched deliveries arrives at once.
const maxInboxBatch = 1000

const insertInboxSQL = `
	INSERT INTO inbox (delivery_id, received_at, event, object_id, status, body, error, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (delivery_id) DO NOTHING`

// AddInbox stores items, one webhook delivery, in one transaction: either all
// of them are stored or, on error, none. An item whose DeliveryID is already
// stored (or repeated within items) is a re-sent delivery: it is skipped,
// neither an error nor counted. added is the number of items stored.
//
// Every item needs a DeliveryID; an empty Status means InboxPending and a
// zero ReceivedAt means now. ID and Attempts are ignored.
//
// AddInbox returns only once the items are on disk: committed and the WAL
// synced, so that a power loss right after cannot lose them. An error means
// that none of items was stored, with one exception: when the disk fails
// the sync after the commit, the items may be stored but are not known to
// be on disk; a re-sent delivery is then recognised by its id. If ctx ends
// after the items were handed to a commit, AddInbox waits for that commit
// and its sync (a few milliseconds) and reports their outcome rather than
// ctx's error. AddInbox is safe for concurrent use; concurrent calls share
// commits and syncs.
func (db *DB) AddInbox(ctx context.Context, items []InboxItem) (added int, err error) {
	if len(items) == 0 {
		return 0, nil
	}
	rows, err := db.inboxRows(items)
	if err != nil {
		return 0, fmt.Errorf("store: add inbox: %w", err)
	}
	reqs, quit, err := db.inbox.channels(db)
	if err != nil {
		return 0, err
	}
	// A context already done must not race the send below: select picks
	// among ready cases at random, and the writer could take the request.
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("store: add inbox: %w", err)
	}
	req := &inboxReq{rows: rows, done: make(chan struct{})}
	select {
	case reqs <- req:
	case <-quit:
		return 0, ErrClosed
	case <-ctx.Done():
		return 0, fmt.Errorf("store: add inbox: %w", ctx.Err())
	}
	select {
	case <-req.done:
	case <-ctx.Done():
		if req.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return 0, fmt.Errorf("store: add inbox: %w", ctx.Err())
		}
		<-req.done // already in a transaction: its outcome is the truth
	}
	if req.err != nil {
		return 0, fmt.Errorf("store: add inbox: %w", req.err)
	}
	return req.added, nil
}

// inboxRows validates items and turns each into its insert arguments.
func (db *DB) inboxRows(items []InboxItem) ([][]any, error) {
	now := db.stamp()
	rows := make([][]any, len(items))
	for i, it := range items {
		if it.DeliveryID == "" {
			return nil, fmt.Errorf("item %d: empty delivery id", i)
		}
		s := it.Status
		if s == "" {
			s = InboxPending
		}
		if !s.valid() {
			return nil, fmt.Errorf("item %d: unknown status %q", i, s)
		}
		at := now
		if !it.ReceivedAt.IsZero() {
			at = it.ReceivedAt.UTC().Format(timeLayout)
		}
		body := it.Body
		if body == nil {
			body = []byte{} // nil would bind as NULL
		}
		rows[i] = []any{it.DeliveryID, at, it.Event, it.ObjectID, string(s), body, it.Error, now}
	}
	return rows, nil
}

// Request states: the writer takes a request by moving it from queued to
// taken; a caller whose context ended gives it up by moving it to abandoned.
// Whoever moves first wins, so a request is either committed or abandoned.
const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

// inboxReq is one AddInbox call waiting for its commit.
type inboxReq struct {
	rows  [][]any
	state atomic.Int32
	added int   // set by the writer before done is closed
	err   error // likewise
	done  chan struct{}
}

// inboxWriter owns the goroutine that commits inbox items. It starts with
// the first AddInbox and stops when the DB is closed.
type inboxWriter struct {
	mu     sync.Mutex
	reqs   chan *inboxReq // unbuffered: a request is either received or still the caller's
	quit   chan struct{}
	done   chan struct{}
	closed bool
	// waiting is set while the writer waits for the writer connection, so
	// that a long apply batch can commit early (ApplyBatch.InboxWaiting).
	waiting atomic.Bool
}

// channels returns the writer's request and quit channels, starting the
// writer on first use.
func (w *inboxWriter) channels(db *DB) (chan<- *inboxReq, <-chan struct{}, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, nil, ErrClosed
	}
	if w.reqs == nil {
		w.reqs, w.quit, w.done = make(chan *inboxReq), make(chan struct{}), make(chan struct{})
		go runInboxWriter(db, w.reqs, w.quit, w.done)
	}
	return w.reqs, w.quit, nil
}

// stop ends the writer after its current commit. Callers still waiting to
// hand over a request get ErrClosed.
func (w *inboxWriter) stop() {
	w.mu.Lock()
	w.closed = true
	quit, done := w.quit, w.done
	w.quit = nil
	w.mu.Unlock()
	if quit != nil {
		close(quit)
		<-done
	}
}

// runInboxWriter is the writer goroutine. It receives a request, adds every
// other request already waiting (up to maxInboxBatch items), commits them
// together, hands them to the WAL syncer and repeats. It never waits for
// more requests to arrive: batching comes only from callers that queued up
// while the previous commit ran, so a lone delivery is not delayed.
func runInboxWriter(db *DB, reqs <-chan *inboxReq, quit <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	syncer := startWALSyncer(db.path)
	defer syncer.stop() // after the last commit: its callers are answered first
	var ins *inboxInserter
	defer func() {
		if ins != nil {
			ins.stmt.Close()
		}
	}()
	for {
		var first *inboxReq
		select {
		case first = <-reqs:
		case <-quit:
			return
		}
		batch, n := []*inboxReq{first}, len(first.rows)
	gather:
		for n < maxInboxBatch {
			select {
			case r := <-reqs:
				batch = append(batch, r)
				n += len(r.rows)
			default:
				break gather
			}
		}
		if ins == nil {
			var err error
			if ins, err = db.newInboxInserter(); err != nil {
				finish(batch, err) // and try again with the next batch
				continue
			}
		}
		syncer.add(ins.commit(batch))
	}
}

// inboxInserter holds what every inbox commit needs from the writer
// connection, prepared once.
type inboxInserter struct {
	db   *DB
	stmt *sql.Stmt // prepared on the writer's single connection; reused by each transaction
}

func (db *DB) newInboxInserter() (*inboxInserter, error) {
	stmt, err := db.w.PrepareContext(context.Background(), insertInboxSQL)
	if err != nil {
		return nil, err
	}
	return &inboxInserter{db: db, stmt: stmt}, nil
}

// commit commits the live requests of batch. It completes the requests that
// failed or were abandoned and returns those committed, which still wait for
// the WAL sync.
func (ins *inboxInserter) commit(batch []*inboxReq) []*inboxReq {
	var live []*inboxReq
	for _, r := range batch {
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			live = append(live, r)
		} else {
			close(r.done) // abandoned: nobody is waiting
		}
	}
	if len(live) == 0 {
		return nil
	}
	err := ins.insert(live)
	switch {
	case err == nil:
		return live
	case len(live) == 1:
		finish(live, err)
		return nil
	}
	// One caller's items may have failed the shared transaction (a
	// constraint, say); retry each alone so the others do not fail with it.
	ok := live[:0]
	for _, r := range live {
		if err := ins.insert([]*inboxReq{r}); err != nil {
			finish([]*inboxReq{r}, err)
			continue
		}
		ok = append(ok, r)
	}
	return ok
}

// finish completes reqs with err (nil after a successful commit and sync).
func finish(reqs []*inboxReq, err error) {
	for _, r := range reqs {
		r.err = err
		if err != nil {
			r.added = 0
		}
		close(r.done)
	}
}

// insert inserts the rows of reqs in one transaction and sets each
// request's added count. On error nothing was stored.
func (ins *inboxInserter) insert(reqs []*inboxReq) error {
	// The batch is shared by several callers, so no single caller's context
	// may cancel it; callers that give up earlier are dropped before this.
	ctx := context.Background()
	ins.db.inbox.waiting.Store(true)
	tx, err := ins.db.w.BeginTx(ctx, nil)
	ins.db.inbox.waiting.Store(false)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	st := tx.StmtContext(ctx, ins.stmt)
	counts := make([]int, len(reqs))
	for i, r := range reqs {
		for _, args := range r.rows {
			res, err := st.ExecContext(ctx, args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			counts[i] += int(n)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for i, r := range reqs {
		r.added = counts[i]
	}
	return nil
}
