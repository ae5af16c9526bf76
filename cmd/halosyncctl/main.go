// Command halosyncctl is HaloSync without a window: connect to HaloPSA,
// import, read the status and the sync log, from scripts or a terminal.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

const usage = `halosyncctl: HaloSync from the command line.

Usage:
  halosyncctl [--data-dir DIR] COMMAND [flags]

Commands:
  connect --url URL --client-id ID [--auth-url URL] [--tenant T] [--no-sync]
                      verify and save a HaloPSA connection; the client secret
                      is read from standard input (prompted for, unechoed, on
                      a terminal), never from an argument; then import
  sync --once         run one import now (the app or serve does it when one
                      runs on the data folder; see "One HaloSync per data
                      folder" below)
  status [--json]     connection state and counts
  log [--json] [--level LEVEL] [--limit N] [--search TEXT]
                      the sync log, newest first
  disconnect          remove the secret from the keychain and the settings

Tickets:
  serve [--listen ADDR] [--poll D]
                      run headless until Ctrl+C: imports, the webhook
                      receiver (with --listen), polling, the outbox
  tickets list [--client ID] [--json]
  tickets show TICKET one ticket: its fields by name and, when HaloPSA
                      refused it, why
  tickets create --client ID --summary S [--details D] [--site S]
                [--contact C] [--type T] [--priority P]
                      site, contact, type and priority: an id or a name
                      (see clients defaults); unset ones come from the
                      client's defaults, else its primary contact and site
  tickets fix TICKET [--site S] [--contact C] [--type T] [--priority P] [--note-outcome O]
                      set what HaloPSA asked for and send the ticket (or
                      its waiting notes, with another outcome) again
  tickets notes TICKET
                      its notes (read from HaloPSA first when connected):
                      when, who, private or public, pending or sent
  tickets note TICKET TEXT [--public] [--outcome ID|NAME]
                      add a note, private unless --public
  tickets set-status TICKET STATUS   (a status id or name, e.g. Closed)
  tickets sync        one ticket cycle now: poll, apply, push
  tickets statuses    HaloPSA's statuses and HaloSync's state for each
  tickets status-state STATUS new|open|waiting|closed
                      regroup a status (kept across imports)
  tickets held [--json]
                      ticket changes held because their HaloPSA client is
                      not mapped, inactive or deleted, by client, with why
  tickets release HALO_CLIENT --to LOCAL [--map]
                      apply a client's held changes to local client LOCAL
                      (with --map, map the client to it for good)
  tickets drop HALO_CLIENT
                      give up a client's held changes; never applied
  webhook set --mode none|external|ngrok [--public-url URL] [--listen ADDR]
                [--ngrok-domain D] [--ngrok-token-stdin]
                [--auth basic|hmac|both] [--header NAME]
                      how HaloPSA's webhooks reach HaloSync (serve uses it)
                      and how they authenticate: Basic credentials, a
                      signature header (HMAC-SHA256 of the body), or both
  webhook info [--public-url URL] [--reveal]
                      the webhook URL and credentials to enter in HaloPSA
  webhook test        send a test delivery through the public URL and
                      check it reaches HaloSync (serve must be running)
  webhook inbox [--json] [--limit N]
                      deliveries by state, and those that did not apply
                      (given up, unreadable) with why
  webhook retry       try the given-up deliveries again (once HaloSync's
                      API agent may see their tickets)

The client book and mapping:
  clients list [--json] [--search TEXT]
  clients import FILE.csv       import your client book from CSV (header row
                                with a name column; id, domain, phone, notes
                                optional): rows already in the book change
                                nothing, rows matching a client made from
                                HaloPSA join it, others are added
  clients export FILE.csv       write the book as CSV ("-" for standard output)
  clients add --name NAME [--id REF] [--domain D] [--phone P] [--notes N]
  clients edit ID [--id REF] [--name NAME] [--domain D] [--phone P] [--notes N]
  clients delete ID
  clients merge KEEP OTHER      merge client OTHER into KEEP: its mapping,
                                tickets and id move to KEEP; OTHER is deleted
  clients keep-apart ID         drop the suggestion to merge client ID
  clients defaults ID [--site S] [--contact C] [--type T] [--priority P]
                                what the client's new tickets start with;
                                without flags, print them ("none" clears one)
  clients from-halo [HALO_ID...]
                                create local clients from unmapped HaloPSA
                                clients (all of them when no id is given)
  map suggest                   Bulk Map: suggest a HaloPSA client for each
                                undecided local client
  map list [--state S] [--confidence C] [--search TEXT] [--json]
                                S: open, suggested, accepted, manual, ignored,
                                review (the HaloPSA client changed since), all
                                C: exact, high, medium, low, none
  map accept LOCAL_ID [HALO_ID] accept the suggestion, or map to HALO_ID
  map ignore LOCAL_ID           no HaloPSA counterpart
  map unmap LOCAL_ID            forget the mapping
  map save                      save every accepted/ignored/unmapped decision
                                in one step (Save All Mappings); decisions not
                                saved yet are shared with the window
  map history [--json] [--limit N]
                                every save: who, when, each mapping before
                                and after
  map undo [--batch N | --decision N]
                                undo the last save, a batch or one decision;
                                refused when the mapping changed since
  match --local LOCAL.csv --halo HALO.csv
                                offline: match two id,name files (ids are
                                any text); prints local_id,halo_id,score,
                                confidence with the ids as given

One HaloSync per data folder:
  The app or serve owns its data folder; a second one on it exits non-zero.
  sync --once, tickets sync, tickets create, tickets fix, tickets note,
  tickets set-status and map save
  hand their import, push or save to the owner when one runs, else hold the
  folder while they work (a second one waits). connect and disconnect refuse
  to run beside the owner. Other commands read, or change the database only,
  and run at any time.

Global flags:
  --data-dir DIR      where HaloSync keeps its database (default: the OS's
                      per-user app data folder)
  --rate-limit N      HaloPSA requests per rate window (default 300)
  --rate-window D     the rolling window, e.g. 5m (default 5m)
`

// cli holds what the commands share; tests replace its parts.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	secrets        secrets.Store // nil: the OS keychain
	isTerminal     func() bool   // whether stdin is a terminal
	readPassword   func() (string, error)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, isTerminal: stdinIsTerminal, readPassword: readPasswordFromTerminal}
	os.Exit(c.run(ctx, os.Args[1:]))
}

// run executes one command line and returns the exit code: 0 success,
// 1 failure, 2 wrong usage.
func (c *cli) run(ctx context.Context, args []string) int {
	global := flag.NewFlagSet("halosyncctl", flag.ContinueOnError)
	global.SetOutput(c.stderr)
	global.Usage = func() { fmt.Fprint(c.stderr, usage) }
	dataDir := global.String("data-dir", "", "data folder")
	rateLimit := global.Int("rate-limit", 0, "requests per window")
	rateWindow := global.Duration("rate-window", 0, "rolling window")
	if err := global.Parse(args); err != nil {
		return 2
	}
	if global.NArg() == 0 {
		fmt.Fprint(c.stderr, usage)
		return 2
	}
	cmd, rest := global.Arg(0), global.Args()[1:]
	commands := map[string]func(context.Context, *app.App, []string) error{
		"connect":    c.connect,
		"sync":       c.sync,
		"status":     c.status,
		"log":        c.log,
		"disconnect": c.disconnect,
		"clients":    c.clients,
		"map":        c.mapping,
		"serve":      c.serve,
		"tickets":    c.tickets,
		"webhook":    c.webhook,
	}
	var err error
	if groups[cmd] && (len(rest) == 0 || isHelp(rest[0])) {
		// "clients --help" (or a group alone) lists the group's commands
		// instead of failing on a command named --help.
		if len(rest) == 0 {
			fmt.Fprint(c.stderr, groupUsage(cmd))
			return 2
		}
		fmt.Fprint(c.stdout, groupUsage(cmd))
		return 0
	}
	if cmd == "match" { // offline: needs no data folder
		err = c.match(rest)
	} else {
		f, ok := commands[cmd]
		if !ok {
			fmt.Fprintf(c.stderr, "halosyncctl: unknown command %q\n\n%s", cmd, usage)
			return 2
		}
		var a *app.App
		a, err = app.Open(app.Config{DataDir: *dataDir, Secrets: c.secrets, RateLimit: *rateLimit, RateWindow: *rateWindow})
		if err != nil {
			fmt.Fprintf(c.stderr, "halosyncctl: %v\n", err)
			return 1
		}
		defer a.Close()
		err = f(ctx, a, rest)
	}
	var ue usageError
	var help helpShown
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		fmt.Fprint(c.stdout, help.text)
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(c.stderr, "halosyncctl %s: %v\n", cmd, err)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(c.stderr, "halosyncctl %s: interrupted\n", cmd)
		return 1
	default:
		fmt.Fprintf(c.stderr, "halosyncctl %s: %v\n", cmd, err)
		return 1
	}
}

// helpShown carries a command's flags, asked for with -h or --help: printed
// to standard output, and not a failure.
type helpShown struct{ text string }

func (h helpShown) Error() string { return h.text }

// usageError is a mistake in the command line rather than a failure.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// flags makes a command's flag set that reports errors as usage errors.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		var b strings.Builder
		fmt.Fprintf(&b, "Usage of halosyncctl %s:\n", fs.Name())
		fs.SetOutput(&b)
		fs.PrintDefaults()
		return helpShown{b.String()}
	} else if err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// groups are the commands that take a subcommand.
var groups = map[string]bool{"clients": true, "map": true, "tickets": true, "webhook": true}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// groupUsage is the part of the usage text about group's commands: each
// line that starts with it, with the indented lines that continue it.
func groupUsage(group string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "halosyncctl %s: its commands (halosyncctl %s COMMAND --help prints one's flags)\n\n", group, group)
	in := false
	commands, _, _ := strings.Cut(usage, "\nOne HaloSync per data folder:") // prose follows
	for _, line := range strings.Split(commands, "\n") {
		switch {
		case strings.HasPrefix(line, "  "+group+" "):
			in = true
		case in && strings.HasPrefix(line, "   "):
			// a continuation of the command above
		default:
			in = false
		}
		if in {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// oneID parses a command line of exactly one id (what it identifies, for
// the error) after fs's flags.
func oneID(fs *flag.FlagSet, args []string, what, usageLine string) (int64, error) {
	rest, err := positional(fs, args, 1, 1, usageLine)
	if err != nil {
		return 0, err
	}
	return parseID(rest[0], what)
}
