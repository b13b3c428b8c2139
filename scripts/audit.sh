#!/usr/bin/env bash
# Dependency audit: pip-audit over requirements/server.lock and requirements/app.lock, npm audit over web/.
#
# Exit status: 0 when nothing unexplained was found, 1 when a vulnerability not listed in
# scripts/audit_ignore.txt was found, 2 when an advisory service could not be reached and
# AUDIT_STRICT=1 (otherwise that part is reported as NOT AUDITED and does not fail the run:
# some networks reach the package registries but not their advisory services).
# pip-audit runs from its own environment, var/venv-audit, built from requirements/audit.lock.
set -uo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT="$ROOT/var/audit"
mkdir -p "$OUT"
ensure_venv "$ROOT/var/venv-audit" "$ROOT/requirements/audit.lock"
ignored=()
while read -r id _; do
  [ -n "$id" ] && [ "${id#\#}" = "$id" ] && ignored+=(--ignore-vuln "$id")
done < "$ROOT/scripts/audit_ignore.txt"

status=0
unreachable=()

for lock in server app; do
  report="$OUT/pip-$lock.json"
  log "pip-audit requirements/$lock.lock"
  "$ROOT/var/venv-audit/bin/pip-audit" --disable-pip --no-deps --progress-spinner off --format json \
    --output "$report" "${ignored[@]}" -r "$ROOT/requirements/$lock.lock" 2>"$OUT/pip-$lock.err"
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
    *UNREACHABLE*) unreachable+=("pip-audit $lock.lock (PyPI's vulnerability data not reachable)") ;;
    *FOUND*) status=1 ;;
  esac
done

log "npm audit web/"
(cd "$ROOT/web" && npm audit --json >"$OUT/npm.json" 2>"$OUT/npm.err")
npm_status=$?
if grep -q '"vulnerabilities"' "$OUT/npm.json" 2>/dev/null; then
  node -e '
    const r = require(process.argv[1]); const m = r.metadata.vulnerabilities;
    console.log(`npm: ${m.total} vulnerabilit(y/ies) (critical ${m.critical}, high ${m.high}, moderate ${m.moderate}, low ${m.low})`);
    for (const [name, v] of Object.entries(r.vulnerabilities || {})) console.log(`VULNERABLE ${name} ${v.range}: ${v.severity}`);
  ' "$OUT/npm.json"
  [ "$npm_status" -ne 0 ] && status=1
else
  unreachable+=("npm audit web/ (the registry's advisory endpoint answered: $(grep -o '[0-9]\{3\} [A-Za-z ]*' "$OUT/npm.json" | head -1))")
fi

for part in "${unreachable[@]}"; do
  printf 'NOT AUDITED: %s\n' "$part" >&2
done
if [ "${#unreachable[@]}" -gt 0 ] && [ "${AUDIT_STRICT:-0}" = "1" ] && [ "$status" -eq 0 ]; then
  status=2
fi
exit "$status"
