# Runway — the commands a newcomer and CI run. Every target installs what it needs when missing.
SHELL := /bin/bash
SWIFT ?= swift
ARGS ?=

.PHONY: all build deps test demo bench bench-http bench-store bench-aws bench-producer bench-publisher bench-system \
        fuzz images compose-check deploy-check compose-smoke clean

all: build

deps:
	scripts/install-deps.sh

build: deps
	$(SWIFT) build

## make test — installs what is missing, starts Postgres and moto on loopback, runs every test.
test: deps
	scripts/test.sh

## make demo — the whole flow on this machine (ARGS=--keep leaves the stack up).
demo: deps
	scripts/demo.sh $(ARGS)

## Benchmarks: each rewrites its section of bench/RESULTS.md with the machine and date.
bench: bench-http bench-store bench-aws bench-producer bench-publisher bench-system

bench-http:
	scripts/bench-http.sh

bench-store: deps
	scripts/bench-store.sh

bench-aws: deps
	scripts/bench-aws.sh

bench-producer: deps
	scripts/bench-producer.sh

bench-publisher: deps
	scripts/bench-publisher.sh

## make bench-system — the whole stack under webhook load (latency, saturation, CPU/job, RSS, burst).
bench-system: deps
	scripts/bench-system.sh

## make fuzz — libFuzzer on the HTTP request parser for FUZZ_SECONDS (default 300).
fuzz:
	scripts/fuzz.sh

## Containers and deployment.
images:
	scripts/images.sh

compose-check:
	scripts/compose-check.sh

deploy-check:
	scripts/deploy-check.sh

compose-smoke:
	scripts/compose-smoke.sh

clean:
	rm -rf .build
