# backstop — common tasks. `make demo` and `make test` are the README's first two commands.
GO      ?= go
BIN     := bin/backstop
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: all build demo demo-offline test test-race fuzz bench conformance conformance-mutants golden fmt vet clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/backstop

# The embedded demo: gNMI lab targets on loopback, pull, then the 2021 drain (BLOCK) and a safe change (PASS).
demo: build
	./$(BIN) demo

# The same 2021 check offline, from the shipped snapshot folders.
demo-offline: build
	./$(BIN) check --running testdata/backbone --candidate testdata/scenarios/drain-backbone/candidate; \
	  code=$$?; echo "exit code $$code (3 = BLOCK)"; test $$code -eq 3

test:
	$(GO) vet ./...
	$(GO) test ./...

test-race:
	$(GO) test -race ./...

# Short fuzzing of every parser; FUZZTIME=5m for longer runs.
FUZZTIME ?= 20s
fuzz:
	$(GO) test ./models/oc -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME)
	$(GO) test ./models/oc -run '^$$' -fuzz '^FuzzLoadEquivalent$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/policy -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./internal/snapshot -run '^$$' -fuzz FuzzParseEnvironment -fuzztime $(FUZZTIME)
	$(GO) test ./internal/inventory -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./internal/verdict -run '^$$' -fuzz FuzzCheckCandidate -fuzztime $(FUZZTIME)
	$(GO) test ./internal/verdict -run '^$$' -fuzz FuzzCheckSetRequest -fuzztime $(FUZZTIME)

# Benchmarks, never timed tests (docs/performance.md): the simulator on the
# in-memory synthetic backbone, the check's stages on a generated 100-router
# OpenConfig snapshot (BACKSTOP_BENCH_ROUTERS=1000 for more), then the table
# of `backstop bench` at 100, 300 and 1,000 routers (BENCH_FLAGS to change).
BENCH_FLAGS ?=
bench: build
	$(GO) test ./internal/sim -run '^$$' -bench . -benchmem
	$(GO) test ./internal/bench -run '^$$' -bench . -benchtime 3x
	./$(BIN) bench $(BENCH_FLAGS)

# Regenerate golden files after a deliberate change; review `git diff testdata` before committing.
golden:
	$(GO) run ./internal/testnet/gen -out .
	$(GO) test ./internal/verdict ./internal/report ./cmd/backstop -update

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf bin

# Differential tests against FRRouting in network namespaces (root; installs Debian's frr):
# every shipped scenario, CONFORMANCE_NETWORKS generated backbones built in the model
# (internal/emulate/gen) and CONFORMANCE_INDEPENDENT networks generated as OpenConfig and
# FRR config from one description (internal/netgen: loader and compile under test too).
CONFORMANCE_NETWORKS ?= 120
CONFORMANCE_INDEPENDENT ?= 8
conformance:
	sh .ci/install-frr.sh
	$(GO) run ./internal/emulate/conformance -testdata testdata -generated $(CONFORMANCE_NETWORKS) -independent $(CONFORMANCE_INDEPENDENT) -parallel 2 -verbose

# Mutation score of the conformance method: the simulator built with each
# injected bug of internal/sim/mutants.go in turn, run against FRR on
# MUTANT_NETWORKS generated networks; a mutant is caught when the run reports
# differences the exceptions do not explain (docs/accuracy.md).
MUTANT_NETWORKS ?= 12
conformance-mutants:
	sh .ci/install-frr.sh
	$(GO) run -tags mutants ./internal/emulate/conformance -mutants -generated $(MUTANT_NETWORKS) -parallel 2
