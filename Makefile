# Entry points. `make run` and `make test` do all the set-up on a fresh machine.
.PHONY: run test test-fast test-server test-e2e test-stories test-nlu test-deploy test-audit test-replicas replicas capacity deploy-check setup train lint check-faq evaluate bench tune-guard clean

run:            ## set up, train if needed, start all servers, print the addresses
	@bash scripts/run.sh

test:           ## the whole test suite (every tier below); one summary line; non-zero on failure
	@bash scripts/test.sh all

test-fast:      ## lint, curation checks, unit and integration tests on both databases; no model, no browser
	@bash scripts/test.sh fast

test-server:    ## tests of the Rasa-server code on the trained model
	@bash scripts/test.sh server

test-e2e:       ## the real servers over HTTP, the chat page and the desk in headless Chromium
	@bash scripts/test.sh e2e

test-stories:   ## rasa test on the conversation stories
	@bash scripts/test.sh stories

test-nlu:       ## the held-out NLU gate
	@bash scripts/test.sh nlu

test-deploy:    ## the Kubernetes manifests rendered and checked against the schemas and policies
	@bash scripts/test.sh deploy

test-audit:     ## known vulnerabilities in both lock files and the npm bundles (docs/security.md)
	@bash scripts/test.sh audit

test-replicas:  ## HAProxy before two of each server: SIGKILL, database outage, rolling restart (10-12 min)
	@bash scripts/test.sh replicas

replicas:       ## the production shape on this machine: HAProxy, two of each server (docs/deploy.md)
	@bash -c 'source scripts/lib.sh && setup_all && train_if_needed && ensure_haproxy' && .venv/app/bin/python scripts/replicas.py up

capacity:       ## messages per core-second, one replica against two (results/capacity.*)
	@bash -c 'source scripts/lib.sh && setup_all && train_if_needed && ensure_haproxy' && .venv/app/bin/python scripts/replicas.py bench

deploy-check:   ## render deploy/ and check it (kubernetes-validate, checkov)
	@bash scripts/check_deploy.sh

setup:          ## environments from the lock files and the chat widget bundle
	@bash -c 'source scripts/lib.sh && setup_all'

train:          ## train the model if data or config changed
	@bash -c 'source scripts/lib.sh && setup_all && train_if_needed'

lint:           ## ruff, mypy on both environments, the import contracts, no private imports across packages
	@bash -c 'source scripts/lib.sh && lint'
	@.venv/app/bin/vulture  # dead code: pyproject.toml [tool.vulture], vulture_whitelist.py

check-faq:      ## the FAQ curation checks
	@.venv/app/bin/python -m bot.cli check-faq

evaluate:       ## held-out NLU evaluation of models/bot.tar.gz
	@.venv/server/bin/python scripts/evaluate_nlu.py

bench:          ## project vs stock Rasa: NLU, serving, memory (not part of make test; 45 min to 2+ h, machine to itself): docs/benchmarks.md
	@bash -c 'source scripts/lib.sh && setup_all' && .venv/app/bin/python scripts/benchmark.py --production

tune-guard:     ## FAQ ranker weight and guard thresholds chosen on the validation split (results/faq_guard_tuning.md)
	@bash -c 'source scripts/lib.sh && setup_all && train_if_needed' && .venv/server/bin/python scripts/tune_faq_guard.py

clean:          ## remove trained models and run-time state (keeps the environments)
	rm -rf models var results
