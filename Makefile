# Two commands do all set-up on a fresh machine with Python 3.11+:
#   make run   — install into .venv, migrate, seed demo data once, serve on 127.0.0.1:8000
#                with a real Celery worker (embedded broker, SQLite: no external service)
#   make test  — lint, migrations check, the suite on SQLite, then on real PostgreSQL + Redis
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYTEST_ARGS ?=

.PHONY: run test install install-dev lint test-sqlite test-postgres bench clean audit backup restore

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --if-empty
	DEBUG=1 $(PY) manage.py runportal 127.0.0.1:8000

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

# Every test runs on SQLite, then everything again on PostgreSQL with Redis and a real
# Celery worker (throwaway servers on loopback, stopped afterwards even on failure).
test-sqlite: install-dev
	@echo "==> backend: SQLite (integration tests need PostgreSQL and Redis: next run)"
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(PY) -m pytest -m "not integration" $(PYTEST_ARGS)

test-postgres: install-dev
	@echo "==> backend: PostgreSQL + Redis"
	$(PY) .ci/services.py run -- $(PY) -m pytest $(PYTEST_ARGS)

test: lint audit test-sqlite test-postgres
	@echo "==> all test runs passed: SQLite, PostgreSQL + Redis"

# --- Security audits (issue 11): bandit (medium and high fail; accepted findings carry
# `# nosec BXXX  # why: ...`) and the offline dependency audit against the vendored PyPA
# advisory snapshot (.ci/advisories/). ADVISORY_MAX_AGE_DAYS: the newest advisory data these
# machines can reach is of 2024-10-10, hence 800 for now; refresh the snapshot, then 400.
ADVISORY_MAX_AGE_DAYS ?= 800
BANDIT_TARGETS := vpr_portal schools results plans observers
audit: install-dev
	$(BIN)/bandit -c pyproject.toml -r $(BANDIT_TARGETS) --severity-level medium -q
	$(PY) .ci/dependency_audit.py --installed --max-age-days $(ADVISORY_MAX_AGE_DAYS)
# --- end security audits

# --- Backup and restore (issue 11): the database (pg_dump -Fc, or SQLite's backup API) and
# MEDIA_ROOT in one archive under var/backups/, or BACKUP_FILE=…; run them with the portal's
# environment (for `make run`'s database: DEBUG=1 make backup). A restore replaces the
# database's content and checks every table's row count against the archive.
backup: install
	$(PY) manage.py backup_portal $(if $(BACKUP_FILE),--output $(BACKUP_FILE))

restore: install
	@test -n "$(BACKUP_FILE)" || { echo "make restore BACKUP_FILE=var/backups/portal-….tar.gz"; exit 2; }
	$(PY) manage.py restore_portal $(BACKUP_FILE)
# --- end backup and restore

bench: install-dev
	$(PY) .ci/services.py run -- $(PY) bench/run.py

clean:
	rm -rf var/test.sqlite3 .pytest_cache .ruff_cache
