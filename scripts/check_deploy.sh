#!/usr/bin/env bash
# Renders every overlay of deploy/ with `kubectl kustomize` and checks each object against the
# Kubernetes schemas (kubernetes-validate, strict) and the policy checks (checkov), and the two
# Dockerfiles with checkov. Its tools live in var/deploy-check-venv, made from
# requirements/deploy-check.lock on first use. Arguments go to scripts/check_deploy.py.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
command -v kubectl >/dev/null || die "kubectl not found (it renders the kustomize overlays)"
ensure_venv "$ROOT/var/deploy-check-venv" "$ROOT/requirements/deploy-check.lock"
exec "$ROOT/var/deploy-check-venv/bin/python" scripts/check_deploy.py "$@"
