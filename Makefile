# bankbot — `make help` lists the targets. CI calls the same targets people use.
.DEFAULT_GOAL := help
SHELL := /bin/bash
APP := .venv/app/bin/python
ENGINE := .venv/engine/bin/python
export RASA_TELEMETRY_ENABLED := false
# Every Python package of the project: what `make lint` checks (ruff checks tests/ too).
PACKAGES := common faqs pipeline handoff actions corebank bankbot bot

.PHONY: help run test envs seed train eval bench bench-quality lint lock clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

run: envs ## run the product: engine, action server and gateway on 127.0.0.1
	@$(APP) -m bankbot run

test: lint ## lint, then the whole test suite (real engine, action server, PostgreSQL, Chromium, axe-core)
	@scripts/ensure-chromium
	@scripts/ensure-axe
	@scripts/ensure-servers
	@scripts/run-tests

envs: .venv/app/.bankbot-lock-hash .venv/engine/.bankbot-lock-hash ## create/update both environments from the lock files

.venv/%/.bankbot-lock-hash: requirements/%.lock
	@scripts/make-venv $*

seed: envs ## (re)build the demo core bank
	@$(APP) -m bankbot seed

train: envs ## train the model if config, domain or data changed
	@$(APP) -m bankbot train

eval: envs ## NLU accuracy on the held-out test set, emotion detector figures, rasa test stories
	@$(APP) -m bankbot eval

bench: envs ## gateway vs engine latency, throughput and memory (BENCH_CONVERSATIONS=50)
	@$(APP) -m bankbot.bench

bench-quality: envs ## the Quality page's figures over 100,000 synthetic conversations (target <= 2 s)
	@$(APP) -m bankbot.bench_quality

lint: envs ## ruff over every package and the tests, mypy over every package (strict for common/)
	@$(APP) -m ruff check $(PACKAGES) tests
	@$(APP) -m mypy
	@$(APP) -m mypy --strict common
	@$(APP) -m mypy --python-version 3.10 common faqs bot

lock: ## regenerate requirements/*.lock from pyproject.toml (after changing a dependency)
	@scripts/lock

clean: ## remove environments, models and local data
	rm -rf .venv models var
