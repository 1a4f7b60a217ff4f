"""History: `changes` lists what each run changed (fields, LQS, dataset status), `lqs diff`
prints it with licence changes first, and a source gone twice in a row is marked withdrawn."""
from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from cli import app
from warehouse.db import WarehouseError

WIDE = {"COLUMNS": "250"}   # rich wraps tables to the terminal width


def fact_changes(env, dataset_id="soil"):
    return env.query("""select item, change, old_value::varchar, new_value::varchar, flagged from changes
                        where kind = 'fact' and dataset_id = ? order by item""", [dataset_id])


def run_ids(env):
    return [r[0] for r in env.query("select run_id from runs order by started_at")]


def cli(env, monkeypatch, *args):
    for key in ("LQS_WAREHOUSE", "LQS_ARCHIVE", "LQS_CONFIG"):
        monkeypatch.setenv(key, env.environ[key])
    return CliRunner().invoke(app, list(args), env=WIDE)


def test_field_changes_between_two_runs_are_listed_old_to_new(two_runs):
    assert fact_changes(two_runs) == [
        ("commercial_use", "changed", "true", "false", True),
        ("file_count", "changed", "2", "3", False),
        ("license", "changed", '"CC-BY-4.0"', '"CC-BY-NC-4.0"', True),
        ("size_bytes", "changed", "2049500", "2561500", False),
        ("version", "changed", '"1"', '"2"', False),
    ]
    first, second = run_ids(two_runs)
    assert set(two_runs.query("select distinct run_id, prev_run_id from changes where kind = 'fact'")) == \
        {(second, first)}
    # birds came back unchanged (facts copied): no field rows, only its first appearance.
    assert fact_changes(two_runs, "birds") == []
    assert two_runs.query("select dataset_id, change, run_id from changes where kind = 'dataset' order by 1") == \
        [("birds", "added", first), ("soil", "added", first)]


def test_a_field_that_appears_or_disappears_is_listed(two_runs):
    # A third run whose soil facts lose `version` and gain `doi` (hand-built rows, real writer).
    from warehouse.rows import SourceResult
    from warehouse.load import finish_run, start_run, write_source

    current = two_runs.query("""select field, value, unit, source_url, archive_sha256, extractor, evidence, basis,
                                       rank, winner, record from facts_current where dataset_id = 'soil'""")
    columns = ("field", "value", "unit", "source_url", "archive_sha256", "extractor", "evidence", "basis",
               "rank", "winner", "record")
    facts = [dict(zip(columns, row)) for row in current if row[0] != "version"]
    for fact in facts:
        fact["value"] = json.loads(fact["value"])
    facts.append({**facts[0], "field": "doi", "value": "10.5072/soil", "winner": True})
    with two_runs.warehouse().writer("test") as w:
        start_run(w, "run-3", "refresh", None, None)
        write_source(w, "run-3", SourceResult("soil", "ok", facts=facts))
        finish_run(w, "run-3", "ok", {})
    rows = two_runs.query("""select item, change, old_value::varchar, new_value::varchar from changes
                             where run_id = 'run-3' order by item""")
    assert rows == [("doi", "appeared", None, '"10.5072/soil"'), ("version", "disappeared", '"2"', None)]


def test_lqs_composite_tier_and_dimension_changes_are_listed(two_runs):
    from scoring.run import score_datasets
    from warehouse.load import finish_run, start_run

    before = dict(two_runs.query("select dataset_id, score from lqs_dimensions_latest where dimension = 'validation'"))
    assert set(before) == {"birds", "soil"}
    cfg = copy.deepcopy(two_runs.config().lqs)
    cfg["validation"]["ladder"]["unknown"] = 100   # neither dataset has validation evidence
    with two_runs.warehouse().writer("test") as w:
        start_run(w, "score-1", "score", None, None)
        score_datasets(w, "score-1", cfg)
        finish_run(w, "score-1", "ok", {})
    rows = two_runs.query("""select dataset_id, kind, item, old_value::int, new_value::int from changes
                             where run_id = 'score-1' and kind = 'dimension' order by dataset_id""")
    assert rows == [("birds", "dimension", "validation", before["birds"], 100),
                    ("soil", "dimension", "validation", before["soil"], 100)]
    # Composite and tier rows say exactly what lqs_scores recorded before and after.
    scores = two_runs.query("""select dataset_id, composite, tier from lqs_scores order by dataset_id, scored_at""")
    for dataset_id in ("birds", "soil"):
        (old_c, old_t), (new_c, new_t) = [(c, t) for d, c, t in scores if d == dataset_id][-2:]
        assert new_c > old_c
        expected = {("composite", str(old_c), str(new_c))}
        if new_t != old_t:
            expected.add(("tier", f'"{old_t}"', f'"{new_t}"'))
        got = set(two_runs.query("""select item, old_value::varchar, new_value::varchar from changes
                                    where run_id = 'score-1' and kind = 'lqs' and dataset_id = ?""", [dataset_id]))
        assert got == expected


def test_lqs_diff_prints_licence_changes_first(two_runs, monkeypatch):
    first, second = run_ids(two_runs)
    result = cli(two_runs, monkeypatch, "diff", "--since", first, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["item"], r["flagged"]) for r in rows[:2]] == [("commercial_use", True), ("license", True)]
    assert not any(r["flagged"] for r in rows[2:])
    assert {(r["dataset_id"], r["item"], r["change"]) for r in rows} >= {
        ("soil", "license", "changed"), ("soil", "version", "changed"), ("birds", "status", "added")}
    licence = rows[1]
    assert (licence["old_value"], licence["new_value"], licence["run_id"]) == ("CC-BY-4.0", "CC-BY-NC-4.0", second)
    assert licence["source_url"] == "https://repo.example.org/dataset/abc123"

    text = cli(two_runs, monkeypatch, "diff", "--since", first)
    assert text.exit_code == 0, text.output
    lines = [line for line in text.output.splitlines() if "soil" in line or "birds" in line]
    assert "⚠ licence" in lines[0] and "⚠ licence" in lines[1]
    assert "CC-BY-4.0 → CC-BY-NC-4.0" in text.output
    assert "7 changes, 2 licence/commercial-use" in text.output


def test_lqs_diff_windows_and_filters(two_runs, monkeypatch):
    first, second = run_ids(two_runs)
    latest = json.loads(cli(two_runs, monkeypatch, "diff", "--json").output)   # default: the latest run
    assert {r["run_id"] for r in latest} == {second} and len(latest) == 5
    birds = json.loads(cli(two_runs, monkeypatch, "diff", "--since", first, "--dataset", "birds", "--json").output)
    assert [(r["item"], r["change"]) for r in birds] == [("status", "added")]
    by_date = json.loads(cli(two_runs, monkeypatch, "diff", "--since", "2000-01-01", "--json").output)
    assert len(by_date) == 7
    assert json.loads(cli(two_runs, monkeypatch, "diff", "--since", "2999-01-01", "--json").output) == []
    zoned = json.loads(cli(two_runs, monkeypatch, "diff", "--since", "2000-01-01T02:00+02:00", "--json").output)
    assert zoned == by_date
    unknown = cli(two_runs, monkeypatch, "diff", "--dataset", "nope")
    assert unknown.exit_code != 0 and "unknown source id" in str(unknown.exception)
    bad = cli(two_runs, monkeypatch, "diff", "--since", "last tuesday")
    assert isinstance(bad.exception, WarehouseError) and "not a run id" in str(bad.exception)


def test_lqs_diff_error_is_one_line_in_a_child_process(two_runs):
    done = two_runs.lqs("diff", "--since", "yesterday-ish", check=False)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("lqs: error: --since 'yesterday-ish'") and "Traceback" not in done.stderr


def test_a_source_gone_twice_in_a_row_is_withdrawn_not_deleted(two_runs):
    two_runs.refresh(3)                   # soil: 404 once
    assert two_runs.query("select * from withdrawn") == []
    two_runs.refresh(4)                   # soil: 404 again
    gone = two_runs.query("select dataset_id, outcome, url from withdrawn")
    assert gone == [("soil", "http-404", "https://repo.example.org/dataset/abc123")]
    assert two_runs.query("select dataset_id, withdrawn from catalog order by 1") == [("birds", False), ("soil", True)]
    # Kept: its last good facts are still current and it is still in the catalog.
    version = "select value from facts_current where dataset_id = 'soil' and field = 'version'"
    assert two_runs.query(version) == [('"2"',)]
    events = two_runs.query("""select change, evidence from changes where kind = 'dataset' and dataset_id = 'soil'
                               order by changed_at""")
    assert events == [("added", None), ("withdrawn", "main URL answered http-404 in two runs in a row")]
    from warehouse.cards import card

    with two_runs.warehouse().reader() as con:
        assert card(con, "soil")["withdrawn"] is True

    two_runs.refresh(2)                   # back online
    assert two_runs.query("select * from withdrawn") == []
    assert two_runs.query("""select change from changes where kind = 'dataset' and dataset_id = 'soil'
                             order by changed_at desc limit 1""") == [("restored",)]


@pytest.mark.parametrize("since", [None, "2000-01-01"])
def test_diff_on_an_empty_warehouse_prints_nothing(env, monkeypatch, since):
    with env.warehouse().writer("test"):
        pass
    args = ["diff", "--json"] + (["--since", since] if since else [])
    result = cli(env, monkeypatch, *args)
    assert result.exit_code == 0 and json.loads(result.output) == []
