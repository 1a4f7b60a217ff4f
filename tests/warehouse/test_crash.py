"""Crash safety: a refresh killed with SIGKILL at several points leaves the warehouse at its last
committed state (the published file opens, every table has the rows it had before), and the next
refresh completes normally. The writer stops at each point through warehouse/db.py's test hook
(LQS_TEST_PAUSE_AT, tests/pause_hook.py), so the kill lands exactly there; the killed writer's staging copy shows
how far it had got."""
from __future__ import annotations

import os
import shutil
import signal
import time

import duckdb
import pytest

# The refresh's writer transactions with one source per batch (conftest SETTINGS_TOML):
# 1 datasets, 2 the run row, 3 source birds, 4 birds' score, 5 source soil, 6 soil's score,
# 7 closing the run; then the publish (rename of the staging copy).
POINTS = {
    "writer-open": [],                          # staging copy opened, nothing written yet
    "commit-3": ["birds"],                      # mid-way through the sources
    "commit-6": ["birds", "soil"],              # all sources and scores written, run not closed
    "before-replace": ["birds", "soil"],        # staging complete and fsynced, not yet renamed
}


def wait_for_pause(marker, proc, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"refresh never reached the pause point (exit {proc.returncode}):\n{out}\n{err}")
        time.sleep(0.02)
    return int(marker.read_text().split()[0])


def sources_written_in_staging(env, tmp_path, run_ids_before) -> list[str]:
    """Datasets the killed run had written, read from a copy of its abandoned staging file."""
    staging = env.warehouse().staging_path
    copy = tmp_path / "staging-copy.duckdb"
    shutil.copyfile(staging, copy)
    wal = staging.with_name(staging.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
    con = duckdb.connect(str(copy))
    try:
        rows = con.execute("select dataset_id from source_runs where run_id not in (select unnest(?)) order by 1",
                           [run_ids_before]).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_leaves_the_last_committed_state_and_the_next_refresh_completes(two_runs, tmp_path, point):
    before = two_runs.counts()
    run_ids = [r[0] for r in two_runs.query("select run_id from runs")]
    published = two_runs.warehouse_path.read_bytes()
    marker = tmp_path / "paused"
    proc = two_runs.driver("refresh", two_runs.archive(2), extra_env={
        "LQS_TEST_PAUSE_AT": point, "LQS_TEST_PAUSE_FILE": str(marker)})
    assert wait_for_pause(marker, proc) == proc.pid
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # The published file is untouched, opens, and holds exactly what it held before.
    assert two_runs.warehouse_path.read_bytes() == published
    assert two_runs.counts() == before
    assert two_runs.query("select count(*) from runs where status = 'running'") == [(0,)]
    # What the killed writer did went only into its staging copy, which no reader opens.
    assert sources_written_in_staging(two_runs, tmp_path, run_ids) == POINTS[point]

    # The lock died with the process; the next writer discards the stale staging copy.
    started = time.monotonic()
    summary = two_runs.refresh(2)
    assert time.monotonic() - started < 20
    assert summary["sources_ok"] == 2
    after = two_runs.counts()
    assert after["runs"] == before["runs"] + 1 and after["source_runs"] == before["source_runs"] + 2
    assert two_runs.query("select status from runs order by started_at desc limit 1") == [("ok",)]
    assert not two_runs.warehouse().staging_path.exists()
