# Shared shell helpers for scripts/*.sh. Source it; it defines functions only.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_SERVER="$ROOT/.venv/server"
VENV_APP="$ROOT/.venv/app"
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONDONTWRITEBYTECODE=1
export TF_CPP_MIN_LOG_LEVEL=2

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Rasa 3.6 and rasa-sdk 3.6 run on Python 3.10 and nothing newer.
find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" python3.10 "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  die "Python 3.10 not found. Install it (pyenv install 3.10.13, or your distribution's python3.10) or set PYTHON310=/path/to/python3.10"
}

# ensure_venv DIR LOCKFILE: create DIR from LOCKFILE unless it was built from the same lock.
ensure_venv() {
  local dir="$1" lock="$2" stamp want
  stamp="$dir/.lock-sha256"
  want="$(sha256sum "$lock" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "creating $(basename "$dir") environment from $(basename "$lock") (a few minutes the first time)"
  local py
  py="$(find_python310)"
  rm -rf "$dir"
  "$py" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --upgrade "pip==24.2"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$lock"
  "$dir/bin/pip" check >/dev/null || die "dependency conflict in $dir (pip check)"
  echo "$want" > "$stamp"
}

# The chat widget and the desk console: npm packages bundled with esbuild from web/, nothing from a CDN.
build_widget() {
  local out="$ROOT/bot/web/static/build/widget.meta.json" stamp="$ROOT/web/node_modules/.lock-sha256" want
  command -v npm >/dev/null || die "npm not found: install Node.js 18 or newer"
  want="$(cat "$ROOT/web/package.json" "$ROOT/web/package-lock.json" "$ROOT"/web/src/* "$ROOT"/web/desk/* | sha256sum | cut -d' ' -f1)"
  if [ -f "$out" ] && [ -f "$ROOT/bot/web/static/build/desk.js" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "building the chat widget (npm ci + esbuild)"
  (cd "$ROOT/web" && npm ci --silent --no-audit --no-fund && npm run --silent build)
  echo "$want" > "$stamp"
}

setup_all() {
  ensure_venv "$VENV_SERVER" "$ROOT/requirements/server.lock"
  ensure_venv "$VENV_APP" "$ROOT/requirements/app.lock"
  build_widget
  mkdir -p "$ROOT/var" "$ROOT/models"
}

# Rasa's command line as the project runs it: phone numbers masked in the logs, the Rasa patches
# installed (rasa_server/startup.py; RASA_PATCHES=off runs Rasa's own code).
rasa() { (cd "$ROOT" && "$VENV_SERVER/bin/python" -m rasa_server "$@"); }

# Lint: ruff; mypy on the application (its environment) and on the Rasa server's code (the server
# environment's packages); the import contracts of pyproject.toml; no private name imported across packages.
lint() {
  (cd "$ROOT" \
    && "$VENV_APP/bin/ruff" check . && "$VENV_APP/bin/ruff" format --check . \
    && "$VENV_APP/bin/mypy" \
    && "$VENV_APP/bin/mypy" --python-executable "$VENV_SERVER/bin/python" -p rasa_server -p common \
    && "$VENV_APP/bin/lint-imports" --no-cache \
    && "$VENV_APP/bin/python" scripts/check_private_imports.py)
}

# Trains only when data, domain or config changed (Rasa's own fingerprint check).
train_if_needed() {
  log "training the model if data or config changed"
  rasa train --quiet --domain domain --fixed-model-name bot --out models >/dev/null 2>"$ROOT/var/train.log" \
    || { tail -n 40 "$ROOT/var/train.log" >&2; die "rasa train failed (full log: var/train.log)"; }
}

# wait_http URL SECONDS: poll until URL answers 2xx.
wait_http() {
  local url="$1" limit="$2" i
  for ((i = 0; i < limit; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    sleep 1
  done
  return 1
}

# Debian's Chromium for the browser tests (Playwright drives it; no browser download),
# with CJK fonts so screenshots of the chat page show Chinese.
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/opentype/noto ] && return 0
  log "installing Debian's chromium and CJK fonts for the browser tests"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null \
    || die "could not install chromium (apt-get install chromium fonts-noto-cjk)"
}

# Debian's HAProxy for the replicas test (two of each server behind one load balancer: scripts/replicas.py).
ensure_haproxy() {
  command -v haproxy >/dev/null 2>&1 && return 0
  log "installing Debian's haproxy for the replicas test"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq haproxy >/dev/null \
    || die "could not install haproxy (apt-get install haproxy)"
}
