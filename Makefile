# Reverse mentoring evaluation toolkit. `make help` lists the targets.
# Everything runs inside .venv, which the first target you run creates and fills.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/constraints.txt

.DEFAULT_GOAL := help
.PHONY: help demo test lint lab lock clean

help: ## Show this help / visa den här hjälpen
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-8s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's dependencies or the lock file change.
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP) ## Run the whole flow on a synthetic cohort / kör hela flödet på en syntetisk kohort
	$(BIN)/evaluation survey check
	$(BIN)/evaluation survey export-all reports/forms
	$(BIN)/evaluation demo data/demo

test: $(STAMP) ## Run the test suite / kör testerna
	$(BIN)/python -m pytest

lint: $(STAMP) ## Check style with ruff / kontrollera kodstil
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

$(VENV)/.lab-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[dev,lab]"
	@touch $@

# The analyst's workspace: lab/ (git-ignored) holds copies of notebooks/, made once; REFRESH=1 replaces
# them (edited copies go to lab/backup/), COHORT=data/2027 makes that cohort the notebooks' default.
lab: $(VENV)/.lab-installed ## JupyterLab on lab/, a copy of the report notebooks (REFRESH=1, COHORT=DIR) / öppna arbetsytan
	$(if $(COHORT),,test -f data/demo/processed/responses.parquet || $(BIN)/evaluation demo data/demo)
	$(BIN)/evaluation lab $(if $(COHORT),--cohort "$(COHORT)") $(if $(REFRESH),--refresh)

lock: $(BIN)/python ## Re-resolve dependencies and rewrite the lock file / uppdatera låsfilen
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade "pip>=24"
	.venv-lock/bin/python -m pip install --quiet -e ".[dev,lab]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > $(LOCK)
	rm -rf .venv-lock

clean: ## Remove the virtual environment and caches / ta bort miljön
	rm -rf $(VENV) .pytest_cache .ruff_cache
