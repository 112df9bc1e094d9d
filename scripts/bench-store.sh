#!/usr/bin/env bash
# `make bench-store`: the JobStore against pgbench running the equivalent raw SQL, in the same run,
# on the same throwaway Postgres (scripts/test-env.sh: fsync=on, synchronous_commit=on), at the
# same concurrency. Writes the "store" section of bench/RESULTS.md.
#
#   BENCH_STORE_SECONDS=5          seconds per measured run
#   BENCH_STORE_FINISHED=5000000   finished rows for the claim-latency case (the issue's case;
#                                  seeding takes about two minutes here; lower it for a quick run)
#   BENCH_STORE_CLAIMERS=4         concurrent claimers (store tasks and pgbench clients)
#   BENCH_STORE_ROUNDS=2           alternating store/pgbench rounds; the best of each side counts
#                                  (the machine is shared, so single runs are noisy)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${RUNWAY_TEST_DATABASE_URL:-}" ]; then
  swift build -c release --product JobStoreBench
  exec scripts/test-env.sh "$0" "$@"
fi

RUN_SECONDS="${BENCH_STORE_SECONDS:-5}"
FINISHED="${BENCH_STORE_FINISHED:-5000000}"
CLAIMERS="${BENCH_STORE_CLAIMERS:-4}"
ROUNDS="${BENCH_STORE_ROUNDS:-2}"
PENDING_FOR_RATE=1000000
PENDING_FOR_LATENCY=100000
BIN="$(swift build -c release --show-bin-path)/JobStoreBench"
PG_BIN="$(dirname "$RUNWAY_TEST_PG_CTL")"
DB="${RUNWAY_TEST_DATABASE_URL%/*}/runway_bench"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

log() { echo "bench-store: $*" >&2; }
sql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$DB" -c "$1"; }
# pgbench prints "tps = N (without initial connection time)".
pgb() { "$PG_BIN/pgbench" -n -M prepared "$@" "$DB" 2>/dev/null | awk '/^tps = / { printf "%.0f", $3 }'; }
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}x' if b else 'n/a')" "$1" "$2"; }
times() { python3 -c "import sys; print(f'{float(sys.argv[1]) * float(sys.argv[2]):.0f}')" "$1" "$2"; }
best() { python3 -c "import sys; print(max(int(x) for x in sys.argv[1:]))" "$@"; }

"$PG_BIN/psql" -X -q "${RUNWAY_TEST_DATABASE_URL}" -c "DROP DATABASE IF EXISTS runway_bench" -c "CREATE DATABASE runway_bench"
"$BIN" migrate "$DB" >/dev/null
[ "$("$PG_BIN/psql" -X -At "$DB" -c 'SHOW synchronous_commit')" = "on" ] || { echo "synchronous_commit is not on" >&2; exit 1; }

# --- (a) durable webhook upserts --------------------------------------------------------------
# The same statement JobStore.record sends, shared with bench-producer (bench/sql/upsert.sql).
UPSERT_SQL="$(grep -v '^\\set\|^--' bench/sql/upsert.sql)"
{ echo '\set id random(1, 900000000000)'; echo "$UPSERT_SQL"; } >"$WORK/upsert.sql"
{ echo '\set id random(1, 900000000000)'; echo 'BEGIN;'
  for _ in $(seq 1 10); do echo '\set id random(1, 900000000000)'; echo "$UPSERT_SQL"; done; echo 'COMMIT;'; } >"$WORK/upsert10.sql"

declare -A UP_STORE UP_PGB
for c in 1 16 64; do
  UP_PGB[$c]=0; UP_STORE[$c]=0
  for r in $(seq 1 "$ROUNDS"); do
    log "upserts at $c callers, round $r"
    UP_PGB[$c]="$(best "${UP_PGB[$c]}" "$(pgb -c "$c" -j 2 -T "$RUN_SECONDS" -f "$WORK/upsert.sql")")"
    UP_STORE[$c]="$(best "${UP_STORE[$c]}" "$("$BIN" upsert "$DB" "$c" "$RUN_SECONDS" | sed 's/rate=//')")"
  done
done
log "pgbench, 10 upserts per commit, 16 clients"
UP_PGB10="$(times "$(pgb -c 16 -j 2 -T "$RUN_SECONDS" -f "$WORK/upsert10.sql")" 10)"

# --- (b) claim throughput from 1,000,000 pending rows -------------------------------------------
seed_pending() {  # $1 = pending rows, $2 = finished rows
  sql "TRUNCATE jobs, deliveries, runners"
  sql "INSERT INTO jobs (id, run_id, run_attempt, repository, owner, labels, pool, status, conclusion, dispatch_state,
                         next_attempt_at, received_at, completed_at, updated_at)
       SELECT g, g, 1, 'octo/repo', 'octo', ARRAY['self-hosted', 'linux'], 'bench', 'completed', 'success', 'done',
              now() - interval '30 days', now() - interval '30 days' + g * interval '1 ms', now() - interval '29 days',
              now() - interval '29 days'
       FROM generate_series(1, $2) AS g"
  sql "INSERT INTO jobs (id, run_id, run_attempt, repository, owner, labels, pool, status, dispatch_state,
                         next_attempt_at, received_at, updated_at)
       SELECT g, g, 1, 'octo/repo', 'octo', ARRAY['self-hosted', 'linux'], 'bench', 'queued', 'pending',
              now() - interval '1 day', now() - interval '1 day' + (g - $2) * interval '1 ms', now()
       FROM generate_series($2 + 1, $2 + $1) AS g"
  sql "VACUUM ANALYZE jobs"
}

CLAIM_SQL="WITH picked AS (
    SELECT id FROM jobs
    WHERE pool = 'bench' AND dispatch_state = 'pending' AND status = 'queued' AND next_attempt_at <= now()
    ORDER BY received_at, id LIMIT :batch FOR UPDATE SKIP LOCKED
)
UPDATE jobs AS j SET dispatch_state = 'dispatching', lease_owner = 'pgbench-' || :client_id,
    lease_token = nextval('jobs_lease_token'), lease_expires_at = now() + interval '10 minutes', updated_at = now()
FROM picked WHERE j.id = picked.id
RETURNING j.*;"
echo "$CLAIM_SQL" >"$WORK/claim.sql"

log "seeding $PENDING_FOR_RATE pending jobs"
seed_pending "$PENDING_FOR_RATE" 0
declare -A CL_STORE CL_PGB
for b in 1 10 100; do
  CL_PGB[$b]=0; CL_STORE[$b]=0
  for r in $(seq 1 "$ROUNDS"); do
    log "claims, batch $b, $CLAIMERS claimers, round $r"
    sql "VACUUM jobs"
    CL_PGB[$b]="$(best "${CL_PGB[$b]}" "$(times "$(pgb -c "$CLAIMERS" -j 2 -T "$RUN_SECONDS" -D batch="$b" -f "$WORK/claim.sql")" "$b")")"
    sql "VACUUM jobs"
    CL_STORE[$b]="$(best "${CL_STORE[$b]}" "$("$BIN" claim "$DB" "$CLAIMERS" "$b" "$RUN_SECONDS" | sed 's/rate=//')")"
  done
done

# --- (c) claim latency: 100,000 pending with and without FINISHED finished rows --------------------
log "claim latency, $PENDING_FOR_LATENCY pending, no finished rows"
seed_pending "$PENDING_FOR_LATENCY" 0
EMPTY="$("$BIN" latency "$DB" 10 3000)"
log "seeding $FINISHED finished rows + $PENDING_FOR_LATENCY pending"
seed_pending "$PENDING_FOR_LATENCY" "$FINISHED"
FULL="$("$BIN" latency "$DB" 10 3000)"
p99() { echo "$1" | sed 's/.*p99_ms=//'; }
p50() { echo "$1" | sed 's/p50_ms=\([^ ]*\).*/\1/'; }

"$PG_BIN/psql" -X -q "${RUNWAY_TEST_DATABASE_URL}" -c "DROP DATABASE runway_bench"

{
  echo "## Job store (\`make bench-store\`)"
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), fsync=on, synchronous_commit=on, ${RUN_SECONDS} s per run. pgbench runs the same SQL (\`-M prepared\`) at the same concurrency."
  echo
  echo "| Measure | Concurrency | JobStore | pgbench | Ratio | Target |"
  echo "|---|---|---:|---:|---:|---|"
  for c in 1 16 64; do
    target="—"; [ "$c" != 1 ] && target=">= 1.5x"
    echo "| durable upserts/s (one delivery per call) | $c callers | ${UP_STORE[$c]} | ${UP_PGB[$c]} | $(ratio "${UP_STORE[$c]}" "${UP_PGB[$c]}") | $target |"
  done
  echo "| durable upserts/s, pgbench 10 per commit (reference) | 16 clients | — | $UP_PGB10 | — | — |"
  for b in 1 10 100; do
    echo "| jobs claimed/s, batch $b, 1 M pending | $CLAIMERS claimers | ${CL_STORE[$b]} | ${CL_PGB[$b]} | $(ratio "${CL_STORE[$b]}" "${CL_PGB[$b]}") | >= 0.8x |"
  done
  echo
  echo "| Claim latency (batch 10, one claimer, 3000 claims) | p50 ms | p99 ms | p99 vs empty | Target |"
  echo "|---|---:|---:|---:|---|"
  echo "| 100 k pending, no finished rows | $(p50 "$EMPTY") | $(p99 "$EMPTY") | 1.00x | — |"
  echo "| 100 k pending, $FINISHED finished rows | $(p50 "$FULL") | $(p99 "$FULL") | $(ratio "$(p99 "$FULL")" "$(p99 "$EMPTY")") | <= 2x |"
} | tee /dev/stderr | scripts/bench-section.sh store
