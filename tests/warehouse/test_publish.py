"""`lqs publish --out DIR`: the publishing tables as Parquet/JSON/CSV, a card and a Croissant
document per dataset (validated by mlcroissant), a manifest with sha256s; a second publish with
nothing new rewrites nothing; `changes` carries what changed since the last publish."""
from __future__ import annotations

from extractors import registry

import copy
import csv
import hashlib
import json

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli import app

# mlcroissant's JSON-LD parser (rdflib) warns about its own internals.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

TABLES = ("catalog", "lqs_latest", "lqs_dimensions_latest", "changes")
DIMENSIONS = ["completeness", "uniqueness", "validation", "size_adequacy", "format_compliance",
              "label_density", "class_balance"]


def publish(env, monkeypatch, out) -> dict:
    for key in ("LQS_WAREHOUSE", "LQS_ARCHIVE", "LQS_CONFIG"):
        monkeypatch.setenv(key, env.environ[key])
    result = CliRunner().invoke(app, ["publish", "--out", str(out), "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.output)


def stats(out) -> dict[str, tuple]:
    """Every file's (mtime_ns, inode, bytes): unchanged only if nothing replaced it."""
    return {str(p.relative_to(out)): (p.stat().st_mtime_ns, p.stat().st_ino, p.read_bytes())
            for p in sorted(out.rglob("*")) if p.is_file()}


def rescore(env, run_id: str, dataset_ids=None) -> None:
    """A score run under a changed methodology: the composites move (changes to publish)."""
    from scoring.run import score_datasets
    from warehouse.load import finish_run, start_run

    cfg = copy.deepcopy(env.config().lqs)
    cfg["validation"]["ladder"]["unknown"] = 100
    with env.warehouse().writer("test") as w:
        start_run(w, run_id, "score", None, None)
        score_datasets(w, run_id, cfg, dataset_ids)
        finish_run(w, run_id, "ok", {})


@pytest.fixture
def published(two_runs, tmp_path, monkeypatch):
    out = tmp_path / "public"
    return two_runs, out, publish(two_runs, monkeypatch, out)


def test_publish_writes_every_table_card_and_croissant_with_a_manifest(published):
    env, out, report = published
    expected = {f"{t}.{ext}" for t in TABLES for ext in ("parquet", "json", "csv")}
    expected |= {f"cards/{d}.json" for d in ("birds", "soil")} | {f"croissant/{d}.jsonld" for d in ("birds", "soil")}
    expected |= {"index.html", "cards/birds.html", "cards/soil.html"}     # the static site (tests/site)
    assert set(report["files"]) == expected | {"manifest.json"}
    assert set(report["written"]) == set(report["files"]) and report["removed"] == []
    assert {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} == set(report["files"])

    manifest = json.loads((out / "manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} == expected
    for f in manifest["files"]:
        data = (out / f["path"]).read_bytes()
        assert (f["sha256"], f["bytes"]) == (hashlib.sha256(data).hexdigest(), len(data))
    n = len(report["files"])
    assert env.query("select count(*), max(files), max(written) from publishes") == [(1, n, n)]


def test_tables_read_back_the_same_from_parquet_json_and_csv(published):
    env, out, report = published
    for table in ("catalog", "lqs_latest", "lqs_dimensions_latest"):
        live = env.query(f"select count(*) from {table}")[0][0]
        assert live > 0
        assert duckdb.sql(f"select count(*) from read_parquet('{out / table}.parquet')").fetchall() == [(live,)]
        assert len(json.loads((out / f"{table}.json").read_text())) == live
        with open(out / f"{table}.csv", newline="") as fh:
            assert len(list(csv.DictReader(fh))) == live
    columns = "dataset_id, license, lqs, withdrawn"
    catalog = duckdb.sql(f"select {columns} from read_parquet('{out}/catalog.parquet')").fetchall()
    assert catalog == env.query(f"select {columns} from catalog order by dataset_id")
    changes = json.loads((out / "changes.json").read_text())
    assert report["changes"] == len(changes) == 7         # first publish: everything so far
    licence = next(c for c in changes if c["item"] == "license")
    assert (licence["old_value"], licence["new_value"], licence["flagged"]) == ("CC-BY-4.0", "CC-BY-NC-4.0", True)
    assert changes[0]["flagged"] and changes[1]["flagged"]  # licence changes first
    assert duckdb.sql(f"select count(*) from read_parquet('{out}/changes.parquet')").fetchall() == [(7,)]


def test_cards_hold_facts_dimensions_tier_and_provenance(published):
    env, out, _ = published
    birds = json.loads((out / "cards" / "birds.json").read_text())
    assert birds["facts"]["license"] == "CC-BY-4.0" and birds["facts"]["title"] == "Bird Sounds Archive"
    assert [d["dimension"] for d in birds["dimensions"]] == DIMENSIONS
    assert all({"score", "basis", "evidence"} <= set(d) for d in birds["dimensions"])
    assert birds["lqs"]["tier"] and isinstance(birds["lqs"]["composite"], int)
    licence = birds["provenance"]["license"]
    assert licence == {"basis": "published", "extractor": f"croissant@{registry.version('croissant')}",
                       "evidence": "$.license[0]: https://creativecommons.org/licenses/by/4.0/",
                       "source_url": "https://birds.example.org/croissant.json",
                       "archive_sha256": licence["archive_sha256"]}
    assert len(licence["archive_sha256"]) == 64        # the archived body the value was read from
    assert birds["conflicts"] == ["commercial_use", "license", "size_bytes"] and birds["withdrawn"] is False


def test_croissant_documents_validate_with_mlcroissant(published):
    mlc = pytest.importorskip("mlcroissant")
    env, out, _ = published
    for path in sorted((out / "croissant").glob("*.jsonld")):
        dataset = mlc.Dataset(jsonld=str(path))        # raises on any validation error
        assert dataset.metadata.name
        assert not dataset.metadata.ctx.issues.warnings, dataset.metadata.ctx.issues.report()
    birds = json.loads((out / "croissant" / "birds.jsonld").read_text())
    assert birds["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert (birds["name"], birds["description"], birds["url"]) == (
        "Bird Sounds Archive", "Field recordings of bird songs.", "https://birds.example.org/")
    assert birds["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert birds["datePublished"] == "2022-02-02" and birds["identifier"] == "https://doi.org/10.5072/birds.2022"
    # Only files with a known sha256 are FileObjects; notes.txt (md5 only) is counted, not listed.
    files = {f["name"]: f for f in birds["distribution"]}
    assert set(files) == {"audio.zip", "metadata.csv"}
    assert (files["audio.zip"]["contentSize"], files["audio.zip"]["encodingFormat"]) == ("1120335512 B", "application/zip")
    assert files["metadata.csv"]["encodingFormat"] == "text/csv" and len(files["metadata.csv"]["sha256"]) == 64
    props = {p["name"]: p for p in birds["additionalProperty"]}
    assert props["files without checksum"]["value"] == 1
    lqs = env.query("select composite, tier from lqs_latest where dataset_id = 'birds'")[0]
    assert (props["LQS"]["value"], props["LQS tier"]["value"]) == lqs
    assert {f"LQS {d}" for d in DIMENSIONS} <= set(props)
    soil = json.loads((out / "croissant" / "soil.jsonld").read_text())
    assert "distribution" not in soil          # no file of soil has a published checksum


def test_a_second_publish_with_nothing_new_rewrites_nothing(published, monkeypatch):
    env, out, first = published
    before = stats(out)
    second = publish(env, monkeypatch, out)
    assert second["written"] == [] and second["removed"] == []
    assert stats(out) == before
    assert (second["changes_since"], second["changes_until"]) == (first["changes_since"], first["changes_until"])
    assert env.query("select list(written order by published_at) from publishes") == [([len(first["files"]), 0],)]


def test_the_next_publish_carries_only_the_changes_since_the_last(published, monkeypatch):
    env, out, first = published
    before = stats(out)
    rescore(env, "score-after-publish", ["soil"])
    third = publish(env, monkeypatch, out)
    assert third["changes_since"] == first["changes_until"]
    changes = json.loads((out / "changes.json").read_text())
    assert len(changes) == third["changes"] > 0
    assert {(c["run_id"], c["dataset_id"]) for c in changes} == {("score-after-publish", "soil")}
    assert {(c["kind"], c["item"]) for c in changes} >= {("dimension", "validation"), ("lqs", "composite")}
    # What soil's new score touches is rewritten; birds' card and Croissant are left alone.
    assert set(third["written"]) == {f"{t}.{ext}" for t in TABLES for ext in ("parquet", "json", "csv")} | {
        "cards/soil.json", "croissant/soil.jsonld", "cards/soil.html", "index.html", "manifest.json"}
    after = stats(out)
    for name in ("cards/birds.json", "croissant/birds.jsonld", "cards/birds.html"):
        assert after[name] == before[name]


def test_files_a_previous_manifest_listed_that_are_no_longer_produced_are_removed(published, monkeypatch):
    env, out, _ = published
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"].append({"path": "cards/gone.json", "sha256": "0" * 64, "bytes": 2})
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "cards" / "gone.json").write_text("{}")
    (out / "notes.txt").write_text("not ours")
    report = publish(env, monkeypatch, out)
    assert report["removed"] == ["cards/gone.json"] and report["written"] == ["manifest.json"]
    assert not (out / "cards" / "gone.json").exists() and (out / "notes.txt").exists()


def test_publish_output_is_atomic_no_temp_files_left(published):
    _, out, _ = published
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


def test_the_demo_dataset_publishes_valid_croissant(env, monkeypatch, tmp_path):
    """The bundled demo catalog, replayed offline, through publish and mlcroissant."""
    mlc = pytest.importorskip("mlcroissant")
    from config.load import load
    from flows.pipeline import run_locally

    project = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("LQS_WAREHOUSE", str(env.warehouse_path))
    monkeypatch.setenv("LQS_ARCHIVE", str(env.var / "archive"))
    config = load(project / "config")
    run_locally(config, config.sources, "refresh", replay=[str(project / "demo" / "demo.warc.gz")])
    monkeypatch.setenv("LQS_CONFIG", str(project / "config"))
    result = CliRunner().invoke(app, ["publish", "--out", str(tmp_path / "public"), "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    documents = sorted((tmp_path / "public" / "croissant").glob("*.jsonld"))
    assert len(documents) == len(config.sources)
    for path in documents:          # every dataset of the demo catalog, whatever its host gave
        mlc.Dataset(jsonld=str(path))
    path = tmp_path / "public" / "croissant" / "nih-chestxray14.jsonld"
    dataset = mlc.Dataset(jsonld=str(path))
    doc = json.loads(path.read_text())
    assert dataset.metadata.name == doc["name"] == "ChestXray-NIHCC"
    assert doc["license"] == "https://spdx.org/licenses/CC0-1.0.html" and doc["datePublished"] == "2017"
    # Box publishes no checksums: no FileObject is listed, the 13 files are counted instead.
    assert "distribution" not in doc
    props = {p["name"]: p["value"] for p in doc["additionalProperty"]}
    assert props["files without checksum"] == 13 and props["LQS"] == 81 and props["LQS tier"] == "gold"


def test_an_empty_warehouse_publishes_empty_tables_and_a_missing_one_is_an_error(env, monkeypatch, tmp_path):
    from warehouse.db import WarehouseError
    from warehouse.publish import publish as run_publish

    with pytest.raises(WarehouseError, match="no warehouse yet"):
        run_publish(env.warehouse(), tmp_path / "nothing")
    assert not env.warehouse_path.exists()
    with env.warehouse().writer("test"):
        pass                                   # created and migrated, no runs yet
    report = publish(env, monkeypatch, tmp_path / "public")
    assert report["changes"] == 0 and report["changes_until"] is None
    for table in TABLES:
        assert json.loads((tmp_path / "public" / f"{table}.json").read_text()) == []
        parquet = tmp_path / "public" / f"{table}.parquet"
        assert duckdb.sql(f"select count(*) from read_parquet('{parquet}')").fetchall() == [(0,)]
    assert publish(env, monkeypatch, tmp_path / "public")["written"] == []
