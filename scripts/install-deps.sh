#!/usr/bin/env bash
# Installs the system and Python packages Runway's build and tests need, only when missing.
# Safe to run repeatedly; used by `make test`, `make demo` and CI on a fresh Debian/Ubuntu machine.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

apt_pkgs=(libpq-dev libssl-dev libcurl4-openssl-dev postgresql python3 python3-pip openssl curl)
# The status-page browser test (Tests/IntegrationTests/StatusPageBrowserTests) and the demo's screenshot.
apt_pkgs+=(chromium fonts-dejavu-core)
# Extra apt packages a make target asks for (e.g. bench tools), space separated.
if [ -n "${RUNWAY_EXTRA_APT:-}" ]; then read -r -a extra <<<"$RUNWAY_EXTRA_APT"; apt_pkgs+=("${extra[@]}"); fi

missing=()
for p in "${apt_pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # python3/pip may come from elsewhere (pyenv); accept them when on PATH.
    case "$p" in
      python3) command -v python3 >/dev/null && continue ;;
      python3-pip) python3 -m pip --version >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python packages: the AWS emulator and the test stand-ins.
pip_pkgs=("moto[server]:moto" "boto3:boto3" "cryptography:cryptography" "kubernetes-validate:kubernetes_validate" "PyYAML:yaml")
if [ -n "${RUNWAY_EXTRA_PIP:-}" ]; then read -r -a extra <<<"$RUNWAY_EXTRA_PIP"; pip_pkgs+=("${extra[@]}"); fi
need=()
for spec in "${pip_pkgs[@]}"; do
  pkg="${spec%%:*}"; mod="${spec##*:}"
  python3 -c "import $mod" >/dev/null 2>&1 || need+=("$pkg")
done
if ! command -v moto_server >/dev/null 2>&1; then need+=("moto[server]"); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: pip install ${need[*]}"
  python3 -m pip install -q "${need[@]}" 2>/dev/null || python3 -m pip install -q --break-system-packages "${need[@]}"
fi
