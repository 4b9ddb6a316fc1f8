# simkit: `make demo` runs the default scenario, `make test` runs every test and builds the docs, `make lowest`
# the fast subset on the lowest versions pyproject.toml allows.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-all
DEMO_STAMP := $(VENV)/.installed-demo
LOWEST ?= .venv-lowest
# The fast subset run on the lowest direct versions (the floors in pyproject.toml are what it proves).
LOWEST_TESTS := tests/engine/test_engine.py tests/scenario/test_scenario.py tests/theory/test_theory.py \
	tests/accounting/test_costs.py tests/ui/test_cli.py tests/packaging/test_install.py tests/stats/test_tdist.py \
	tests/packaging/test_packaging.py tests/ui/test_plots.py
# Left out there: the command line's bad-flag tables (a new interpreter per row; argparse and simkit's own checks,
# no dependency's version) run in `make test`.
LOWEST_SKIP := not bad_flags and not bad_input

.PHONY: demo test lowest lint docs bench lab app student clean kpi-docs

$(VENV)/.created:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "error: cannot create a virtualenv; on Debian/Ubuntu run: apt-get install python3-venv"; exit 2; }
	$(PY) -m pip install -q --upgrade pip
	@touch $@

$(STAMP): pyproject.toml $(VENV)/.created
	$(PY) -m pip install -q -e ".[all]"
	@touch $(STAMP)

$(DEMO_STAMP): pyproject.toml $(VENV)/.created
	$(PY) -m pip install -q -e ".[charts]"
	@touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(VENV)/bin/simkit run scenarios/startup_it_helpdesk.yaml --out out/kpis.csv --charts out

test: $(STAMP) docs
	$(VENV)/bin/ruff check simkit tests benchmarks notebooks
	$(VENV)/bin/lint-imports
	$(PY) -m pytest tests notebooks --nbval-lax --nbval-current-env \
		--nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider -q --durations=30

# A fresh venv resolved with uv's lowest-direct strategy: every direct dependency at its floor.
lowest: $(STAMP)
	rm -rf $(LOWEST)
	$(VENV)/bin/uv venv -q -p $(PY) $(LOWEST)
	$(VENV)/bin/uv pip install -q --python $(LOWEST)/bin/python --resolution lowest-direct \
		-e ".[charts,parquet,sensitivity]" $$($(PY) .ci/lowest_requirements.py)
	$(LOWEST)/bin/python -m pytest $(LOWEST_TESTS) -k "$(LOWEST_SKIP)" -p no:cacheprovider -q --durations=15

lint: $(STAMP)
	$(VENV)/bin/ruff check simkit tests benchmarks notebooks
	$(VENV)/bin/lint-imports

kpi-docs: $(STAMP)
	$(PY) -c "from simkit.accounting.registry import sync_docs; sync_docs('scenarios/README.md')"
	$(PY) -c "from pathlib import Path; from simkit.scenario.fields import sync_field_tables as s; \
	p = Path('scenarios/README.md'); p.write_text(s(p.read_text()))"

docs: $(STAMP)  # the site in site/, warnings as errors; writes docs/reference/{fields,kpis}.md first
	$(PY) tools/docs_reference.py
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

bench: $(STAMP)
	$(PY) -m benchmarks.run

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks

app: $(STAMP)
	$(VENV)/bin/voila notebooks/02_dashboard.ipynb

student: $(STAMP)
	$(VENV)/bin/simkit lessons export build/student --student

clean:
	rm -rf out .pytest_cache build *.egg-info site docs/reference/fields.md docs/reference/kpis.md $(LOWEST)
