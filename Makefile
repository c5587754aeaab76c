# egovstudy — the two commands a fresh machine needs are `make reproduce` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

# Public data and reference datasets are never committed: point at a mirror when one exists.
SHARED := $(abspath ../shared)
export EGOVSTUDY_DATA_MIRROR ?= $(if $(wildcard $(SHARED)/data),$(SHARED)/data,)
export EGOVSTUDY_REFERENCE_DATA ?= $(if $(wildcard $(SHARED)/reference-data),$(SHARED)/reference-data,)
export MPLBACKEND := Agg
# semopy orders model parameters through Python sets: a fixed hash seed makes CFA fits, and so
# every table, byte-identical from run to run
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help install test-deps reproduce data data-public notebooks chapter test test-compat test-fast crosscheck-deps crosscheck lint lab bench sync-notebooks clean

help: ## List every target
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml setup.py egovstudy/_countcore.c egovstudy/io/_csvcore.c
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name egovstudy --display-name "Python (egovstudy)" >/dev/null
	@touch $(STAMP)

install: $(STAMP) ## Create .venv from the pinned requirements (package in editable mode)

data: $(STAMP) ## Build data/processed/ from data/raw/ (the default study)
	$(PY) -m egovstudy.pipeline

data-public: $(STAMP) ## Download the public data files into the cache (EGOVSTUDY_CACHE), sha256-checked
	$(PY) -m egovstudy data fetch $(SOURCES)

notebooks: $(STAMP) ## Execute every notebook into reports/ (figures, tables, run manifest)
	$(PY) -m egovstudy.notebooks run

chapter: $(STAMP) ## The default study's results chapter (DOCX/MD/HTML) and every table and figure
	$(PY) -m egovstudy run data/raw/default_study/study.yaml --output reports/default_study --overwrite

reproduce: data notebooks chapter ## The main job: processed data, every notebook, the chapter, figures and tables

test-deps: ## System tools some tests use (LibreOffice, poppler, pdflatex); installed when root, else skipped
	@if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing LibreOffice (headless) and poppler-utils for the DOCX->PDF test"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends libreoffice-writer-nogui poppler-utils fonts-liberation >/dev/null) \
	      || echo "could not install LibreOffice: the DOCX->PDF test will be skipped"; \
	  else echo "LibreOffice not found and not root: the DOCX->PDF test will be skipped"; fi; \
	fi
	@if ! command -v pdflatex >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing pdflatex (texlive-latex-recommended, ~1 min) for the LaTeX table test"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends texlive-latex-recommended >/dev/null) \
	      || echo "could not install pdflatex: the LaTeX compile test will be skipped"; \
	  else echo "pdflatex not found and not root: the LaTeX compile test will be skipped"; fi; \
	fi

test: $(STAMP) test-deps ## Unit tests, doctests and notebook execution (fails when no test runs)
	$(PY) -m pytest -n 2 --dist loadgroup

# The suite again in a second environment with the oldest supported pandas and numpy
# (requirements-compat.txt): pandas 2.2 keeps working while requirements.txt pins pandas 3
COMPAT_VENV := .venv-compat
COMPAT_PY := $(COMPAT_VENV)/bin/python
COMPAT_STAMP := $(COMPAT_VENV)/.installed-stamp

$(COMPAT_STAMP): requirements-compat.txt pyproject.toml setup.py egovstudy/_countcore.c egovstudy/io/_csvcore.c
	@test -x $(COMPAT_PY) || $(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_PY) -m pip install --quiet --disable-pip-version-check -r requirements-compat.txt
	$(COMPAT_PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(COMPAT_PY) -m ipykernel install --sys-prefix --name egovstudy --display-name "Python (egovstudy)" >/dev/null
	@touch $(COMPAT_STAMP)

test-compat: $(COMPAT_STAMP) test-deps ## The whole suite with the oldest supported pandas (2.2) and numpy (2.0)
	$(COMPAT_PY) -c "import numpy, pandas; print('compat: pandas', pandas.__version__, 'numpy', numpy.__version__)"
	$(COMPAT_PY) -m pytest -n 2 --dist loadgroup -p no:cacheprovider

test-fast: $(STAMP) ## The tests without notebook execution and slow cases
	$(PY) -m pytest -n 2 -m "not slow and not notebooks"

# R and the R packages of the cross-check suite, from Debian's packages (root only)
R_PACKAGES := r-base-core r-cran-jsonlite r-cran-lavaan r-cran-psych r-cran-gparotation \
  r-cran-lme4 r-cran-lmertest r-cran-ordinal r-cran-car r-cran-lmtest r-cran-sandwich \
  r-cran-plm r-cran-nortest r-cran-survey r-cran-semtools

crosscheck-deps: ## R and its packages for `make crosscheck` (apt-get when root, else skipped)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  missing=$$(for p in $(R_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "installing R packages from Debian:" $$missing; start=$$(date +%s); \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $$missing >/dev/null) \
	      || echo "could not install every R package: comparisons needing a missing one are skipped"; \
	    echo "crosscheck: apt install took $$(( $$(date +%s) - start )) s"; \
	  fi; \
	elif ! command -v Rscript >/dev/null 2>&1; then \
	  echo "R not found and not root: the cross-check against R is skipped"; \
	fi

crosscheck: $(STAMP) crosscheck-deps ## Compare egovstudy with R (psych, lavaan, lme4, plm, ...); see docs/crosscheck.md
	@if command -v Rscript >/dev/null 2>&1; then \
	  start=$$(date +%s); \
	  PYTHONPATH=$(CURDIR) $(PY) -m pytest -p no:cacheprovider -q crosscheck; \
	  status=$$?; echo "crosscheck: suite took $$(( $$(date +%s) - start )) s"; exit $$status; \
	else echo "crosscheck skipped: Rscript not found (run as root to install R from Debian's packages)"; fi

lint: $(STAMP) ## ruff and mypy
	$(PY) -m ruff check egovstudy tests benchmarks notebooks crosscheck
	$(PY) -m mypy

# JupyterLab listens on this machine only unless LAB_IP says otherwise; as root (containers)
# it needs --allow-root, which is added only then
LAB_IP ?= 127.0.0.1
LAB_PORT ?=
lab: $(STAMP) ## Start JupyterLab with the project's kernel (127.0.0.1; LAB_IP=, LAB_PORT= to change)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --ip=$(LAB_IP) \
	  $(if $(LAB_PORT),--port=$(LAB_PORT)) $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP) ## Benchmarks against the peers; writes reports/benchmarks.md
	$(PY) -m benchmarks.run

sync-notebooks: $(STAMP) ## Rebuild notebooks/*.ipynb (no outputs) from the jupytext .py sources
	$(PY) -m egovstudy.notebooks sync

clean: ## Remove generated outputs (never data/raw)
	rm -rf reports/* data/processed/*
