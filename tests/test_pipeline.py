"""The whole path without Prefect: demo replay -> warehouse -> views; runs append; a live
harvest from a local server replays byte for byte; a failing write leaves no partial rows."""
from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from config.load import load
from extractors.model import FileEntry
from warehouse.rows import SourceResult, file_row
from flows.pipeline import Run, run_locally

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "demo.warc.gz"
PAGES = ROOT / "demo" / "pages" / "nihcc.app.box.com"


def query(workdir, sql, params=()):
    con = duckdb.connect(str(workdir / "var" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_demo_replay_twice_appends_runs_and_keeps_one_current_score(workdir):
    config = load()
    nih = [config.source("nih-chestxray14")]
    first = run_locally(config, nih, "refresh", replay=[str(DEMO)])
    assert first["sources_ok"] == 1 and first["per_source"][0]["lqs_after"] == 81
    second = run_locally(config, nih, "refresh", replay=[str(DEMO)])
    assert second["sources_ok"] == 1
    row = query(workdir, """select dataset_id, item_count, item_unit, subject_count, class_count, size_bytes,
                            formats, license, commercial_use, release_year, publisher, lqs, tier from catalog
                            where lqs is not null""")
    assert row == [("nih-chestxray14", 112_120, "images", 30_805, 14, 45_088_866_280, "PNG (in TAR) · CSV", "CC0-1.0",
                    True, 2017, "NIH Clinical Center", 81, "gold")]
    assert query(workdir, "select count(*) from runs where status = 'ok'") == [(2,)]
    # The second run found the source unchanged: it keeps its score row (same facts, same methodology).
    assert query(workdir, "select count(*) from lqs_scores") == [(1,)]
    assert query(workdir, "select count(*) from lqs_latest") == [(1,)]
    dims = query(workdir, "select dimension, score, basis from lqs_dimensions_latest order by dimension")
    assert dims == [("class_balance", 58, "measured"), ("completeness", 100, "measured"),
                    ("format_compliance", 95, "curated"), ("label_density", 55, "measured"),
                    ("size_adequacy", 92, "measured"), ("uniqueness", 90, "measured"),
                    ("validation", 68, "curated")]
    assert query(workdir, "select count(*) from files where kind = 'file' and run_id = (select max(run_id) from runs)") == [(13,)]
    cols = {r[0] for r in query(workdir, "select column_name from information_schema.columns where table_name = 'catalog'")}
    assert cols >= {"dataset_id", "title", "category", "item_count", "item_unit", "subject_count", "class_count",
                    "size_bytes", "formats", "license", "commercial_use", "release_year", "publisher",
                    "source_url", "lqs", "tier", "scored_at"}


def test_an_unchanged_source_whose_score_predates_its_facts_is_rescored(workdir):
    # A writer killed after committing a batch's facts and before scoring them leaves the
    # previous score behind; the next run finds the source unchanged and must still rescore it.
    config = load()
    nih = [config.source("nih-chestxray14")]
    run_locally(config, nih, "refresh", replay=[str(DEMO)])
    con = duckdb.connect(str(workdir / "var" / "warehouse.duckdb"))
    try:   # as if the score had been written before the facts it should describe
        con.execute("update lqs_scores set scored_at = scored_at - interval 1 day")
        con.execute("update lqs_dimensions set scored_at = scored_at - interval 1 day")
    finally:
        con.close()
    again = run_locally(config, nih, "refresh", replay=[str(DEMO)])
    assert again["per_source"][0]["status"] == "unchanged"
    assert query(workdir, "select count(*) from lqs_scores") == [(2,)]
    assert query(workdir, "select composite, tier from lqs_latest") == [(81, "gold")]
    third = run_locally(config, nih, "refresh", replay=[str(DEMO)])   # now current: not again
    assert third["per_source"][0]["status"] == "unchanged"
    assert query(workdir, "select count(*) from lqs_scores") == [(2,)]


def serve_box_share(httpserver):
    """The NIH demo pages served from a local server at Box's paths."""
    root = (PAGES / "root.html").read_text()
    images = (PAGES / "images.html").read_text()
    labels = gzip.decompress((PAGES / "Data_Entry_2017_v2020.csv.gz").read_bytes())
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/v/ChestXray-NIHCC").respond_with_data(root, content_type="text/html")
    httpserver.expect_request("/v/ChestXray-NIHCC/folder/37178474737").respond_with_data(images, content_type="text/html")
    httpserver.expect_request("/index.php").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/dl/Data_Entry_2017_v2020.csv")})
    httpserver.expect_request("/dl/Data_Entry_2017_v2020.csv").respond_with_data(labels, content_type="text/csv")


def local_config(config_dir, url):
    text = (config_dir / "sources.toml").read_text().replace("https://nihcc.app.box.com/v/ChestXray-NIHCC", url)
    (config_dir / "sources.toml").write_text(text)
    (config_dir / "settings.toml").write_text(
        (config_dir / "settings.toml").read_text()
        .replace("allow_private_addresses = false", "allow_private_addresses = true")
        .replace("min_delay = 1.0", "min_delay = 0.0"))
    return load(config_dir)


def facts_of(db, run_id):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""select field, value::varchar, basis, evidence, source_url, archive_sha256, extractor
                              from facts where run_id = ? order by all""", [run_id]).fetchall()
    finally:
        con.close()


def test_live_harvest_replays_byte_for_byte(httpserver, config_dir, workdir, monkeypatch):
    serve_box_share(httpserver)
    config = local_config(config_dir, httpserver.url_for("/v/ChestXray-NIHCC"))
    live = run_locally(config, config.sources, "harvest")
    assert live["sources_ok"] == 1, live
    archive = Path(query(workdir, "select archive_path from runs where run_id = ?", [live["run_id"]])[0][0])
    assert archive.is_file()
    httpserver.clear()  # nothing is served any more: the replay must not need the network
    httpserver.stop()
    # A fresh warehouse, so the replay extracts everything again instead of reusing facts.
    monkeypatch.setenv("LQS_WAREHOUSE", str(workdir / "replay.duckdb"))
    replayed = run_locally(config, config.sources, "harvest", replay=[str(archive)])
    assert replayed["sources_ok"] == 1 and replayed["sources_unchanged"] == 0, replayed
    live_facts = facts_of(workdir / "var" / "warehouse.duckdb", live["run_id"])
    assert len(live_facts) > 20
    assert live_facts == facts_of(workdir / "replay.duckdb", replayed["run_id"])
    assert [s["bytes"] for s in live["per_source"]] == [s["bytes"] for s in replayed["per_source"]]


def test_failed_write_leaves_no_partial_rows(workdir):
    config = load()
    good = SourceResult("nih-chestxray14", "ok", adapter="box",
                        facts=[{"field": "title", "value": "T", "unit": None, "source_url": "u", "archive_sha256": None,
                                "extractor": "box@1", "evidence": "e", "basis": "published", "rank": 3,
                                "record": None, "winner": True}],
                        files=[file_row(FileEntry("a", "not a number")), file_row(FileEntry("b", 5))])
    with Run(config, "harvest") as run:
        run.write([good])
        run.score([good])
    run_id = run.run_id
    assert query(workdir, "select count(*) from facts where run_id = ?", [run_id]) == [(0,)]
    assert query(workdir, "select count(*) from files where run_id = ?", [run_id]) == [(0,)]
    status = query(workdir, "select status, error from source_runs where run_id = ?", [run_id])
    assert status[0][0] == "failed" and status[0][1].startswith("write failed")
    assert query(workdir, "select status from runs where run_id = ?", [run_id]) == [("failed",)]


def test_missing_replay_entry_fails_that_source_only(config_dir, workdir):
    text = (config_dir / "sources.toml").read_text() + '''
[[source]]
id = "elsewhere"
name = "Not in the archive"
url = "https://example.org/dataset"
category = "Computer Vision"
'''
    (config_dir / "sources.toml").write_text(text)
    config = load(config_dir)
    summary = run_locally(config, [config.source("nih-chestxray14"), config.source("elsewhere")], "refresh",
                          replay=[str(DEMO)])
    by_id = {s["dataset_id"]: s for s in summary["per_source"]}
    assert by_id["nih-chestxray14"]["status"] == "ok"
    assert by_id["elsewhere"]["status"] == "failed" and "not in the replay archive" in by_id["elsewhere"]["error"]


def test_replay_takes_a_folder_of_archives(tmp_path, workdir):
    from fetch.archive import ArchiveError, Replay

    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "a.warc.gz").write_bytes(DEMO.read_bytes())
    assert "https://nihcc.app.box.com/v/ChestXray-NIHCC" in Replay([folder]).urls()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ArchiveError, match="no \\*.warc.gz files"):
        Replay([empty])


def test_a_run_ending_in_an_error_still_scores_and_reports_what_it_wrote(workdir):
    """Scores are written at publish points: a run that fails between two of them must not leave
    the batches it committed unscored or missing from its report."""
    config = load()
    written = SourceResult("nih-chestxray14", "ok", adapter="box",
                           facts=[{"field": "item_count", "value": 112120, "unit": "images", "source_url": "u",
                                   "archive_sha256": None, "extractor": "box@1", "evidence": "e",
                                   "basis": "published", "rank": 3, "record": None, "winner": True,
                                   "basis_best": True}],
                           files=[file_row(FileEntry("images_001.tar.gz", 5))])
    with pytest.raises(RuntimeError, match="a later batch failed"):
        with Run(config, "harvest", publish_every=3600) as run:
            run.write([written])
            run.score([written])   # queued: no reader waits and the publish interval has not passed
            raise RuntimeError("a later batch failed")
    scores = query(workdir, "select count(*) from lqs_scores where run_id = ? and dataset_id = ?",
                   [run.run_id, "nih-chestxray14"])
    assert scores == [(1,)]
    status, summary = query(workdir, "select status, summary from runs where run_id = ?", [run.run_id])[0]
    assert status == "failed" and '"nih-chestxray14"' in summary and '"lqs_after": null' not in summary
