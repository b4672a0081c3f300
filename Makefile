# Hotline: one Makefile for the newcomer, the developer and CI.
# `make run` and `make test` create .venv and install what they need.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test
# The detector compiled with mypyc (bot/extract/native.py): built again when a source it was
# made from changes; when it cannot be built, everything runs on the pure Python detector.
NATIVE := bot/extract/_compiled/sources.json
NATIVE_SOURCES := $(addprefix bot/extract/,text.py cues.py dates.py modality.py mentions.py \
                  detect.py officials.py) bot/models.py

.PHONY: run test check lint format typecheck eval bench bench-poll bench-commands clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[native]'
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,native]'
	touch $(STAMP) $@

$(NATIVE): $(NATIVE_SOURCES) | $(STAMP)
	-$(BIN)/python -m bot.extract.build

run: $(STAMP) $(NATIVE)
	$(BIN)/hotline run

test: $(TSTAMP) $(NATIVE)
	$(BIN)/python -m pytest -q

check: $(TSTAMP) $(NATIVE)
	$(BIN)/ruff check bot handlers tests benchmarks
	$(BIN)/ruff format --check bot handlers tests benchmarks
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile
	$(BIN)/python -m pytest -q

format: $(TSTAMP)
	$(BIN)/ruff format bot handlers tests benchmarks
	$(BIN)/ruff check --fix bot handlers tests benchmarks

eval: $(STAMP) $(NATIVE)
	$(BIN)/python ../shared/eval/score.py ../shared/eval/dev.jsonl --cmd "$(BIN)/hotline extract" --errors 50

BSTAMP := $(VENV)/.installed-bench

$(BSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,native,bench]'
	touch $(STAMP) $(TSTAMP) $@

bench-poll: $(BSTAMP)
	$(BIN)/python -m benchmarks.bench_poll --feeds 1000 --hosts 50

bench-commands: $(STAMP)
	$(BIN)/python benchmarks/bench_commands.py

bench: bench-poll bench-commands

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache bot/extract/_compiled
