package tunnel

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"

	"golang.ngrok.com/ngrok/v2"
)

// This file is the only one that knows the ngrok SDK. It is compiled, so API
// changes break the build, but not run in tests: the ngrok service cannot be
// reached from test machines. Everything around it is tested with a fake
// agent in ngrok_test.go.

// ngrokAgent is an agent backed by the ngrok Go SDK.
type ngrokAgent struct {
	a     ngrok.Agent
	token string
}

// newNgrokAgent returns an agent that authenticates with token, sends the
// SDK's warnings to logf and its connection changes to link. The token is
// scrubbed from everything passed on, in case a server message quotes it.
func newNgrokAgent(token string, logf func(string, ...any), link func(error)) (agent, error) {
	n := &ngrokAgent{token: token}
	a, err := ngrok.NewAgent(
		ngrok.WithAuthtoken(token),
		ngrok.WithAgentDescription("HaloSync webhook receiver"),
		ngrok.WithLogger(slog.New(slog.NewTextHandler(sdkLog{logf, n.scrub},
			&slog.HandlerOptions{Level: slog.LevelWarn}))),
		ngrok.WithEventHandler(func(e ngrok.Event) {
			// The SDK reconnects on its own and re-opens the endpoint; these
			// events only tell the state bar. They must not block.
			switch e := e.(type) {
			case *ngrok.EventAgentConnectSucceeded:
				link(nil)
			case *ngrok.EventAgentDisconnected:
				if e.Error != nil {
					link(errors.New(n.scrub(e.Error.Error())))
				}
			}
		}),
	)
	if err != nil {
		return nil, errors.New(n.scrub(err.Error()))
	}
	n.a = a
	return n, nil
}

// Listen connects when not yet connected (the SDK retries until ctx is
// done) and opens an HTTPS endpoint.
func (n *ngrokAgent) Listen(ctx context.Context, domain string) (net.Listener, string, error) {
	opts := []ngrok.EndpointOption{ngrok.WithDescription("HaloSync webhook receiver")}
	if domain != "" {
		opts = append(opts, ngrok.WithURL("https://"+domain))
	}
	ln, err := n.a.Listen(ctx, opts...)
	if err != nil {
		return nil, "", errors.New(n.scrub(err.Error()))
	}
	return endpoint{ln}, strings.TrimRight(ln.URL().String(), "/"), nil
}

// Close disconnects from the service.
func (n *ngrokAgent) Close() error {
	if err := n.a.Disconnect(); err != nil {
		return errors.New(n.scrub(err.Error()))
	}
	return nil
}

func (n *ngrokAgent) scrub(s string) string {
	if n.token == "" {
		return s
	}
	return strings.ReplaceAll(s, n.token, "[authtoken]")
}

// endpoint bounds closing: closing tells the service, which must not hang
// Close when the network is gone.
type endpoint struct{ ngrok.EndpointListener }

func (e endpoint) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return e.CloseWithContext(ctx)
}

// sdkLog passes the SDK's log lines to Config.Logf.
type sdkLog struct {
	logf  func(string, ...any)
	scrub func(string) string
}

func (w sdkLog) Write(p []byte) (int, error) {
	if w.logf != nil {
		w.logf("tunnel: ngrok: %s", w.scrub(strings.TrimRight(string(p), "\n")))
	}
	return len(p), nil
}
