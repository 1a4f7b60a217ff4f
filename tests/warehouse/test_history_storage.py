"""History stored by change (migration 008): an unchanged source run stores no copies of its
facts, files and label statistics, yet every table and view reads as it did when they were copied.

Proved against the real thing: warehouses written by the last release that copied (RELEASE, run
from `git archive` of it in a child process) over the same history of the test site:
- the migration converts such a warehouse in place, and every table and view reads exactly the
  same before and after it (same rows, same run ids, same times);
- a warehouse built by this code holds the same history as one built by the release: every table
  and view equal but for run ids (compared by their order) and times, and but for scores
  (benchmarks/compare_warehouses.py --views --ignore-scores --ignore-extractor-versions: this
  tree may score under another methodology version and run newer adapter versions than the
  release, and the release wrote a score row again for every unchanged source; that kept score
  rows equal a rescore is tested below);
- a release warehouse migrated mid-history and refreshed on by this code reads the same facts,
  files, label statistics, current state, changes, conflicts and withdrawn sources as the release
  (its source runs may differ: a source whose adapter version changed since the release is read
  again instead of being `unchanged`);
- three unchanged refreshes add no fact, file, label-statistic or score rows, and the scores they
  keep are what rescoring gives.
The history: v1, v2 (soil changed), v2 (unchanged), v3, v4 (soil 404 twice: withdrawn), v4, v1
(restored, changed back), v1 (unchanged); birds is the same page in every version.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.compare_warehouses import compare_views
from warehouse.db import migrate

ROOT = Path(__file__).resolve().parents[2]
RELEASE = "cd71a6c"   # the last release whose unchanged source runs copied their rows
HISTORY = (1, 2, 2, 3, 4, 4, 1, 1)
NAMED = {"facts", "files", "label_stats", "facts_current", "catalog", "changes", "conflicts", "withdrawn"}
BUILD = """
import sys
from config.load import load
from flows.pipeline import run_locally
config = load(sys.argv[1])
for archive in sys.argv[2:]:
    run_locally(config, config.sources, "refresh", replay=[archive])
"""


@pytest.fixture(scope="module")
def release_tree(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("release")
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", RELEASE], capture_output=True, check=True,
                                 timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        pytest.skip(f"the release {RELEASE} is not in this checkout's git history")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True, timeout=120)
    return tree


def build(tree: Path, site_dir: Path, var: Path, versions) -> Path:
    """Refreshes replaying the test site's versions, run by the code in `tree`."""
    var.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree), "LQS_WAREHOUSE": str(var / "warehouse.duckdb"),
           "LQS_ARCHIVE": str(var / "archive")}
    done = subprocess.run([sys.executable, "-c", BUILD, str(site_dir / "config"),
                           *[str(site_dir / "archives" / f"v{v}.warc.gz") for v in versions]],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return var / "warehouse.duckdb"


@pytest.fixture(scope="module")
def release_history(release_tree, site_dir, tmp_path_factory) -> Path:
    return build(release_tree, site_dir, tmp_path_factory.mktemp("release-history"), HISTORY)


def snapshot(con) -> dict[str, list[tuple]]:
    """Every table and view: its rows, sorted."""
    names = [r[0] for r in con.execute("""select table_name from information_schema.tables
                                          where table_schema = 'main' and table_name <> 'schema_migrations'""").fetchall()]
    return {n: sorted(con.execute(f'select * from "{n}"').fetchall(), key=repr) for n in names}


def test_the_migration_converts_a_release_warehouse_and_every_view_reads_exactly_the_same(release_history, tmp_path):
    path = tmp_path / "w.duckdb"
    shutil.copyfile(release_history, path)
    con = duckdb.connect(str(path))
    try:
        migrate(con, upto=7)   # what the release lacks besides 008, so that only 008 differs
        before = snapshot(con)
        copied = con.execute("select count(*) from files").fetchone()[0]
        assert [m.version for m in migrate(con)] == [8]
        after = snapshot(con)
        stored = con.execute("select count(*) from files_stored").fetchone()[0]
        leftovers = con.execute("""select count(*) from facts_stored f join source_runs s
                                   on f.run_id = s.run_id and f.dataset_id = s.dataset_id
                                   where s.status = 'unchanged'""").fetchone()[0]
        holders = con.execute("""select count(*) from source_runs s join source_runs h
                                 on h.run_id = s.facts_run_id and h.dataset_id = s.dataset_id
                                 where s.status = 'unchanged' and h.status <> 'ok'""").fetchone()[0]
    finally:
        con.close()
    assert len(before) > 20
    for name, rows in before.items():
        # The same rows; source_runs and the views over it gained facts_run_id, the row views rowid.
        width = len(rows[0]) if rows else 0
        assert sorted((r[:width] for r in after[name]), key=repr) == rows, name
    assert stored < copied and leftovers == 0 and holders == 0


def test_a_build_by_this_code_holds_the_same_history_as_the_release(release_history, site_dir, tmp_path):
    from tests.warehouse.conftest import Env

    env = Env(site_dir, tmp_path / "var")
    for version in HISTORY:
        env.refresh(version)
    problems, names = compare_views(str(release_history), str(env.warehouse_path), scores_by_change=True,
                                     ignore_scores=True, ignore_versions=True)
    assert not problems, problems
    assert {"facts", "files", "label_stats", "facts_current", "catalog", "changes", "conflicts",
            "withdrawn", "source_runs", "fetches"} <= set(names)
    assert env.query("select count(*) from changes where kind = 'fact'")[0][0] > 0
    assert env.query("select count(*) from changes where change in ('withdrawn', 'restored')") == [(2,)]


def test_a_release_warehouse_migrated_mid_history_goes_on_like_the_release(release_tree, release_history,
                                                                           site_dir, tmp_path):
    from tests.warehouse.conftest import Env

    env = Env(site_dir, tmp_path / "var")
    build(release_tree, site_dir, env.var, HISTORY[:4])
    for version in HISTORY[4:]:
        env.refresh(version)   # migrates on open, then stores by change
    problems, names = compare_views(str(release_history), str(env.warehouse_path), scores_by_change=True,
                                    ignore_scores=True, ignore_versions=True, only=NAMED)
    assert names == sorted(NAMED)
    assert not problems, problems


def test_unchanged_refreshes_add_no_fact_file_or_label_stat_rows(site_dir, tmp_path):
    from tests.warehouse.conftest import Env

    env = Env(site_dir, tmp_path / "var")
    env.refresh(1)
    env.refresh(2)
    stored = "select (select count(*) from facts_stored), (select count(*) from files_stored), " \
             "(select count(*) from label_stats_stored), (select count(*) from lqs_scores)"
    before = env.query(stored)
    shown = env.query("select count(*) from facts where run_id = (select max(run_id) from source_runs)")
    for _ in range(3):
        summary = env.refresh(2)
        assert summary["sources_unchanged"] == 2
    assert env.query(stored) == before
    # ... while each unchanged run still shows its facts, under its own run id.
    assert env.query("select count(*) from facts where run_id = (select max(run_id) from source_runs)") == shown
    assert env.query("""select count(distinct run_id) from facts""") == [(5,)]
    # The score rows kept for the unchanged sources are what scoring their facts gives now.
    from scoring.run import score_datasets

    kept = dict((d, (c, t)) for d, c, t in env.query("select dataset_id, composite, tier from lqs_latest"))
    with env.warehouse().writer("test") as w:
        fresh = score_datasets(w, "rescore", env.config().lqs)
    assert {d: (s["composite"], s["tier"]) for d, s in fresh.items()} == kept


def test_unchanged_sources_are_rescored_when_the_methodology_version_changes(site_dir, tmp_path):
    import re

    from flows.pipeline import run_locally
    from tests.warehouse.conftest import Env

    env = Env(site_dir, tmp_path / "var")
    env.refresh(1)
    config = env.config()
    config.lqs["methodology_version"] = "99"   # as if lqs.toml had been edited
    saved = {k: os.environ.get(k) for k in ("LQS_WAREHOUSE", "LQS_ARCHIVE")}
    os.environ.update({k: env.environ[k] for k in saved})
    try:
        summary = run_locally(config, config.sources, "refresh", replay=[env.archive(1)])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert summary["sources_unchanged"] == 2
    assert env.query("select methodology_version, count(*) from lqs_scores group by all order by 1") == \
        [(str(env.config().lqs["methodology_version"]), 2), ("99", 2)]
    assert all(s["lqs_after"] is not None for s in summary["per_source"])
    assert re.fullmatch(r"\d+", str(summary["per_source"][0]["lqs_after"]))
