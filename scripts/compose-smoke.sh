#!/usr/bin/env bash
# `make compose-smoke`: the compose stack for real, on podman (minutes; not part of `make test`).
#   1. builds the images from binaries built here (scripts/images.sh; RUNWAY_SMOKE_SKIP_IMAGES=1 reuses them)
#   2. starts compose.yml + compose.local.yml with podman-compose, in the order the health-gated
#      depends_on asks for (podman 4.3 cannot wait for `service_healthy` itself, and without systemd
#      it runs no health checks on its own: this script runs them)
#   3. sends a signed workflow_job webhook to the Producer's published port
#   4. waits for the runner instance in the AWS emulator, completes the job, waits for tear-down
#   5. tears everything down; records image sizes and time-to-ready in bench/RESULTS.md
# RUNWAY_SMOKE_KEEP=1 leaves the stack up. RUNWAY_SMOKE_SERVICES="orchestrator" (a subset of
# "orchestrator publisher producer") starts only those and skips the flow: a partial run, which
# reports itself as failed. Network traffic stays on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
source scripts/containers-env.sh

PREFIX="${RUNWAY_IMAGE_PREFIX:-localhost/runway}"
TAG="${RUNWAY_IMAGE_TAG:-dev}"
PROJECT="runway-smoke-$$"
READY_TIMEOUT="${RUNWAY_SMOKE_READY_TIMEOUT:-120}"
FLOW_TIMEOUT="${RUNWAY_SMOKE_FLOW_TIMEOUT:-90}"

containers_engine
[ "$ENGINE" = "podman" ] || { echo "compose-smoke: needs podman (found $ENGINE)" >&2; exit 1; }
containers_pip podman-compose podman-compose
containers_runtime_base

step() { echo "compose-smoke: $*" >&2; }
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$(now) - $1:.1f}')"; }

if [ "${RUNWAY_SMOKE_SKIP_IMAGES:-0}" != "1" ]; then
  step "building images (scripts/images.sh)"
  scripts/images.sh >"/tmp/$PROJECT.images" || { cat "/tmp/$PROJECT.images" >&2; exit 1; }
fi
if [ "$RUNTIME_IMAGE" = "$RUNWAY_LOCAL_BASE" ]; then export POSTGRES_IMAGE="$PREFIX-local-postgres:$TAG"; fi

WEBHOOK_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export RUNWAY_WEBHOOK_BIND=127.0.0.1 RUNWAY_WEBHOOK_PORT="$WEBHOOK_PORT" RUNWAY_IMAGE_PREFIX="$PREFIX" RUNWAY_IMAGE_TAG="$TAG"
compose() { podman-compose -p "$PROJECT" -f "$ROOT/compose/compose.yml" -f "$ROOT/compose/compose.local.yml" "$@"; }
container() { echo "${PROJECT}_$1_1"; }

teardown() {
  local rc=$?
  if [ "${RUNWAY_SMOKE_KEEP:-0}" = "1" ]; then step "left running: project $PROJECT"; exit $rc; fi
  if [ $rc -ne 0 ]; then
    local s
    for s in postgres moto github local-init migrate orchestrator publisher producer; do
      echo "---- logs: $s" >&2; podman logs --tail 15 "$(container "$s")" 2>&1 | sed 's/^/    /' >&2 || true
    done
  fi
  step "tearing down $PROJECT"
  (cd compose && compose down -v -t 5 >/dev/null 2>&1) || true
  # What down leaves behind when a restarting container races it.
  podman pod rm -f "pod_$PROJECT" >/dev/null 2>&1 || true
  podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman rm -f >/dev/null 2>&1 || true
  podman network ls -q --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman network rm -f >/dev/null 2>&1 || true
  podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  rm -f "/tmp/$PROJECT.images"
  exit $rc
}
trap teardown EXIT INT TERM

# wait_healthy SERVICE [PATH]: runs the image's health check until it passes.
wait_healthy() {
  local name; name="$(container "$1")"
  local deadline=$((SECONDS + READY_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if [ -n "${2:-}" ]; then
      podman exec "$name" /usr/local/bin/runway-healthcheck "$2" >/dev/null 2>&1 && return 0
    else
      podman healthcheck run "$name" >/dev/null 2>&1 && return 0
    fi
    if [ "$(podman inspect --format '{{.State.Status}}' "$name" 2>/dev/null)" = "exited" ] \
       && [ "$(podman inspect --format '{{.HostConfig.RestartPolicy.Name}}' "$name")" = "no" ]; then
      step "$1 exited"; return 1
    fi
    sleep 0.5
  done
  step "$1 not healthy after ${READY_TIMEOUT}s"; return 1
}

# wait_done SERVICE: a one-shot container finished with status 0.
wait_done() {
  local code; code="$(timeout "$READY_TIMEOUT" podman wait "$(container "$1")")" || { step "$1 did not finish"; return 1; }
  [ "$code" = "0" ] || { step "$1 exited with $code"; return 1; }
}

up() { (cd compose && compose up -d --no-deps "$@" >/dev/null 2>&1) || { step "up $* failed"; (cd compose && compose up -d --no-deps "$@"); return 1; }; }

cd "$ROOT"
step "up: project $PROJECT, webhook on 127.0.0.1:$WEBHOOK_PORT"
T0="$(now)"
up postgres moto github
wait_healthy postgres; wait_healthy moto; wait_healthy github
up migrate local-init
wait_done migrate; wait_done local-init
SERVICES="${RUNWAY_SMOKE_SERVICES:-orchestrator publisher producer}"
for service in $SERVICES; do
  up "$service"; wait_healthy "$service" /readyz
  step "$service ready after $(elapsed "$T0")s"
done
READY="$(elapsed "$T0")"
step "services ready after ${READY}s: $SERVICES"

# A signed workflow_job delivery (octokit's queued example with this stack's pool labels).
JOB_ID=$((900000000 + RANDOM))
send_webhook() { # ACTION [RUNNER_NAME]
  python3 - "$1" "${2:-}" "$JOB_ID" "$WEBHOOK_PORT" "$ROOT/compose/local/webhooks/queued.payload.json" \
    "$ROOT/compose/local/secrets/github_webhook_secret" <<'PY'
import hashlib, hmac, json, sys, urllib.request, uuid
action, runner_name, job_id, port, payload_path, secret_path = sys.argv[1:]
payload = json.load(open(payload_path))
job = payload["workflow_job"]
job.update(id=int(job_id), run_id=int(job_id) + 1, labels=["self-hosted", "linux", "runway"], status=action)
if action == "queued":
    job.update(runner_id=None, runner_name=None, runner_group_id=None, runner_group_name=None)
else:
    job.update(conclusion="success", runner_name=runner_name)
payload["action"] = action
payload["repository"]["owner"]["type"] = "Organization"  # the stand-in's installation is an org's
body = json.dumps(payload).encode()
secret = open(secret_path, "rb").read().strip()
request = urllib.request.Request(f"http://127.0.0.1:{port}/webhook", data=body, method="POST", headers={
    "Content-Type": "application/json", "X-GitHub-Event": "workflow_job",
    "X-GitHub-Delivery": str(uuid.uuid4()), "User-Agent": "GitHub-Hookshot/smoke",
    "X-Hub-Signature-256": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()})
with urllib.request.urlopen(request, timeout=10) as response:
    print(response.status, response.read().decode()[:200])
    sys.exit(0 if response.status in (200, 202) else 1)
PY
}

# instances STATE...: Runway's instances of the ec2-ubuntu pool in the emulator (a fresh stack: only
# this job's), asked from inside the emulator's container: `id state runner-name` lines.
instances() {
  podman exec -e STATES="$*" "$(container moto)" python3 -c '
import os, boto3
ec2 = boto3.client("ec2", endpoint_url="http://127.0.0.1:5000", region_name="us-east-1",
                   aws_access_key_id="local", aws_secret_access_key="local")
filters = [{"Name": "tag:runway:pool", "Values": ["ec2-ubuntu"]},
           {"Name": "instance-state-name", "Values": os.environ["STATES"].split()}]
for r in ec2.describe_instances(Filters=filters)["Reservations"]:
    for i in r["Instances"]:
        tags = {t["Key"]: t["Value"] for t in i.get("Tags", [])}
        print(i["InstanceId"], i["State"]["Name"], tags.get("runway:runner", "-"))'
}

wait_for() { # DESCRIPTION COMMAND...: until the command prints something
  local deadline=$((SECONDS + FLOW_TIMEOUT)) out
  while [ $SECONDS -lt $deadline ]; do
    out="$("${@:2}" 2>/dev/null || true)"
    [ -n "$out" ] && { echo "$out"; return 0; }
    sleep 1
  done
  step "timed out waiting for $1"; return 1
}

# record_bench LINES: image sizes and the given timing lines into bench/RESULTS.md ("containers").
record_bench() {
  local sizes
  sizes="$(for s in producer publisher orchestrator cli; do
    printf '| runway-%s | %s MB |\n' "$s" "$(podman image inspect --format '{{.Size}}' "$PREFIX-$s:$TAG" | awk '{printf "%.1f", $1/1e6}')"
  done)"
  scripts/bench-section.sh containers <<EOF_BENCH
## Containers (\`make compose-smoke\`)
$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, podman $(podman version --format '{{.Client.Version}}'), runtime base \`$RUNTIME_IMAGE\`, binaries built here (\`--static-swift-stdlib\`, stripped).

| image | size |
| --- | --- |
$sizes

$1
EOF_BENCH
}

step "webhook: workflow_job queued, job $JOB_ID"
if [[ " $SERVICES " == *" producer "* ]]; then
  send_webhook queued | sed 's/^/compose-smoke: producer answered /' >&2
fi
if [ "$SERVICES" != "orchestrator publisher producer" ]; then
  step "partial run ($SERVICES ready after ${READY}s): the launch and tear-down were not tested"
  record_bench "- partial run: only \`$SERVICES\` of the three services started; ready (\`/readyz\` 200) **${READY} s** after \`up\` (Postgres, emulators, migration and local-init first). Launch and tear-down not measured."
  echo "compose smoke: 0 passed, 1 failed"
  exit 1
fi
T1="$(now)"
launched="$(wait_for "the runner instance" instances pending running)"
LAUNCH="$(elapsed "$T1")"
step "runner launched ${LAUNCH}s after the webhook: $launched"
runner_name="$(echo "$launched" | head -n1 | awk '{print $3}')"
send_webhook completed "$runner_name" | sed 's/^/compose-smoke: producer answered /' >&2
wait_for "the tear-down" instances shutting-down terminated | sed 's/^/compose-smoke: torn down /' >&2
TEARDOWN="$(elapsed "$T1")"

record_bench "- compose up → every service ready (\`/readyz\` 200), health-gated order: **${READY} s**
- signed webhook → runner instance in the emulator: **${LAUNCH} s**; → torn down after completion: **${TEARDOWN} s**"
echo "compose smoke: 1 passed, 0 failed"
