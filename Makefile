# sohoa — `make run` and `make test` do all the set-up themselves on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SOHOA := $(VENV)/bin/sohoa
STAMPS := .stamps
SHARED ?= ../shared
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd poppler-utils \
                fonts-liberation2 fonts-texgyre hunspell-vi qpdf
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export OMP_THREAD_LIMIT := 1

.PHONY: help setup apt venv run test test-fast samples models schema bench bench-restore bench-batch eval eval-ocr eval-corpus clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

setup: apt venv  ## install everything that is missing (apt packages, venv, the package)

apt: $(STAMPS)/apt  ## Debian packages: tesseract + vie model, poppler, fonts with Vietnamese glyphs
$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

venv: $(STAMPS)/venv  ## Python virtual environment with sohoa installed (editable) and the test tools
$(STAMPS)/venv: pyproject.toml
	@mkdir -p $(STAMPS)
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

run: setup  ## process every sample scan into out/
	$(SOHOA) process samples/scans --out out

test: setup  ## the full test suite
	$(PY) -m pytest -q

test-fast: setup  ## the suite without the slow end-to-end OCR tests
	$(PY) -m pytest -q -m "not slow"

samples: setup  ## render samples/docs/*.txt into scans under samples/scans/
	$(PY) -m samples.render

models: setup  ## train the diacritics-restoration language model from $(SHARED)/corpus
	$(PY) -m pipeline.restore.train --corpus $(SHARED)/corpus --out models/restore

schema: setup  ## regenerate schemas/record.schema.json
	$(SOHOA) schema > schemas/record.schema.json

bench: setup  ## CER, throughput vs ocrmypdf, peak memory on the sample scans; memory of a 300-page scan, bomb
	$(PY) -m pip install -q -e '.[dev,bench]'
	$(PY) -m bench.pipeline
	$(PY) -m bench.faults

bench-restore: setup  ## diacritics restoration accuracy and speed
	$(PY) -m bench.restore --shared $(SHARED)

bench-batch: setup  ## pages/minute of a 40-page batch with 2 workers
	$(PY) -m bench.batch

eval: setup  ## field-level P/R/F1 of the structure stage against hand-written gold
	$(PY) -m bench.structure --shared $(SHARED)

eval-ocr: setup  ## structure figures on the OCR of the rendered scans (sohoa process, then the records)
	$(SOHOA) process $$($(PY) -c "import json; print(' '.join('samples/'+e['scan'] for e in json.load(open('samples/manifest.json'))))") --out out/eval-ocr
	$(PY) -m bench.structure --shared $(SHARED) --records out/eval-ocr

eval-corpus: setup  ## header check of the structure stage on every corpus document with a symbol ($(SHARED)/corpus)
	$(PY) -m bench.structure --shared $(SHARED) --corpus 0

clean:  ## remove build products (not the venv)
	rm -rf out build *.egg-info .pytest_cache
