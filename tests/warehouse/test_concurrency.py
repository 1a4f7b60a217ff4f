"""Concurrency, proved with real processes: readers keep reading the last published state while
a writer writes for seconds in short sessions (waiting at most about one session); a second writer waits for the lock or stops with WarehouseBusy naming
the holder; two refreshes at once both land, one after the other, with nothing lost.

The child processes (driver.py) and the test hand over through files, so each step happens
while the other side is provably in the state the test needs, with no sleeps to tune."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from warehouse.db import WarehouseBusy

HOLDS = "select count(*) as n from runs where kind = 'hold'"


def wait_for(path: Path, proc, timeout: float = 60.0) -> None:
    """Until the child created path, or fail with its output."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"child never got to {path.name} (exit {proc.returncode}):\n{out}\n{err}")
        time.sleep(0.02)


def finish(proc, timeout: float = 60.0) -> tuple[str, str]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"child failed ({proc.returncode}):\n{out}\n{err}"
    return out, err


def lqs_holds(env) -> int:
    return json.loads(env.lqs("query", HOLDS, "--json").stdout)[0]["n"]


def test_readers_succeed_during_a_long_write_and_see_only_published_states(two_runs, tmp_path):
    control = tmp_path / "control"
    control.mkdir()
    ready = {"CONTROL_DIR": str(control)}
    # A writer that holds the warehouse for seconds, publishing (ending its session) after every
    # 10 marker rows, i.e. every ~0.5 s, as a run does after every batch.
    writer = two_runs.driver("hold", "60", extra_env={**ready, "READY_FILE": str(tmp_path / "holding"),
                                                      "PUBLISH_EVERY": "10"})
    wait_for(tmp_path / "holding", writer)
    reader = two_runs.driver("read-loop", extra_env={**ready, "READY_FILE": str(tmp_path / "reading")})

    assert lqs_holds(two_runs) % 10 == 0            # `lqs query` sees a published state
    wait_for(tmp_path / "reading", reader)
    (control / "publish").touch()                   # one more publish, mid-way
    wait_for(control / "published", writer)
    published = int((control / "published").read_text())
    assert lqs_holds(two_runs) >= published         # ... and at least that state from then on
    time.sleep(2.0)                                 # the writer goes on for a few sessions
    assert writer.poll() is None and reader.poll() is None

    (control / "stop").touch()
    counts = json.loads(finish(writer)[0])
    assert counts["published"] == published and counts["final"] > published
    (control / "stop-reading").touch()
    reads = [json.loads(line) for line in finish(reader)[0].splitlines()]

    assert all(r["ok"] for r in reads), [r for r in reads if not r["ok"]][:3]
    seen = [r["holds"] for r in reads]
    # Every read saw a published state (a multiple of 10, the mid-way publish or the final one),
    # in order, never rows of a session still open.
    assert set(seen) <= {n for n in range(0, counts["final"] + 1, 10)} | {published, counts["final"]}
    assert seen == sorted(seen) and seen[-1] == counts["final"] and len(set(seen)) > 3
    # A reader waits for at most about one session (~0.5 s of writes), not for the whole run.
    assert max(r["seconds"] for r in reads) < 5.0, max(r["seconds"] for r in reads)
    assert two_runs.query(HOLDS) == [(counts["final"],)]


def test_a_second_writer_stops_with_a_message_naming_the_holder_or_waits(two_runs, tmp_path):
    control = tmp_path / "control"
    control.mkdir()
    writer = two_runs.driver("hold", "60", extra_env={"CONTROL_DIR": str(control),
                                                      "READY_FILE": str(tmp_path / "holding")})
    wait_for(tmp_path / "holding", writer)
    with pytest.raises(WarehouseBusy) as busy:
        with two_runs.warehouse(lock_timeout=0.5).writer("impatient"):
            pass
    message = str(busy.value)
    assert f"another writer holds the warehouse (pid {writer.pid} on " in message
    assert ": hold test)" in message and "waited 0.5s" in message

    threading.Timer(1.0, (control / "stop").touch).start()   # the holder finishes in a second
    started = time.monotonic()
    with two_runs.warehouse(lock_timeout=30).writer("patient") as w:
        waited = time.monotonic() - started
        # It got the lock only after the holder published: it sees all of the holder's rows.
        final = json.loads(finish(writer)[0])["final"]
        assert w.con.execute(HOLDS).fetchall() == [(final,)]
    assert waited > 0.5


def test_two_refreshes_at_once(two_runs, tmp_path):
    """A holds the lock (paused right after opening the warehouse), B gives up after 0.5 s
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
    # Both refreshes replay v2 again: every source is unchanged and keeps its score row.
    assert after["runs"] == before["runs"] + 2 and after["lqs_scores"] == before["lqs_scores"]
    assert after["source_runs"] == before["source_runs"] + 4
