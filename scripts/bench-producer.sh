#!/usr/bin/env bash
# `make bench-producer`: signed workflow_job deliveries from wrk on loopback against the Producer
# (release build) with durable commits, at 16 and 64 connections; in the same run pgbench's
# single-row durable upsert rate (the same statement, bench/sql/upsert.sql) at the same
# concurrency. Writes the "producer" section of bench/RESULTS.md.
#   BENCH_PRODUCER_SECONDS=10   seconds per run      BENCH_PRODUCER_ROUNDS=2   alternating rounds
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${RUNWAY_TEST_DATABASE_URL:-}" ]; then
  RUNWAY_EXTRA_APT="wrk" scripts/install-deps.sh
  swift build -c release --product producer
  exec scripts/test-env.sh "$0" "$@"
fi

SECONDS_PER_RUN="${BENCH_PRODUCER_SECONDS:-10}"
ROUNDS="${BENCH_PRODUCER_ROUNDS:-2}"
PG_BIN="$(dirname "$RUNWAY_TEST_PG_CTL")"
DB="${RUNWAY_TEST_DATABASE_URL%/*}/runway_bench_producer"
BIN="$(swift build -c release --show-bin-path)/producer"
WORK="$(mktemp -d)"
PRODUCER_PID=""
cleanup() { [ -n "$PRODUCER_PID" ] && kill "$PRODUCER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
log() { echo "bench-producer: $*" >&2; }
psql_db() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$DB" -c "$1"; }

"$PG_BIN/psql" -X -q "$RUNWAY_TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS runway_bench_producer" -c "CREATE DATABASE runway_bench_producer"
cat >"$WORK/pools.yaml" <<'YAML'
pools:
  - {name: bench, host: eks, os: ubuntu, labels: [bench], orchestrator_url: "http://127.0.0.1:9", eks: {cluster: c}}
YAML
log "generating signed deliveries"
python3 bench/producer/make_deliveries.py 150000 bench-secret "$WORK/deliveries.tsv"

DATABASE_URL="$DB" GITHUB_WEBHOOK_SECRET=bench-secret RUNWAY_POOLS="$WORK/pools.yaml" RUNWAY_MIGRATE=1 \
  HTTP_HOST=127.0.0.1 HTTP_PORT=0 RUNWAY_PORT_FILE="$WORK/port" LOG_LEVEL=warning DATABASE_POOL_SIZE=16 \
  "$BIN" 2>"$WORK/producer.log" &
PRODUCER_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT="$(cat "$WORK/port")"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$PRODUCER_PID/stat"; }
hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$PRODUCER_PID/status"; }
tick="$(getconf CLK_TCK)"

run_wrk() { # connections -> "rate p50 p99 cpu_ms_per_delivery"
  psql_db "TRUNCATE jobs, deliveries, runners"
  local before after rows out
  before="$(cpu_ticks)"
  out="$(DELIVERIES="$WORK/deliveries.tsv" WRK_THREADS=2 wrk -t2 -c"$1" -d"${SECONDS_PER_RUN}s" --timeout 10s \
    -s bench/producer/deliveries.lua "http://127.0.0.1:$PORT" | grep '^RESULT')"
  after="$(cpu_ticks)"
  rows="$(psql_db "SELECT count(*) FROM jobs")"
  python3 - "$out" "$rows" "$SECONDS_PER_RUN" "$before" "$after" "$tick" <<'PY'
import re, sys
out, rows, secs, before, after, tick = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
f = dict(re.findall(r"(\w+)=([\d.]+)", out))
cpu_ms = (after - before) / tick * 1000 / max(rows, 1)
# Durable rate = rows committed / duration (a replayed delivery would be a cheap duplicate, so rows count, not requests).
print(f"{rows / secs:.0f} {f['p50_ms']} {f['p99_ms']} {cpu_ms:.2f} {f['non2xx']}")
PY
}
pgbench_rate() { "$PG_BIN/pgbench" -n -M prepared -c "$1" -j 2 -T "$SECONDS_PER_RUN" -f bench/sql/upsert.sql "$DB" 2>/dev/null | awk '/^tps = / {printf "%.0f", $3}'; }

declare -A P_RATE P_P50 P_P99 P_CPU G_RATE
for c in 16 64; do
  P_RATE[$c]=0; G_RATE[$c]=0
  for r in $(seq 1 "$ROUNDS"); do
    log "producer at $c connections, round $r"
    read -r rate p50 p99 cpu bad <<<"$(run_wrk "$c")"
    [ "$bad" = "0" ] || log "warning: $bad non-2xx answers"
    if [ "${rate%.*}" -gt "${P_RATE[$c]}" ]; then P_RATE[$c]=$rate; P_P50[$c]=$p50; P_P99[$c]=$p99; P_CPU[$c]=$cpu; fi
    log "pgbench at $c clients, round $r"
    psql_db "TRUNCATE jobs, deliveries, runners"
    g="$(pgbench_rate "$c")"
    [ "$g" -gt "${G_RATE[$c]}" ] && G_RATE[$c]=$g
  done
done
RSS="$(hwm_mb)"
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}x')" "$1" "$2"; }

{
  echo "## Producer (\`make bench-producer\`)"
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); Postgres fsync=on,"
  echo "synchronous_commit=on; wrk -t2 on loopback, ${SECONDS_PER_RUN} s runs, best of $ROUNDS alternating rounds;"
  echo "every request a new signed delivery; rate = rows committed per second."
  echo
  echo "| connections | Producer deliveries/s | ack p50 | ack p99 | Producer CPU per delivery | pgbench single-row upserts/s | ratio |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for c in 16 64; do
    echo "| $c | ${P_RATE[$c]} | ${P_P50[$c]} ms | ${P_P99[$c]} ms | ${P_CPU[$c]} ms | ${G_RATE[$c]} | $(ratio "${P_RATE[$c]}" "${G_RATE[$c]}") |"
  done
  echo
  echo "Producer peak RSS under load: ${RSS} MB. Targets: >= 1.2x pgbench at 64 connections (group commit),"
  echo "ack p99 under 20 ms at 1,000 deliveries/s (measured here at full load, a harder case), RSS under 40 MB."
} | tee /dev/stderr | scripts/bench-section.sh producer
