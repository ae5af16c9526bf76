package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
	"github.com/brainstormmsp/halosync/engine/lock"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
)

// Demo credentials: the simulator's own, never a real tenant's.
const (
	demoClientID = "6d1f0c2a-93b4-4c57-a1e8-2f7b9d3c5e10"
	demoSecret   = "demo-secret-not-for-production"
)

// OpenDemo starts HaloSync in demo mode: a built-in simulated HaloPSA on
// loopback with a realistic data set, a fresh database in the "demo"
// folder of the data directory (so real data is never mixed in), a client
// book pre-filled the way people really type names (so Bulk Map has work
// to do), and a connection to the simulator. The demo's secret is kept in
// memory, not in the keychain. Close stops the simulator.
func OpenDemo(ctx context.Context, cfg Config) (*App, error) { return openDemo(ctx, cfg, nil) }

// OpenDemoOwned is OpenDemo as the demo folder's owner (see Own): the
// folder is held before its database is reset, so a second demo never
// wipes a running one's. It returns a *lock.RunningError when one runs.
func OpenDemoOwned(ctx context.Context, cfg Config, o OwnOptions) (*App, error) {
	return openDemo(ctx, cfg, &o)
}

// DemoDataDir is the folder demo mode keeps its data in: "demo" inside
// dataDir, or inside DefaultDataDir() when dataDir is "".
func DemoDataDir(dataDir string) (string, error) {
	if dataDir == "" {
		d, err := DefaultDataDir()
		if err != nil {
			return "", err
		}
		dataDir = d
	}
	return filepath.Join(dataDir, "demo"), nil
}

func openDemo(ctx context.Context, cfg Config, own *OwnOptions) (a *App, err error) {
	if cfg.DataDir, err = DemoDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	if own != nil {
		l, err := lock.ClaimOwner(ctx, cfg.DataDir, own.OnWait)
		if err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				l.Unlock()
				return
			}
			err = a.own(l, *own)
			if err != nil {
				a.Close()
				a = nil
			}
		}()
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(filepath.Join(cfg.DataDir, "halosync.db"+suffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("reset the demo database: %w", err)
		}
	}
	var behaviour halosim.Behaviour
	if cfg.DemoDialect != "" {
		b, err := halosim.DialectBehaviour(cfg.DemoDialect)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		behaviour = b
	}
	cfg.Secrets = secrets.NewMemory()
	sim := halosim.New(halosim.Options{
		Seed: 2026, Clients: 400, Latency: 40 * time.Millisecond,
		ClientID: demoClientID, ClientSecret: demoSecret, Behaviour: behaviour,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the demo HaloPSA: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)

	a, err = Open(cfg)
	if err != nil {
		srv.Close()
		return nil, err
	}
	a.demo = srv
	if _, err := a.db.AddLocalClients(ctx, DemoBook(sim.Clients())); err != nil {
		a.Close()
		return nil, err
	}
	if _, err := a.Connect(ctx, ConnectRequest{URL: "http://" + ln.Addr().String(), ClientID: demoClientID, Secret: demoSecret}); err != nil {
		a.Close()
		return nil, err
	}
	a.log(ctx, store.Info, store.OpDemo, "", "Demo mode: connected to the built-in simulated HaloPSA")
	return a, nil
}

// DemoBook makes a local client book from HaloPSA's clients the way an MSP
// owner's own list really looks: most clients typed differently (case,
// legal forms dropped, "&" for "and", abbreviations, a typo, a location
// tag, an acronym), a few typed exactly, some HaloPSA clients missing, and
// some local clients HaloPSA does not have.
func DemoBook(clients []halosim.ClientSummary) []store.LocalClient {
	var book []store.LocalClient
	for i, c := range clients {
		if c.Inactive || i%9 == 8 { // not every HaloPSA client is in the book
			continue
		}
		name := demoVariant(c.Name, i)
		l := store.LocalClient{Name: name}
		if i%3 == 0 {
			l.Domain = store.Domain(c.Website)
		}
		book = append(book, l)
	}
	for _, n := range demoOnlyLocal {
		book = append(book, store.LocalClient{Name: n, Notes: "not in HaloPSA"})
	}
	return book
}

var demoOnlyLocal = []string{
	"Corner Cafe", "Smith Family Trust", "Riverside Allotment Society", "J. Patel (home office)",
	"Old Mill Antiques", "Greenway Cycles", "St Brigid's Parish Hall", "Lakeside Kayak Hire",
	"Brightside Tutoring", "M & K Bookkeeping",
}

// demoVariant types a name the way case i's owner would.
func demoVariant(name string, i int) string {
	words := strings.Fields(name)
	switch i % 8 {
	case 0:
		return name // typed exactly
	case 1:
		return strings.ToLower(dropLegalForm(words))
	case 2:
		return strings.ReplaceAll(strings.ReplaceAll(dropLegalForm(words), " and ", " & "), " And ", " & ")
	case 3:
		return dropLegalForm(words) + " - North"
	case 4: // a typo: two letters swapped in the longest word
		longest := 0
		for j, w := range words {
			if len(w) > len(words[longest]) {
				longest = j
			}
		}
		if w := words[longest]; len(w) > 4 {
			b := []byte(w)
			b[2], b[3] = b[3], b[2]
			words[longest] = string(b)
		}
		return strings.Join(words, " ")
	case 5:
		return strings.ToUpper(dropLegalForm(words))
	case 6:
		r := strings.NewReplacer("Services", "Svcs", "International", "Intl", "Manufacturing", "Mfg", "Associates", "Assoc.", "Limited", "Ltd")
		return r.Replace(name)
	default:
		return dropLegalForm(words) + " (Main Office)"
	}
}

func dropLegalForm(words []string) string {
	if n := len(words); n > 1 {
		switch strings.TrimSuffix(strings.ToLower(words[n-1]), ".") {
		case "ltd", "limited", "inc", "llc", "gmbh", "plc", "pty", "co", "corp", "ag", "sa", "bv", "oy", "ab":
			words = words[:n-1]
		}
	}
	return strings.Join(words, " ")
}
