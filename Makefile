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

# Every install step recovers by itself from an interrupted one (Ctrl-C, a time limit; issue 20, defect 16):
# its marker (.installed) is written only once it has finished, so an interrupted step runs again, and it
# never trusts what an interrupted run left:
# - venv: one without a working pip (`python -m venv` stopped half-way) or whose last pip install was cut
#   (.installing still there) is deleted and made again; `rm -rf` of a symlinked .venv removes the link only.
#   A venv that is whole but older than requirements.lock is only updated.
# - npm: node_modules is deleted (the link only, if it is one) and `npm ci` fills a fresh one.
# - apt: see install-system.
REQUIREMENTS ?= requirements.lock
PIP_OPTIONS ?=
$(VENV)/.installed: $(REQUIREMENTS) pyproject.toml
	@if ! $(PY) -m pip --version >/dev/null 2>&1 || [ -e $(VENV)/.installing ]; then \
	  if [ -e $(VENV) ] || [ -L $(VENV) ]; then echo "$(VENV) is incomplete (an interrupted install?): making it again"; fi; \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	fi
	touch $(VENV)/.installing
	$(PY) -m pip install --quiet $(PIP_OPTIONS) --upgrade pip
	$(PY) -m pip install --quiet $(PIP_OPTIONS) -r $(REQUIREMENTS)
	rm -f $(VENV)/.installing
	touch $@

# The DSFR's preinstall script only nags about a missing config file: skip scripts, keep dist/.
NPM_OPTIONS ?=
node_modules/.installed: package.json package-lock.json
	rm -rf node_modules
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error $(NPM_OPTIONS)
	mkdir -p node_modules && touch $@

# From Debian, for the tests: Chromium for the browser tests (never a browser download of
# Playwright's own), LibreOffice (Writer and Calc) and pdftotext to check the Word documents render and the
# campaign's XLSX export reads back, wrk for the
# load test (tests/reliability/test_load_held.py). A package counts only when dpkg says « install ok
# installed » (an interrupted install leaves it unpacked or half-configured); `dpkg --configure -a` first
# finishes what an interrupted run left, and a failed install is retried once after `apt-get -f install`.
SYSTEM_PACKAGES ?= chromium libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils wrk
APT := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 -y -qq
install-system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive dpkg --configure -a; \
	  $(APT) update && $(APT) install $$missing >/dev/null \
	  || { echo "apt-get failed: finishing the interrupted install and trying again"; \
	       DEBIAN_FRONTEND=noninteractive dpkg --configure -a; $(APT) -f install >/dev/null; \
	       $(APT) update && $(APT) install $$missing >/dev/null; }; \
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
