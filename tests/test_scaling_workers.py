"""Politeness across Prefect workers: two `prefect worker start` processes of one process work pool
each pull a `harvest-source` flow run (a deployment of this checkout, deployed the way prefect.yaml
does: pull step = set the working directory), for two sources on ONE loopback host, at the same
time. Each worker has its own warehouse (a run holds the warehouse writer lock). Judged at the
server: request starts at least min_delay apart, never more than per_host_concurrency in flight,
one robots.txt fetch per run. per_host_concurrency is 1, so two runs that each kept their own
limits would have two requests in flight at once.

Real worker processes and flow-run subprocesses are slow to start: one test, short runs."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fetch"))

from fetchkit import (
    Reply,
    Site,
    box_page,
    html_type,
    judge_politeness,
    quick_settings,
    write_config_dir,
)

MIN_DELAY = 0.2
PER_HOST = 1
STALL = 0.25         # a page answers this slowly: starts min_delay apart would overlap without the limit
PAGES = 8            # per source, fetched one after the other by its run
CLOCK = 0.005        # the server logs arrivals on its own threads: a few ms of scheduling noise
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
SOURCES = ("a", "b")


@pytest.fixture
def site():
    site = Site()
    yield site
    site.close()


def write_config(folder: Path, site: Site) -> Path:
    settings = quick_settings(politeness={"min_delay": MIN_DELAY, "per_host_concurrency": PER_HOST,
                                          "global_concurrency": 4, "obey_robots": True,
                                          "shared_limits": "auto"},
                              http={"read_timeout": 5 * STALL})
    site.route("/robots.txt", Reply(200, ROBOTS, {"Content-Type": "text/plain"}))
    sources = []
    for sid in SOURCES:
        urls = [site.url(f"/{sid}/{n}") for n in range(PAGES)]
        for n in range(PAGES):
            site.route(f"/{sid}/{n}", Reply(200, box_page(f"{sid} {n}", folder_id=1000 + n).encode(), html_type(),
                                            stall=STALL))
        sources.append({"id": sid, "url": urls[0], "urls": urls[1:]})
    return write_config_dir(folder, settings, sources)


def create_pool(pool: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=pool, type="process",
                                               base_job_template=ProcessWorker.get_default_base_job_template()))
        for n in (1, 2):   # one queue per worker: each run goes to its own worker, so they overlap
            client.create_work_queue(name=f"q-{n}", work_pool_name=pool)


def deploy(pool: str, config_dir: Path) -> str:
    """A deployment of harvest-source from this checkout, as prefect.yaml makes it (the pull step
    sets the working directory to the checkout)."""
    from prefect import flow

    # _sync=True: Prefect picks its async variant when it believes an event loop runs in this
    # thread, which an earlier test in the session (Playwright's sync API) can leave behind.
    harvest = flow.from_source(source=str(ROOT), entrypoint="flows/prefect_flows.py:harvest_source", _sync=True)
    return str(harvest.deploy(name=f"scale-{pool}", work_pool_name=pool, build=False, push=False,
                              parameters={"config_dir": str(config_dir)}, print_next_steps=False,
                              ignore_warnings=True, _sync=True))


def start_worker(pool: str, queue: str, api: str, folder: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PREFECT_API_URL": api, "PREFECT_WORKER_QUERY_SECONDS": "1",
           "PREFECT_WORKER_PREFETCH_SECONDS": "1", "LQS_WAREHOUSE": str(folder / "warehouse.duckdb"),
           "LQS_ARCHIVE": str(folder / "archive"), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", pool, "--type", "process",
                             "--work-queue", queue, "--limit", "1", "--name", folder.name], env=env, cwd=str(ROOT),
                            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(check, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what} not there after {seconds:g}s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.mark.timeout(150)
@pytest.mark.usefixtures("prefect_server")
def test_two_prefect_workers_share_one_gate_per_host(tmp_path, site):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    config_dir = write_config(tmp_path, site)
    pool = f"lqs-scale-{uuid.uuid4().hex[:6]}"
    create_pool(pool)
    api = PREFECT_API_URL.value()
    workers = [start_worker(pool, f"q-{n}", api, tmp_path / f"worker-{n}", tmp_path / f"worker-{n}.log")
               for n in (1, 2)]
    states, spans, failure = None, [], ""
    try:
        deployment_id = deploy(pool, config_dir)   # while the workers start
        with get_client(sync_client=True) as client:
            wait_for(lambda: len(client.read_workers_for_work_pool(pool)) == 2, 60, "two workers")
            runs = [client.create_flow_run_from_deployment(deployment_id, parameters={"source_id": sid},
                                                           work_queue_name=f"q-{n}")
                    for n, sid in enumerate(SOURCES, start=1)]
            states = wait_for(lambda: _finished([client.read_flow_run(r.id) for r in runs]), 75, "both flow runs")
            spans = [(f.start_time, f.end_time) for f in (client.read_flow_run(r.id) for r in runs)]
    except AssertionError as exc:   # a wait ran out: the workers' logs say why
        failure = str(exc)
    finally:
        for proc in workers:
            stop(proc)
    logs = "\n".join(f"--- worker {n}\n" + (tmp_path / f"worker-{n}.log").read_text()[-4000:] for n in (1, 2))
    assert states == ["COMPLETED", "COMPLETED"], f"{failure}\n{logs}"
    # Each worker ran one of the runs, in its own warehouse.
    assert all((tmp_path / f"worker-{n}" / "warehouse.duckdb").exists() for n in (1, 2)), logs

    judge_politeness(site, MIN_DELAY, PER_HOST, len(SOURCES), CLOCK)
    seen = site.seen()
    assert len([s for s in seen if s.path.startswith("/a/")]) == len([s for s in seen if s.path.startswith("/b/")]) == PAGES
    # The two runs really ran at the same time (so the host's one slot was theirs to share).
    # Their requests need not interleave: the gate is not fair, and one run may wait at it
    # until the other is done.
    (a_start, a_end), (b_start, b_end) = spans
    assert a_start < b_end and b_start < a_end, spans


def _finished(flow_runs) -> list[str] | None:
    kinds = [r.state.type.value if r.state else None for r in flow_runs]
    done = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
    return kinds if all(k in done for k in kinds) else None
