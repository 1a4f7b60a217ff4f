"""`lqs compact`: old runs' bookkeeping goes (fetch ledger rows nothing reads, unchanged source
runs that recorded no change, run rows nothing refers to), the change history and the current
state stay exactly, the next refresh still finds its validators, the file is rewritten smaller;
--dry-run changes nothing; bad arguments get one line."""
from __future__ import annotations

import hashlib
import json

import pytest

HISTORY = (1, 2, 2, 3, 4, 4, 1, 1, 1, 1)
# What must survive: every view of the current state and the changes (a change after a removed
# unchanged run names the run before it as prev_run_id, so that column is left out).
KEPT = {
    "facts_current": "select * from facts_current",
    "catalog": "select * from catalog",
    "conflicts": "select * from conflicts",
    "withdrawn": "select * from withdrawn",
    "changes": "select * exclude (prev_run_id) from changes",
    "lqs_latest": "select * from lqs_latest",
}
FACTS = "select * exclude (rowid) from facts"


@pytest.fixture(scope="module")
def history(site_dir, tmp_path_factory):
    from tests.warehouse.conftest import Env

    env = Env(site_dir, tmp_path_factory.mktemp("compact") / "var")
    for version in HISTORY:
        env.refresh(version)
    return env.warehouse_path


@pytest.fixture
def env(site_dir, tmp_path, history):
    import shutil

    from tests.warehouse.conftest import Env

    env = Env(site_dir, tmp_path / "var")
    env.var.mkdir(parents=True)
    shutil.copyfile(history, env.warehouse_path)
    return env


def state(env) -> dict:
    return {name: sorted(env.query(sql), key=repr) for name, sql in KEPT.items()}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_compact_removes_bookkeeping_keeps_history_and_shrinks_the_file(env):
    before, counts, facts = state(env), env.counts(), env.query(FACTS)
    dry = json.loads(env.lqs("compact", "--keep-runs", "2", "--dry-run", "--json").stdout)
    assert env.counts() == counts
    assert dry["dry_run"] and dry["fetches"] > 0 and dry["source_runs"] > 0 and dry["runs"] > 0
    assert dry["runs_before_cut"] == len(HISTORY) - 2

    done = json.loads(env.lqs("compact", "--keep-runs", "2", "--json").stdout)
    assert {k: done[k] for k in ("fetches", "source_runs", "runs")} == \
        {k: dry[k] for k in ("fetches", "source_runs", "runs")}
    after = env.counts()
    assert after["fetches"] == counts["fetches"] - done["fetches"]
    assert after["source_runs"] == counts["source_runs"] - done["source_runs"]
    assert after["runs"] == counts["runs"] - done["runs"]
    for table in ("facts_stored", "files_stored", "label_stats_stored", "lqs_scores", "datasets"):
        assert after[table] == counts[table], table
    assert state(env) == before
    # Every source run left shows the facts it showed.
    left = set(env.query("select run_id, dataset_id from source_runs"))
    assert sorted(env.query(FACTS), key=repr) == sorted((f for f in facts if f[:2] in left), key=repr)
    assert done["bytes_after"] < done["bytes_before"]
    assert not env.warehouse_path.with_name(env.warehouse_path.name + ".compact").exists()

    # The next refresh still has what it needs: both sources unchanged, nothing changed.
    summary = env.refresh(1)
    assert summary["sources_unchanged"] == 2
    assert env.query("select count(*) from changes where run_id = ?", [summary["run_id"]]) == [(0,)]


def test_compact_before_a_date_and_again_is_idempotent(env):
    before = state(env)
    first = json.loads(env.lqs("compact", "--before", "2999-01-01", "--json").stdout)
    assert first["runs_before_cut"] == len(HISTORY)
    second = json.loads(env.lqs("compact", "--before", "2999-01-01", "--json").stdout)
    assert (second["fetches"], second["source_runs"], second["runs"]) == (0, 0, 0)
    assert state(env) == before
    nothing = json.loads(env.lqs("compact", "--before", "2000-01-01", "--json").stdout)
    assert nothing["runs_before_cut"] == 0 and nothing["fetches"] == 0


@pytest.mark.parametrize("args, message", [
    ((), "say which runs to compact: --keep-runs N and/or --before DATE"),
    (("--keep-runs", "0"), "--keep-runs 0: keep at least 1 run"),
    (("--before", "yesterday"), "--before 'yesterday': not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"),
])
def test_bad_arguments_get_one_line(env, args, message):
    untouched = digest(env.warehouse_path)
    done = env.lqs("compact", *args, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"lqs: error: {message}"]
    assert digest(env.warehouse_path) == untouched
