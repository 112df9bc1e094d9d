#!/usr/bin/env bash
# Shared by scripts/images.sh and scripts/compose-smoke.sh (sourced, not run): picks the container
# engine, sets podman up the way this machine kind needs (runc, low ulimits), and makes the local
# Debian base image when there is no registry to pull one from.
#
#   RUNWAY_ENGINE            podman | docker (default: podman when installed, else docker)
#   RUNWAY_RUNTIME_IMAGE     runtime base (default: a local debootstrap image for podman,
#                            debian:bookworm-slim for docker)
#   RUNWAY_CONTAINERS_STATE  where containers.conf and the debootstrap tree live
#                            (default /var/tmp/runway-containers)

RUNWAY_CONTAINERS_STATE="${RUNWAY_CONTAINERS_STATE:-/var/tmp/runway-containers}"
RUNWAY_LOCAL_BASE="localhost/runway-base:bookworm"

containers_log() { echo "containers: $*" >&2; }

# Installs Debian packages when missing (root or sudo).
containers_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" = "0" ] || sudo="sudo"
  containers_log "apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Installs PyPI tools when their command is missing: containers_pip COMMAND PACKAGE ...
containers_pip() {
  local cmd="$1"; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  containers_log "pip install $*"
  python3 -m pip install -q "$@" 2>/dev/null || python3 -m pip install -q --break-system-packages "$@"
  # pip puts console scripts here; a pyenv shim for a new one appears only after a rehash.
  PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
  hash -r
}

# Sets ENGINE (podman or docker) and, for podman, CONTAINERS_CONF.
containers_engine() {
  ENGINE="${RUNWAY_ENGINE:-}"
  if [ -z "$ENGINE" ]; then
    if command -v podman >/dev/null 2>&1; then ENGINE=podman
    elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then ENGINE=docker
    else containers_apt podman runc; ENGINE=podman
    fi
  fi
  if [ "$ENGINE" = "podman" ]; then
    containers_apt podman runc
    mkdir -p "$RUNWAY_CONTAINERS_STATE"
    if [ -z "${CONTAINERS_CONF:-}" ]; then
      # runc instead of crun, and ulimits a sandboxed machine grants (see TESTING-ENV.md).
      cat >"$RUNWAY_CONTAINERS_STATE/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
CONF
      export CONTAINERS_CONF="$RUNWAY_CONTAINERS_STATE/containers.conf"
    fi
  fi
  export ENGINE
}

# Sets RUNTIME_IMAGE; with podman and no image given, imports a slimmed debootstrap of Debian 12.
containers_runtime_base() {
  if [ -n "${RUNWAY_RUNTIME_IMAGE:-}" ]; then RUNTIME_IMAGE="$RUNWAY_RUNTIME_IMAGE"; return 0; fi
  if [ "$ENGINE" != "podman" ]; then RUNTIME_IMAGE="debian:bookworm-slim"; return 0; fi
  RUNTIME_IMAGE="$RUNWAY_LOCAL_BASE"
  podman image exists "$RUNTIME_IMAGE" && return 0
  containers_apt debootstrap
  local root="$RUNWAY_CONTAINERS_STATE/bookworm-rootfs"
  if [ ! -x "$root/bin/bash" ]; then
    containers_log "debootstrap --variant=minbase bookworm (about a minute)"
    rm -rf "$root"
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$RUNWAY_CONTAINERS_STATE/debootstrap.log" 2>&1 \
      || { tail -20 "$RUNWAY_CONTAINERS_STATE/debootstrap.log" >&2; return 1; }
  fi
  # What debian:bookworm-slim leaves out: package caches, indexes, docs, man pages, translations.
  tar -C "$root" \
    --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/cache/apt/*.bin' \
    --exclude='./var/lib/apt/lists/*' --exclude='./usr/share/doc/*' --exclude='./usr/share/man/*' \
    --exclude='./usr/share/locale/*' --exclude='./usr/share/info/*' -c . \
    | podman import --change 'CMD ["/bin/bash"]' - "$RUNTIME_IMAGE" >/dev/null
  containers_log "imported $RUNTIME_IMAGE"
}
