# simkit: `make demo` runs the default scenario, `make test` runs every test and builds the docs.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint docs bench lab app clean kpi-docs

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "error: cannot create a virtualenv; on Debian/Ubuntu run: apt-get install python3-venv"; exit 2; }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[all]"
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/simkit run scenarios/startup_it_helpdesk.yaml --out out/kpis.csv --charts out

test: $(STAMP) docs
	$(VENV)/bin/ruff check simkit tests benchmarks notebooks
	$(PY) -m pytest tests notebooks --nbval-lax --nbval-current-env \
		--nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider -q

lint: $(STAMP)
	$(VENV)/bin/ruff check simkit tests benchmarks notebooks

kpi-docs: $(STAMP)
	$(PY) -c "from simkit.kpis import sync_docs; sync_docs('scenarios/README.md')"

docs: $(STAMP)  # the site in site/, warnings as errors; writes docs/reference/{fields,kpis}.md first
	$(PY) tools/docs_reference.py
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

bench: $(STAMP)
	$(PY) -m benchmarks.run

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks

app: $(STAMP)
	$(VENV)/bin/voila notebooks/02_dashboard.ipynb

clean:
	rm -rf out .pytest_cache build *.egg-info site docs/reference/fields.md docs/reference/kpis.md
