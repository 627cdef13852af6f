# One task runner, the same verbs for everyone. See the README for what each does.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL server `make test` runs the suite against a second time, when it answers:
# DATABASE_URL when it names one, else the local default.
LOCAL_POSTGRES := postgres://postgres@127.0.0.1:5432/shenbao
TEST_DATABASE_URL ?= $(if $(findstring postgres,$(DATABASE_URL)),$(DATABASE_URL),$(LOCAL_POSTGRES))

.PHONY: run serve setup secrets test test-tools test-sqlite test-postgres lint format bench worker screenshots clean messages

$(STAMP): requirements.txt requirements-dev.txt
	scripts/ensure-debian-packages.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(STAMP)

# The browser libraries (ECharts) pinned by package-lock.json, copied into shenbao's static files by npm
# (scripts/vendor-js.sh); redone when the lock changes. Never committed.
VENDORED := shenbao/web/static/vendor/echarts.min.js
$(VENDORED): package-lock.json
	scripts/vendor-js.sh

# The English catalogue is compiled from its source, never committed.
MESSAGES := locale/en/LC_MESSAGES/django.mo
$(MESSAGES): locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/djangojs.po $(STAMP) secrets
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv

# Per-installation secrets (SECRET_KEY, SEAL_KEY_PASSPHRASE, AUDIT_HMAC_KEY) for the demo, generated once
# into DATA_DIR/secrets.json; production sets them as environment variables instead.
secrets: $(STAMP)
	@$(BIN)/python -m shenbao.installation_secrets "$${DATA_DIR:-var}" >/dev/null

setup: $(STAMP) $(MESSAGES) $(VENDORED) secrets
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py seed_demo

# Serve with demo data on the embedded default (SQLite, local files, tasks in the database);
# the task worker runs beside the web server and stops with it. Its output — every e-mail too, which
# the demo prints instead of sending — shares the terminal, each line marked [worker].
run: setup
	@echo "shenbao: http://$(HOST):$(PORT)/  (Ctrl-C stops; e-mails and background work: lines marked [worker])"
	@trap 'kill 0' EXIT INT TERM; \
	PYTHONUNBUFFERED=1 $(BIN)/python manage.py work 2>&1 | sed -u 's/^/[worker] /' & \
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

# The production stack on this machine (README, "Production"): gunicorn web workers, task workers under
# a supervisor, PostgreSQL, Redis and S3 (SeaweedFS), each started from packages when the environment
# names none. DEMO=1 loads the demo accounts too.
serve: $(STAMP) $(MESSAGES) $(VENDORED)
	PORT=$(PORT) $(BIN)/python -m deploy.stack serve $(if $(DEMO),--demo)

# A background worker for shenbao's jobs (sealing, mail): leased, retried, reconnecting after outages.
# Start several for parallel sealing, e.g. `make worker QUEUES=sealing`.
QUEUES ?=
worker: $(STAMP) secrets
	$(BIN)/python manage.py work $(if $(QUEUES),--queues $(QUEUES))

# The whole suite needs chromium (browser tests), nginx (the production stack's front), Redis (the
# scaled-out task queue) and, for the second
# run, PostgreSQL: all come from Debian's packages when absent, so `make test` on a fresh Debian runs everything.
test: test-tools test-sqlite test-postgres

test-tools:
	@WITH_BROWSER=1 WITH_NGINX=1 scripts/ensure-debian-packages.sh
	@scripts/ensure-test-js.sh
	@if [ "$(TEST_DATABASE_URL)" = "$(LOCAL_POSTGRES)" ]; then scripts/ensure-postgres.sh || \
	  echo "Could not start a local PostgreSQL (needs root): the PostgreSQL run will be skipped."; fi
	@scripts/ensure-redis.sh || echo "Could not start Redis (needs root): the Redis task-queue test will be skipped."

test-sqlite: $(STAMP) $(MESSAGES) $(VENDORED)
	DATABASE_URL=sqlite:///:memory: $(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

test-postgres: $(STAMP) $(MESSAGES) $(VENDORED)
	@if $(BIN)/python scripts/db_reachable.py "$(TEST_DATABASE_URL)"; then \
	  DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest -q -n 2 $(PYTEST_ARGS); \
	else \
	  echo "PostgreSQL at $(TEST_DATABASE_URL) does not answer: the PostgreSQL run is skipped (.ci/run starts one)."; \
	fi

# PNG pictures of the department's overview, a 申报书 section, the unit's queue and a 375 px phone layout,
# into var/screenshots/ (scripts/screenshots.py: a throwaway demo database, Debian's chromium).
screenshots: $(STAMP) $(MESSAGES) $(VENDORED)
	@WITH_BROWSER=1 scripts/ensure-debian-packages.sh
	$(BIN)/python scripts/screenshots.py --out var/screenshots

# The English catalogue after strings changed (docs/i18n.md): file locations without line numbers, so
# that two branches adding strings rarely conflict; then translate the new and fuzzy entries.
messages: $(STAMP) secrets
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=node_modules --ignore=vendor --add-location=file --no-obsolete
	$(BIN)/python manage.py makemessages -d djangojs -l en --ignore=.venv --ignore=var --ignore=node_modules --ignore=vendor --add-location=file --no-obsolete

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP) secrets
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var node_modules shenbao/web/static/vendor
