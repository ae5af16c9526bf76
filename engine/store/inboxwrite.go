package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
)

// AddInbox is on the webhook receiver's hot path: HaloPSA waits for the
// answer, and the receiver may only answer 2xx once the delivery is on disk.
// Two things make that fast and safe:
//
//   - Group commit. Concurrent AddInbox calls are handed to one writer
//     goroutine, which inserts everything queued at that moment in one
//     transaction. Under load one commit (one fsync) serves many deliveries;
//     alone, a call commits at once without waiting for company. Each caller
//     still returns only after the transaction holding its items committed.
//   - Durable commits. The store runs SQLite with synchronous=NORMAL, which in
//     WAL mode survives a crash of HaloSync but may lose the last commits on
//     power loss. That is fine for imports (a re-import restores them) but
//     not for a delivery HaloPSA was told we have: HaloPSA does not send it
//     again. So inbox transactions switch the writer connection to FULL,
//     which syncs the WAL at each commit, and back afterwards.

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
// An error always means that none of items was stored: if ctx ends after
// the items were handed to a commit, AddInbox waits for that commit (a few
// milliseconds) and reports its outcome rather than ctx's error. AddInbox
// is safe for concurrent use; concurrent calls share commits.
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
	// select picks at random among ready cases: without this check an
	// already ended ctx would sometimes still hand the items over.
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
// together and repeats. It never waits for more requests to arrive: batching
// comes only from callers that queued up while the previous commit ran, so a
// lone delivery is not delayed.
func runInboxWriter(db *DB, reqs <-chan *inboxReq, quit <-chan struct{}, done chan<- struct{}) {
	defer close(done)
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
		ins.commit(batch)
	}
}

// inboxInserter holds what every inbox commit needs from the writer
// connection, looked up once.
type inboxInserter struct {
	db   *DB
	stmt *sql.Stmt // prepared on the writer's single connection; reused by each transaction
	sync int       // the connection's own PRAGMA synchronous, restored after each commit
}

func (db *DB) newInboxInserter() (*inboxInserter, error) {
	ctx := context.Background()
	ins := &inboxInserter{db: db}
	if err := db.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&ins.sync); err != nil {
		return nil, err
	}
	stmt, err := db.w.PrepareContext(ctx, insertInboxSQL)
	if err != nil {
		return nil, err
	}
	ins.stmt = stmt
	return ins, nil
}

// commit commits the live requests of batch and completes every request.
func (ins *inboxInserter) commit(batch []*inboxReq) {
	var live []*inboxReq
	for _, r := range batch {
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			live = append(live, r)
		} else {
			close(r.done) // abandoned: nobody is waiting
		}
	}
	if len(live) == 0 {
		return
	}
	err := ins.insert(live)
	if err != nil && len(live) > 1 {
		// One caller's items may have failed the shared transaction (a
		// constraint, say); retry each alone so the others do not fail with it.
		for _, r := range live {
			r.err = ins.insert([]*inboxReq{r})
			close(r.done)
		}
		return
	}
	finish(live, err)
}

// finish completes reqs with err (nil after a successful commit).
func finish(reqs []*inboxReq, err error) {
	for _, r := range reqs {
		r.err = err
		if err != nil {
			r.added = 0
		}
		close(r.done)
	}
}

// insert inserts the rows of reqs in one durable transaction and sets
// each request's added count. On error nothing was stored.
func (ins *inboxInserter) insert(reqs []*inboxReq) error {
	// The batch is shared by several callers, so no single caller's context
	// may cancel it; callers that give up earlier are dropped before this.
	ctx := context.Background()
	conn, err := ins.db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return err
	}
	defer func() {
		// Back to the store's setting for other writers. Should this fail,
		// the connection stays FULL: slower imports, never lost data.
		_, _ = conn.ExecContext(ctx, "PRAGMA synchronous = "+strconv.Itoa(ins.sync))
	}()
	tx, err := conn.BeginTx(ctx, nil)
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
