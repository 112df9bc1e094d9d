#!/bin/bash
# Container health check: GET /healthz on the service's own port answers 200.
# No curl in the runtime image, so bash's /dev/tcp speaks HTTP/1.0 directly.
set -euo pipefail
path="${1:-/healthz}"
exec 3<>"/dev/tcp/127.0.0.1/${HTTP_PORT:-8080}"
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$path" >&3
read -r -t 3 _ status _ <&3
[ "$status" = "200" ]
