# pmsync developer targets. CI runs .ci/run, which does what `make lint test` does.

VERSION     ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
STATICCHECK ?= go run honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 20000x  # executions, not seconds: golang/go#75804

.PHONY: all build test lint bench scale cover fuzz update clean

all: lint test build

build:
	CGO_ENABLED=0 go build -ldflags "-X main.version=$(VERSION)" -o bin/pmsync ./cmd/pmsync

# The README's test command.
test:
	go test -race -count=1 ./...

lint:
	@files=$$(git ls-files -- '*.go' 2>/dev/null); \
	[ -n "$$files" ] || files=$$(find . -name '*.go' -not -path './.git/*' -not -path './testdata/*'); \
	out=$$([ -z "$$files" ] || gofmt -l $$files); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	$(STATICCHECK) ./...

# The performance suite behind SPEC §8 and BENCHMARKS.md: each proof
# benchmark BENCHCOUNT times (the ratios are measured within one run;
# repeat to see their spread, or compare two bench.txt with benchstat).
# Output goes to the terminal and to bench.txt. About 10 minutes on 2 cores.
BENCH      ?= APICalls|CreationPacing|ColdStart|BinaryPeakRSS|RunMemory|Corpus|Report10k
BENCHCOUNT ?= 5
bench:
	@{ echo "# $$(go version); $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') CPUs; $$(date -u +%Y-%m-%dT%H:%MZ)"; \
	  go test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCHCOUNT) -timeout 3h ./...; \
	  echo "# exit status $$?"; } 2>&1 | tee bench.txt
	@! grep -q '^# exit status [1-9]' bench.txt

# The scale benchmarks (BENCHMARKS.md, "Scale"): lint, first sync, steady
# sync and report on generated collections of realistic postmortems,
# 1,000 and 10,000 items (SCALE=100k adds 100,000, which takes an hour or
# more; SCALE=1k,50k picks sizes), each phase in a child process, with a
# naive client's calls as the baseline. Prints a table (also in
# bin/scale.txt). Ratios are per item against the 1,000-item run of the
# same invocation. Knobs (environment): PMSYNC_SCALE_TRACKER=jira|mixed,
# PMSYNC_SCALE_MODE=binary|inproc, PMSYNC_SCALE_GOMEMLIMIT=off,
# PMSYNC_SCALE_TIMEOUT (per phase, default 25m), PMSYNC_SCALE_OUT=DIR
# (CPU and heap profiles per phase).
SCALE ?= $(PMSYNC_SCALE)
scale:
	@mkdir -p bin
	@{ echo "# $$(go version); $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') CPUs; load average $$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'); $$(date -u +%Y-%m-%dT%H:%MZ)"; \
	  PMSYNC_SCALE='$(SCALE)' go test -run '^$$' -bench '^BenchmarkScale$$' -benchtime=1x -count=1 -timeout 8h ./cmd/pmsync; \
	  echo "# exit status $$?"; echo "# load average after: $$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"; } 2>&1 | tee bin/scale.txt
	@! grep -q '^# exit status [1-9]' bin/scale.txt

cover:
	go test -count=1 -covermode=atomic -coverprofile=coverage.out ./...
	go tool cover -func=coverage.out | tail -n 1
	go tool cover -html=coverage.out -o coverage.html

# Each fuzz target for FUZZTIME; go test -fuzz takes one target at a time.
fuzz:
	@grep -r --include='*_test.go' -l '^func Fuzz' . | while read -r f; do \
		dir=$$(dirname "$$f"); \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$f"); do \
			echo "go test -run '^$$' -fuzz '^$$t$$' -fuzztime $(FUZZTIME) $$dir"; \
			go test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) "$$dir" || exit 1; \
		done; \
	done

# Rewrite the golden files of the document engine after a deliberate change.
update:
	go test ./sync/postmortem -run Golden -update

clean:
	rm -rf bin coverage.out coverage.html
