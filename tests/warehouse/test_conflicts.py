"""Conflicts: current facts of one dataset from different sources that disagree beyond tolerance
(numbers > 1% relative, strings after case/space folding, lists as sets) are listed with both
values, sources and evidence, and `lqs show` marks the fields."""
from __future__ import annotations

from extractors import registry

import pytest
from typer.testing import CliRunner

from cli import app

CROISSANT = ("https://birds.example.org/croissant.json", f"croissant@{registry.version('croissant')}")
DATACITE = ("https://api.datacite.org/dois/10.5072/birds.2022", f"datacite@{registry.version('datacite')}")


def test_sources_that_disagree_are_listed_with_both_sides(two_runs):
    rows = two_runs.query("""select field, value_a::varchar, source_a, extractor_a, winner_a,
                                    value_b::varchar, source_b, extractor_b, winner_b
                             from conflicts where dataset_id = 'birds' order by field""")
    # a/b ordered by source: the DataCite record sorts before the Croissant file.
    assert rows == [
        ("commercial_use", "false", *DATACITE, False, "true", *CROISSANT, True),
        ("license", '"CC-BY-NC-4.0"', *DATACITE, False, '"CC-BY-4.0"', *CROISSANT, True),
        ("size_bytes", "1200000000", *DATACITE, False, "1136036512", *CROISSANT, True),
    ]
    evidence = two_runs.query("""select evidence_a, evidence_b, basis_a, basis_b from conflicts
                                 where dataset_id = 'birds' and field = 'license'""")
    assert evidence == [("$.data.attributes.rightsList[0]",
                         "$.license[0]: https://creativecommons.org/licenses/by/4.0/", "published", "published")]
    # Stated differently but agreeing: title in case/spacing, release date in precision.
    agree = two_runs.query("""select field, list(value::varchar order by extractor) from facts_current
                              where dataset_id = 'birds' and field in ('title', 'release_date')
                              group by field order by field""")
    assert agree == [("release_date", ['"2022-02-02"', '"2022"']),
                     ("title", ['"Bird Sounds Archive"', '"bird sounds ARCHIVE"'])]
    assert two_runs.query("select count(*) from conflicts where dataset_id = 'soil'") == [(0,)]


@pytest.mark.parametrize("a, b, disagree", [
    ("100", "100.9", False), ("100", "102", True), ("0", "0", False), ("-5", "-5.04", False),
    ('"Foo  Bar "', '"foo bar"', False), ('"CC-BY-4.0"', '"CC-BY-NC-4.0"', True),
    ('["a", "B"]', '["b", "a", "a"]', False), ('["a"]', '["a", "c"]', True),
    ('"2022"', '"2022-02-02"', False), ('"2022-02"', '"2022-02-02"', False), ('"2021"', '"2022-02-02"', True),
    ("true", "false", True), ("true", "true", False), ("1", '"1 GB"', True),
    ('{"a": 1}', '{"a":1}', False), ('{"a": 1}', '{"a": 2}', True),
])
def test_tolerance_rules(env, a, b, disagree):
    with env.warehouse().writer("test") as w:   # a fresh warehouse with the migrations applied
        got = w.con.execute("select lqs_values_disagree(?::json, ?::json)", [a, b]).fetchall()[0][0]
    assert got is disagree


def test_lqs_show_marks_conflicted_fields(two_runs, monkeypatch):
    for key in ("LQS_WAREHOUSE", "LQS_ARCHIVE", "LQS_CONFIG"):
        monkeypatch.setenv(key, two_runs.environ[key])
    result = CliRunner().invoke(app, ["show", "birds"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "conflicting sources for: commercial_use, license, size_bytes" in result.output
    licence_line = next(line for line in result.output.splitlines() if line.startswith("license"))
    assert "⚠ conflict" in licence_line
    as_json = CliRunner().invoke(app, ["show", "birds", "--json"])
    assert '"conflicts": [\n    "commercial_use",\n    "license",\n    "size_bytes"\n  ]' in as_json.output
