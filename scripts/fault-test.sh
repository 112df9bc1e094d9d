#!/usr/bin/env bash
# The fault test (docs/fault-tests.md): 500 jobs through the whole stack while services are
# SIGKILLed and restarted, Postgres restarts, 20% of AWS calls are throttled and the Publisher's
# notifications are dropped; then checks that nothing was lost, doubled or left running.
# Runs inside scripts/test-env.sh unless already there (`make test` calls it from inside).
# Expects a debug build (`swift build`); `make test` builds first.
#
#   scripts/fault-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .build/debug/producer ] || [ ! -x .build/debug/orchestrator ]; then
  echo "fault-test: no debug build (.build/debug); run swift build first" >&2; exit 1
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ -z "${RUNWAY_TEST_DATABASE_URL:-}" ]; then
  exec scripts/test-env.sh python3 scripts/demo/fault_test.py "$@"
fi
exec python3 scripts/demo/fault_test.py "$@"
