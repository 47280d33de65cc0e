# Thin targets over cargo (and, for deployment, the AWS CLI).
# The two commands a newcomer needs: `make demo` and `make test`.

CARGO ?= cargo
PIXELSTREAM := target/release/pixelstream
FIXTURE_DOMAINS := mydomain.tld,shop.example.com,blog.example.org
OUT ?= out

.PHONY: demo report sql-test build test tools tracker-test tracker-deps lint golden bench soak schema package deploy destroy clean

## demo: build, replay fixtures/ into ./out/ as Firehose would, then print the analytics
## summary of the SQL model (and write out/report.html)
demo: build tools
	rm -rf $(OUT)
	$(PIXELSTREAM) replay --fields ownstats --domains $(FIXTURE_DOMAINS) --out $(OUT) fixtures/lines/ownstats.tsv >/dev/null
	$(PIXELSTREAM) replay --fields default --domains $(FIXTURE_DOMAINS) --out $(OUT) fixtures/lines/default.tsv >/dev/null
	$(PIXELSTREAM) replay --fields ownstats --domains $(FIXTURE_DOMAINS) --out $(OUT) fixtures/bench/log-lines-n2000.tsv >/dev/null
	@echo
	@printf '%s records failed processing (%s)\n\n' "$$(cat $(OUT)/errors/processing-failed/*.ndjson 2>/dev/null | wc -l)" "$(OUT)/errors/processing-failed"
	@$(MAKE) --no-print-directory report

## report: apply sql/ with DuckDB over $(OUT) (Parquet, else NDJSON), print the summary per
## domain and write $(OUT)/report.html
report: tools
	@.venv/bin/python -m report --out $(OUT)

build:
	$(CARGO) build --release --locked --bin pixelstream

## test: formatting, lints, every test (installs the pinned Python test tools into .venv first),
## then the tracker in headless Chromium
test: lint tools
	.venv/bin/cfn-lint cloudformation/pixelstream.yaml
	$(MAKE) sql-test
	$(CARGO) test --workspace --locked
	$(MAKE) tracker-test

## sql-test: the SQL model on DuckDB (hand-computed figures), its Trino dialect guard, the
## Parquet output's Hive types and values, and the report, its page checked in headless Chromium
sql-test: tools tracker-deps
	$(CARGO) build --locked --bin pixelstream
	PIXELSTREAM_BIN=target/debug/pixelstream .venv/bin/pytest -q tests/sql

## tracker-test: the browser tracker: size budget, then an end-to-end test in headless Chromium
tracker-test: tracker-deps
	$(CARGO) build --locked --bin pixelstream
	PIXELSTREAM_BIN=target/debug/pixelstream node --test tracker/test.mjs

## tracker-deps: Debian's Chromium and the pinned npm dev tools
tracker-deps: tracker/node_modules/.installed
	@test -x /usr/bin/chromium || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
tracker/node_modules/.installed: tracker/package.json tracker/package-lock.json
	cd tracker && npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

## tools: the pinned Python tools (moto's local AWS endpoint, DuckDB, sqlglot, pytest), in .venv
tools: .venv/.installed
.venv/.installed: tools/requirements.txt
	python3 -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	touch $@

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --locked --all-targets -- -D warnings

## golden: regenerate the generated files from the code (fixture outputs, docs/schema.md, the
## template's Glue columns, uap-core's JSON), for review before committing
golden:
	PIXELSTREAM_BLESS=1 $(CARGO) test --locked -p pixelstream-core --lib
	PIXELSTREAM_BLESS=1 $(CARGO) test --locked --test cli --test template

## bench: throughput of the batch function on the 2,000-record bench batch (records/s), then
## whole-process replays of 100,000 lines and a 1 GB input (time, lines/s, peak RSS)
bench: build tools
	$(CARGO) bench --locked --bench batch
	python3 benches/replay.py --big

## soak: the release Lambda binary against a stand-in Runtime API, 1,000 invocations of the
## bench batch: RSS at invocations 1, 10, 100, 500, 1,000 (must stay flat), every response checked
soak:
	python3 benches/soak.py --build

## schema: print the output schema
schema:
	@$(CARGO) run --quiet --locked --bin pixelstream -- schema

## package: the Lambda zip (cargo-lambda from PyPI, arm64; x86_64 when the arm64 Rust target
## is missing, with a note). The Lambda build has no AWS SDK (--no-default-features).
ARCH ?= $(shell rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu && echo arm64 || echo x86_64)
LAMBDA_ZIP := target/lambda/pixelstream-lambda/bootstrap.zip
package: .venv/.packaging
	@if [ "$(ARCH)" = x86_64 ]; then echo "note: Rust target aarch64-unknown-linux-gnu is not installed (rustup target add aarch64-unknown-linux-gnu); building for x86_64 instead, deploy passes LambdaArchitecture=x86_64"; fi
	PATH="$(CURDIR)/.venv/bin:$$PATH" $(CARGO) lambda build --release --locked --no-default-features \
		--bin pixelstream-lambda $(if $(filter arm64,$(ARCH)),--arm64,--x86-64) --output-format zip
	@size=$$(stat -c %s $(LAMBDA_ZIP)); echo "$(LAMBDA_ZIP): $$size bytes ($(ARCH))"; \
		test $$size -lt 5000000 || { echo "the zip is over 5 MB"; exit 1; }
.venv/.packaging: tools/requirements-package.txt .venv/.installed
	.venv/bin/pip install --quiet --disable-pip-version-check -r tools/requirements-package.txt
	touch $@

## deploy: package, upload, deploy the stack, upload the tracker, create today's salt.
##   make deploy STACK=pixelstream DOMAINS=example.com,www.example.com [AWS_REGION=eu-central-1]
##     [PARAMETERS="AlarmEmail=you@example.com RateLimitPerFiveMinutes=1000"]
STACK ?= pixelstream
DOMAINS ?=
PARAMETERS ?=
deploy: package
	@test -n "$(DOMAINS)" || { echo "usage: make deploy STACK=name DOMAINS=example.com,www.example.com"; exit 2; }
	node tracker/build.mjs
	STACK=$(STACK) DOMAINS=$(DOMAINS) ARCH=$(ARCH) ZIP=$(LAMBDA_ZIP) PARAMETERS="$(PARAMETERS)" \
		sh cloudformation/deploy.sh

## destroy: empty the stack's buckets and delete it (the data goes with it)
destroy:
	STACK=$(STACK) sh cloudformation/destroy.sh

clean:
	rm -rf $(OUT) .venv
	$(CARGO) clean

## fuzz: coverage-guided fuzzing of the core (cargo-fuzz, pinned; nightly if rustup has it, else
## stable with RUSTC_BOOTSTRAP=1): seeds fuzz/corpus/ from fixtures/, then runs each target for
## FUZZ_SECONDS. A crash input lands in fuzz/artifacts/<target>/: copy it to
## fuzz/regressions/<target>/, where `make test` replays it on stable (tests/fuzz_regressions.rs)
.PHONY: fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= line firehose_event decode ndjson
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_CARGO := $(if $(shell rustup toolchain list 2>/dev/null | grep '^nightly'),$(CARGO) +nightly,RUSTC_BOOTSTRAP=1 $(CARGO))
FUZZ_FLAGS ?= --sanitizer none --debug-assertions
fuzz:
	@$(CARGO) fuzz --version 2>/dev/null | grep -qx 'cargo-fuzz $(CARGO_FUZZ_VERSION)' || \
		$(CARGO) install --locked cargo-fuzz --version $(CARGO_FUZZ_VERSION)
	python3 fuzz/seed.py
	$(FUZZ_CARGO) fuzz build $(FUZZ_FLAGS)
	@for target in $(FUZZ_TARGETS); do \
		dict=fuzz/dicts/$$target.dict; \
		echo "fuzz: $$target for $(FUZZ_SECONDS) s"; \
		$(FUZZ_CARGO) fuzz run $(FUZZ_FLAGS) $$target -- -max_total_time=$(FUZZ_SECONDS) \
			-max_len=32768 -timeout=10 -print_final_stats=1 \
			$$(test -f $$dict && echo "-dict=$(CURDIR)/$$dict") || exit 1; \
	done
