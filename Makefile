# The two set-up commands are `make run` and `make test`; everything else is a helper.

# The interpreter the venv is made from. Debian's own /usr/bin/python3 is built with
# profile-guided and link-time optimisation; a Python compiled from source with default
# options (pyenv's, first on PATH on some images) is not, and runs pure-Python code about a
# quarter slower. So Debian's is preferred when it is 3.11 or newer; `make PYTHON=...` picks
# another. (The choice applies when .venv is made: `make clean` first to change it.)
SYSTEM_PYTHON := $(shell /usr/bin/python3 -c 'import sys; print(sys.version_info >= (3, 11))' 2>/dev/null)
PYTHON ?= $(if $(filter True,$(SYSTEM_PYTHON)),/usr/bin/python3,python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
CHROMIUM := /usr/bin/chromium

# Write bytecode caches even where the environment says not to (PYTHONDONTWRITEBYTECODE=1 on
# some images). Otherwise every process the suite starts (servers, pack workers, CLI runs:
# about 50) compiles the product's modules again, and every pytest worker rewrites the
# assertions of all the test modules again (collection 7.6 s -> 4.7 s of CPU per worker).
# Python writes no cache when the variable is non-empty; empty turns it off.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: run test test-fast stability lint format bench demo clean lock

# A venv needs Debian's python3-venv; install it when missing (as root, like CI).
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && \
	  $(PYTHON) -m venv $(VENV); }

# Installs come from the lock files: every package, transitive ones too, pinned with hashes.
$(VENV)/.runtime: $(VENV)/bin/python requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

# After editing requirements*.txt: regenerate the lock files (pip-tools in its own venv; the
# runtime lock constrains the dev lock, so both install the same runtime packages).
LOCK_VENV := .venv-lock
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	--no-emit-index-url --no-emit-trusted-host --no-emit-find-links --strip-extras
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --disable-pip-version-check pip-tools==7.6.2
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock \
	  requirements-dev.txt

# WeasyPrint (the PDF board pack) needs Pango and HarfBuzz's subsetter, and a font with
# Arial's metrics; install them only when one is missing.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation

.PHONY: pdf-libs
pdf-libs:
	@dpkg-query -W -f='$${Status}\n' $(PDF_LIBS) 2>/dev/null | grep -c "ok installed" | \
	  grep -qx "$(words $(PDF_LIBS))" || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_LIBS); }

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

demo: $(VENV)/.runtime
	$(PY) -m rpgdash init-demo --if-missing

run: demo pdf-libs
	$(PY) -m streamlit run app.py --server.port $(PORT)

# Five workers on CI's two cores: much of the suite waits on servers, browsers and pack
# workers, and with another process keeping a core busy, more workers get more of the CPU.
# Measured with a core busy: three workers took 6 min 34-40 s, four 5 min 51 s to 6 min, five
# 5 min 44 s, for no more CPU. Tests that share a slow resource (the browser, the board
# report) are kept on one worker by their xdist_group (tests/conftest.py).
PYTEST_OPTIONS := --dist loadgroup --durations=10
PYTEST := $(PY) -m pytest -n 5 $(PYTEST_OPTIONS)

test: $(VENV)/.dev $(CHROMIUM) pdf-libs
	$(PYTEST)

# Everything but the browser and AppTest page tests (no Chromium needed). Three workers: with
# little waiting on other processes, each extra worker mostly adds its own start-up (measured
# on a quiet machine: 2 min 27 s with three, 3 min 03 s with five).
test-fast: $(VENV)/.dev pdf-libs
	$(PY) -m pytest -n 3 $(PYTEST_OPTIONS) -m "not browser and not page"

# `make test` RUNS times in a row with one core kept busy; logs in stability-logs/.
RUNS ?= 10
stability: $(VENV)/.dev $(CHROMIUM)
	tests/stability.sh $(RUNS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(VENV)/.dev
	$(PY) -m tests.bench

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .ruff_cache
