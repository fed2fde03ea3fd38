# inspect_loop — `make run` serves the demo county; `make test` runs the whole suite.
# Both install what is missing first: Debian packages (CJK fonts, Pango, HarfBuzz subsetter, Chromium for
# the browser tests), a virtual environment and the Python dependencies, and the notices' GB/T 9704 faces
# (`make fonts`: Fandol 仿宋/黑体/楷体 from Debian's texlive-lang-chinese into letters/fonts/; without them the
# notices fall back to Noto CJK). `make test` also installs axe-core from npm (`make axe`, pinned to
# AXE_VERSION, into .venv/node/) for the accessibility test (docs/accessibility.md); it fails when npm does.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RUN_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info
TEST_PACKAGES := chromium
PYTEST_ARGS ?=
FLASK := $(BIN)/flask --app inspect_loop
CATALOGUE := translations/en/LC_MESSAGES/messages.mo
AXE_VERSION := 4.10.3
AXE_STAMP := $(VENV)/node/.axe-core-$(AXE_VERSION)

.PHONY: run test setup fonts axe system-packages test-system-packages lint clean

define apt_install
	@missing=""; for package in $(1); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

system-packages:
	$(call apt_install,$(RUN_PACKAGES))

test-system-packages:
	$(call apt_install,$(RUN_PACKAGES) $(TEST_PACKAGES))

# A minimal Debian has no python3, and Debian's python3 makes no virtual environment without python3-venv.
# A venv left half-made by a failure is removed, so the next run makes it again.
$(BIN)/python:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
		echo "Installing Debian packages: python3 python3-venv"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3 python3-venv; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); false; }

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: system-packages $(STAMP)

# The letter faces, downloaded once (the Debian package, not installed) and re-keyed for compact subsets;
# never fails: a notice renders in Noto CJK without them (inspect_loop/letters/font_setup.py).
fonts: | $(STAMP)
	$(BIN)/python -m inspect_loop.letters.font_setup

# axe-core for tests/web/test_accessibility.py, from the npm registry once per version (the tests themselves
# need no network). Debian's npm is installed only when there is no npm at all: NodeSource's nodejs brings its
# own and conflicts with Debian's package.
$(AXE_STAMP): | $(STAMP)
	@command -v npm >/dev/null || { \
		echo "Installing Debian packages: nodejs npm"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	npm install --no-save --no-audit --no-fund --no-package-lock --prefix $(VENV)/node axe-core@$(AXE_VERSION)
	touch $(AXE_STAMP)

axe: $(AXE_STAMP)

# The English catalogue, compiled when its .po changed (the .mo is build output, not committed; docs/i18n.md).
$(CATALOGUE): translations/en/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile -d translations

run: setup fonts $(CATALOGUE)
	$(FLASK) init-db
	$(FLASK) demo
	@echo "inspect_loop: http://127.0.0.1:5000"
	$(FLASK) run --host 127.0.0.1 --port 5000

# Lint, then the suite on SQLite, then on PostgreSQL when a server answers at 127.0.0.1:5432 (CI requires it:
# INSPECT_LOOP_REQUIRE_POSTGRES=1).
test: test-system-packages $(STAMP) fonts $(AXE_STAMP) $(CATALOGUE)
	$(BIN)/ruff check inspect_loop tests bench
	./.ci/test-suite $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check inspect_loop tests bench

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts letters/fonts
