"""Crash safety: a refresh killed with SIGKILL at several points leaves the warehouse at its last
committed state (the published file opens, every table has the rows it had before), and the next
refresh completes normally. The writer stops at each point through warehouse/db.py's test hook
(LQS_TEST_PAUSE_AT), so the kill lands exactly there."""
from __future__ import annotations

import os
import signal
import time

import pytest

# The refresh's writer transactions, in order: 1 datasets, 2 the run row, 3 source `birds`,
# 4 source `soil`, 5 scores, 6 closing the run. commit-3 is mid-way through the sources.
POINTS = ["writer-open", "commit-3", "commit-5", "before-replace"]


def wait_for_pause(marker, proc, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"refresh never reached the pause point (exit {proc.returncode}):\n{out}\n{err}")
        time.sleep(0.02)
    return int(marker.read_text().split()[0])


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_leaves_the_last_committed_state_and_the_next_refresh_completes(two_runs, tmp_path, point):
    before = two_runs.counts()
    published = two_runs.warehouse_path.read_bytes()
    marker = tmp_path / "paused"
    proc = two_runs.driver("refresh", two_runs.archive(2), extra_env={
        "LQS_TEST_PAUSE_AT": point, "LQS_TEST_PAUSE_FILE": str(marker)})
    pid = wait_for_pause(marker, proc)
    assert pid == proc.pid
    os.kill(pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # The published file is untouched, opens, and holds exactly what it held before.
    assert two_runs.warehouse_path.read_bytes() == published
    assert two_runs.counts() == before
    assert two_runs.query("select count(*) from runs where status = 'running'") == [(0,)]
    # What the killed writer did went only into its staging copy, which no reader opens and the
    # next writer throws away.
    assert two_runs.warehouse().staging_path.exists()

    # The lock died with the process: the next refresh neither waits nor sees the killed run.
    started = time.monotonic()
    summary = two_runs.refresh(2)
    assert time.monotonic() - started < 20
    assert summary["sources_ok"] == 2
    after = two_runs.counts()
    assert after["runs"] == before["runs"] + 1 and after["source_runs"] == before["source_runs"] + 2
    assert two_runs.query("select status from runs order by started_at desc limit 1") == [("ok",)]
    assert not two_runs.warehouse().staging_path.exists()
