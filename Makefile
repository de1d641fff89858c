SHELL := /bin/bash
.DEFAULT_GOAL := help

export TF_CPP_MIN_LOG_LEVEL := 3
# Rasa would otherwise try to report usage and errors over the network.
export RASA_TELEMETRY_ENABLED := false
export PYTHONWARNINGS := ignore

VENV ?= .venv
PY := $(VENV)/bin/python
RASA := $(PY) -m rasa
SPACY_MODEL := build/spacy/en_clinic
MODEL_DIR := models
MODEL := $(MODEL_DIR)/current.tar.gz
# Only the Rasa server started with it may call the action server (clinic/action_server.py):
# one random token per make run, unless the environment sets one.
ifeq ($(origin ACTION_SERVER_TOKEN),undefined)
ACTION_SERVER_TOKEN := $(shell python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
endif
export ACTION_SERVER_TOKEN
RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055
# Everything the trained model depends on: retrain only when one of these changed.
# The crisis screen loads the crisis model at run time (like SpacyNLP its pipeline), so a new
# crisis model needs no retraining: it is built before training and before anything that serves.
CRISIS_MODEL := build/crisis/model.pkl
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*.yml) $(wildcard clinic/nlu/*.py) $(SPACY_MODEL)/meta.json

.PHONY: help install spacy crisis-model safety-split evaluate-safety train migrate run run-prod shell test test-fast system-packages validate pytest e2e evaluate bench lint clean review-export \
	escalations gazetteer retention-purge forget staff-user heldout dialogues

help:
	@echo "make run       start everything (Rasa :$(RASA_PORT), actions :$(ACTIONS_PORT), demo site :8080, staff console :8000)"
	@echo "make staff-user  create a staff console account (asks, or STAFF_USERNAME/STAFF_PASSWORD/STAFF_ROLE)"
	@echo "make test      validate data, run pytest and the end-to-end stories"
	@echo "make test-fast the unit tier alone (tests/unit/, under 30 s)"
	@echo "make train     train the model when its inputs changed"
	@echo "make shell     talk to the assistant in the terminal"
	@echo "make evaluate  5-fold NLU cross-validation into reports/"
	@echo "make review-export  write the review page's labelled messages to data/nlu_reviewed.yml and tests/reviewed_stories.yml"
	@echo "make heldout   play the held-out conversations against the real servers, into reports/heldout.md"
	@echo "make dialogues play the dialogue test set (tests/dialogues/) against the real servers, into reports/dialogues.md"
	@echo "make evaluate-safety  crisis detection on the held-out safety corpus into reports/safety.md"
	@echo "make bench     this assistant vs Rasa's stock bot (throughput, latency, memory) and the fault tests, into reports/bench.md"
	@echo "make escalations  list escalation records as JSON"
	@echo "make run-prod  production mode: PostgreSQL, Redis, workers, JSON logs (settings in .env)"
	@echo "make retention-purge [DAYS=n]    delete conversations idle for longer than RETENTION_DAYS"
	@echo "make forget CONVERSATION=<id>    delete everything about one conversation"
	@echo "make lint      ruff"

# The lock pins every package. rasa declares Python <3.11 but runs on 3.11, so it and
# rasa-sdk are installed in a second step without dependency resolution.
$(VENV)/.installed: requirements.lock
	test -x $(PY) || python3.11 -m venv $(VENV)
	$(PY) -m pip install --quiet --no-deps -r <(grep -vE '^rasa(-sdk)?==' requirements.lock)
	$(PY) -m pip install --quiet --no-deps --ignore-requires-python -r <(grep -E '^rasa(-sdk)?==' requirements.lock)
	touch $@

install: $(VENV)/.installed widget/node_modules/.package-lock.json

# The widget's socket.io client comes from the npm registry, pinned by widget/package-lock.json.
widget/node_modules/.package-lock.json: widget/package-lock.json
	npm ci --prefix widget --no-audit --no-fund --silent

$(SPACY_MODEL)/meta.json: $(VENV)/.installed content/spacy/entities.yml content/spacy/shorthand.yml content/spacy/shorthand_es.yml data/nlu_es.yml content/oc_gazetteer.csv clinic/nlu/spacy_model.py
	$(PY) -m clinic.nlu.spacy_model --output $(SPACY_MODEL)

spacy: $(SPACY_MODEL)/meta.json

# The crisis model (clinic/safety/model.py), built from the training part of the safety corpus.
$(CRISIS_MODEL): $(VENV)/.installed content/safety/train.tsv data/nlu.yml content/safety_lexicon.yml $(wildcard clinic/safety/*.py)
	$(PY) -m clinic.safety.model --output $(CRISIS_MODEL)

crisis-model: $(CRISIS_MODEL)

# Rewrites content/safety/train.tsv and heldout.tsv from content/safety/source/ (committed).
safety-split: $(VENV)/.installed
	$(PY) -m clinic.safety.corpus

# Recall and false alarms on the held-out part, per language and style, into reports/safety.md.
evaluate-safety: $(CRISIS_MODEL)
	$(PY) -m clinic.safety.evaluate

$(MODEL): $(TRAINING_INPUTS) | $(CRISIS_MODEL)
	$(RASA) train --fixed-model-name current --out $(MODEL_DIR) --quiet

train: $(MODEL)

# The escalation tables belong to the staff console (Django migrations).
migrate: $(VENV)/.installed
	$(PY) -m clinic.escalations migrate

validate: $(VENV)/.installed $(SPACY_MODEL)/meta.json
	$(RASA) data validate --fail-on-warnings

run: $(MODEL) $(CRISIS_MODEL) migrate widget/node_modules/.package-lock.json
	bin/run-all

# Production mode: settings from the environment and .env (see .env.example and the README).
run-prod: $(MODEL) $(CRISIS_MODEL)
	bin/run-prod

# Retention works on the tracker store of RASA_ENDPOINTS (endpoints.yml; endpoints.prod.yml with
# the production settings exported) and on the escalation store of ESCALATIONS_DATABASE_URL.
retention-purge: migrate
	$(PY) -m clinic.retention purge $(if $(DAYS),--older-than-days $(DAYS))

forget: migrate
	@test -n "$(CONVERSATION)" || { echo "usage: make forget CONVERSATION=<conversation id>" >&2; exit 2; }
	$(PY) -m clinic.retention forget "$(CONVERSATION)"

shell: $(MODEL) $(CRISIS_MODEL) migrate
	bin/run-actions & trap 'kill $$!' EXIT; $(RASA) shell --model $(MODEL) --endpoints endpoints.yml

pytest: $(MODEL) $(CRISIS_MODEL) widget/node_modules/.package-lock.json
	$(PY) -m pytest

# The unit tier (tests/unit/: plain functions and single components, no servers): about 25 s.
test-fast: $(VENV)/.installed $(SPACY_MODEL)/meta.json $(CRISIS_MODEL)
	$(PY) -m pytest -q tests/unit

e2e: $(MODEL) $(CRISIS_MODEL) migrate
	bin/run-actions & trap 'kill $$!' EXIT; bin/wait-for-port $(ACTIONS_PORT) && \
	  $(RASA) test core --model $(MODEL) --stories tests/test_stories.yml --endpoints endpoints.yml \
	    --fail-on-prediction-errors --out reports/e2e

# Chromium, PostgreSQL, Redis and nginx: installed when missing and root, else the command to run.
system-packages:
	bin/system-packages

# The production-mode tests fail, rather than skip, when a service is missing.
test: export CLINIC_REQUIRE_PROD_SERVICES := 1
test: system-packages lint validate pytest e2e

# The intent classifier on the topic intents of both languages, without the components that decide
# by a message's shape (clinic/nlu/evaluation.py); the summary gives macro-F1 per language.
evaluate: $(MODEL) $(CRISIS_MODEL)
	$(PY) -m clinic.nlu.evaluation build/evaluate
	$(RASA) test nlu --nlu build/evaluate/data --config build/evaluate/config.yml \
	  --cross-validation --folds 5 --successes --out reports/nlu
	$(PY) -m clinic.nlu.report reports/nlu

# The held-out conversations (tests/heldout/, docs/heldout.md): a measurement, whatever the pass rate.
heldout: $(MODEL)
	$(PY) -m tests.heldout.run

# The dialogue test set (tests/dialogues/, issue 17): follow-ups, several questions, the finder.
dialogues: $(MODEL)
	$(PY) -m tests.dialogues.run

# A benchmark, not a test: trains both bots and loads each for a while (~15 minutes in all).
bench: $(MODEL) $(CRISIS_MODEL) migrate
	$(PY) -m bench

# Regenerates the Orange County gazetteer from the zipcodes package (committed; rarely needed).
gazetteer: $(VENV)/.installed
	$(PY) -m clinic.gazetteer_build

# Asks in a terminal; STAFF_USERNAME, STAFF_PASSWORD and STAFF_ROLE (staff|admin) make it non-interactive.
staff-user: migrate
	$(PY) -m staff staffuser

# The messages content editors labelled in the console's review page, as training data and test stories.
# REVIEW_DATA_DIR and REVIEW_STORIES write elsewhere than data/ and tests/reviewed_stories.yml.
review-export: migrate
	$(PY) -m staff review_export $(if $(REVIEW_DATA_DIR),--data-dir $(REVIEW_DATA_DIR)) \
	  $(if $(REVIEW_STORIES),--stories $(REVIEW_STORIES))

escalations: migrate
	@$(PY) -m clinic.escalations list

# ruff, the import rules of pyproject.toml's [tool.importlinter] (layers, nothing imports tests), and
# mypy, strict on the domain modules ([tool.mypy]).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check bench clinic actions channels staff harness tests widget
	$(VENV)/bin/ruff format --check bench clinic actions channels staff harness tests widget
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

clean:
	rm -rf build $(MODEL_DIR) reports/e2e
