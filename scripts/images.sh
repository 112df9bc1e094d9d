#!/usr/bin/env bash
# `make images`: builds Runway's images with podman or docker, whichever exists:
#   localhost/runway-{producer,publisher,orchestrator}:TAG  the three services
#   localhost/runway-cli:TAG                               `runway` (the migration job)
#   localhost/runway-local-tools:TAG                       moto + GitHub stand-in (compose.local.yml)
#
#   scripts/images.sh                  binaries built on this machine, copied into the runtime stage
#   scripts/images.sh --from-source    the Dockerfile's own Swift stage (needs the Swift image)
#
# RUNWAY_IMAGE_PREFIX (default localhost/runway), RUNWAY_IMAGE_TAG (default dev), and the variables of
# scripts/containers-env.sh. Prints one line per image: name and size in bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/containers-env.sh

PREFIX="${RUNWAY_IMAGE_PREFIX:-localhost/runway}"
TAG="${RUNWAY_IMAGE_TAG:-dev}"
MODE=prebuilt
[ "${1:-}" = "--from-source" ] && MODE=build
SERVICES=(producer publisher orchestrator runway)

containers_engine
containers_runtime_base

build() { # build ENGINE ARGS...
  local args=("$@")
  if [ "$ENGINE" = "podman" ]; then
    # docker format keeps HEALTHCHECK; host network lets apt reach Debian's mirror.
    podman build -q --format docker --network host "${args[@]}"
  else
    docker build -q "${args[@]}"
  fi
}

image_name() { if [ "$1" = "runway" ]; then echo "$PREFIX-cli:$TAG"; else echo "$PREFIX-$1:$TAG"; fi; }

CTX="$(mktemp -d /tmp/runway-images.XXXXXX)"
trap 'rm -rf "$CTX"' EXIT
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

if [ "$MODE" = "prebuilt" ]; then
  # Release binaries with the Swift runtime linked in, stripped (the build stage does the same).
  for product in "${SERVICES[@]}"; do
    swift build -c release --static-swift-stdlib --product "$product" >&2
  done
  bin="$(swift build -c release --show-bin-path)"
  mkdir -p "$CTX/Dockerfiles"
  for product in "${SERVICES[@]}"; do
    cp "$bin/$product" "$CTX/$product"
    strip "$CTX/$product"
  done
  cp Dockerfiles/healthcheck.sh "$CTX/Dockerfiles/"
  # SwiftPM resource bundles (JobStore's migrations): Bundle.module looks beside the executable.
  mkdir -p "$CTX/resources"
  find "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} "$CTX/resources/" \;
  context="$CTX"
else
  context="."
fi

for service in "${SERVICES[@]}"; do
  build -f Dockerfiles/Dockerfile \
    --build-arg BINARIES="$MODE" --build-arg SERVICE="$service" \
    --build-arg RUNTIME_IMAGE="$RUNTIME_IMAGE" --build-arg REVISION="$revision" \
    ${RUNWAY_SWIFT_IMAGE:+--build-arg SWIFT_IMAGE="$RUNWAY_SWIFT_IMAGE"} \
    -t "$(image_name "$service")" "$context" >/dev/null
done

# The local stand-ins: their own small context (the stand-in scripts and local-init).
mkdir -p "$CTX/tools/Tests/StandIns" "$CTX/tools/Tests/GitHubTests/Fixtures/rest" "$CTX/tools/compose/local"
if [ -d Tests/StandIns ]; then cp -R Tests/StandIns/. "$CTX/tools/Tests/StandIns/"; fi
if [ -d Tests/GitHubTests/Fixtures/rest ]; then cp -R Tests/GitHubTests/Fixtures/rest/. "$CTX/tools/Tests/GitHubTests/Fixtures/rest/"; fi
cp compose/local/local-init.py compose/local/github-standin.py "$CTX/tools/compose/local/"
tools_base=()
if [ "$RUNTIME_IMAGE" = "$RUNWAY_LOCAL_BASE" ]; then tools_base=(--build-arg PYTHON_IMAGE="$RUNTIME_IMAGE"); fi
# pip inside the build trusts what this machine trusts (a TLS-inspecting proxy's CA, for one).
host_ca=/etc/ssl/certs/ca-certificates.crt
if [ "$ENGINE" = "podman" ] && [ -f "$host_ca" ]; then
  tools_base+=(--volume "$host_ca:/run/host-ca.crt:ro" --build-arg PIP_CERT=/run/host-ca.crt)
fi
build -f Dockerfiles/Dockerfile.local-tools "${tools_base[@]}" -t "$PREFIX-local-tools:$TAG" "$CTX/tools" >/dev/null

# Without a registry there is no postgres:16-bookworm either: a Debian-packaged one with its interface.
extra=(local-tools)
if [ "$RUNTIME_IMAGE" = "$RUNWAY_LOCAL_BASE" ]; then
  mkdir -p "$CTX/Dockerfiles"; cp Dockerfiles/local-postgres-entrypoint.sh "$CTX/Dockerfiles/"
  build -f Dockerfiles/Dockerfile.local-postgres --build-arg BASE_IMAGE="$RUNTIME_IMAGE" \
    -t "$PREFIX-local-postgres:$TAG" "$CTX" >/dev/null
  extra+=(local-postgres)
fi

for service in "${SERVICES[@]}" "${extra[@]}"; do
  case "$service" in
    local-*) name="$PREFIX-$service:$TAG" ;;
    *) name="$(image_name "$service")" ;;
  esac
  echo "$name $($ENGINE image inspect --format '{{.Size}}' "$name")"
done
