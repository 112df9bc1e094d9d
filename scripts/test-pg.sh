#!/usr/bin/env bash
# Stops, starts or restarts the Postgres of scripts/test-env.sh (for fault tests).
#   scripts/test-pg.sh stop|start|restart
set -euo pipefail
: "${RUNWAY_TEST_PG_CTL:?run inside scripts/test-env.sh}"
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-}" in
  stop) as_pg "$RUNWAY_TEST_PG_CTL" -D "$RUNWAY_TEST_PG_DATA" -m fast -w stop >/dev/null ;;
  start) as_pg "$RUNWAY_TEST_PG_CTL" -D "$RUNWAY_TEST_PG_DATA" -l "$RUNWAY_TEST_PG_LOG" -w -o "$RUNWAY_TEST_PG_OPTS" start >/dev/null ;;
  restart) as_pg "$RUNWAY_TEST_PG_CTL" -D "$RUNWAY_TEST_PG_DATA" -l "$RUNWAY_TEST_PG_LOG" -m fast -w -o "$RUNWAY_TEST_PG_OPTS" restart >/dev/null ;;
  *) echo "usage: $0 stop|start|restart" >&2; exit 2 ;;
esac
