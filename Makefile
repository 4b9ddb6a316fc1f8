# simkit: `make demo` runs the default scenario, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench lab app student clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "error: cannot create a virtualenv; on Debian/Ubuntu run: apt-get install python3-venv"; exit 2; }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[all]"
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/simkit run scenarios/startup_it_helpdesk.yaml --out out/kpis.csv --charts out

test: $(STAMP)
	$(VENV)/bin/ruff check simkit tests benchmarks notebooks
	$(PY) -m pytest tests notebooks --nbval-lax --nbval-current-env \
		--nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider -q

lint: $(STAMP)
	$(VENV)/bin/ruff check simkit tests benchmarks notebooks

bench: $(STAMP)
	$(PY) -m benchmarks.run

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks

app: $(STAMP)
	$(VENV)/bin/voila notebooks/02_dashboard.ipynb

student: $(STAMP)
	$(VENV)/bin/simkit lessons export build/student --student

clean:
	rm -rf out .pytest_cache build *.egg-info
