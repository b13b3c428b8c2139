#!/usr/bin/env bash
# Dependency audit: every lock file (server, app, and the audit and deploy-check tools) and the npm
# packages of the widget and console bundles (web/package-lock.json) against known advisories.
#
# Where the advisories come from, first found wins:
#   PyPI: an OSV database on disk (the PyPA advisory database's vulns/ folder, one folder per
#         package) at $AUDIT_DB, var/advisories/pypa or ../shared/advisories/pypa, read by
#         scripts/osv_audit.py with no network; otherwise pip-audit against PyPI's JSON API
#         (its own environment, var/venv-audit, from requirements/audit.lock).
#   npm:  an OSV database on disk at $AUDIT_NPM_DB, var/advisories/npm or ../shared/advisories/npm;
#         otherwise `npm audit` against the registry's advisory endpoint.
# Accepted advisories are in scripts/audit_ignore.txt, each with its package, a review date and
# the reason (docs/security.md, "Dependency audit").
#
# Exit status: 0 nothing unexplained; 1 a vulnerability not in the ignore list, or an ignore entry
# past its review date; 2 a part could not be audited and AUDIT_STRICT=1 (otherwise that part is
# reported as NOT AUDITED and does not fail the run).
set -uo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT="$ROOT/var/audit"
IGNORE="$ROOT/scripts/audit_ignore.txt"
LOCKS=(server app audit deploy-check)
mkdir -p "$OUT"
status=0
unreachable=()

first_dir() {
  local dir
  for dir in "$@"; do
    if [ -n "$dir" ] && [ -d "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  return 1
}

osv_audit() {  # osv_audit DB --lock FILE | --npm-lock FILE
  local db="$1"
  shift
  "$VENV_APP/bin/python" "$ROOT/scripts/osv_audit.py" --db "$db" --ignore "$IGNORE" "$@"
  case $? in
    0) ;;
    2) unreachable+=("$* (no advisory database at $db)") ;;
    *) status=1 ;;
  esac
}

pip_audit_online() {  # pip_audit_online LOCKNAME
  local lock="$1" report="$OUT/pip-$1.json" ignored=() id
  ensure_venv "$ROOT/var/venv-audit" "$ROOT/requirements/audit.lock"
  while IFS='|' read -r id _; do
    id="${id// /}"
    [ -n "$id" ] && [ "${id#\#}" = "$id" ] && ignored+=(--ignore-vuln "$id")
  done <"$IGNORE"
  "$ROOT/var/venv-audit/bin/pip-audit" --vulnerability-service pypi --disable-pip --no-deps \
    --progress-spinner off --format json --output "$report" "${ignored[@]}" \
    -r "$ROOT/requirements/$lock.lock" 2>"$OUT/pip-$lock.err"
  local verdict
  verdict="$("$ROOT/var/venv-audit/bin/python" - "$report" <<'PY'
import json, sys
deps = json.load(open(sys.argv[1]))["dependencies"]
found = [(d["name"], d["version"], v["id"], v.get("fix_versions")) for d in deps for v in d.get("vulns", [])]
skipped = [d for d in deps if d.get("skip_reason")]
for name, version, vuln, fixes in found:
    print(f"VULNERABLE {name} {version}: {vuln} (fixed in {', '.join(fixes) or 'no release yet'})")
print(f"audited {len(deps) - len(skipped)} of {len(deps)} packages; {len(found)} vulnerabilit(y/ies)")
if skipped and len(skipped) == len(deps):
    print("UNREACHABLE")
elif found:
    print("FOUND")
PY
)"
  printf '%s\n' "$verdict"
  case "$verdict" in
    *UNREACHABLE*) unreachable+=("pip-audit $lock.lock (PyPI's per-version JSON not reachable)") ;;
    *FOUND*) status=1 ;;
  esac
}

npm_audit_online() {
  (cd "$ROOT/web" && npm audit --json >"$OUT/npm.json" 2>"$OUT/npm.err")
  local npm_status=$?
  if grep -q '"vulnerabilities"' "$OUT/npm.json" 2>/dev/null; then
    node -e '
      const r = require(process.argv[1]); const m = r.metadata.vulnerabilities;
      console.log(`npm: ${m.total} vulnerabilit(y/ies) (critical ${m.critical}, high ${m.high}, moderate ${m.moderate}, low ${m.low})`);
      for (const [name, v] of Object.entries(r.vulnerabilities || {})) console.log(`VULNERABLE ${name} ${v.range}: ${v.severity}`);
    ' "$OUT/npm.json"
    [ "$npm_status" -ne 0 ] && status=1
  else
    unreachable+=("npm audit web/ (the registry's advisory endpoint answered: $(grep -o '[0-9]\{3\} [A-Za-z ]*' "$OUT/npm.err" "$OUT/npm.json" 2>/dev/null | head -1 | cut -d: -f2-))")
  fi
}

if pypi_db="$(first_dir "${AUDIT_DB:-}" "$ROOT/var/advisories/pypa" "$ROOT/../shared/advisories/pypa")"; then
  log "PyPI lock files against the OSV database in $pypi_db"
  for lock in "${LOCKS[@]}"; do
    osv_audit "$pypi_db" --lock "$ROOT/requirements/$lock.lock"
  done
else
  for lock in "${LOCKS[@]}"; do
    log "pip-audit requirements/$lock.lock (PyPI's JSON API)"
    pip_audit_online "$lock"
  done
fi

if npm_db="$(first_dir "${AUDIT_NPM_DB:-}" "$ROOT/var/advisories/npm" "$ROOT/../shared/advisories/npm")"; then
  log "web/package-lock.json against the OSV database in $npm_db"
  osv_audit "$npm_db" --npm-lock "$ROOT/web/package-lock.json"
else
  log "npm audit web/ (the registry's advisory endpoint)"
  npm_audit_online
fi

for part in "${unreachable[@]}"; do
  printf 'NOT AUDITED: %s\n' "$part" >&2
done
if [ "${#unreachable[@]}" -gt 0 ] && [ "${AUDIT_STRICT:-0}" = "1" ] && [ "$status" -eq 0 ]; then
  status=2
fi
exit "$status"
