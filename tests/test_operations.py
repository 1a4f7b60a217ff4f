"""Prefect-native operations: served deployments triggered through a real Prefect API server,
the schedule as configured, the ephemeral-mode CLI writing the same rows, a 2,000-source refresh
in bounded task runs without dropped events, and the Dask task runner."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import requests

from benchmarks.catalog_server import CatalogServer, sources_toml
from config.load import load

ROOT = Path(__file__).resolve().parents[1]
DEMO = str(ROOT / "demo" / "demo.warc.gz")
LQS = str(Path(sys.executable).with_name("lqs"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args, env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def get_json(url):
    try:
        resp = requests.get(url, timeout=5)
    except requests.RequestException:
        return None
    return resp.json() if resp.ok else None


def post_json(url, body):
    """The answer of a POST; None while the API is unavailable (a 503 from a local Prefect server
    busy with the serving process's start-up: Prefect's own client retries those too)."""
    resp = requests.post(url, json=body, timeout=10)
    if resp.status_code == 503:
        return None
    assert resp.ok, resp.text
    return resp.json()


def facts(db: Path):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""select dataset_id, field, value::varchar, basis, evidence, source_url, extractor
                              from facts order by all""").fetchall()
    finally:
        con.close()


def test_served_deployments_and_cli_write_the_same_rows(tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
           "LQS_WAREHOUSE": str(tmp_path / "served.duckdb"), "LQS_ARCHIVE": str(tmp_path / "archive")}
    env.pop("PREFECT_API_URL", None)
    (tmp_path / "prefect").mkdir()
    server = start([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                   env, tmp_path / "server.log")
    serve = None
    try:
        wait_for(lambda: get_json(f"{api}/health") is not None, 180, "the Prefect server")
        serve_env = {**env, "PREFECT_API_URL": api}
        serve = start([LQS, "serve"], serve_env, tmp_path / "serve.log")
        harvest = wait_for(lambda: get_json(f"{api}/deployments/name/harvest-source/on-demand"), 120,
                           "the served harvest-source deployment")
        refresh = get_json(f"{api}/deployments/name/refresh-catalog/nightly")
        schedule = refresh["schedules"][0]["schedule"]
        settings = load().settings["schedule"]
        assert (schedule["cron"], schedule["timezone"]) == (settings["cron"], settings["timezone"])
        assert refresh["global_concurrency_limit"]["limit"] == 1
        assert harvest["schedules"] == []

        run = wait_for(lambda: post_json(f"{api}/deployments/{harvest['id']}/create_flow_run",
                                         {"parameters": {"source_id": "nih-chestxray14", "replay": DEMO}}),
                       60, "the API to create the flow run")
        state = wait_for(lambda: _terminal(get_json(f"{api}/flow_runs/{run['id']}")), 240, "the flow run")
        assert state == "COMPLETED", (tmp_path / "serve.log").read_text()[-3000:]
    finally:
        if serve is not None:
            stop(serve)
        stop(server)
    served = facts(tmp_path / "served.duckdb")
    assert any(f[1] == "size_bytes" and f[2] == "45088866280" for f in served)

    # The same harvest from the CLI in Prefect's ephemeral mode (no server running).
    cli_env = {**env, "LQS_WAREHOUSE": str(tmp_path / "cli.duckdb")}
    proc = subprocess.run([LQS, "harvest", "nih-chestxray14", "--replay", DEMO], env=cli_env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert facts(tmp_path / "cli.duckdb") == served


def _terminal(flow_run):
    if not flow_run:
        return None
    kind = flow_run["state"]["type"]
    return kind if kind in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None


def synthetic_config(tmp_path, base: str, count: int, **run_settings) -> Path:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    shutil.copy(ROOT / "config" / "lqs.toml", config_dir)
    (config_dir / "sources.toml").write_text(sources_toml(base, count))
    run = "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in run_settings.items())
    (config_dir / "settings.toml").write_text(f"""
[http]
allow_private_addresses = true
retries = 1
[politeness]
min_delay = 0.0
per_host_concurrency = 16
global_concurrency = 16
[run]
{run}
""")
    return config_dir


@pytest.mark.usefixtures("prefect_server")
def test_refresh_of_2000_sources_in_bounded_task_runs_without_dropped_events(tmp_path, workdir, capfd):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.prefect_flows import configured, refresh_catalog

    with CatalogServer(page_bytes=(1_000, 4_000)) as server:
        config_dir = synthetic_config(tmp_path, server.base, 2000, batch_size=100, batch_workers=2)
        config = load(config_dir)
        summary = configured(refresh_catalog, config)(config_dir=str(config_dir))
    assert summary["sources_ok"] == 2000 and summary["sources_failed"] == 0
    con = duckdb.connect(os.environ["LQS_WAREHOUSE"], read_only=True)
    flow_run_id = con.execute("select flow_run_id from runs").fetchone()[0]
    assert con.execute("select count(distinct dataset_id) from lqs_latest").fetchone()[0] == 2000
    con.close()
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    assert len(task_runs) == 20  # 2,000 sources / batch_size 100: one task run per batch
    assert all(t.state.is_completed() for t in task_runs)
    out = capfd.readouterr()
    assert "dropping message" not in out.out + out.err


@pytest.mark.usefixtures("prefect_server")
def test_dask_task_runner_with_a_local_cluster_of_two_workers(tmp_path, workdir):
    from flows.prefect_flows import configured, refresh_catalog

    with CatalogServer(page_bytes=(1_000, 4_000)) as server:
        config_dir = synthetic_config(tmp_path, server.base, 12, batch_size=3, task_runner="dask", dask_workers=2)
        config = load(config_dir)
        assert type(configured(refresh_catalog, config).task_runner).__name__ == "DaskTaskRunner"
        summary = configured(refresh_catalog, config)(config_dir=str(config_dir))
        requests_served = server.requests
    assert summary["sources_ok"] == 12, summary
    assert requests_served >= 12
    con = duckdb.connect(os.environ["LQS_WAREHOUSE"], read_only=True)
    assert con.execute("select count(*) from source_runs where status = 'ok'").fetchone()[0] == 12
    con.close()
