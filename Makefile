# Two commands for a newcomer: `make run` and `make test`. Everything else is set up by them.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEVSTAMP:= $(VENV)/.installed-dev
LANGS   := en ru fi sv nb da

.PHONY: run test venv dev locales-extract locales-update locales-compile lint clean browser

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

venv: $(STAMP)
dev: $(DEVSTAMP)

## Translations (UI strings only; answers live in knowledge/content/)
locales-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _:1,1t -k _:1,2 -k __ --no-location --sort-output \
		--project=lykta -o locales/messages.pot handlers bot

locales-update: locales-extract
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete

locales-compile: $(STAMP)
	$(BIN)/pybabel compile -d locales -D messages --use-fuzzy 2>&1 | grep -v '^compiling' || true

run: $(STAMP) locales-compile
	$(BIN)/lykta run

## The browser tests' needs: Debian's Chromium (installed when missing and root, as in CI) and axe-core.
browser:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	@command -v chromium >/dev/null 2>&1 || echo "note: no Chromium (as root: make browser); browser tests skip"
	@[ -f tests/browser/node_modules/axe-core/axe.min.js ] || ! command -v npm >/dev/null 2>&1 || \
		(cd tests/browser && npm ci --silent --no-audit --no-fund)

test: $(DEVSTAMP) locales-compile browser
	$(BIN)/lint-imports --no-cache
	$(BIN)/lykta kb validate
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(DEVSTAMP)
	$(BIN)/ruff check bot handlers knowledge db tests bench

clean:
	rm -rf $(VENV) .pytest_cache
