#!/usr/bin/env bash
# Runs a command with a throwaway Postgres and a signature-checking moto server on loopback
# ports of their own, and stops both on every exit path.
#
#   scripts/test-env.sh swift test            # what `make test` does
#   scripts/test-env.sh bash                  # a shell with the environment, for development
#
# Exports to the command:
#   RUNWAY_TEST_DATABASE_URL      postgresql://postgres@127.0.0.1:PORT/runway_test
#   RUNWAY_TEST_PG_CTL            "runuser -u postgres -- pg_ctl -D DIR" prefix for restart tests
#   RUNWAY_TEST_PG_DATA           data directory
#   RUNWAY_TEST_PG_SCRIPT         scripts/test-pg.sh: stop|start|restart this Postgres (fault tests)
#   RUNWAY_TEST_MOTO_URL          http://127.0.0.1:PORT
#   RUNWAY_TEST_AWS_ACCESS_KEY_ID / RUNWAY_TEST_AWS_SECRET_ACCESS_KEY   valid moto credentials
set -euo pipefail

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}"
[ -x "$PG_BIN/initdb" ] || { echo "test-env: PostgreSQL binaries not found (run scripts/install-deps.sh)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

WORK="$(mktemp -d /tmp/runway-test-env.XXXXXX)"
chmod 755 "$WORK"
PG_DATA="$WORK/pg"
PG_SOCK="$WORK/sock"
mkdir -p "$PG_SOCK"
chown postgres "$PG_SOCK" 2>/dev/null || true
PG_PORT="$(free_port)"
MOTO_PORT="$(free_port)"
MOTO_PID=""

as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  local rc=$?
  if [ -n "$MOTO_PID" ]; then kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; fi
  if [ -f "$PG_DATA/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" = "0" ]; then chown postgres "$WORK"; fi
as_pg "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres --no-sync >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; exit 1; }
PG_OPTS="-k $PG_SOCK -p $PG_PORT -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on"
as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg.log" -w -o "$PG_OPTS" start >/dev/null \
  || { cat "$WORK/pg.log" >&2; exit 1; }
as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE runway_test" >/dev/null

moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$MOTO_PORT/moto-api/" >/dev/null 2>&1 && break
  sleep 0.1
done
eval "$(python3 "$(dirname "$0")/moto-setup.py" "http://127.0.0.1:$MOTO_PORT")"

export RUNWAY_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/runway_test"
export RUNWAY_TEST_PG_CTL="$PG_BIN/pg_ctl"
export RUNWAY_TEST_PG_DATA="$PG_DATA"
export RUNWAY_TEST_PG_OPTS="$PG_OPTS"
export RUNWAY_TEST_PG_LOG="$WORK/pg.log"
# `scripts/test-pg.sh stop|start|restart` controls this Postgres from tests.
export RUNWAY_TEST_PG_SCRIPT="$(cd "$(dirname "$0")" && pwd)/test-pg.sh"
export RUNWAY_TEST_MOTO_URL="http://127.0.0.1:$MOTO_PORT"
export RUNWAY_TEST_WORK="$WORK"
echo "test-env: postgres on 127.0.0.1:$PG_PORT, moto on 127.0.0.1:$MOTO_PORT (auth on)" >&2
"$@"
