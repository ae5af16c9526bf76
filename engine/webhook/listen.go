package webhook

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server timeouts. A delivery is small and HaloPSA sends it at once, so a
// client that trickles its headers or body (slowloris) is cut off early
// instead of holding a connection and a goroutine.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second // headers and a full-size body over a slow tunnel
	writeTimeout      = 30 * time.Second // covers storeTimeout, so a 503 still gets out
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 5 * time.Second
)

// Listen serves r on addr ("127.0.0.1:0", loopback on a free port, when
// empty) until ctx is done, then shuts down gracefully: deliveries being
// stored are finished and answered, for up to 5 seconds. It returns the
// webhook URL to give HaloPSA (through a tunnel: scheme, host and port are
// the local listener's; the path is r.Creds.Path) and wait, which blocks
// until the server has stopped and returns why it stopped unexpectedly
// (nil after a clean shutdown). It does not start when r.Auth fails
// Validate, or needs signatures and r.Creds has no HMACSecret.
func Listen(ctx context.Context, addr string, r *Receiver) (url string, wait func() error, err error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if !strings.HasPrefix(r.Creds.Path, "/") {
		return "", nil, errors.New("webhook: credentials have no path; use NewCredentials")
	}
	if err := r.Auth.Validate(); err != nil {
		return "", nil, err
	}
	if r.Auth.Mode.NeedsSignature() && r.Creds.HMACSecret == "" {
		return "", nil, errors.New("webhook: signature checks need an HMAC secret; use NewCredentials")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{
		Handler:           r,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(logWriter{r}, "webhook: ", 0),
	}
	// Shutdown waits for connections that have sent no request yet as
	// long as for deliveries (net/http gives them 5 s): an HTTP client's
	// spare connection would hold it to the end of the grace period, and
	// make a clean stop look like a cut one. They carry nothing: they are
	// closed as soon as the listener is.
	var fresh freshConns
	srv.ConnState = fresh.track
	srv.RegisterOnShutdown(fresh.closeAll)
	done := make(chan struct{})
	var stopErr error
	go func() {
		defer close(done)
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		select {
		case err := <-served: // stopped on its own: that is the error to report
			stopErr = err
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				stopErr = err
				_ = srv.Close() // deliveries still running past the grace period are cut
			}
			if err := <-served; !errors.Is(err, http.ErrServerClosed) {
				stopErr = errors.Join(stopErr, err)
			}
		}
	}()
	wait = func() error {
		<-done
		return stopErr
	}
	return "http://" + ln.Addr().String() + r.Creds.Path, wait, nil
}

// logWriter sends net/http's own messages (TLS and connection errors,
// recovered panics) to the Receiver's Logf, or discards them without one.
type logWriter struct{ r *Receiver }

func (w logWriter) Write(p []byte) (int, error) {
	w.r.logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// freshConns tracks the server's connections that have not sent a request
// yet (http.StateNew), so that a shutdown can close them at once.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// track is the server's ConnState hook.
func (f *freshConns) track(c net.Conn, st http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if st == http.StateNew {
		if f.conns == nil {
			f.conns = map[net.Conn]struct{}{}
		}
		f.conns[c] = struct{}{}
		return
	}
	delete(f.conns, c)
}

// closeAll closes every connection still waiting for its first request.
func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		_ = c.Close()
		delete(f.conns, c)
	}
}
