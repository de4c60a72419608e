# otelcol-oauth: every entry point. Needs only Go; everything else is fetched
# through `go run` / `go tool` at pinned versions.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

OCB_VERSION     := v0.161.0
STATICCHECK     := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN             := bin/otelcol-oauth
BUILD_DIR       := _build
KEY_FILE        := .oauth-fingerprint-key
FUZZTIME        ?= 10s
FUZZTIME_LONG   ?= 5m
GO_TEST_FLAGS   ?=
NODE_EXAMPLE    := examples/node-client
# Each target that runs the binary gets its absolute path.
export OTELCOL_OAUTH_BIN := $(CURDIR)/$(BIN)

GO_SOURCES := $(shell find . -name '*.go' -not -path './_build/*' -not -path './tools/*' -not -path './testbed/*' -not -name '*_test.go') \
              go.mod go.sum builder-config.yaml $(shell find . -name metadata.yaml -not -path './_build/*')

.PHONY: all build run test test-unit test-fuzz test-integration test-e2e test-faults \
        test-deploy test-rules tools-prometheus tools-loki tools-hydra tools-redis tools-background \
        bench bench-testbed demo fuzz lint generate clean

all: build

## build: the collector binary from builder-config.yaml into bin/otelcol-oauth
build: $(BIN)

# ocb rewrites _build on every run; the lock keeps parallel builds from
# corrupting it, and the rename replaces a binary that is still running.
$(BIN): $(GO_SOURCES)
	@mkdir -p bin
	flock /tmp/otelcol-oauth-build.lock sh -c '\
	  go run go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION) --config builder-config.yaml && \
	  cp $(BUILD_DIR)/otelcol-oauth $(BIN).tmp && mv -f $(BIN).tmp $(BIN)'
	@echo "built $(BIN)"

## run: build and start the collector on the default config (otelcol-config.yaml);
## once it is healthy, prints where to point an app and where the metrics are
# The collector replaces the shell (exec), so Ctrl-C reaches it as before and
# stops it cleanly; the banner is a background watcher of that same pid.
run: $(BIN)
	@if [ -z "$${OAUTH_FINGERPRINT_KEY:-}" ]; then \
	  if [ ! -s $(KEY_FILE) ]; then \
	    (umask 077; head -c 48 /dev/urandom | base64 -w0 > $(KEY_FILE)); \
	    echo "OAUTH_FINGERPRINT_KEY is unset: created a random per-install key in $(KEY_FILE) (mode 0600, git-ignored)."; \
	  else \
	    echo "OAUTH_FINGERPRINT_KEY is unset: using the per-install key in $(KEY_FILE)."; \
	  fi; \
	  export OAUTH_FINGERPRINT_KEY="$$(cat $(KEY_FILE))"; \
	fi; \
	./scripts/run-banner.sh $$$$ & \
	exec ./$(BIN) --config otelcol-config.yaml

## test: every test target (what CI runs)
test: tools-background test-unit test-deploy test-fuzz test-integration test-e2e test-faults

# tools-background: Loki and Hydra start building at once, one after the other
# at the lowest CPU priority, on the CPU the unit and integration tests leave
# idle; test-e2e and test-faults call the same scripts, which wait for that
# build (flock) or return the cached binary at once. Output is dropped here:
# a failed build is retried, and its error shown, by the later call.
tools-background:
	@(./scripts/loki.sh; ./scripts/hydra.sh) >/dev/null 2>&1 </dev/null &

## test-unit: the Go unit tests of every package (oauth_security's shared
## state runs against a real redis-server: tools-redis)
test-unit: tools-redis
	go test $(GO_TEST_FLAGS) ./...

## tools-prometheus: Debian's prometheus and promtool (apt-get, as root) when missing
tools-prometheus:
	./scripts/install-prometheus.sh

## tools-redis: Debian's redis-server (apt-get, as root) when missing; the tests
## start their own on 127.0.0.1 and a free port
tools-redis:
	./scripts/install-redis.sh

## tools-loki: build Loki once into ~/.cache/otelcol-oauth (outside the work tree)
tools-loki:
	./scripts/loki.sh >/dev/null

## tools-hydra: build Ory Hydra (cgo, SQLite) once into ~/.cache/otelcol-oauth (outside the
## work tree); installs Debian's gcc when no C compiler works
tools-hydra:
	./scripts/hydra.sh >/dev/null

## test-rules: promtool check and unit tests of the Prometheus rules in deploy/
test-rules: tools-prometheus
	promtool check rules deploy/prometheus/*-rules.yaml
	promtool test rules deploy/prometheus/tests/*.test.yaml

## test-deploy: rules (promtool), every shipped config (otelcol-oauth validate), manifests
test-deploy: $(BIN) tools-prometheus
	OTELCOL_OAUTH_REQUIRE_TOOLS=1 go test $(GO_TEST_FLAGS) -tags deploy -count=1 -timeout 10m ./tests/deploy/...

## test-fuzz: each fuzz target for $(FUZZTIME)
test-fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

## fuzz: each fuzz target for $(FUZZTIME_LONG)
fuzz:
	FUZZTIME=$(FUZZTIME_LONG) ./scripts/fuzz.sh

## test-integration: tests against the real binary
test-integration: $(BIN)
	go test $(GO_TEST_FLAGS) -tags integration -count=1 -timeout 15m ./tests/integration/...

## test-e2e: end to end with real Prometheus, Loki, Ory Hydra and SDK clients
# Prometheus comes from Debian's package, Loki and Hydra are built once into
# ~/.cache/otelcol-oauth (scripts/loki.sh: about ten minutes cold, at nice 19;
# scripts/hydra.sh, tools-hydra).
test-e2e: $(BIN) tools-hydra $(NODE_EXAMPLE)/node_modules/.package-lock.json
	@if ls tests/e2e/*_test.go >/dev/null 2>&1; then \
	  ./scripts/install-prometheus.sh; ./scripts/install-redis.sh; \
	  loki=$$(./scripts/loki.sh); hydra=$$(./scripts/hydra.sh); \
	  OTELCOL_OAUTH_LOKI_BIN=$$loki OTELCOL_OAUTH_HYDRA_BIN=$$hydra OTELCOL_OAUTH_REQUIRE_TOOLS=1 \
	    go test $(GO_TEST_FLAGS) -tags e2e -count=1 -timeout 20m ./tests/e2e/...; \
	else echo "test-e2e: no end-to-end tests in this tree yet (issue 7)"; fi

# The Node.js example client's locked npm dependencies (npm ci), installed
# again only when its package-lock.json changes.
$(NODE_EXAMPLE)/node_modules/.package-lock.json: $(NODE_EXAMPLE)/package-lock.json $(NODE_EXAMPLE)/package.json
	@command -v npm >/dev/null 2>&1 || { echo "npm missing: installing Debian's nodejs and npm"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	cd $(NODE_EXAMPLE) && npm ci --no-audit --no-fund --prefer-offline
	touch $@

## test-faults: fault, overload and bad-input tests
# Loki comes from scripts/loki.sh as for test-e2e (built once into
# ~/.cache/otelcol-oauth); the Loki outage alone takes about two minutes.
# -v: the tests log what they measured (lost, duplicates, RSS peak, timings).
test-faults: $(BIN)
	@if ls tests/faults/*_test.go >/dev/null 2>&1; then \
	  ./scripts/install-redis.sh; loki=$$(./scripts/loki.sh); \
	  OTELCOL_OAUTH_LOKI_BIN=$$loki OTELCOL_OAUTH_REQUIRE_TOOLS=1 \
	    go test $(GO_TEST_FLAGS) -tags faults -count=1 -timeout 20m -v ./tests/faults/...; \
	else echo "test-faults: no fault tests in this tree yet (issue 9)"; fi

## bench: the component benchmarks on one core, against the upstream peers,
## then the testbed (bench-testbed)
bench: $(BIN)
	go test -run '^$$' -bench . -benchmem -cpu 1 -count 6 ./... | tee bench.out
	$(MAKE) --no-print-directory bench-testbed

## bench-testbed: the binary under load (passthrough, OAuth, upstream-only pipelines at
## 10k and 50k records/s and max rate, GOMAXPROCS=1, three rounds; 1M token families);
## results in testbed/results. Knobs: BENCH_DURATION (15s per run), BENCH_RATES,
## BENCH_SCENARIOS, BENCH_ROUNDS, BENCH_FAMILIES, BENCH_FLAGS.
bench-testbed: $(BIN)
	go run ./testbed/cmd/oauthbench -bin $(BIN) -out testbed/results $(BENCH_FLAGS)

## demo: the collector on the default config and the OAuth generator at a gentle rate
## with a few attacks; prints where to look. DEMO_DURATION (2m), DEMO_RATE (50/s); Ctrl-C stops.
demo: $(BIN)
	./testbed/demo.sh

## lint: gofmt, go vet and staticcheck
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	go vet -tags integration ./tests/...
	go vet -tags faults ./tests/...
	go vet -tags deploy,e2e ./tests/...
	go run $(STATICCHECK) ./...
	go run $(STATICCHECK) -tags integration,faults,deploy,e2e ./tests/...

## generate: mdatagen for every component
generate:
	@for m in $$(git ls-files '*metadata.yaml'); do \
	  d=$$(dirname $$m); echo "mdatagen $$d"; \
	  (cd $$d && go tool -modfile=$(CURDIR)/tools/go.mod mdatagen metadata.yaml); \
	done

## clean: remove build outputs
clean:
	rm -rf bin $(BUILD_DIR) bench.out
