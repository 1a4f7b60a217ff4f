"""Concurrency, proved with real processes: readers keep reading the last published state while
a writer works for seconds; a second writer waits for the lock or stops with WarehouseBusy naming
the holder; two refreshes at once both land, one after the other, with nothing lost."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from warehouse.db import WarehouseBusy

HOLD_SECONDS = 3.0
HOLD_ROWS = 10   # driver.HOLD_ROWS


def wait_for(path: Path, proc, timeout: float = 30.0) -> None:
    """Until the child created path (it holds the lock / paused), or fail with its output."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"child never got ready (exit {proc.returncode}):\n{out}\n{err}")
        time.sleep(0.02)


def finish(proc, timeout: float = 60.0) -> tuple[str, str]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"child failed ({proc.returncode}):\n{out}\n{err}"
    return out, err


def test_readers_succeed_during_a_long_write_and_see_only_published_states(two_runs, tmp_path):
    holding, reading = tmp_path / "holding", tmp_path / "reading"
    writer = two_runs.driver("hold", str(HOLD_SECONDS), extra_env={"READY_FILE": str(holding)})
    wait_for(holding, writer)
    reader = two_runs.driver("read-loop", "30", str(HOLD_ROWS), extra_env={"READY_FILE": str(reading)})
    # The CLI too, in its own process, while the writer holds the warehouse.
    query = two_runs.lqs_start("query", "select count(*) as n from runs where kind = 'hold'", "--json")
    query_out, query_err = query.communicate(timeout=60)
    assert writer.poll() is None, "the writer finished before `lqs query` did: the test proved nothing"
    assert query.returncode == 0, query_err
    assert json.loads(query_out)[0]["n"] in (0, HOLD_ROWS // 2)
    wait_for(reading, reader)
    assert writer.poll() is None, "the writer finished before the reader's first read"
    finish(writer)
    out, _ = finish(reader)

    reads = [json.loads(line) for line in out.splitlines()]
    assert reads and all(r["ok"] for r in reads), [r for r in reads if not r["ok"]][:3]
    seen = [r["holds"] for r in reads]
    # Only published states (before, after the mid-way publish, final), in order.
    assert set(seen) <= {0, HOLD_ROWS // 2, HOLD_ROWS}
    assert seen == sorted(seen)
    assert seen[0] < HOLD_ROWS and seen[-1] == HOLD_ROWS, "reads did not span the write"
    assert len(reads) > 20
    assert two_runs.query("select count(*) from runs where kind = 'hold'") == [(HOLD_ROWS,)]


def test_a_second_writer_stops_with_a_message_naming_the_holder_or_waits(two_runs, tmp_path):
    holding = tmp_path / "holding"
    writer = two_runs.driver("hold", "2", extra_env={"READY_FILE": str(holding)})
    wait_for(holding, writer)
    with pytest.raises(WarehouseBusy) as busy:
        with two_runs.warehouse(lock_timeout=0.5).writer("impatient"):
            pass
    message = str(busy.value)
    assert f"another writer holds the warehouse (pid {writer.pid} on " in message
    assert ": hold test)" in message and "waited 0.5s" in message

    started = time.monotonic()
    with two_runs.warehouse(lock_timeout=30).writer("patient") as w:
        waited = time.monotonic() - started
        # It got the lock only after the holder published: it sees all of the holder's rows.
        assert w.con.execute("select count(*) from runs where kind = 'hold'").fetchall() == [(HOLD_ROWS,)]
    assert waited > 0.5
    finish(writer)


def test_two_refreshes_at_once(two_runs, tmp_path):
    """A holds the lock (paused right after opening its staging copy), B gives up after 0.5 s
    naming A, C waits; once A goes on, C runs after it. Both land; nothing is lost."""
    before = two_runs.counts()
    paused, go = tmp_path / "paused", tmp_path / "go"
    a = two_runs.driver("refresh", two_runs.archive(2), extra_env={
        "LQS_TEST_PAUSE_AT": "writer-open", "LQS_TEST_PAUSE_FILE": str(paused)})
    b = two_runs.driver("refresh", two_runs.archive(2), "0.5", extra_env={"GO_FILE": str(go)})
    c = two_runs.driver("refresh", two_runs.archive(2), "60", extra_env={"GO_FILE": str(go)})
    wait_for(paused, a)
    go.touch()                                     # B and C try only once A holds the lock
    b_out, b_err = b.communicate(timeout=60)
    assert b.returncode == 3, b_err
    assert f"another writer holds the warehouse (pid {a.pid} on " in b_err and ": refresh run " in b_err
    assert c.poll() is None and a.poll() is None   # C is waiting for A's lock
    paused.unlink()                                # let A go on
    a_summary = json.loads(finish(a)[0])
    c_summary = json.loads(finish(c)[0])
    assert a_summary["sources_ok"] == c_summary["sources_ok"] == 2

    runs = two_runs.query("select run_id, status, started_at, finished_at from runs order by started_at")
    assert [r[0] for r in runs[-2:]] == [a_summary["run_id"], c_summary["run_id"]]
    assert all(r[1] == "ok" for r in runs)
    assert runs[-1][2] >= runs[-2][3], "C started writing before A had finished"
    after = two_runs.counts()
    assert after["runs"] == before["runs"] + 2 and after["lqs_scores"] == before["lqs_scores"] + 4
    assert after["source_runs"] == before["source_runs"] + 4
