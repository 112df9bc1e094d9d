#!/usr/bin/env bash
# `make test`: builds, then runs every test with a throwaway Postgres and moto (scripts/test-env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
swift build --build-tests
# Fast checks that need no Swift (Dockerfiles, compose, manifests) run when present.
if [ -x scripts/static-checks.sh ]; then scripts/static-checks.sh; fi
scripts/test-env.sh swift test --skip-build
