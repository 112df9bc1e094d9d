#!/usr/bin/env bash
# `make deploy-check`: EKS manifests (kubernetes-validate --strict, kustomize build) and ECS task
# definitions and IAM policies against a signature-checking moto (started here when not already
# given by scripts/test-env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${RUNWAY_TEST_MOTO_URL:-}" ]; then
  exec scripts/static-checks.sh eks ecs
fi
scripts/install-deps.sh
exec scripts/test-env.sh scripts/static-checks.sh eks ecs
