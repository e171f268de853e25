# The two commands in the README: `make run` and `make test`.
PYTHON_VERSION := $(shell cat .python-version)
PY := $(shell command -v python$(PYTHON_VERSION) 2>/dev/null || ls $$HOME/.pyenv/versions/$(PYTHON_VERSION)*/bin/python3 2>/dev/null | head -n1)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint venv clean catalogs bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PY)" || { echo "Python $(PYTHON_VERSION) was not found (install it or put python$(PYTHON_VERSION) on PATH)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/maalbot db upgrade
	$(BIN)/maalbot demo --if-empty
	$(BIN)/maalbot serve --dev

# Every test, one worker per core (pytest-xdist); each worker starts its own PostgreSQL on a free port.
# The long tests start first (tests/conftest.py); bytecode is written and compiled once up front even
# where PYTHONDONTWRITEBYTECODE is set: otherwise every worker and every `maalbot` child recompiles the
# sources and pytest rewrites every test module's asserts again (~6 s of CPU per process). A syntax
# error stops compileall but not the tests: pytest reports it too.
test: $(STAMP)
	-env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m compileall -q -j 0 bot dialogs storage reports
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q -n auto --durations=20

lint: $(STAMP)
	$(BIN)/ruff check bot dialogs reports storage tests benchmarks
	$(BIN)/ruff format --check bot dialogs reports storage tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# Re-extract the translatable texts and merge them into the Danish and English catalogs.
catalogs: $(STAMP)
	$(BIN)/pybabel extract -k t -k plural:1,2 -k N_ --no-location --omit-header -o .venv/maalbot.pot bot dialogs reports
	$(BIN)/pybabel update -i .venv/maalbot.pot -d dialogs/locale -D maalbot --no-fuzzy-matching --ignore-obsolete --width 120

# Repeatable measurements (see benchmarks/README.md); not part of `make test`.
bench: $(STAMP)
	$(BIN)/python benchmarks/conversation_turns.py
	$(BIN)/python benchmarks/channel_turns.py --turns 300 --channel both --runs 3
