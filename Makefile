# Thin targets over cargo (and, for deployment, the AWS CLI).
# The two commands a newcomer needs: `make demo` and `make test`.

CARGO ?= cargo
PIXELSTREAM := target/release/pixelstream
FIXTURE_DOMAINS := mydomain.tld,shop.example.com,blog.example.org
OUT ?= out

.PHONY: demo build test tools lint golden bench schema clean

## demo: build, replay fixtures/ into ./out/ as Firehose would, print a per-partition summary
demo: build
	rm -rf $(OUT)
	$(PIXELSTREAM) replay --fields ownstats --domains $(FIXTURE_DOMAINS) --out $(OUT) fixtures/lines/ownstats.tsv >/dev/null
	$(PIXELSTREAM) replay --fields default --domains $(FIXTURE_DOMAINS) --out $(OUT) fixtures/lines/default.tsv >/dev/null
	$(PIXELSTREAM) replay --fields ownstats --domains $(FIXTURE_DOMAINS) --out $(OUT) fixtures/bench/log-lines-n2000.tsv >/dev/null
	@echo
	@echo "Records per partition in $(OUT)/:"
	@find $(OUT) -name '*.ndjson' -path '*domain_name=*' | sed -E 's|/part-[^/]+$$||' | sort | uniq -c | \
		while read -r files dir; do printf '%8s  %s\n' "$$(cat $$dir/*.ndjson | wc -l)" "$$dir"; done
	@printf '%8s  %s\n' "$$(cat $(OUT)/errors/processing-failed/*.ndjson 2>/dev/null | wc -l)" "$(OUT)/errors/processing-failed"

build:
	$(CARGO) build --release --locked --bin pixelstream

## test: formatting, lints, every test (installs the pinned Python test tools into .venv first)
test: lint tools
	$(CARGO) test --locked

## tools: the pinned Python tools tests use (moto's local AWS endpoint), in .venv
tools: .venv/.installed
.venv/.installed: tools/requirements.txt
	python3 -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	touch $@

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

## golden: regenerate the golden files from the code, for review before committing
golden:
	PIXELSTREAM_BLESS=1 $(CARGO) test --locked --test cli

## bench: throughput of the batch function on the 2,000-record bench batch (records/s)
bench:
	$(CARGO) bench --locked --bench batch

## schema: print the output schema
schema:
	@$(CARGO) run --quiet --locked --bin pixelstream -- schema

clean:
	rm -rf $(OUT) .venv
	$(CARGO) clean
