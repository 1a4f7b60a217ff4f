"""The bundled catalog harvests completely offline from the demo archive.

One refresh of every enabled source in config/sources.toml, replayed from demo/demo.warc.gz into
a temporary warehouse: every source lands ok with an LQS and a tier, NIH keeps its gold 81, and a
few facts per host are the ones the demo pages state (cited in demo/site.toml).
"""
from __future__ import annotations

import json

import duckdb
import pytest

from tests.support import refresh_demo


@pytest.fixture(scope="module")
def harvest(tmp_path_factory):
    """(config, run summary, read-only warehouse connection) of one demo refresh."""
    cfg, (summary,), path = refresh_demo(tmp_path_factory.mktemp("demo-catalog"))
    con = duckdb.connect(str(path), read_only=True)
    yield cfg, summary, con
    con.close()


def _catalog(con) -> dict[str, dict]:
    cur = con.execute("select * from catalog")
    names = [d[0] for d in cur.description]
    return {row[0]: dict(zip(names, row)) for row in cur.fetchall()}


def _winner(con, dataset_id: str, field: str):
    row = con.execute("select value from facts_current where dataset_id = ? and field = ? and winner",
                      [dataset_id, field]).fetchone()
    return json.loads(row[0]) if row else None


def test_every_enabled_source_lands_ok_with_lqs_and_tier(harvest):
    cfg, summary, con = harvest
    enabled = {s.id for s in cfg.sources if s.enabled}
    assert len(enabled) >= 20
    status = {s["dataset_id"]: s for s in summary["per_source"]}
    assert set(status) == enabled
    failed = {k: v["error"] for k, v in status.items() if v["status"] != "ok"}
    assert not failed, failed
    assert summary["sources_failed"] == 0

    catalog = _catalog(con)
    assert set(catalog) == enabled
    for dataset_id, row in catalog.items():
        assert row["lqs"] is not None and 0 <= row["lqs"] <= 100, dataset_id
        assert row["tier"] in ("platinum", "gold", "silver", "bronze", "unrated"), dataset_id
    latest = dict(con.execute("select dataset_id, coverage from lqs_latest").fetchall())
    assert set(latest) == enabled
    assert all(c is not None and 0 <= c <= 1 for c in latest.values())
    # LQS v1.1: a tier needs at least 4 of the 7 dimensions with evidence
    for dataset_id, tier, coverage in con.execute("select dataset_id, tier, coverage from lqs_latest").fetchall():
        assert (tier == "unrated") == (round(coverage * 7) < 4), (dataset_id, tier, coverage)


def test_every_category_is_an_lqs_category(harvest):
    cfg, _, _ = harvest
    assert {s.category for s in cfg.sources} <= set(cfg.categories)


def test_nih_stays_gold_81(harvest):
    _, _, con = harvest
    nih = _catalog(con)["nih-chestxray14"]
    assert (nih["lqs"], nih["tier"]) == (81, "gold")
    assert nih["item_count"] == 112120
    assert nih["license"] == "CC0-1.0"


@pytest.mark.parametrize("dataset_id, expected", [
    # Hugging Face: Hub API + card
    ("mnist", {"title": "MNIST", "item_count": 70000, "item_unit": "images", "class_count": 10,
               "license": "MIT", "formats": "PARQUET"}),
    ("imagenet-1k", {"item_count": 1431167, "class_count": 1000,
                     "license": "LicenseRef-ImageNet-Terms", "commercial_use": False}),
    ("cifar-10", {"item_count": 60000, "class_count": 10, "license": None}),
    ("squad", {"item_count": 98169, "license": "CC-BY-SA-4.0"}),
    ("alpaca", {"item_count": 52002, "license": "CC-BY-NC-4.0", "commercial_use": False}),
    # card summary: "WildChat is a collection of 1 million conversations ..."
    ("wildchat-1m", {"license": "ODC-By-1.0", "item_count": 1_000_000, "item_unit": "conversations"}),
    # OpenML: data description + qualities
    ("openml-iris", {"title": "iris", "item_count": 150, "item_unit": "instances", "class_count": 3,
                     "license": "LicenseRef-Public", "formats": "ARFF", "release_year": 2014}),
    ("openml-credit-g", {"item_count": 1000, "class_count": 2}),
    ("openml-diabetes", {"item_count": 768, "class_count": 2}),
    # schema.org / Croissant: PhysioNet, Dataverse, PANGAEA, Kaggle, COCO
    ("mimic-cxr", {"item_count": 377110, "release_year": 2019}),
    # abstract: "22 local labels (...) and 6 global labels" -> 28 label kinds
    ("vindr-cxr", {"item_count": 18000, "release_year": 2021, "class_count": 28}),
    ("ham10000", {"item_count": 10015, "publisher": "Harvard Dataverse"}),
    ("pangaea-tara-stations", {"license": "CC-BY-3.0", "formats": "TSV", "release_year": 2015,
                               "publisher": "PANGAEA", "size_bytes": None}),
    ("pediatric-pneumonia-cxr", {"item_count": 5863, "class_count": 2, "license": "CC-BY-4.0",
                              "formats": "ZIP"}),
    ("coco-2014", {"title": "COCO", "item_count": 164062, "class_count": 80,
                   "license": "CC-BY-4.0", "formats": "ZIP"}),
    # html fallback
    ("chexpert", {"item_count": 224316, "subject_count": 65240}),
    ("rsna-pneumonia", {"title": "RSNA Pneumonia Detection Challenge"}),
])
def test_catalog_facts_are_what_the_pages_state(harvest, dataset_id, expected):
    _, _, con = harvest
    row = _catalog(con)[dataset_id]
    for column, value in expected.items():
        column = "page_title" if column == "title" else column   # the page's own title
        assert row[column] == value, (dataset_id, column, row[column])


def test_catalog_shows_the_editors_name_and_inner_formats(harvest):
    """What the catalog's card reads: the display title is sources.toml's name; the formats name
    the curated inner format of the image archives."""
    _, _, con = harvest
    nih = _catalog(con)["nih-chestxray14"]
    assert (nih["title"], nih["page_title"]) == ("NIH ChestX-ray14", "ChestXray-NIHCC")
    assert nih["formats"] == "PNG (in TAR) · CSV"
    assert _catalog(con)["mnist"]["formats"] == "PARQUET"   # no inner format: the formats as stated


@pytest.mark.parametrize("dataset_id, field, value", [
    ("medmnist-plus", "doi", "10.5281/zenodo.10519652"),
    ("medmnist-plus", "access", "open"),
    ("mimic-cxr", "doi", "10.13026/c2jt1q"),
    ("mimic-cxr", "version", "2.0.0"),
    # its JSON-LD DataDownload points at the page's own "#files" anchor: no file is listed
    ("mimic-cxr", "file_count", None),
    ("vindr-cxr", "doi", "10.13026/3akn-b287"),
    ("ham10000", "doi", "10.7910/dvn/dbw86t"),
    ("pangaea-tara-stations", "doi", "10.1594/pangaea.842237"),
    ("imagenet-1k", "access", "gated"),
    ("mnist", "homepage", "http://yann.lecun.com/exdb/mnist/"),
    ("openml-iris", "version", "1"),
    ("openml-iris", "feature_count", 5),
])
def test_resolved_facts_per_host(harvest, dataset_id, field, value):
    _, _, con = harvest
    assert _winner(con, dataset_id, field) == value


def test_curated_facts_carry_their_citation(harvest):
    _, _, con = harvest
    rows = con.execute("select dataset_id, field, evidence from facts_current "
                       "where basis = 'curated'").fetchall()
    assert rows
    assert all(evidence and len(evidence) > 20 for _, _, evidence in rows)
    assert _winner(con, "medmnist-plus", "license") == "CC-BY-4.0 AND CC-BY-NC-4.0"
    assert _winner(con, "mimic-cxr", "access") == "restricted"


@pytest.mark.parametrize("dataset_id, field, value", [
    # dataset-viewer /statistics of the train split (demo/site.toml cites the figures)
    ("mnist", "class_counts", dict(zip("0123456789", [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                                      5851, 5949]))),
    ("cifar-10", "class_counts", {c: 5000 for c in ("airplane", "automobile", "bird", "cat", "deer",
                                                    "dog", "frog", "horse", "ship", "truck")}),
    ("mnist", "labels_per_item", 1.0),
    ("mnist", "annotations_creators", ["expert-generated"]),
    ("squad", "annotations_creators", ["crowdsourced"]),
    # curated, with citations in config/sources.toml
    ("ham10000", "class_counts", {"nv": 6705, "mel": 1113, "bkl": 1099, "bcc": 514, "akiec": 327,
                                  "vasc": 142, "df": 115}),
    ("rsna-pneumonia", "class_counts", {"Lung Opacity": 6012, "No Lung Opacity / Not Normal": 11821,
                                        "Normal": 8851}),
])
def test_label_evidence_per_host(harvest, dataset_id, field, value):
    _, _, con = harvest
    assert _winner(con, dataset_id, field) == value


@pytest.mark.parametrize("dataset_id", ["openml-iris", "openml-credit-g", "openml-diabetes"])
def test_openml_qualities_and_features_are_followed(harvest, dataset_id):
    """The description leads to qualities and features (no explicit urls in sources.toml): no
    missing values, one nominal target."""
    _, _, con = harvest
    missing = _winner(con, dataset_id, "missing_values")
    assert missing is not None and missing["pct"] == 0
    assert _winner(con, dataset_id, "labels_per_item") == 1.0
