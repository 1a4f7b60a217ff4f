"""The `lqs` command line: output of the read commands and one-line errors with exit code 2."""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "demo.warc.gz"


@pytest.fixture(scope="module")
def warehouse_env(tmp_path_factory):
    """A warehouse holding one demo refresh (built without Prefect, which flow tests cover)."""
    tmp = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "LQS_WAREHOUSE": str(tmp / "w.duckdb"), "LQS_ARCHIVE": str(tmp / "archive")}
    code = ("import config.load as c; from flows.pipeline import run_locally; cfg = c.load(); "
            f"run_locally(cfg, [cfg.source('nih-chestxray14')], 'refresh', replay=[{str(DEMO)!r}])")
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return env


def lqs(*args, env=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,
                          env=env or os.environ, input=stdin, cwd=ROOT)


def test_help_lists_every_command():
    proc = lqs("--help")
    assert proc.returncode == 0
    for command in ("sources", "harvest", "refresh", "score", "show", "query", "extract", "fetches", "migrate"):
        assert command in proc.stdout


def test_help_does_not_import_prefect_or_duckdb():
    code = "import sys; sys.argv = ['lqs', '--help']\nimport cli\ntry:\n    cli.main()\nexcept SystemExit:\n    pass\nprint('prefect' in sys.modules, 'duckdb' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "False False"


def test_query_prints_the_catalog_row(warehouse_env):
    proc = lqs("query", "select dataset_id, lqs, tier from catalog where dataset_id = 'nih-chestxray14'", "--json",
               env=warehouse_env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"dataset_id": "nih-chestxray14", "lqs": 81, "tier": "gold"}]
    table = lqs("query", "select dataset_id, lqs, tier from catalog where lqs is not null", env=warehouse_env)
    assert "nih-chestxray14" in table.stdout and "81" in table.stdout and "gold" in table.stdout
    csv = lqs("query", "select dataset_id, lqs from catalog where lqs is not null", "--csv", env=warehouse_env)
    assert csv.stdout.splitlines() == ["dataset_id,lqs", "nih-chestxray14,81"]


def test_query_from_file(warehouse_env, tmp_path):
    q = tmp_path / "q.sql"
    q.write_text("select count(*) as n from lqs_dimensions_latest where dataset_id = 'nih-chestxray14'")
    proc = lqs("query", "--file", str(q), "--json", env=warehouse_env)
    assert json.loads(proc.stdout) == [{"n": 7}]


@pytest.mark.parametrize("args, message", [
    (("query", "selec nonsense"), "lqs: error: query failed: Parser Error"),
    (("query", "select * from no_such_table"), "lqs: error: query failed: Catalog Error"),
    (("query", "create table x (a int)"), "lqs: error: only read queries are allowed (got CREATE)"),
    (("query", "--file", "/nonexistent.sql"), "lqs: error: /nonexistent.sql: query file not found"),
    (("show", "nih-chestxray"), "lqs: error: unknown source id 'nih-chestxray'; did you mean nih-chestxray14?"),
    (("harvest", "nih"), "lqs: error: unknown source id 'nih'"),
    (("refresh", "--replay", "/nonexistent.warc.gz"), "lqs: error: /nonexistent.warc.gz: replay archive not found"),
    (("fetches", "--run", "nope"), "lqs: error: unknown run 'nope'"),
])
def test_user_errors_are_one_line_with_exit_2(warehouse_env, args, message):
    proc = lqs(*args, env=warehouse_env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith(message), proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_query_without_a_warehouse(tmp_path):
    env = {**os.environ, "LQS_WAREHOUSE": str(tmp_path / "none.duckdb")}
    proc = lqs("query", "select 1", env=env)
    assert proc.returncode == 2 and "no warehouse yet" in proc.stderr


def test_show_card(warehouse_env):
    proc = lqs("show", "nih-chestxray14", "--json", env=warehouse_env)
    card = json.loads(proc.stdout)
    assert card["lqs"]["composite"] == 81 and card["lqs"]["tier"] == "gold"
    assert [d["score"] for d in card["dimensions"]] == [100, 90, 68, 92, 95, 55, 58]
    assert all(d["evidence"] and d["basis"] for d in card["dimensions"])
    assert card["facts"]["size_bytes"] == 45_088_866_280 and card["facts"]["formats"] == ["CSV", "TAR"]
    assert card["provenance"]["item_count"]["basis"] == "measured"
    text = lqs("show", "nih-chestxray14", env=warehouse_env).stdout
    assert "LQS 81 · gold" in text and "112,120 images from 30,805 subjects" in text
    assert "Long-tail distribution" in text and "measured" in text and "curated" in text


def test_refresh_summary_counts_outcomes_per_host():
    from cli.run import _print_summary

    summary = {"kind": "refresh", "run_id": "r", "per_source": [], "sources_ok": 1, "sources_unchanged": 0,
               "sources_failed": 0, "facts": 3, "bytes": 10, "seconds": 1.0,
               "hosts": {"zenodo.org": {"ok": 2, "not-modified": 5}, "huggingface.co": {"http-429": 1}}}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print_summary(summary)
    assert "zenodo.org: not-modified 5, ok 2" in out.getvalue()
    assert "huggingface.co: http-429 1" in out.getvalue()


def test_fetches_ledger(warehouse_env):
    proc = lqs("fetches", "--json", env=warehouse_env)
    rows = json.loads(proc.stdout)
    assert {r["outcome"] for r in rows} >= {"ok"}
    assert any(r["purpose"] == "annotations" and r["bytes"] > 9_000_000 for r in rows)


def test_extract_prints_json_and_reads_stdin():
    page = (ROOT / "demo" / "pages" / "nihcc.app.box.com" / "images.html").read_bytes()
    proc = lqs("extract", "-", "--url", "https://nihcc.app.box.com/v/ChestXray-NIHCC/folder/37178474737",
               stdin=page.decode())
    out = json.loads(proc.stdout)
    assert out["adapter"] == "box" and out["record"]["size_bytes"] == 45_079_862_784
    assert out["record"]["formats"] == ["TAR"] and out["record"]["file_count"] == 12


def test_extract_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    proc = lqs("extract", str(bad), "--adapter", "zenodo")
    assert proc.returncode == 2 and "error" in json.loads(proc.stdout)
    missing = lqs("extract", str(tmp_path / "missing.html"))
    assert missing.returncode == 2 and "error" in json.loads(missing.stdout)
    unknown = lqs("extract", str(bad), "--adapter", "nope")
    assert unknown.returncode == 2 and "unknown adapter" in json.loads(unknown.stdout)["error"]


def test_sources_listing():
    proc = lqs("sources", "--json")
    assert any(s["id"] == "nih-chestxray14" and s["adapter"] == "box" for s in json.loads(proc.stdout))


def test_adapters_lists_what_each_claims_in_detection_order():
    from extractors import registry

    proc = lqs("adapters", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["name"] for r in rows] == [m.NAME for m in registry.ordered()]
    assert {r["name"] for r in rows} == set(registry.names())
    assert all(r["version"] == registry.version(r["name"]) and r["levels"] and r["probe"] for r in rows)
    by_name = {r["name"]: r for r in rows}
    assert any("zenodo.org" in u and "records" in u for u in by_name["zenodo"]["urls"])
    assert by_name["zenodo"]["url_check"] and by_name["zenodo"]["levels"] == ["SPECIFIC"]
    assert "application/ld+json" in by_name["dcat"]["content_types"]
    assert rows[-1]["name"] == "html" and rows[-1]["levels"] == ["PAGE"]
    text = lqs("adapters").stdout
    assert "zenodo" in text and "SPECIFIC" in text and "adapters" in lqs("--help").stdout


def _at_80_columns(monkeypatch, call) -> str:
    monkeypatch.setenv("COLUMNS", "80")   # rich sizes its Console from COLUMNS
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call()
    return out.getvalue()


def test_a_failed_source_says_the_reason_in_80_columns(monkeypatch):
    from cli.run import _print_summary

    reason = ("https://www.openml.org/api/v1/json/data/61 not fetched: https://www.openml.org/robots.txt "
              "unreadable (connection-error): everything disallowed for this run")
    summary = {"kind": "harvest", "run_id": "r", "sources_ok": 0, "sources_unchanged": 0, "sources_failed": 1,
               "facts": 0, "bytes": 0, "seconds": 1.0, "hosts": {},
               "per_source": [{"dataset_id": "openml-iris", "status": "failed", "facts": 0, "pages": 0,
                               "lqs_after": None, "tier_after": None, "error": reason}]}
    text = _at_80_columns(monkeypatch, lambda: _print_summary(summary))
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "openml-iris" in text and "failed" in text
    flat = "".join(line.split("│")[-2].strip() for line in text.splitlines() if line.count("│") > 2)
    assert flat.replace(" ", "") == reason.replace(" ", "")   # folded, never cut


def test_fetch_failures_read_as_reasons_not_exception_classes():
    from fetch.http import FetchResult
    from flows.harvest import FetchFailed, fetch_reason

    dns = FetchResult("https://www.openml.org/x", "https://www.openml.org/x", None, "connection-error",
                      error="ConnectionError: HTTPSConnectionPool(host='www.openml.org', port=443): Max retries "
                            "exceeded (Caused by NameResolutionError(\"Failed to resolve 'www.openml.org'\"))")
    assert fetch_reason(dns) == "could not connect to www.openml.org: the host name did not resolve"
    robots = FetchResult("https://h.org/p", "https://h.org/p", None, "skipped-robots",
                         error="https://h.org/robots.txt unreadable (timeout): everything disallowed for this run")
    assert str(FetchFailed("https://h.org/p", robots)) == \
        "https://h.org/p not fetched: https://h.org/robots.txt unreadable (timeout): everything disallowed for this run"
    gone = FetchResult("https://h.org/p", "https://h.org/p", 404, "http-404", error="HTTP 404 from https://h.org/p")
    assert str(FetchFailed("https://h.org/p", gone)) == "HTTP 404 from https://h.org/p"
    slow = FetchResult("https://h.org/p", "https://h.org/p", None, "timeout", error="timeout on x: ReadTimeout")
    assert str(FetchFailed("https://h.org/p", slow)) == "https://h.org/p: no answer in time"


def test_a_bug_is_reported_as_an_internal_error():
    from config.load import load
    from flows.harvest import collect

    class Broken:   # a fetcher whose get() has a bug: not a reason a source gives
        def get(self, *args, **kwargs):
            raise KeyError("oops")

        def take_ledger(self, dataset_id):
            return []

    config = load()
    result = collect(config.source("openml-iris"), Broken(), config.settings)
    assert result.status == "failed" and result.error == "internal error: KeyError: 'oops'"


def test_fetches_fit_80_columns(warehouse_env):
    proc = lqs("fetches", env={**warehouse_env, "COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines if line[:1] in "┏┃┡│└") <= 80   # the table; summary lines may wrap
    header = next(line for line in lines if "outcome" in line)
    assert [c.strip() for c in header.strip("┃").split("┃")] == ["dataset", "url", "outcome", "status", "ms"]
    assert "not-modified" in proc.stdout or " ok " in proc.stdout
    wide = lqs("fetches", "--wide", env={**warehouse_env, "COLUMNS": "200"})
    assert "purpose" in wide.stdout and "retry_after" in wide.stdout and "error" in wide.stdout
    sources = lqs("sources", env={**warehouse_env, "COLUMNS": "80"})
    assert max(len(line) for line in sources.stdout.splitlines()) <= 80 and "Medical Imaging" in sources.stdout
