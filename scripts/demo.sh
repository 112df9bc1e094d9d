#!/usr/bin/env bash
# `make demo`: builds Runway, then runs the whole flow on this machine inside scripts/test-env.sh
# (a throwaway Postgres and moto); scripts/demo/replay.py starts the stand-ins and the three
# services, replays webhooks and prints the summary. Everything stops on exit.
#
#   scripts/demo.sh            # run to the summary, exit 0 when every expectation holds
#   scripts/demo.sh --keep     # leave the stack up (until Ctrl-C) and print its URLs
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building (swift build)"
BUILD_LOG="$(mktemp /tmp/runway-demo-build.XXXXXX)"
if ! swift build >"$BUILD_LOG" 2>&1; then
  tail -n 40 "$BUILD_LOG" >&2; rm -f "$BUILD_LOG"
  echo "demo: swift build failed" >&2; exit 1
fi
rm -f "$BUILD_LOG"
exec scripts/test-env.sh python3 scripts/demo/replay.py "$@"
