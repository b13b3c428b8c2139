# Entry points. `make run` and `make test` do all the set-up on a fresh machine.
.PHONY: run test setup train lint check-faq evaluate bench clean

run:            ## set up, train if needed, start all servers, print the addresses
	@bash scripts/run.sh

test:           ## the whole test suite; one summary line; non-zero on failure
	@bash scripts/test.sh

setup:          ## environments from the lock files and the chat widget bundle
	@bash -c 'source scripts/lib.sh && setup_all'

train:          ## train the model if data or config changed
	@bash -c 'source scripts/lib.sh && setup_all && train_if_needed'

lint:
	@.venv/app/bin/ruff check . && .venv/app/bin/ruff format --check . && .venv/app/bin/mypy

check-faq:      ## the FAQ curation checks
	@.venv/app/bin/python -m bot.cli check-faq

evaluate:       ## held-out NLU evaluation of models/bot.tar.gz
	@.venv/server/bin/python scripts/evaluate_nlu.py

bench:          ## serving benchmark (not part of make test): results/benchmarks.json, docs/benchmarks.md
	@bash -c 'source scripts/lib.sh && setup_all && train_if_needed' && .venv/server/bin/python scripts/evaluate_nlu.py --no-gate >/dev/null 2>&1; .venv/app/bin/python scripts/benchmark.py

clean:          ## remove trained models and run-time state (keeps the environments)
	rm -rf models var results
