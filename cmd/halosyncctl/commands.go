package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	gosync "sync"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

func (c *cli) connect(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("connect")
	var req app.ConnectRequest
	fs.StringVar(&req.URL, "url", "", "HaloPSA address")
	fs.StringVar(&req.AuthURL, "auth-url", "", "authorisation server")
	fs.StringVar(&req.Tenant, "tenant", "", "tenant")
	fs.StringVar(&req.ClientID, "client-id", "", "API application client ID")
	noSync := fs.Bool("no-sync", false, "do not import after connecting")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		// Not echoed: a stray argument here is most likely the secret.
		return usageError{"unexpected argument; the client secret is read from standard input, never from the command line"}
	}
	if req.URL == "" || req.ClientID == "" {
		return usageError{"--url and --client-id are required; the secret is read from standard input"}
	}
	if err := notBesideOwner(ctx, a, "connect"); err != nil {
		return err
	}
	secret, err := c.readSecret()
	if err != nil {
		return err
	}
	req.Secret = secret
	res, err := a.Connect(ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Connected to %s\nGranted scopes: %s\nVerified: %s\n",
		res, strings.Join(res.Scopes, " "), strings.Join(res.Verified, " "))
	if *noSync {
		return nil
	}
	return c.runSync(ctx, a)
}

// readSecret takes the secret from standard input: prompted for without
// echo on a terminal, else the first line of piped input.
func (c *cli) readSecret() (string, error) {
	if c.isTerminal != nil && c.isTerminal() {
		secret, err := c.readPassword()
		if err != nil {
			return "", fmt.Errorf("read the client secret from the terminal: %w", err)
		}
		if secret == "" {
			return "", usageError{"no client secret entered"}
		}
		return secret, nil
	}
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read the client secret from standard input: %w", err)
	}
	secret := strings.TrimRight(line, "\r\n")
	if secret == "" {
		return "", usageError{"no client secret on standard input (pipe it in, e.g. from your password manager)"}
	}
	return secret, nil
}

func (c *cli) sync(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("sync")
	once := fs.Bool("once", false, "run one cycle and exit")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*once {
		return usageError{"only --once is supported for now"}
	}
	return c.runSync(ctx, a)
}

// runSync imports once (or has the folder's owner import), printing a progress line per resource at most
// every second, and the summary at the end.
func (c *cli) runSync(ctx context.Context, a *app.App) error {
	var mu gosync.Mutex
	last := map[store.Resource]time.Time{}
	progress := func(p sync.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if !p.Done && time.Since(last[p.Resource]) < time.Second {
			return
		}
		last[p.Resource] = time.Now()
		switch {
		case p.Done && p.Err != nil:
			fmt.Fprintf(c.stderr, "%-9s failed\n", p.Resource)
		case p.Done:
			fmt.Fprintf(c.stderr, "%-9s done, %d rows\n", p.Resource, p.Rows)
		case p.Total >= 0:
			fmt.Fprintf(c.stderr, "%-9s %d/%d\n", p.Resource, p.Rows, p.Total)
		default:
			fmt.Fprintf(c.stderr, "%-9s %d\n", p.Resource, p.Rows)
		}
	}
	return c.exclusive(ctx, a, app.OpSync, func() error {
		sum, err := a.SyncOnce(ctx, progress)
		if err != nil {
			if sum.Run != 0 {
				fmt.Fprintf(c.stdout, "Import failed: %s\n", sum)
			}
			return err
		}
		fmt.Fprintf(c.stdout, "Import finished: %s\n", sum)
		return nil
	})
}

// statusJSON is the stable shape of `status --json`.
type statusJSON struct {
	Connected       bool     `json:"connected"`
	Address         string   `json:"address,omitempty"`
	ClientID        string   `json:"client_id,omitempty"`
	Scopes          []string `json:"scopes,omitempty"`
	Problem         string   `json:"problem,omitempty"`
	Polling         string   `json:"polling,omitempty"`
	Clients         int      `json:"clients"`
	InactiveClients int      `json:"inactive_clients"`
	Sites           int      `json:"sites"`
	Contacts        int      `json:"contacts"`
	PrimaryContacts int      `json:"primary_contacts"`
	Assets          int      `json:"assets"`
	LastSync        *string  `json:"last_sync"`
	LastRunStatus   string   `json:"last_run_status,omitempty"`
	Errors          int      `json:"errors"`
}

func (c *cli) status(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("status")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := a.Status(ctx)
	if err != nil {
		return err
	}
	n := s.Counts
	if *asJSON {
		out := statusJSON{
			Connected: s.Connected, Address: s.Address, ClientID: s.ClientID, Scopes: s.Scopes, Problem: s.Problem, Polling: s.Polling,
			Clients: n.Clients, InactiveClients: n.InactiveClients, Sites: n.Sites, Contacts: n.Contacts,
			PrimaryContacts: n.PrimaryContacts, Assets: n.Assets, Errors: n.Errors,
		}
		if !n.LastSync.IsZero() {
			t := n.LastSync.UTC().Format(time.RFC3339)
			out.LastSync = &t
		}
		if s.LastRun != nil {
			out.LastRunStatus = s.LastRun.Status
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	switch {
	case s.Connected:
		fmt.Fprintf(c.stdout, "Connected to %s as %s\n", s.Address, s.ClientID)
	case s.Address != "":
		fmt.Fprintf(c.stdout, "Not connected (%s): %s\n", s.Address, s.Problem)
	default:
		fmt.Fprintln(c.stdout, "Not connected: run halosyncctl connect")
	}
	fmt.Fprintf(c.stdout, "Clients:  %d active, %d inactive\nSites:    %d\nContacts: %d (%d primary)\nAssets:   %d\nLast sync: %s\nErrors in log: %d\n",
		n.Clients, n.InactiveClients, n.Sites, n.Contacts, n.PrimaryContacts, n.Assets, formatTime(n.LastSync), n.Errors)
	if s.LastRun != nil && s.LastRun.Status != "ok" {
		fmt.Fprintf(c.stdout, "Last import: %s (%s)\n", s.LastRun.Status, s.LastRun.Summary)
	}
	if s.Polling != "" {
		fmt.Fprintf(c.stdout, "Ticket polling: %s\n", s.Polling)
	}
	return nil
}

// logJSON is the stable shape of one `log --json` row.
type logJSON struct {
	ID        int64  `json:"id"`
	Time      string `json:"time"`
	Level     string `json:"level"`
	Operation string `json:"operation"`
	Object    string `json:"object"`
	Message   string `json:"message"`
}

func (c *cli) log(ctx context.Context, a *app.App, args []string) error {
	fs := c.flags("log")
	asJSON := fs.Bool("json", false, "print JSON")
	level := fs.String("level", "", "lowest level shown: debug, info, warn, error")
	limit := fs.Int("limit", 50, "rows")
	search := fs.String("search", "", "text to look for")
	if err := parse(fs, args); err != nil {
		return err
	}
	q := store.LogQuery{Limit: *limit, Search: *search}
	if *level != "" {
		l, err := store.ParseLevel(*level)
		if err != nil {
			return usageError{err.Error()}
		}
		q.MinLevel = l
	}
	rows, err := a.Log(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]logJSON, len(rows))
		for i, r := range rows {
			out[i] = logJSON{r.ID, r.Time.UTC().Format(time.RFC3339Nano), string(r.Level), string(r.Operation), r.Object, r.Message}
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, r := range rows {
		obj := ""
		if r.Object != "" {
			obj = " [" + r.Object + "]"
		}
		fmt.Fprintf(c.stdout, "%s %-5s %s%s: %s\n", formatTime(r.Time), strings.ToUpper(string(r.Level)), r.Operation, obj, r.Message)
	}
	return nil
}

func (c *cli) disconnect(ctx context.Context, a *app.App, args []string) error {
	if err := parse(c.flags("disconnect"), args); err != nil {
		return err
	}
	if err := notBesideOwner(ctx, a, "disconnect"); err != nil {
		return err
	}
	if err := a.Disconnect(ctx); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "Disconnected. The client secret was removed from the keychain; imported data was kept.")
	return nil
}
