"""Crashes leave nothing behind, proved with real processes: `kill -9` of a running `lqs refresh`
takes its temporary Prefect server with it, and a second writer that cannot get the warehouse
stops with one line (no Prefect traceback, no server started)."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "demo.warc.gz"
LQS_ENTRY = "import sys; from cli import main; sys.argv[0] = 'lqs'; main()"


def cli_env(tmp_path: Path, **extra: str) -> dict:
    """A fresh Prefect home and warehouse; no PREFECT_API_URL, so `lqs` starts its temporary server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
    env.update({"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "LQS_WAREHOUSE": str(tmp_path / "w.duckdb"),
                "LQS_ARCHIVE": str(tmp_path / "archive"), "PYTHONPATH": str(ROOT), **extra})
    return env


def wait_until(predicate, proc: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"never saw {what} (exit {proc.returncode}):\n{out[-2000:]}\n{err[-4000:]}")
        time.sleep(0.1)


def test_kill_9_of_a_running_refresh_leaves_no_process(tmp_path):
    paused = tmp_path / "paused"
    env = cli_env(tmp_path, LQS_TEST_PAUSE_AT="writer-open", LQS_TEST_PAUSE_FILE=str(paused))
    proc = subprocess.Popen([sys.executable, "-m", "tests.pause_hook", "lqs", "refresh", "--replay", str(DEMO),
                             "--only", "nih-chestxray14"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cli = psutil.Process(proc.pid)
    # Paused inside the flow run, holding the writer: the temporary server is up and in use.
    wait_until(paused.exists, proc, 240, "the refresh reach its writer")
    children = cli.children(recursive=True)
    assert any("uvicorn" in " ".join(c.cmdline()) for c in children), [c.cmdline() for c in children]

    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running after kill -9 of lqs: {[(p.pid, p.cmdline()) for p in alive]}"


def test_a_second_writer_is_refused_with_one_line(tmp_path, config_dir):
    settings = config_dir / "settings.toml"
    text, n = re.subn(r"(?m)^lock_timeout = [0-9.]+", "lock_timeout = 1.0", settings.read_text())
    assert n == 1
    settings.write_text(text)
    env = cli_env(tmp_path, CONTROL_DIR=str(tmp_path), READY_FILE=str(tmp_path / "holding"))
    holder = subprocess.Popen([sys.executable, str(ROOT / "tests" / "warehouse" / "driver.py"), "hold", "120"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until((tmp_path / "holding").exists, holder, 60, "the first writer hold the warehouse")
        for command in (["refresh", "--replay", str(DEMO)], ["harvest", "nih-chestxray14", "--replay", str(DEMO)]):
            second = subprocess.run([sys.executable, "-c", LQS_ENTRY, "--config", str(config_dir), *command],
                                    env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240)
            assert second.returncode == 2, second.stdout + second.stderr
            assert second.stderr.splitlines() == [
                f"lqs: error: {tmp_path / 'w.duckdb'}: another writer holds the warehouse "
                f"(pid {holder.pid} on {socket.gethostname()}: hold test); waited 1s"], second.stderr
            assert second.stdout == ""
        assert not (tmp_path / "prefect").exists() or not list((tmp_path / "prefect").glob("*.db")), \
            "a Prefect server was started for a run that could not write"
    finally:
        (tmp_path / "stop").touch()
        holder.communicate(timeout=60)
