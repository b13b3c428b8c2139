#!/usr/bin/env bash
# Runs the bot: sets up what is missing, trains if data or config changed, starts the
# action server, the Rasa server (REST + socket.io, token-protected HTTP API) and the
# web front (chat page), prints the addresses, and stops everything on Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

setup_all
mkdir -p var/logs
BIND="${BIND_HOST:-127.0.0.1}"
APP="$VENV_APP/bin/python"
eval "$("$APP" - <<'PY'
from bot.settings import get_settings
s = get_settings()
print(f"RASA_PORT={s.rasa_port} ACTION_PORT={s.action_port} WEB_PORT={s.web_port}")
print(f"RASA_TOKEN='{s.ensure_rasa_token()}'")
# The Rasa server's web chat channel reads the origins it accepts from its environment.
print(f"export ALLOWED_ORIGINS='{','.join(s.chat_origins)}'")
PY
)"
"$APP" -m bot.cli render-endpoints > var/endpoints.yml
log "applying database migrations"
"$VENV_APP/bin/alembic" upgrade head >var/logs/migrations.log 2>&1 || { cat var/logs/migrations.log; die "migrations failed"; }
"$APP" -m bot.cli load-sample-catalogue >>var/logs/migrations.log 2>&1 || { cat var/logs/migrations.log; die "sample catalogue import failed"; }
"$APP" -m bot.cli drain-spool >>var/logs/migrations.log 2>&1 || log "some queued complaints could not be filed yet (see var/logs/migrations.log)"
train_if_needed

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  if [ ${#PIDS[@]} -gt 0 ]; then
    log "stopping"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

"$APP" -m rasa_sdk --actions actions --port "$ACTION_PORT" >var/logs/actions.log 2>&1 &
PIDS+=($!)
# RASA_WORKERS > 1 (Sanic workers, each with the model) needs REDIS_URL: Rasa refuses it with an in-memory lock store.
# --auth-token=...: a generated token may begin with "-", which argparse would take for an option.
SANIC_WORKERS="${RASA_WORKERS:-1}" "$VENV_SERVER/bin/rasa" run --model models --enable-api --auth-token="$RASA_TOKEN" --cors "*" \
  --interface "$BIND" --port "$RASA_PORT" --credentials credentials.yml --endpoints var/endpoints.yml \
  >var/logs/rasa.log 2>&1 &
PIDS+=($!)
"$VENV_APP/bin/uvicorn" bot.web.app:create_app --factory --ws none --host "$BIND" --port "$WEB_PORT" \
  >var/logs/web.log 2>&1 &
PIDS+=($!)

log "waiting for the servers (the model takes about half a minute to load)"
wait_http "http://127.0.0.1:$ACTION_PORT/health" 60 || { tail -n 30 var/logs/actions.log; die "action server did not start"; }
wait_http "http://127.0.0.1:$WEB_PORT/healthz" 60 || { tail -n 30 var/logs/web.log; die "web front did not start"; }
wait_http "http://127.0.0.1:$RASA_PORT/status?token=$RASA_TOKEN" 180 || { tail -n 30 var/logs/rasa.log; die "Rasa server did not become ready"; }

cat <<MSG

  5G service bot is running. Ctrl-C stops everything.

  Chat page (browser)     http://$BIND:$WEB_PORT/
  Widget for your site    <script src="http://$BIND:$WEB_PORT/widget.js" async></script>  (sites allowed: $ALLOWED_ORIGINS)
  Support desk console    http://$BIND:$WEB_PORT/desk/   (first account: docs/desk.md)
  Desk API (OpenAPI)      http://$BIND:$WEB_PORT/api/docs
  Rasa REST webhook       http://$BIND:$RASA_PORT/webhooks/rest/webhook
  Rasa socket.io          http://$BIND:$RASA_PORT/socket.io
  Rasa HTTP API           http://$BIND:$RASA_PORT/  (token: var/rasa_token or \$RASA_TOKEN)
  Action server           http://127.0.0.1:$ACTION_PORT/webhook
  Logs                    var/logs/

MSG
wait -n "${PIDS[@]}" || true
log "a server exited; see var/logs/"
exit 1
