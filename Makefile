# e-CARS: `make run` starts the whole system locally, `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install install-system lint lock bench clean

run: install
	$(PY) -m deploy.localstack

test: install install-system
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

# The DSFR's preinstall script only nags about a missing config file: skip scripts, keep dist/.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# From Debian, for the tests: Chromium for the browser tests (never a browser download of
# Playwright's own), LibreOffice and pdftotext to check the Word documents render, wrk for the
# load test (tests/reliability/test_load_held.py).
SYSTEM_PACKAGES := chromium libreoffice-writer-nogui poppler-utils wrk
install-system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: install
	$(VENV)/bin/ruff check .

# Regenerate the pinned versions from pyproject.toml's ranges.
lock:
	rm -rf /tmp/ecars-lock && $(PYTHON) -m venv /tmp/ecars-lock
	/tmp/ecars-lock/bin/pip install --quiet '.[test]'
	/tmp/ecars-lock/bin/pip freeze --exclude ecars > requirements.lock

bench: install
	$(PY) -m bench

clean:
	rm -rf .local .pytest_cache
