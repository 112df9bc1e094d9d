#!/usr/bin/env bash
# `make bench-system`: the whole stack under webhook load on loopback — release builds of the
# Producer, the Publisher and two Orchestrators as separate processes, a throwaway Postgres, moto,
# the GitHub stand-in, the Kubernetes stand-in, and bench/system/aws_endpoint.py recording every
# RunInstances. Measures webhook→RunInstances latency at 10/100/500 jobs/s, the sustained rate and
# the first component to saturate, CPU per job, peak RSS, and a 10,000-job burst drained at the
# pool's launch rate. Writes the "system" section of bench/RESULTS.md (docs/benchmarks.md).
#   BENCH_SYSTEM_STEPS=100,150,200,250,300,400,600   saturation steps (jobs/s)
#   BENCH_SYSTEM_BURST_JOBS=10000  BENCH_SYSTEM_BURST_RATE=200  BENCH_SYSTEM_STEP_SECONDS=6
#   BENCH_SYSTEM_LATENCY=10:20,100:10,500:5   latency runs (jobs/s:seconds)
#   BENCH_SYSTEM_KEEP=1   keep the work directory (logs)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${RUNWAY_TEST_DATABASE_URL:-}" ]; then
  for product in producer publisher orchestrator runway; do
    swift build -c release --product "$product"
  done
  exec scripts/test-env.sh "$0" "$@"
fi

BIN="$(swift build -c release --show-bin-path)"
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
python3 bench/system/system_bench.py "$BIN" >"$OUT"
cat "$OUT" >&2
scripts/bench-section.sh system <"$OUT"
