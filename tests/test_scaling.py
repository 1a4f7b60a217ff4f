"""Politeness that holds when the harvest scales out: the loopback site is harvested by batches on
Dask worker processes, and judged AT THE SERVER (the request start times it logs): starts at least
min_delay apart, never more than per_host_concurrency in flight, robots.txt read once per run.
Also: a missing dask extra is one line and exit 2, before any fetch.

Real worker processes are slow to start: these tests are few, and the run is kept short."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fetch"))

from fetchkit import (Reply, Site, box_page, html_type, judge_politeness, quick_settings,  # noqa: E402
                      write_config_dir)

MIN_DELAY = 0.2
PER_HOST = 2
# Each page answers this slowly: with starts min_delay apart, three requests would overlap if the
# in-flight limit did not hold them back (and with in-process limits only, four or more would).
STALL = 0.6
SOURCES = 8
CLOCK = 0.005        # the server logs arrivals on its own threads: a few ms of scheduling noise
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


@pytest.fixture
def site():
    site = Site()
    yield site
    site.close()


def write_config(folder: Path, site: Site, count: int, run: dict) -> Path:
    settings = quick_settings(politeness={"min_delay": MIN_DELAY, "per_host_concurrency": PER_HOST,
                                          "global_concurrency": 8, "obey_robots": True}, run=run,
                              http={"read_timeout": 5 * STALL})
    settings["warehouse"] = {"path": str(folder / "var" / "warehouse.duckdb"), "lock_timeout": 60.0}
    settings["archive"] = {"dir": str(folder / "var" / "archive")}
    site.route("/robots.txt", Reply(200, ROBOTS, {"Content-Type": "text/plain"}))
    sources = []
    for n in range(count):
        site.route(f"/v/p{n}", Reply(200, box_page(f"p {n}").encode(), html_type(), stall=STALL))
        sources.append({"id": f"p{n}", "url": site.url(f"/v/p{n}")})
    return write_config_dir(folder, settings, sources)


def judge(site: Site, runs: int = 1) -> None:
    """The server's view: spacing, concurrency, robots.txt."""
    judge_politeness(site, MIN_DELAY, PER_HOST, runs, CLOCK)


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize("workers", [2, 4])
def test_dask_workers_share_one_gate_per_host(tmp_path, site, workers):
    from config.load import load
    from flows.prefect_flows import configured, refresh_catalog

    config_dir = write_config(tmp_path, site, SOURCES, {"task_runner": "dask", "dask_workers": workers,
                                                        "batch_size": 2})
    config = load(config_dir)
    summary = configured(refresh_catalog, config)(config_dir=str(config_dir))

    assert summary["sources_ok"] == SOURCES, summary
    judge(site)
    pages = [s for s in site.seen() if s.path.startswith("/v/")]
    assert len(pages) == SOURCES
    # Batches really ran in parallel somewhere: more than one request was in flight at a moment.
    assert site.max_in_flight == PER_HOST


def test_dask_without_the_extra_is_one_line_and_exit_2_before_any_fetch(tmp_path, site):
    config_dir = write_config(tmp_path, site, 1, {"task_runner": "dask"})
    shim = tmp_path / "no-dask"
    shim.mkdir()
    # The extra is installed here: an import hook makes prefect_dask look uninstalled.
    (shim / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('prefect_dask',):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}')\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Hide())\n")
    env = {**os.environ, "PYTHONPATH": str(shim), "LQS_CONFIG": str(config_dir)}
    done = subprocess.run([str(Path(sys.executable).with_name("lqs")), "refresh"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == ("lqs: error: task_runner = \"dask\" needs the dask extra: "
                                   "pip install 'lqs-harvester[dask]'")
    assert site.seen() == []


@pytest.mark.usefixtures("prefect_server")
def test_a_retry_after_pause_holds_the_hosts_spacing_slot_for_every_process():
    """What one worker's Retry-After does to the limits every worker takes slots from."""
    import time
    import uuid

    from fetch.shared_gate import SharedLimits, api_url

    run_id, host = f"t-{uuid.uuid4().hex[:8]}", f"h-{uuid.uuid4().hex[:8]}.example"
    mine, other = (SharedLimits(run_id, 8, api_url(), 5.0) for _ in range(2))
    try:
        mine.ensure_run()
        mine.ensure_host(host, 2, MIN_DELAY, overwrite=True)
        with mine.slot(host, 2, MIN_DELAY):
            pass
        mine.pause(host, 1.0, MIN_DELAY)
        start = time.monotonic()
        with other.slot(host, 2, MIN_DELAY):
            waited = time.monotonic() - start
    finally:
        mine.close()
    assert waited >= 1.0 - CLOCK, waited
