"""The example queries in the README run, through `lqs query`, on a warehouse with history."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

DOC = Path(__file__).resolve().parents[2] / "README.md"
QUERIES = re.findall(r"```sql\n(.*?)```", DOC.read_text("utf-8"), re.S)


def test_the_doc_has_its_example_queries():
    assert len(QUERIES) >= 6


@pytest.mark.parametrize("sql", QUERIES, ids=[q.splitlines()[0][:40] for q in QUERIES])
def test_example_query_runs(two_runs, monkeypatch, sql):
    for key in ("LQS_WAREHOUSE", "LQS_ARCHIVE", "LQS_CONFIG"):
        monkeypatch.setenv(key, two_runs.environ[key])
    result = CliRunner().invoke(app, ["query", sql, "--csv"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.output.splitlines()[0]          # a header at least
