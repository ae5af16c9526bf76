// Package app is HaloSync's composition root and facade: it builds the
// engine from the data directory and the keychain, owns its lifecycle, and
// offers the use cases (connect, sync, status, log, disconnect) that the
// GUI and the CLI share. It imports no Fyne.
package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	gosync "sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/match"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
)

// ID is the application ID: the keychain service name and Fyne's app ID.
const ID = "com.brainstormmsp.halosync"

// ErrNotConnected means no HaloPSA connection is configured yet.
var ErrNotConnected = errors.New("not connected to HaloPSA: connect first")

// Config says where the app keeps its data and how it reaches HaloPSA.
type Config struct {
	DataDir    string        // default DefaultDataDir()
	Secrets    secrets.Store // default the OS keychain under ID
	HTTPClient *http.Client  // default: halo's
	RateLimit  int           // requests per RateWindow; default halo.DefaultRateLimit
	RateWindow time.Duration // default halo.DefaultRateWindow
	// DemoDialect, in demo mode, makes the simulated HaloPSA answer like
	// one of halosim's dialects ("pessimistic", say); "" is the friendly one.
	DemoDialect string
}

// App is one running HaloSync. Its methods are safe for concurrent use.
type App struct {
	cfg     Config
	db      *store.DB
	secrets secrets.Store

	// mu guards client, clientGen, match, matchGen, owned, tickets and
	// hook. It is never held across I/O (keychain, database, network) or a
	// wait, so any goroutine, the GUI's included, may take it briefly.
	mu        gosync.Mutex
	client    *halo.Client   // built on first use from the stored connection
	clientGen int64          // bumped by Connect and Disconnect: outdates a build under way
	match     *match.Matcher // the HaloPSA side indexed for matching
	matchGen  int64          // the import run match was built after
	owned     *ownerState    // the data folder's lock, while this App owns it
	tickets   *sync.Tickets  // the ticket sync over client, built on first use
	hook      hookState      // the running webhook receiver and tunnel

	builds  singleflight.Group // one build of the client, or of a matcher, at a time, outside mu
	syncMu  gosync.Mutex       // one import at a time
	cycleMu gosync.Mutex       // one ticket cycle at a time: the loop's or a handed-over one
	run     runner             // the background loops' state: atomics and signals, not under mu
	demo    *http.Server       // the demo's simulated HaloPSA, nil outside demo mode

	outage   *outageTracker // whether HaloPSA answers, shared by the loops
	waits    *waitTracker   // whether the request budget holds requests back
	healthMu gosync.Mutex   // orders health events
	standing standing       // the health state's other inputs (healthstate.go)
	// tweak, when set, adjusts every HaloPSA client's config: tests
	// shorten its retries and the notice it gives of budget waits.
	tweak func(*halo.Config)

	subMu gosync.Mutex
	subID int
	subs  map[int]func(Event)
}

// DefaultDataDir is the OS's per-user application data folder:
// $XDG_DATA_HOME/halosync (~/.local/share/halosync) on Linux,
// ~/Library/Application Support/HaloSync on macOS, %AppData%\HaloSync on Windows.
func DefaultDataDir() (string, error) {
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" {
		if d := os.Getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "halosync"), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, ".local", "share", "halosync"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "HaloSync"), nil
}

// Open opens (or creates) the data directory's database.
func Open(cfg Config) (*App, error) {
	if cfg.DataDir == "" {
		d, err := DefaultDataDir()
		if err != nil {
			return nil, fmt.Errorf("find the data folder: %w", err)
		}
		cfg.DataDir = d
	}
	if cfg.Secrets == nil {
		cfg.Secrets = secrets.NewKeychain(ID)
	}
	db, err := store.Open(filepath.Join(cfg.DataDir, "halosync.db"))
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, db: db, secrets: cfg.Secrets,
		outage: newOutageTracker(time.Now), waits: newWaitTracker(time.Now)}
	a.run.init(realClock{})
	return a, nil
}

// Close stops the background loop and the demo's simulator, if any, and
// closes the database.
func (a *App) Close() error {
	a.Stop()
	a.disown()
	if a.demo != nil {
		a.demo.Close()
	}
	return a.db.Close()
}

// DataDir returns the data directory in use.
func (a *App) DataDir() string { return a.cfg.DataDir }

// ClientSecretKey names the keychain entry of the client secret of a
// connection (client ID and HaloPSA address) made in the data folder
// dataDir. The folder is part of the name so that two folders connected to
// one HaloPSA never share, and Disconnect in one leaves the other alone.
func ClientSecretKey(dataDir, clientID, address string) string {
	if abs, err := filepath.Abs(dataDir); err == nil {
		dataDir = abs
	}
	return legacySecretKey(clientID, address) + " in " + filepath.Clean(dataDir)
}

// legacySecretKey is the entry's name before it named the data folder;
// clientSecret moves a secret found there to the folder's own entry.
func legacySecretKey(clientID, address string) string {
	return "halopsa-client-secret:" + clientID + "@" + address
}

// secretKey names the client secret's keychain entry for c in this
// app's data folder.
func (a *App) secretKey(c store.Connection) string {
	return ClientSecretKey(a.cfg.DataDir, c.ClientID, c.BaseURL)
}

// clientSecret reads the connection's secret from the keychain. A secret
// kept under the name used before data folders were named is copied to
// this folder's entry (and left for other folders that still read it;
// Disconnect removes both).
func (a *App) clientSecret(c store.Connection) (string, error) {
	v, err := a.secrets.Get(a.secretKey(c))
	if !errors.Is(err, secrets.ErrNotFound) {
		return v, err
	}
	v, lerr := a.secrets.Get(legacySecretKey(c.ClientID, c.BaseURL))
	if lerr != nil {
		return "", err // not found under either name
	}
	if err := a.secrets.Set(a.secretKey(c), v); err != nil {
		return "", fmt.Errorf("move the client secret to this data folder's keychain entry: %w", err)
	}
	return v, nil
}

// deleteSecret removes the connection's secret from the keychain, under
// this folder's name and the old shared one. Not found is not an error.
func (a *App) deleteSecret(c store.Connection) error {
	for _, k := range []string{a.secretKey(c), legacySecretKey(c.ClientID, c.BaseURL)} {
		if err := a.secrets.Delete(k); err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return err
		}
	}
	return nil
}

// newClient builds a HaloPSA client for a connection and secret. Its
// answers and its budget's waits feed the health state; its budget is
// shared, through the database, with every process on this data folder.
func (a *App) newClient(c store.Connection, secret string) (*halo.Client, error) {
	cfg := halo.Config{
		Address:      halo.Address(c.BaseURL),
		AuthURL:      c.AuthURL,
		Tenant:       c.Tenant,
		ClientID:     c.ClientID,
		ClientSecret: secret,
		RateLimit:    a.cfg.RateLimit,
		RateWindow:   a.cfg.RateWindow,
		HTTPClient:   a.cfg.HTTPClient,
		OnWait:       a.budgetWait,
		OnSuccess:    a.haloAnswered,
		Ledger:       a.ledgerFor(c),
	}
	if a.tweak != nil {
		a.tweak(&cfg)
	}
	return halo.New(cfg)
}

// haloClient returns the client for the stored connection, reading the
// secret from the keychain the first time. The keychain (up to 10 s) and
// the database are read outside a.mu, so nothing that takes a.mu waits on
// them; concurrent first calls share one build.
func (a *App) haloClient(ctx context.Context) (*halo.Client, error) {
	a.mu.Lock()
	c, gen := a.client, a.clientGen
	a.mu.Unlock()
	if c != nil {
		return c, nil
	}
	ch := a.builds.DoChan(fmt.Sprint("client ", gen), func() (any, error) {
		// The build outlives a caller that gives up: the next caller
		// finds its result.
		c, err := a.buildClient(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		switch {
		case a.clientGen == gen:
			a.client = c
		case a.client != nil:
			c = a.client // Connect installed a newer one meanwhile
		default:
			return nil, ErrNotConnected // Disconnect came meanwhile
		}
		return c, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*halo.Client), nil
	}
}

// buildClient reads the stored connection and its secret and builds a
// client. It takes no lock.
func (a *App) buildClient(ctx context.Context) (*halo.Client, error) {
	conn, err := a.db.Connection(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotConnected
	}
	if err != nil {
		return nil, err
	}
	secret, err := a.clientSecret(conn)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil, fmt.Errorf("%w: the client secret is missing from the keychain", ErrNotConnected)
	}
	if err != nil {
		return nil, err
	}
	return a.newClient(conn, secret)
}

// setClient installs c (nil after Disconnect) and outdates any build
// under way, so it cannot install a client for the old connection.
func (a *App) setClient(c *halo.Client) {
	a.mu.Lock()
	a.client = c
	a.clientGen++
	a.mu.Unlock()
}

// SyncOnce runs one import now. Only one runs at a time; a second call
// waits for the first. onProgress may be nil.
func (a *App) SyncOnce(ctx context.Context, onProgress func(sync.Progress)) (sync.Summary, error) {
	c, err := a.haloClient(ctx)
	if err != nil {
		a.logError(ctx, store.OpSync, "", err)
		return sync.Summary{}, err
	}
	return a.importWith(ctx, c, onProgress, nil)
}

// importWith runs one import with c; logError is the Importer's LogError.
// Every import (the loop's, SyncOnce's, a handed-over one) comes here, so
// this is where its Import events are published: Started once the run
// began, Progress per page, Finished with the summary and error at the end
// (after the first import filled an empty book), then a MappingChange.
func (a *App) importWith(ctx context.Context, c *halo.Client, onProgress func(sync.Progress), logError func(error) bool) (sum sync.Summary, err error) {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	defer a.importRuns()() // the health says "syncing" meanwhile
	var run int64          // set by OnStart before any progress, on this goroutine
	defer func() {
		a.publish(Event{Import: &ImportEvent{Phase: ImportFinished, Run: sum.Run, Summary: sum, Err: err}})
		if run != 0 {
			a.mappingChanged(MappingImported) // HaloPSA's clients were read again
		}
	}()
	_, err = a.db.LastSuccessfulRun(ctx, store.KindImport)
	fresh := errors.Is(err, store.ErrNotFound)
	im := &sync.Importer{Halo: c, DB: a.db,
		OnStart: func(r int64) {
			run = r
			a.publish(Event{Import: &ImportEvent{Phase: ImportStarted, Run: r}})
		},
		OnProgress: func(p sync.Progress) {
			if onProgress != nil {
				onProgress(p)
			}
			a.publish(Event{Import: &ImportEvent{Phase: ImportProgress, Run: run, Progress: p}})
		},
		OnLog:    a.publishLog,
		LogError: logError,
	}
	sum, err = im.Run(ctx)
	if err != nil {
		return sum, err
	}
	defer a.wakeTickets() // tickets wait for the first import
	if !fresh {
		return sum, nil
	}
	// A fresh install with an empty client book starts from HaloPSA's
	// clients, each mapped to its own; a book that has clients is matched
	// with Bulk Map instead.
	if n, err := a.db.Counts(ctx); err == nil && n.LocalClients == 0 {
		if _, err := a.CreateLocalFromUnmapped(ctx, nil); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// Log returns sync-log rows, newest first.
func (a *App) Log(ctx context.Context, q store.LogQuery) ([]store.LogEntry, error) {
	return a.db.Logs(ctx, q)
}
