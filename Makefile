# Hotline: one Makefile for the newcomer, the developer and CI.
# `make run` and `make test` create .venv and install what they need.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test check lint format typecheck eval bench bench-poll bench-commands clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP) $@

run: $(STAMP)
	$(BIN)/hotline run

test: $(TSTAMP)
	$(BIN)/python -m pytest -q

check: $(TSTAMP)
	$(BIN)/ruff check bot handlers tests benchmarks
	$(BIN)/ruff format --check bot handlers tests benchmarks
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile
	$(BIN)/python -m pytest -q

format: $(TSTAMP)
	$(BIN)/ruff format bot handlers tests benchmarks
	$(BIN)/ruff check --fix bot handlers tests benchmarks

eval: $(STAMP)
	$(BIN)/python ../shared/eval/score.py ../shared/eval/dev.jsonl --cmd "$(BIN)/hotline extract" --errors 50

BSTAMP := $(VENV)/.installed-bench

$(BSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP) $(TSTAMP) $@

bench-poll: $(BSTAMP)
	$(BIN)/python -m benchmarks.bench_poll --feeds 1000 --hosts 50

bench-commands: $(STAMP)
	$(BIN)/python benchmarks/bench_commands.py

bench: bench-poll bench-commands

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
