#!/usr/bin/env bash
# The test suite in tiers. `scripts/test.sh TIER...` runs the named tiers in order; with no tier,
# or `all`, every tier. Each tier's steps are reported; the run ends with one summary line and
# exits non-zero on any failure.
#
#   fast     lint (scripts/lib.sh), curation checks, unit and integration tests on SQLite and PostgreSQL
#            (no trained model, no browser)                                   make test-fast
#   server   tests of the Rasa-server code on the trained model               make test-server
#   e2e      real servers over HTTP, the chat page and the desk in Chromium   make test-e2e
#   stories  `rasa test` on the conversation stories                          make test-stories
#   nlu      the held-out NLU gate                                            make test-nlu
#   deploy   the Kubernetes manifests rendered and checked (schemas, policies)  make test-deploy
#   audit    pip-audit over both lock files, npm audit over web/ (docs/security.md) make test-audit
#   replicas HAProxy before two of each server: kills, outages, rolling restart make test-replicas
#            (10-12 minutes; not part of `all` yet, see docs/deploy.md)
#
# Every tier but `fast` trains the model first when data or config changed (about 2 minutes).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TIERS=("$@")
if [ ${#TIERS[@]} -eq 0 ] || [ "${TIERS[*]}" = "all" ]; then
  TIERS=(fast server e2e stories nlu deploy audit)
fi

setup_all
export ENVIRONMENT=test
mkdir -p results var
PASSED=0
FAILED=()
step() {
  local name="$1"
  shift
  log "step: $name"
  local started=$SECONDS
  if "$@"; then
    PASSED=$((PASSED + 1))
    log "step: $name passed ($((SECONDS - started)) s)"
  else
    FAILED+=("$name")
    printf 'FAILED step: %s (%s s)\n' "$name" "$((SECONDS - started))" >&2
  fi
}
has_failed() { [[ " ${FAILED[*]} " == *" $1 "* ]]; }

# pytest's exit code 5 (no test collected) is a failure here: a tier that ran nothing proves nothing.
pytest_app() { "$VENV_APP/bin/python" -m pytest -q -p no:cacheprovider "$@"; }
pytest_server() { "$VENV_SERVER/bin/python" -m pytest -q -p no:cacheprovider -W ignore::pytest.PytestConfigWarning "$@"; }

story_tests() {
  rasa test core --model models/bot.tar.gz --stories tests/stories --fail-on-prediction-errors \
    --out results/stories >var/story-tests.log 2>&1 \
    || { tail -n 40 var/story-tests.log; cat results/stories/failed_test_stories.yml 2>/dev/null; return 1; }
  grep -h "Correct:" var/story-tests.log | tail -n 2 || true
}
nlu_heldout() {
  "$VENV_SERVER/bin/python" scripts/evaluate_nlu.py --model models/bot.tar.gz --out results 2>/dev/null
}

# The fast tier's server-environment steps, in the background: each writes its log and exit status.
server_lane() {
  rasa data validate --domain domain --quiet >var/lane-data-validate.log 2>&1
  echo $? >var/lane-data-validate.status
  pytest_server tests/server -m "not model and not replicas" >var/lane-unit-server.log 2>&1
  echo $? >var/lane-unit-server.status
}

# with_model NAME CMD...: a step that needs the trained model; the model is trained once per run,
# by the first such step, and a step whose model could not be trained counts as failed.
with_model() {
  if [ -z "${TRAINED:-}" ]; then
    TRAINED=1
    step train train_if_needed
  fi
  if has_failed train; then
    FAILED+=("$1")
  else
    step "$@"
  fi
}

for tier in "${TIERS[@]}"; do
  case "$tier" in
    fast)
      # The server environment's steps run beside the application environment's: two cores, two lanes.
      server_lane &
      lane=$!
      step lint lint
      step dead-code "$VENV_APP/bin/vulture"
      step faq-curation "$VENV_APP/bin/python" -m bot.cli check-faq
      step lookup-tables-in-sync "$VENV_APP/bin/python" scripts/export_lookups.py --check
      step unit-integration pytest_app tests/unit tests/integration
      wait "$lane"
      for name in data-validate unit-server; do
        cat "var/lane-$name.log"
        if [ "$(cat "var/lane-$name.status")" = 0 ]; then
          PASSED=$((PASSED + 1))
          log "step: $name passed (beside the others)"
        else
          FAILED+=("$name")
          printf 'FAILED step: %s\n' "$name" >&2
        fi
      done
      ;;
    server)
      with_model server-on-model pytest_server tests/server -m model
      step lock-store pytest_server tests/server -m replicas
      ;;
    e2e)
      ensure_chromium
      with_model e2e pytest_app tests/e2e
      ;;
    stories)
      with_model story-tests story_tests
      ;;
    nlu)
      with_model nlu-heldout nlu_heldout
      ;;
    deploy)
      step deploy pytest_app tests/deploy
      ;;
    audit)
      step dependency-audit bash scripts/audit.sh
      ;;
    replicas)
      ensure_haproxy
      with_model replicas pytest_app tests/replicas
      ;;
    *)
      die "unknown tier '$tier' (fast, server, e2e, stories, nlu, deploy, audit, replicas, all)"
      ;;
  esac
done

echo
if [ ${#FAILED[@]} -eq 0 ]; then
  echo "make test: every step passed (${PASSED} steps; tiers: ${TIERS[*]})"
else
  echo "make test: failed steps: ${FAILED[*]}"
fi
echo "steps: ${PASSED} passed, ${#FAILED[@]} failed"
[ ${#FAILED[@]} -eq 0 ]
