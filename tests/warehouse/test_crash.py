"""Crash safety: a refresh killed with SIGKILL at several points leaves the warehouse with exactly
the transactions it had committed (each source's rows whole or absent, nothing of a transaction
in progress), readers open it, and the next refresh closes the killed run as failed and completes.
The writer stops at each point through warehouse/db.py's test hook (LQS_TEST_PAUSE_AT,
tests/pause_hook.py), so the kill lands exactly there.

The refresh replays v1 over a warehouse of v1 and v2: birds is unchanged (no rows stored, no
rescoring), soil changed back (its rows and its score are written)."""
from __future__ import annotations

import json
import os
import signal
import time

import pytest

# The refresh's writer transactions with one source per batch (conftest SETTINGS_TOML):
# 1 datasets, 2 the run row, 3 source birds, 4 source soil, 5 soil's score, 6 closing the run.
# Value: (the killed run's row is there, the datasets it holds).
POINTS = {
    "writer-open": (False, []),                 # warehouse opened, nothing written yet
    "before-publish": (True, []),               # the run row committed, the first session closing
    "before-commit-3": (True, []),              # birds' rows written, not committed
    "commit-3": (True, ["birds"]),              # mid-way through the sources
    "before-commit-4": (True, ["birds"]),       # soil's facts and files written, not committed
    "commit-5": (True, ["birds", "soil"]),      # all sources and scores written, run not closed
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


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_leaves_the_committed_transactions_and_the_next_refresh_completes(two_runs, tmp_path, point):
    before = two_runs.counts()
    run_ids = [r[0] for r in two_runs.query("select run_id from runs")]
    marker = tmp_path / "paused"
    proc = two_runs.driver("refresh", two_runs.archive(1), extra_env={
        "LQS_TEST_PAUSE_AT": point, "LQS_TEST_PAUSE_FILE": str(marker)})
    assert wait_for_pause(marker, proc) == proc.pid
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # The warehouse opens read-only (replaying the write-ahead log) and holds what was committed.
    has_run, written = POINTS[point]
    killed = two_runs.query("select run_id, status from runs where run_id not in (select unnest(?))", [run_ids])
    assert [status for _, status in killed] == (["running"] if has_run else [])
    killed_id = killed[0][0] if killed else None
    assert [r[0] for r in two_runs.query("select dataset_id from source_runs where run_id = ? order by 1",
                                         [killed_id])] == written
    # Each source written is whole: the facts its source run counts are all there.
    for dataset_id, counted, shown in two_runs.query("""
            select s.dataset_id, s.facts, (select count(*) from facts f
                                           where f.run_id = s.run_id and f.dataset_id = s.dataset_id)
            from source_runs s where s.run_id = ?""", [killed_id]):
        assert counted == shown and counted > 0, dataset_id
    after_kill = two_runs.counts()
    changed = {t for t in before if after_kill[t] != before[t]}
    assert changed <= {"runs", "source_runs", "fetches", "facts", "facts_stored", "files", "files_stored",
                       "label_stats", "label_stats_stored", "lqs_scores", "lqs_dimensions"}
    assert two_runs.query("select count(*) from catalog") == [(2,)]   # the views work

    # The lock died with the process; the next refresh closes the killed run and completes.
    started = time.monotonic()
    summary = two_runs.refresh(1)
    assert time.monotonic() - started < 20
    assert summary["sources_ok"] == 2
    after = two_runs.counts()
    assert after["runs"] == before["runs"] + 1 + has_run
    if has_run:
        status, closing = two_runs.query("select status, summary from runs where run_id = ?", [killed_id])[0]
        assert status == "failed" and "interrupted" in json.loads(closing)["error"]
    assert two_runs.query("select status from runs order by started_at desc limit 1") == [("ok",)]
    assert two_runs.query("select count(*) from runs where status = 'running'") == [(0,)]
