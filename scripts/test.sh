#!/usr/bin/env bash
# The whole test suite: lint, FAQ curation checks, rasa data validate, training,
# pytest (server components; unit, integration, end-to-end incl. the browser),
# story tests and the held-out NLU evaluation. Ends with one summary line and
# exits non-zero on any failure.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

setup_all
ensure_chromium
export ENVIRONMENT=test
mkdir -p results var
PASSED=0
FAILED=()
step() {
  local name="$1"
  shift
  log "step: $name"
  if "$@"; then
    PASSED=$((PASSED + 1))
  else
    FAILED+=("$name")
    printf 'FAILED step: %s\n' "$name" >&2
  fi
}
has_failed() { [[ " ${FAILED[*]} " == *" $1 "* ]]; }

lint() {
  "$VENV_APP/bin/ruff" check . && "$VENV_APP/bin/ruff" format --check . && "$VENV_APP/bin/mypy"
}
pytest_server() {
  "$VENV_SERVER/bin/python" -m pytest -q -p no:cacheprovider -W ignore::pytest.PytestConfigWarning tests/server
}
pytest_app() {
  "$VENV_APP/bin/python" -m pytest -q -p no:cacheprovider tests/unit tests/integration tests/e2e
}
story_tests() {
  rasa test core --model models/bot.tar.gz --stories tests/stories --fail-on-prediction-errors \
    --out results/stories >var/story-tests.log 2>&1 \
    || { tail -n 40 var/story-tests.log; cat results/stories/failed_test_stories.yml 2>/dev/null; return 1; }
  grep -h "Correct:" var/story-tests.log | tail -n 2 || true
}
nlu_heldout() {
  rasa test nlu --model models/bot.tar.gz --nlu tests/nlu/heldout --out results/rasa_nlu >var/nlu-test.log 2>&1 \
    || { tail -n 40 var/nlu-test.log; return 1; }
  "$VENV_SERVER/bin/python" scripts/evaluate_nlu.py --model models/bot.tar.gz --out results 2>/dev/null
}

step lint lint
step faq-curation "$VENV_APP/bin/python" -m bot.cli check-faq
step lookup-tables-in-sync "$VENV_APP/bin/python" scripts/export_lookups.py --check
step data-validate rasa data validate --domain domain --quiet
step train train_if_needed
step pytest-server pytest_server
if has_failed train; then
  FAILED+=("pytest-app" "story-tests" "nlu-heldout")
else
  step pytest-app pytest_app
  step story-tests story_tests
  step nlu-heldout nlu_heldout
fi

echo
if [ ${#FAILED[@]} -eq 0 ]; then
  echo "make test: every step passed (${PASSED} steps)"
else
  echo "make test: failed steps: ${FAILED[*]}"
fi
echo "steps: ${PASSED} passed, ${#FAILED[@]} failed"
[ ${#FAILED[@]} -eq 0 ]
