#!/usr/bin/env bash
# Offline checks of the deployment files: installs the exact npm packages of package-lock.json, renders both
# Kustomize overlays with kubectl, validates every object against the Kubernetes (and Prometheus Operator) schemas,
# applies the policy checks, parses the alert rules and the dashboard, then runs the checks' self-test, which feeds
# them broken manifests and expects each to be refused. Needs kubectl with Kustomize 5 (kubectl 1.27 or later),
# Node.js 20 or later and npm. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

KUBECTL="${KUBECTL:-kubectl}"
export KUBECTL
if ! version="$("$KUBECTL" version --client 2>&1)"; then
  echo "deploy checks: '$KUBECTL version --client' failed: $version" >&2
  exit 1
fi
if ! grep -q 'Kustomize Version: v5\.' <<<"$version"; then
  echo "deploy checks: the manifests use Kustomize 5 syntax; this kubectl has no Kustomize 5 (kubectl 1.27 or later has):" >&2
  echo "$version" >&2
  exit 1
fi

npm ci --no-audit --no-fund --loglevel=error
node check.mjs
node --test --test-reporter=spec check.test.mjs
