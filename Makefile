# HaloSync: the two commands a user needs are `make demo` and `make test`.
# Both install the Debian packages they need first (.ci/deps).

GO        ?= go
BIN       := bin
DEMO_DIR  ?= $(CURDIR)/.demo
DEMO_ADDR ?= 127.0.0.1:8090
export LANG := C.UTF-8

.PHONY: all build deps test vet bench bench-import demo clean

all: build

deps:
	@./.ci/deps

build:
	$(GO) build -o $(BIN)/ ./cmd/halosyncctl ./cmd/halosim

vet:
	$(GO) vet ./...

# All tests, with the real OS keychain on a private D-Bus session and the
# race detector. go vet first, so a vet failure stops the run early.
test: deps
	./.ci/with-keyring sh -c '$(GO) vet ./... && $(GO) test -race -count=1 ./...'

# Benchmarks print figures to compare; they are not part of `make test`.
bench: bench-import
	$(GO) test -run '^$$' -bench . -benchtime 1x ./engine/store ./engine/halo/...

bench-import:
	$(GO) test -run '^$$' -bench BenchmarkImport -benchtime 1x -timeout 20m ./engine/sync

# The demo: the built-in simulated HaloPSA, a connection to it, an import
# and the result. The data lives in $(DEMO_DIR); the secret in a private
# keychain that is gone when the demo ends.
demo: deps build
	./.ci/with-keyring ./.ci/demo $(BIN) $(DEMO_DIR) $(DEMO_ADDR)

clean:
	rm -rf $(BIN) $(DEMO_DIR)
