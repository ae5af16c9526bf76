// Command halosync is HaloSync's desktop app: it opens the data folder,
// starts the sync engine and shows the window; on quit (the window's menu,
// the tray, SIGTERM or SIGINT) it stops the engine cleanly.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/lock"
	"github.com/brainstormmsp/halosync/gui"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// backends are the engines this process opened: the user's and, once
// asked for, the demo's. All are closed on quit.
type backends struct {
	mu   sync.Mutex
	apps []*app.App
}

func (bs *backends) add(a *app.App) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	bs.apps = append(bs.apps, a)
}

func (bs *backends) closeAll(stderr io.Writer) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	for _, a := range bs.apps {
		if err := a.Close(); err != nil {
			fmt.Fprintln(stderr, "halosync: close:", err)
		}
	}
	bs.apps = nil
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("halosync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "start in demo mode: a built-in simulated HaloPSA, made-up clients, a separate data folder")
	dataDir := fs.String("data-dir", "", "where HaloSync keeps its data (default: the OS's per-user app data folder)")
	dialect := fs.String("demo-dialect", "", "in demo mode, answer like this simulated HaloPSA dialect: friendly, order-only, no-filters, rejects-dates or pessimistic")
	tab := fs.String("tab", "", "the tab to show first: connection, mapping, tickets or log (for screenshots)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: halosync [--demo [--demo-dialect NAME]] [--data-dir DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}

	// One HaloSync per data folder: a second start brings the first
	// one's window forward and ends.
	dir := *dataDir
	if dir == "" || *demo {
		d, err := app.DefaultDataDir()
		if *demo {
			d, err = app.DemoDataDir(*dataDir)
		}
		if err == nil {
			dir = d
		}
	}
	if dir != "" && showRunning(dir, stderr) {
		return 1
	}

	fa := fyneapp.NewWithID(app.ID)
	fa.SetIcon(appIcon())

	// The engines live until the window quits; ctx ends their loops.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var opened backends
	defer opened.closeAll(stderr)
	cfg := app.Config{DataDir: *dataDir, DemoDialect: *dialect}
	var w *gui.Window // set before the app runs, so before any show runs
	own := app.OwnOptions{
		OnShow: func() {
			fyne.Do(func() {
				w.Window().Show()
				w.Window().RequestFocus()
			})
		},
		OnWait: func(in lock.Info) {
			fmt.Fprintf(stderr, "halosync: waiting for HaloSync process %d to finish with the data folder...\n", in.PID)
		},
	}
	openDemo := func(octx context.Context) (gui.Backend, error) {
		a, err := app.OpenDemoOwned(octx, cfg, own)
		if err != nil {
			return nil, err
		}
		opened.add(a)
		a.Start(ctx)
		return a, nil
	}

	var b gui.Backend
	if !*demo {
		a, err := app.Open(cfg)
		if err != nil {
			fmt.Fprintln(stderr, "halosync:", err)
			gui.ShowStartupError(fa, err)
			return 1
		}
		opened.add(a)
		if err := a.Own(ctx, own); err != nil {
			if ownedElsewhere(err, stderr) {
				return 1
			}
			fmt.Fprintln(stderr, "halosync:", err)
			gui.ShowStartupError(fa, err)
			return 1
		}
		a.Start(ctx)
		b = a
	}
	w = gui.New(fa, b, gui.Options{OpenDemo: openDemo, Demo: *demo, Tab: *tab, TrayIcon: trayIcon(64), NoTray: !trayAvailable()})

	// SIGTERM and SIGINT quit like the Quit menu item: the window closes,
	// then the engines stop below.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		if _, ok := <-sig; ok {
			fyne.Do(fa.Quit)
		}
	}()

	w.ShowAndRun()
	w.Close()
	cancel()
	return 0
}
