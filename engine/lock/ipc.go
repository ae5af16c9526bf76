package lock

import (
	"bufio"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Request is one piece of work handed to the owner.
type Request struct {
	Token string            `json:"token"`
	Op    string            `json:"op"`
	Args  map[string]string `json:"args,omitempty"`
}

// Reply is the owner's answer: what it did, in words, and why it failed.
type Reply struct {
	Output string `json:"output,omitempty"`
	Error  string `json:"error,omitempty"`
}

// ErrRefused means the owner refused the caller's token: the note it read
// belongs to another (maybe crashed) process.
var ErrRefused = errors.New("the running HaloSync refused the request (stale owner note)")

// Handler does one request's work. It runs on the server's context, not
// the caller's: a caller that gives up does not cut an import short.
type Handler func(ctx context.Context, op string, args map[string]string) Reply

// Server answers requests on a loopback listener.
type Server struct {
	ln    net.Listener
	token string
	h     Handler
	wg    sync.WaitGroup
}

// Listen opens a loopback port for the owner's requests. Only loopback:
// the token is the guard against other users of this machine, and nothing
// off it has any business here.
func Listen(token string, h Handler) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("open the local port for other HaloSync commands: %w", err)
	}
	return &Server{ln: ln, token: token, h: h}, nil
}

// Addr is the address to publish in Info.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve answers requests until Close or the end of ctx, which the
// handlers get.
func (s *Server) Serve(ctx context.Context) {
	go func() {
		<-ctx.Done()
		s.ln.Close()
	}()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			s.wg.Wait()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.answer(ctx, conn)
		}()
	}
}

// Close stops accepting requests.
func (s *Server) Close() error { return s.ln.Close() }

func (s *Server) answer(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	// A caller has a few seconds to say what it wants; the work itself
	// may then take as long as an import does.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var req Request
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil || json.Unmarshal(line, &req) != nil {
		return
	}
	conn.SetReadDeadline(time.Time{})
	var rep Reply
	switch {
	case subtle.ConstantTimeCompare([]byte(req.Token), []byte(s.token)) != 1:
		rep = Reply{Error: ErrRefused.Error()}
	case req.Op == "hello": // a waiter checking that the note is this owner's
		rep = Reply{Output: "hello"}
	default:
		rep = s.h(ctx, req.Op, req.Args)
	}
	b, _ := json.Marshal(rep)
	conn.Write(append(b, '\n'))
}

// RemoteError is a failure the owner reported.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return e.Msg }

// Call sends one request to the owner described by in and waits for its
// reply or the end of ctx. A connection that fails before the request is
// sent, or a refused token, means the note is stale (or not yet written):
// the caller should read it again.
func Call(ctx context.Context, in Info, op string, args map[string]string) (Reply, error) {
	if in.Addr == "" {
		return Reply{}, errors.New("the running HaloSync takes no requests")
	}
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	conn, err := d.DialContext(dctx, "tcp", in.Addr)
	cancel()
	if err != nil {
		return Reply{}, fmt.Errorf("reach the running HaloSync: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	b, _ := json.Marshal(Request{Token: in.Token, Op: op, Args: args})
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return Reply{}, fmt.Errorf("reach the running HaloSync: %w", err)
	}
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if ctx.Err() != nil {
		return Reply{}, ctx.Err()
	}
	if err != nil {
		return Reply{}, fmt.Errorf("the running HaloSync (process %d) did not answer: %w", in.PID, err)
	}
	var rep Reply
	if err := json.Unmarshal(line, &rep); err != nil {
		return Reply{}, fmt.Errorf("the running HaloSync's answer: %w", err)
	}
	switch {
	case rep.Error == ErrRefused.Error():
		return rep, ErrRefused
	case rep.Error != "":
		return rep, &RemoteError{rep.Error}
	}
	return rep, nil
}
