package store

import (
	"errors"
	"io/fs"
	"os"
	"sync"
)

// walSyncer makes committed inbox batches durable and then answers their
// callers (see the notes at AddInbox). It runs one goroutine that waits for
// committed requests, syncs the WAL file once for all of them and completes
// them; requests committed while a sync runs wait for the next one, so one
// sync serves as many commits as the disk's latency lets pile up.
type walSyncer struct {
	path string // the database file; its WAL is path + "-wal"

	mu      sync.Mutex
	pending []*inboxReq // committed, waiting for a sync

	wake chan struct{} // 1-buffered: a non-blocking send coalesces wake-ups
	quit chan struct{}
	done chan struct{}
}

func startWALSyncer(path string) *walSyncer {
	s := &walSyncer{path: path, wake: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

// add queues requests whose transaction committed. It never blocks.
func (s *walSyncer) add(reqs []*inboxReq) {
	if len(reqs) == 0 {
		return
	}
	s.mu.Lock()
	s.pending = append(s.pending, reqs...)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// stop syncs and answers what was added before it, then ends the goroutine.
func (s *walSyncer) stop() {
	close(s.quit)
	<-s.done
}

func (s *walSyncer) run() {
	defer close(s.done)
	for {
		select {
		case <-s.wake:
		case <-s.quit:
			s.flush()
			return
		}
		s.flush()
	}
}

// flush syncs once for every request pending now and completes them. A
// failed sync fails them all: their rows are committed but may not be on
// disk, so their callers answer 503 and the re-sent deliveries are
// recognised by their ids.
func (s *walSyncer) flush() {
	s.mu.Lock()
	reqs := s.pending
	s.pending = nil
	s.mu.Unlock()
	if len(reqs) == 0 {
		return
	}
	finish(reqs, syncWAL(s.path))
}

// syncWAL syncs the WAL file of the database at path. A sync flushes a
// file, not a descriptor, so a descriptor of our own covers what SQLite's
// connection wrote; SQLite holds no locks on the WAL file, so closing that
// descriptor releases none (closing one on the database file itself would
// drop this process's POSIX locks on it, so it is never opened here).
// Without a WAL file every connection has closed, and the last close
// checkpointed the WAL into the database and synced it: nothing is left to
// sync.
func syncWAL(path string) error {
	f, err := os.OpenFile(path+"-wal", os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	err = syncData(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
