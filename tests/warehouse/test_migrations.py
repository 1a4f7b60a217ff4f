"""Schema evolution: a warehouse created with the first schema only (001) and holding data is
upgraded in place by `lqs migrate`; `--dry-run` shows what would run and changes nothing; the
upgraded warehouse keeps every row, gets its history retroactively, and takes the next refresh."""
from __future__ import annotations

import hashlib

import duckdb
from typer.testing import CliRunner

from cli import app
from warehouse.db import migrations

OLD_ROWS = """
insert into datasets values ('old-ds', 'Old dataset', 'Tabular', 'https://old.example.org/ds', null, '2025-01-01');
insert into runs (run_id, kind, started_at, finished_at, status) values
    ('r1', 'refresh', '2025-01-01 00:00', '2025-01-01 00:10', 'ok'),
    ('r2', 'refresh', '2025-02-01 00:00', '2025-02-01 00:10', 'ok');
insert into source_runs (run_id, dataset_id, status, facts, finished_at) values
    ('r1', 'old-ds', 'ok', 2, '2025-01-01 00:05'), ('r2', 'old-ds', 'ok', 2, '2025-02-01 00:05');
insert into facts (run_id, dataset_id, field, value, extractor, basis, rank, winner) values
    ('r1', 'old-ds', 'title', '"Old dataset"', 'html@1', 'published', 3, true),
    ('r1', 'old-ds', 'license', '"CC-BY-4.0"', 'html@1', 'published', 3, true),
    ('r2', 'old-ds', 'title', '"Old dataset"', 'html@1', 'published', 3, true),
    ('r2', 'old-ds', 'license', '"CC-BY-NC-4.0"', 'html@1', 'published', 3, true),
    ('r2', 'old-ds', 'title', '"Old dataset"', 'croissant@1', 'published', 2, false),
    ('r2', 'old-ds', 'license', '"CC-BY-NC-4.0"', 'curated@config', 'curated', 1, false),
    ('r2', 'old-ds', 'license', '"cc-by-nc-4.0"', 'curated@config', 'curated', 1, false);
insert into lqs_scores values
    ('r1', 'old-ds', 60, 'silver', 0.5, '1', '2025-01-01 00:06'),
    ('r2', 'old-ds', 55, 'bronze', 0.5, '1', '2025-02-01 00:06');
"""


def make_first_schema_warehouse(path) -> None:
    """What an early install left: only 001 applied, with two runs of data in it."""
    first = migrations()[0]
    assert first.version == 1
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create table schema_migrations (version integer primary key, name varchar, applied_at timestamp)")
        con.execute(first.sql)
        con.execute("insert into schema_migrations values (1, ?, current_timestamp)", [first.name])
        con.execute(OLD_ROWS)
    finally:
        con.close()


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lqs(env, monkeypatch, *args):
    for key in ("LQS_WAREHOUSE", "LQS_ARCHIVE", "LQS_CONFIG"):
        monkeypatch.setenv(key, env.environ[key])
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_an_old_warehouse_is_upgraded_in_place(env, monkeypatch):
    make_first_schema_warehouse(env.warehouse_path)
    before = env.counts()
    pending = [f"{m.version:03d}_{m.name}" for m in migrations()[1:]]
    assert "003_history" in pending

    untouched = digest(env.warehouse_path)
    dry = lqs(env, monkeypatch, "migrate", "--dry-run")
    assert dry.splitlines() == [f"would apply {name}" for name in pending]
    assert digest(env.warehouse_path) == untouched
    assert env.query("select list(version order by version) from schema_migrations") == [([1],)]

    done = lqs(env, monkeypatch, "migrate")
    assert done.splitlines() == [f"applied {name}" for name in pending]
    assert env.query("select list(version order by version) from schema_migrations") == \
        [([m.version for m in migrations()],)]
    after = env.counts()
    assert {t: after[t] for t in before if t != "schema_migrations"} == \
        {t: n for t, n in before.items() if t != "schema_migrations"}   # every old row kept
    assert after["publishes"] == 0

    # The new views work on the old data, history included.
    assert env.query("select dataset_id, license, lqs, tier, withdrawn from catalog") == \
        [("old-ds", "CC-BY-NC-4.0", 55, "bronze", False)]
    changes = env.query("""select run_id, kind, item, change, old_value::varchar, new_value::varchar, flagged
                           from changes order by changed_at, kind, item""")
    assert changes == [
        ("r1", "dataset", "status", "added", None, '"ok"', False),
        ("r2", "fact", "license", "changed", '"CC-BY-4.0"', '"CC-BY-NC-4.0"', True),
        ("r2", "lqs", "composite", "changed", "60", "55", False),
        ("r2", "lqs", "tier", "changed", '"silver"', '"bronze"', False),
    ]
    assert env.query("select count(*) from conflicts") == [(0,)]
    # 005: each old fact is flagged the way scoring chose per (field, basis) before: the winner
    # when it has that basis, else the highest rank, then the first written.
    assert env.query("""select field, extractor, basis, value::varchar, basis_best from facts
                        where run_id = 'r2' order by rowid""") == [
        ("title", "html@1", "published", '"Old dataset"', True),
        ("license", "html@1", "published", '"CC-BY-NC-4.0"', True),
        ("title", "croissant@1", "published", '"Old dataset"', False),
        ("license", "curated@config", "curated", '"CC-BY-NC-4.0"', True),
        ("license", "curated@config", "curated", '"cc-by-nc-4.0"', False),
    ]

    assert lqs(env, monkeypatch, "migrate", "--dry-run").strip() == "warehouse schema is up to date"
    assert lqs(env, monkeypatch, "migrate").strip() == "warehouse schema is up to date"

    # And the upgraded warehouse takes a normal refresh.
    summary = env.refresh(1)
    assert summary["sources_ok"] == 2
    assert env.query("select count(*) from catalog") == [(3,)]


def test_dry_run_on_a_missing_warehouse_lists_everything_and_creates_nothing(env, monkeypatch):
    out = lqs(env, monkeypatch, "migrate", "--dry-run")
    assert out.splitlines() == [f"would apply {m.version:03d}_{m.name}" for m in migrations()]
    assert not env.warehouse_path.exists()


def test_migrations_are_numbered_and_the_old_ones_never_change():
    found = migrations()
    assert [m.version for m in found] == list(range(1, len(found) + 1))
    # 001/002 are already applied in deployed warehouses: editing them would fork the schema.
    frozen = {1: "init", 2: "views"}
    assert {m.version: m.name for m in found if m.version in frozen} == frozen
