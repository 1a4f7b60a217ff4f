"""LQS v1.1 in the warehouse (migration 007) and everywhere a score is shown.

- A warehouse built before 007, holding v1 scores, is migrated in place: its rows keep their
  tiers as rated (v1 published them so), get their evidenced count from their dimensions, and
  `lqs score` rescores it under v1.1 while the v1 rows stay queryable by version.
- A scoring run under another methodology version rescores every dataset, so the views never mix
  versions.
- `lqs show` (text and JSON), the published tables, cards, Croissant and the static site show the
  status with the count of evidenced dimensions, and the evidence gaps.
"""
from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import duckdb

from warehouse.db import migrations

ROOT = Path(__file__).resolve().parents[2]
V1 = tomllib.loads((ROOT / "config" / "lqs-1.toml").read_text(encoding="utf-8"))

# A v1 warehouse: one dataset, two v1 scores; the second with its seven dimensions (3 evidenced).
OLD_ROWS = """
insert into datasets values ('old-ds', 'Old dataset', 'Tabular', 'https://old.example.org/ds', null, '2025-01-01');
insert into runs (run_id, kind, started_at, finished_at, status) values
    ('r1', 'refresh', '2025-01-01 00:00', '2025-01-01 00:10', 'ok'),
    ('r2', 'refresh', '2025-02-01 00:00', '2025-02-01 00:10', 'ok');
insert into source_runs (run_id, dataset_id, status, facts, finished_at) values
    ('r1', 'old-ds', 'ok', 1, '2025-01-01 00:05'), ('r2', 'old-ds', 'ok', 2, '2025-02-01 00:05');
insert into facts (run_id, dataset_id, field, value, extractor, basis, rank, winner, basis_best) values
    ('r1', 'old-ds', 'license', '"CC-BY-4.0"', 'html@1', 'published', 3, true, true),
    ('r2', 'old-ds', 'license', '"CC-BY-4.0"', 'html@1', 'published', 3, true, true),
    ('r2', 'old-ds', 'item_count', '5000', 'html@1', 'published', 3, true, true),
    ('r2', 'old-ds', 'annotations_creators', '["crowdsourced"]', 'html@1', 'published', 2, true, true);
insert into lqs_scores values
    ('r1', 'old-ds', 60, 'silver', 0.0, '1', '2025-01-01 00:06'),
    ('r2', 'old-ds', 55, 'bronze', 0.4286, '1', '2025-02-01 00:06');
insert into lqs_dimensions values
    ('r2', 'old-ds', 'completeness', 50, 'default', 'No evidence found.', '2025-02-01 00:06'),
    ('r2', 'old-ds', 'uniqueness', 75, 'default', 'No evidence found.', '2025-02-01 00:06'),
    ('r2', 'old-ds', 'validation', 68, 'curated', 'Labels auto-extracted.', '2025-02-01 00:06'),
    ('r2', 'old-ds', 'size_adequacy', 60, 'published', '5,000 instances.', '2025-02-01 00:06'),
    ('r2', 'old-ds', 'format_compliance', 85, 'published', 'Common format.', '2025-02-01 00:06'),
    ('r2', 'old-ds', 'label_density', 50, 'default', 'No evidence found.', '2025-02-01 00:06'),
    ('r2', 'old-ds', 'class_balance', 50, 'default', 'No evidence found.', '2025-02-01 00:06');
"""


def make_v1_warehouse(path: Path) -> None:
    """What a v1 install left: migrations 001-006 applied, v1 scores stored."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create table schema_migrations (version integer primary key, name varchar, applied_at timestamp)")
        for m in migrations():
            if m.version >= 7:
                break
            con.execute(m.sql)
            con.execute("insert into schema_migrations values (?, ?, current_timestamp)", [m.version, m.name])
        con.execute(OLD_ROWS)
    finally:
        con.close()


def test_a_v1_warehouse_is_migrated_then_rescored_under_v11(env):
    make_v1_warehouse(env.warehouse_path)
    assert "applied 007_lqs_status" in env.lqs("migrate").stdout

    # Old rows: rated as published, evidenced counted from their dimensions (or their coverage).
    assert env.query("select run_id, tier, status, evidenced from lqs_scores order by run_id") == [
        ("r1", "silver", "rated", 0), ("r2", "bronze", "rated", 3)]
    assert env.query("select dataset_id, composite, tier, methodology_version, status, evidenced from lqs_latest") == [
        ("old-ds", 55, "bronze", "1", "rated", 3)]
    assert env.query("select lqs, tier, lqs_status, lqs_evidenced, withdrawn from catalog") == [
        (55, "bronze", "rated", 3, False)]
    gaps = env.query("select dimension, gap from evidence_gaps order by dimension")
    assert [d for d, _ in gaps] == ["class_balance", "completeness", "label_density", "uniqueness"]
    assert all("methodology v1" in g for _, g in gaps)

    # `lqs score` works on the migrated warehouse and rescores it under the configured v1.1.
    out = env.lqs("score").stdout
    assert "old-ds: LQS " in out and "· unrated (2 of 7 dimensions have evidence)" in out
    assert env.query("select methodology_version, status, tier, evidenced from lqs_latest") == [
        ("1.1", "provisional", "unrated", 2)]
    # v1 rows stay, queryable by version.
    assert env.query("select run_id, composite, tier from lqs_scores where methodology_version = '1' "
                     "order by run_id") == [("r1", 60, "silver"), ("r2", 55, "bronze")]
    assert env.query("select lqs_methodology_version, lqs_status from catalog") == [("1.1", "provisional")]
    gaps = dict(env.query("select dimension, gap from evidence_gaps"))
    config = env.config().lqs
    assert gaps == {d: config["gaps"][d] for d in ("completeness", "uniqueness", "format_compliance",
                                                    "label_density", "class_balance")}

    shown = env.lqs("show", "old-ds").stdout
    assert "LQS " in shown and "unrated (2 of 7 dimensions have evidence)" in shown
    assert "Evidence gaps" in shown and "no class distribution published" in shown
    assert "add [source.annotations]" in shown   # config text with brackets is printed, not read as markup
    card = json.loads(env.lqs("show", "old-ds", "--json").stdout)
    assert (card["lqs"]["status"], card["lqs"]["evidenced"], card["lqs"]["tier"]) == ("provisional", 2, "unrated")
    assert [g["dimension"] for g in card["evidence_gaps"]] == [
        "completeness", "uniqueness", "format_compliance", "label_density", "class_balance"]
    assert card["evidence_gaps"][-1]["gap"] == config["gaps"]["class_balance"]


def _rescore(env, run_id: str, cfg: dict, ids=None) -> dict:
    from scoring.run import score_datasets
    from warehouse.load import finish_run, start_run

    with env.warehouse().writer("test") as w:
        start_run(w, run_id, "score", None, None)
        out = score_datasets(w, run_id, cfg, ids)
        finish_run(w, run_id, "ok", {})
    return out


def test_scoring_under_another_version_rescores_every_dataset(two_runs):
    env = two_runs
    current = env.config().lqs
    assert env.query("select distinct methodology_version from lqs_latest") == [("1.1",)]
    # Asked for soil only, under v1: birds is rescored too, so the catalog shows one version.
    assert set(_rescore(env, "score-v1", V1, ["soil"])) == {"birds", "soil"}
    assert env.query("select dataset_id, methodology_version, status, run_id from lqs_latest order by 1") == [
        ("birds", "1", "rated", "score-v1"), ("soil", "1", "rated", "score-v1")]
    # Back to v1.1 for soil: again every dataset; then the same version: only soil.
    assert set(_rescore(env, "score-v11", current, ["soil"])) == {"birds", "soil"}
    assert set(_rescore(env, "score-v11-again", current, ["soil"])) == {"soil"}
    assert env.query("select dataset_id, methodology_version, run_id from lqs_latest order by 1") == [
        ("birds", "1.1", "score-v11"), ("soil", "1.1", "score-v11-again")]
    assert env.query("select count(*) from lqs_scores where methodology_version = '1'") == [(2,)]
    # The dimensions and gaps follow the latest score of the current version.
    n_default = env.query("select count(*) from lqs_dimensions_latest where basis = 'default'")[0][0]
    assert env.query("select count(*) from evidence_gaps where gap is not null") == [(n_default,)]


def test_published_outputs_show_status_evidenced_and_gaps(two_runs, tmp_path):
    from warehouse.publish import publish

    env = two_runs
    out = tmp_path / "public"
    publish(env.warehouse(), out)
    latest = {r["dataset_id"]: r for r in json.loads((out / "lqs_latest.json").read_text())}
    expected = dict(((d, (s, e)) for d, s, e in env.query("select dataset_id, status, evidenced from lqs_latest")))
    assert {d: (r["status"], r["evidenced"]) for d, r in latest.items()} == expected
    with open(out / "catalog.csv", newline="") as fh:
        rows = {r["dataset_id"]: r for r in csv.DictReader(fh)}
    assert {d: (r["lqs_status"], int(r["lqs_evidenced"])) for d, r in rows.items()} == expected

    for dataset_id, (status, evidenced) in expected.items():
        card = json.loads((out / "cards" / f"{dataset_id}.json").read_text())
        assert (card["lqs"]["status"], card["lqs"]["evidenced"], card["lqs"]["dimensions_total"]) == (status, evidenced, 7)
        defaults = [d["dimension"] for d in card["dimensions"] if d["basis"] == "default"]
        assert [g["dimension"] for g in card["evidence_gaps"]] == defaults and len(defaults) == 7 - evidenced
        doc = json.loads((out / "croissant" / f"{dataset_id}.jsonld").read_text())
        props = {p["name"]: p for p in doc["additionalProperty"]}
        assert props["LQS status"]["value"] == status
        assert (props["LQS evidenced dimensions"]["value"], props["LQS evidenced dimensions"]["maxValue"]) == (evidenced, 7)
        assert f"({evidenced} of 7 dimensions have evidence)" in props["LQS"]["description"]
        page = (out / "cards" / f"{dataset_id}.html").read_text()
        assert f"{card['lqs']['tier']} ({evidenced} of 7 dimensions have evidence)" in page
        for gap in card["evidence_gaps"]:
            assert gap["gap"].replace('"', "&#34;") in page
        if status == "provisional":
            assert card["lqs"]["tier"] == "unrated" and "Provisional: only" in page
    index = (out / "index.html").read_text()
    assert all(f"{e} of 7 evidenced" in index for _, e in expected.values())
