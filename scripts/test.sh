#!/usr/bin/env bash
# `make test`: builds, then runs every check and test with a throwaway Postgres and moto
# (scripts/test-env.sh). Fast static checks (Dockerfiles, compose, manifests) run first when present;
# the fault test (scripts/fault-test.sh, ~2 min, docs/fault-tests.md) runs after the Swift tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
swift build --build-tests
scripts/test-env.sh bash -c '
  set -e
  if [ -x scripts/static-checks.sh ]; then scripts/static-checks.sh; fi
  swift test --skip-build --no-parallel
  scripts/fault-test.sh
'
