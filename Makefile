# Elbe Day: `make run` to try it, `make test` to test it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test bench cluster lint format migrations-check messages messages-check deploy-check clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: install, migrate, load the demo content, create an admin and serve on 127.0.0.1:8000
## (another port: make run PORT=8001; links in emails and QR codes follow HOST and PORT)
run: export DJANGO_DEBUG ?= true
run: export DJANGO_SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.runtime
	@# Before anything else, so that a port in use is said at once, with the way out.
	$(PY) manage.py devserver --check-port $(HOST):$(PORT)
	$(PY) manage.py ensure_database
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin --url http://$(HOST):$(PORT)/en/admin/
	@echo "Emails are sent by the outbox worker; in development they are printed here."
	@# runserver and the worker as children of one process that stops both on Ctrl-C,
	@# SIGTERM or make ending (see elbeday/management/commands/devserver.py).
	$(PY) manage.py devserver $(HOST):$(PORT)

## test: the whole suite (browser tests need Debian's chromium; see README)
## (BROWSER_TESTS names the browser tests to run: CI shares them out between its passes)
BROWSER_TESTS ?= tests/browser
test: export DJANGO_SECRET_KEY ?= insecure-key-for-tests-only
test: $(VENV)/.dev
	$(PY) -m pytest --ignore=tests/browser $(PYTEST_ARGS)
	@# Playwright's sync API keeps an event loop running in the test thread, which makes
	@# Django refuse database calls there; the browser tests run in a process of their own.
	$(PY) -m pytest $(BROWSER_TESTS) $(PYTEST_ARGS)

# Debian's package $(1) unless its program is there (nginx is in /usr/sbin, which is not on
# every PATH): the benchmark and the cluster proof start nginx and redis-server themselves.
apt_install = command -v $(1) >/dev/null || test -x /usr/sbin/$(1) \
	|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1))

## bench: the benchmark, one node and then two behind nginx (see README);
## BENCH_ARGS="--sizes 1 --duration 5" for a short run
bench: $(VENV)/.dev
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	@$(call apt_install,nginx)
	@$(call apt_install,redis-server)
	$(PY) -m bench.run $(BENCH_ARGS)
	$(PY) -m bench.cluster --bench $(BENCH_ARGS)

## cluster: two app nodes behind nginx on PostgreSQL, Redis and S3 (moto), started on this
## machine and checked (see README, Deployment); DATABASE_URL names the PostgreSQL server
cluster: $(VENV)/.dev
	@$(call apt_install,nginx)
	@$(call apt_install,redis-server)
	$(PY) -m bench.cluster

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrations-check: export DJANGO_DEBUG ?= true
migrations-check: $(VENV)/.runtime
	$(PY) manage.py makemigrations --check --dry-run

# The gate's script (static/js) has strings of its own, served by JavaScriptCatalog.
JS_MESSAGES = --locale de --locale ru --no-location --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'static/vendor/*' --ignore 'node_modules/*' --ignore 'bench/*' --ignore 'tests/*'

## messages: extract interface strings into locale/*/django.po and compile them
messages: export DJANGO_DEBUG ?= true
messages: $(VENV)/.runtime
	$(PY) manage.py makemessages --locale de --locale ru --no-location --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'bench/*' --ignore 'tests/*'
	$(PY) manage.py makemessages --domain djangojs $(JS_MESSAGES)
	$(PY) manage.py compilemessages --ignore '.venv/*'

## messages-check: the .po files hold every string of the code (needs GNU gettext)
messages-check: export DJANGO_DEBUG ?= true
messages-check: $(VENV)/.runtime
	$(PY) manage.py makemessages --locale de --locale ru --no-location --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'bench/*' --ignore 'tests/*'
	$(PY) manage.py makemessages --domain djangojs $(JS_MESSAGES)
	git diff --exit-code -I '^"POT-Creation-Date' -- locale/ || (echo "locale/*.po are out of date: run 'make messages' and translate" && exit 1)

deploy-check: export DJANGO_DEBUG = false
deploy-check: export DJANGO_SECRET_KEY ?= $(shell $(PY) -c "import secrets; print(secrets.token_urlsafe(50))")
deploy-check: export DJANGO_ALLOWED_HOSTS ?= elbeday.example.org
deploy-check: $(VENV)/.runtime
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
