# Quick start: `make demo` then `make test`. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# A fresh Prefect home needs ~25 s to start its temporary server; the default 20 s timeout fails.
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_HOME ?= $(CURDIR)/var/prefect

.PHONY: install demo test reality demo-archive bench clean

$(STAMP): pyproject.toml tests/site/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dask,croissant]'
	# axe-core for the site's accessibility test (tests/site); skipped there when absent.
	if command -v npm >/dev/null; then npm ci --prefix tests/site --no-audit --no-fund; fi
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/lqs refresh --replay demo/demo.warc.gz
	$(BIN)/lqs show nih-chestxray14
	$(BIN)/lqs query "select c.dataset_id, c.category, c.lqs, c.tier, c.lqs_evidenced as evidenced, l.coverage from catalog c join lqs_latest l using (dataset_id) order by c.tier = 'unrated', c.lqs desc"
	$(BIN)/lqs query "select count(*) filter (where basis <> 'default') as evidenced_dimensions, count(*) as dimensions, round(100.0 * count(*) filter (where basis <> 'default') / count(*), 1) as pct from lqs_dimensions_latest"

test: install
	$(BIN)/python -m pytest -q

reality: install
	$(BIN)/python -m pytest -q -s tests/reality

demo-archive: install
	$(BIN)/python -m demo.build

bench: install
	$(BIN)/python -m benchmarks.refresh --sources 2000

clean:
	rm -rf var .pytest_cache
