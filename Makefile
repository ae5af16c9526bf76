# HaloSync: the two commands a user needs are `make demo` and `make test`.
# Both install the Debian packages they need first (.ci/deps).

# Go 1.27.3, which the go command fetches from the module proxy on first use
# (about 76 MB, once per machine): go.mod says go 1.27, and Go 1.26 still
# trusts certificate authority keys that have since been revoked.
export GOTOOLCHAIN := go1.27.3

GO        ?= go
BIN       := bin
DEMO_DIR  ?= $(CURDIR)/.demo
DEMO_ADDR ?= 127.0.0.1:8090

.PHONY: all build deps test vet cross-check package-windows bench bench-import bench-match bench-poll bench-ingest bench-budget demo demo-cli package clean

all: build

deps:
	@./.ci/deps

build:
	$(GO) build -o $(BIN)/ ./cmd/halosyncctl ./cmd/halosim
	$(GO) build -tags migrated_fynedo -o $(BIN)/ ./cmd/halosync

vet:
	$(GO) vet ./...

# All tests, with the real OS keychain on a private D-Bus session, a
# virtual display (for the desktop app's smoke test and notifications) and
# the race detector. go vet first, so a vet failure stops the run early.
test: deps
	HALOSYNC_GUI_SMOKE=1 xvfb-run -a -s "-screen 0 1280x800x24" \
		./.ci/with-keyring sh -c '$(GO) vet ./... && $(GO) test -race -count=1 -timeout 15m ./...'

# benchstat summarises repeated benchmark runs (fetched by the go command).
BENCHSTAT := $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

# Benchmarks print figures to compare; they are not part of `make test`.
bench: bench-import bench-match bench-poll bench-ingest bench-budget
	$(GO) test -run '^$$' -bench . -benchtime 1x ./engine/store ./engine/halo/... ./gui

bench-import:
	$(GO) test -run '^$$' -bench BenchmarkImport -benchtime 1x -timeout 20m ./engine/sync

# Matching quality on both labelled sets, calibration and held-out parts
# (beside a naive baseline), then speed.
bench-match:
	$(GO) test -run 'TestQualityReport' -v ./engine/match
	$(GO) test -run '^$$' -bench . -benchtime 3x ./engine/match

# Requests and time per ticket poll on each simulated HaloPSA dialect, with
# 20,000 closed and 200 open tickets and 0, 1, 100 changes.
bench-poll:
	$(GO) test -run '^$$' -bench BenchmarkPoll -benchtime 5x -timeout 20m ./engine/sync

# Webhook ingest on loopback with durable inbox writes (8, 16 and 32
# senders) and the receiver's decode, then the apply step draining a backlog
# of 20,000 deliveries, quiet and while more arrive. On a shared 2-core
# machine one run of the ingest can differ from the next by 15%, so it runs
# six times and benchstat prints the median of each figure with its spread.
bench-ingest:
	@echo "BenchmarkIngest and BenchmarkDecode, 6 runs (about 3 minutes)..."
	@out=$$(mktemp); trap 'rm -f $$out' EXIT; \
	$(GO) test -run '^$$' -bench 'BenchmarkIngest|BenchmarkDecode' -benchtime 3s -count 6 ./engine/webhook > $$out \
		|| { cat $$out; exit 1; }; \
	cat $$out; echo; echo "Medians of the 6 runs:"; $(BENCHSTAT) $$out
	$(GO) test -run '^$$' -bench BenchmarkApply -benchtime 1x -timeout 20m ./engine/sync

# Requests per second through the request budget shared in the database.
bench-budget:
	$(GO) test -run '^$$' -bench 'SharedBudget|RequestLedger' -benchtime 2s ./app ./engine/store

# The demo: the desktop app against the built-in simulated HaloPSA, with a
# pre-filled client book (DIALECT=pessimistic makes it answer like the most
# awkward HaloPSA). Its data lives in $(DEMO_DIR)/demo; the demo
# keeps its (made-up) secret in memory, so no keychain is needed.
demo: deps build
	$(BIN)/halosync --demo --data-dir $(DEMO_DIR) $(if $(DIALECT),--demo-dialect $(DIALECT))

# The same without a window: connect, import and print the result.
demo-cli: deps build
	./.ci/with-keyring ./.ci/demo $(BIN) $(DEMO_DIR) $(DEMO_ADDR)

# Every package compiled for Windows and macOS with cgo off (see the script
# for the few that need cgo there).
cross-check:
	./.ci/cross-check

# HaloSync.exe for 64-bit Windows in dist/, cross-built with MinGW-w64, with
# its icon, version metadata and manifest.
package-windows: deps
	GO=$(GO) cmd/halosync/package-windows.sh dist

# A Linux package (HaloSync.tar.xz) in dist/, made with the fyne tool.
package: deps
	command -v fyne >/dev/null || $(GO) install fyne.io/tools/cmd/fyne@v1.7.4
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" cmd/halosync/package.sh dist

clean:
	rm -rf $(BIN) $(DEMO_DIR) dist
