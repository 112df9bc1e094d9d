#!/usr/bin/env bash
# Stops, starts or restarts the Postgres of scripts/test-env.sh (for fault tests).
#   scripts/test-pg.sh stop|start|restart
set -euo pipefail
: "${RUNWAY_TEST_PG_CTL:?run inside scripts/test-env.sh}"
# The postmaster outlives this script: it must not inherit the caller's descriptors (Foundation's
# Process watches one to notice its child exit, and would wait for the postmaster too) nor its
# blocked-signal mask. Exec pg_ctl with descriptors above 2 closed and an empty mask.
clear_mask() { python3 -c 'import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.closerange(3, 65536); os.execvp(sys.argv[1], sys.argv[1:])' "$@"; }
as_pg() { if [ "$(id -u)" = "0" ]; then clear_mask runuser -u postgres -- "$@"; else clear_mask "$@"; fi; }
case "${1:-}" in
  stop) as_pg "$RUNWAY_TEST_PG_CTL" -D "$RUNWAY_TEST_PG_DATA" -m fast -w stop >/dev/null ;;
  start) as_pg "$RUNWAY_TEST_PG_CTL" -D "$RUNWAY_TEST_PG_DATA" -l "$RUNWAY_TEST_PG_LOG" -w -o "$RUNWAY_TEST_PG_OPTS" start >/dev/null ;;
  restart) as_pg "$RUNWAY_TEST_PG_CTL" -D "$RUNWAY_TEST_PG_DATA" -l "$RUNWAY_TEST_PG_LOG" -m fast -w -o "$RUNWAY_TEST_PG_OPTS" restart >/dev/null ;;
  *) echo "usage: $0 stop|start|restart" >&2; exit 2 ;;
esac
