#!/usr/bin/env bash
# `make compose-check`: hadolint on the Dockerfiles and `docker-compose config -q` on the compose
# files (alone, with the local override, with .env.example). No engine, no images.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/static-checks.sh dockerfiles compose
