"""Hugging Face adapter: inputs written here in the Hub's / dataset-viewer's real structure,
each with the facts it states; then broken, truncated and hostile inputs."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.adapters import huggingface
from extractors.model import RANK_API, RANK_EMBEDDED, RANK_TEXT
from tests.extractors.adapter_support import (as_body, detected_run, field_values as values,
                                             resolved as record)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "huggingface"
API_URL = "https://huggingface.co/api/datasets/example-org/leaf-disease?blobs=true"
CARD_URL = "https://huggingface.co/datasets/example/cxr-triage/raw/main/README.md"
RAW_URL = "https://raw.githubusercontent.com/example/datasets/0123abc/datasets/x/README.md"
TEXT = "text/plain; charset=utf-8"


def run(body, url=None, content_type=None):
    return registry.run("huggingface", url, as_body(body), content_type)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def card(front: str, body: str = "") -> str:
    return f"---\n{front.strip()}\n---\n{body}"


# ------------------------------------------------------------------------------ detection

@pytest.mark.parametrize("url", [
    "https://huggingface.co/api/datasets/ylecun/mnist",
    "https://huggingface.co/api/datasets/ylecun/mnist?blobs=true",
    "https://huggingface.co/api/datasets?search=mnist&limit=5",
    "https://huggingface.co/api/datasets/ibm/duorc/parquet",
    "https://huggingface.co/api/datasets/ylecun/mnist/croissant",
    "https://huggingface.co/datasets/beans",
    "https://huggingface.co/datasets/ylecun/mnist",
    "https://huggingface.co/datasets/ylecun/mnist/raw/main/README.md",
    "https://huggingface.co/datasets/ylecun/mnist/resolve/main/README.md",
    "https://huggingface.co/datasets/beans/raw/main/dataset_infos.json",
    "https://datasets-server.huggingface.co/info?dataset=ylecun/mnist",
    "https://datasets-server.huggingface.co/size?dataset=ylecun/mnist",
    "https://datasets-server.huggingface.co/parquet?dataset=ibm/duorc",
    "https://datasets-server.huggingface.co/croissant?dataset=ibm/duorc",
    "https://datasets-server.huggingface.co/splits?dataset=ibm/duorc",
])
def test_match_url_claims_hub_and_viewer(url):
    assert huggingface.match_url(url)


@pytest.mark.parametrize("url", [
    "https://huggingface.co/ylecun/some-model",
    "https://huggingface.co/api/models/bert-base-uncased",
    "https://huggingface.co/datasets/ylecun/mnist/resolve/main/data/train-00000.parquet",
    "https://huggingface.co/api/datasets-tags-by-type",
    "https://datasets-server.huggingface.co/rows?dataset=ibm/duorc",
    "https://raw.githubusercontent.com/huggingface/datasets/main/datasets/beans/README.md",
    "https://evil-huggingface.co/api/datasets/x",
])
def test_match_url_leaves_other_urls(url):
    assert not huggingface.match_url(url)


def test_sniff_claims_dataset_shapes():
    assert huggingface.sniff(fixture("card-gated.md"), TEXT)
    assert huggingface.sniff(fixture("dataset_infos-two-configs.json"), TEXT)
    assert huggingface.sniff(fixture("api-dataset-blobs.json"), "application/json")
    assert huggingface.sniff(json.dumps(SIZE).encode(), "application/json")
    assert huggingface.sniff(json.dumps(PARQUET).encode(), "application/json")
    assert huggingface.sniff(json.dumps({"dataset_info": INFO_ONE}).encode(), None)


@pytest.mark.parametrize("body", [
    card("license: apache-2.0\npipeline_tag: text-classification\nlibrary_name: transformers"),
    card("license: cc-by-4.0\ntags:\n- medical"),      # a bare licence is not a dataset card
    card("title: My blog post\nlayout: post"),
    "# A README\n\nThe dataset contains 1,000 images.",
    json.dumps({"@context": {"@vocab": "https://schema.org/"}, "@type": "sc:Dataset",
                "name": "x", "conformsTo": "http://mlcommons.org/croissant/1.0"}),
    json.dumps({"data_set_description": {"name": "iris"}}),
    json.dumps({"name": "x", "resources": [{"path": "a.csv"}]}),
    json.dumps([{"id": "a/b", "downloads": 3}]),   # listings are claimed by URL only
    "\x00\x01\x02 binary",
])
def test_sniff_leaves_other_bodies(body):
    assert not huggingface.sniff(body.encode("utf-8"), None)


def test_hub_url_serving_html_is_not_claimed():
    html = b"<!DOCTYPE html><html><head><title>mnist</title></head><body></body></html>"
    url = "https://huggingface.co/datasets/ylecun/mnist"
    assert not huggingface.accepts(html, "text/html; charset=utf-8")
    assert registry.detect(url, html, "text/html") != "huggingface"
    assert run(html, url, "text/html").error


def test_raw_card_is_detected_by_content():
    assert registry.detect(RAW_URL, fixture("card-prose.md"), TEXT) == "huggingface"


# ------------------------------------------------------------------------------ Hub API

def test_hub_api_dataset_with_siblings():
    ex = run(fixture("api-dataset-blobs.json"), API_URL, "application/json")
    assert record(ex) == {
        "title": "Leaf Disease", "license": "CC-BY-4.0", "commercial_use": True,
        "release_date": "2023-06-01", "doi": "10.57967/hf/1234",
        "size_bytes": 5_000_000, "file_count": 2, "formats": ["PARQUET"],
        "item_count": 1000, "item_unit": "images", "class_count": 3, "access": "open",
    }
    # lastModified is a modification date, never the release date.
    assert values(ex, "modified_date") == ["2024-01-15"]
    # The card's download_size stays a (losing) fact; the listed files win.
    sizes = {f.value: f.rank for f in ex.facts if f.field == "size_bytes"}
    assert sizes == {5_000_000: RANK_API, 4_987_000: RANK_EMBEDDED}
    # .gitattributes and the card README are not data files; downloads/usedStorage no size.
    assert [f.name for f in ex.files] == ["train-00000-of-00001.parquet",
                                          "test-00000-of-00001.parquet"]
    assert [f.sha256 for f in ex.files] == [None, None]   # "aa11" is not a digest
    assert ex.files[0].url == ("https://huggingface.co/datasets/example-org/leaf-disease/resolve/"
                               "4f5c2a9e0b1d3c7e8f9a0b1c2d3e4f5a6b7c8d9e/data/"
                               "train-00000-of-00001.parquet")
    assert 123456 not in values(ex, "size_bytes") + values(ex, "item_count")


@pytest.mark.parametrize("gated, private, access", [
    ("manual", False, "gated"), ("auto", False, "gated"), (True, False, "gated"),
    (False, True, "restricted"), (False, False, "open"), (None, None, None),
])
def test_hub_api_access(gated, private, access):
    data = {"id": "org/ds", "lastModified": "2024-02-01T00:00:00.000Z", "siblings": []}
    if gated is not None:
        data["gated"] = gated
    if private is not None:
        data["private"] = private
    assert record(run(data, API_URL)).get("access") == access


def test_hub_api_card_licence_other_without_details():
    data = {"id": "org/ds", "lastModified": "2024-02-01T00:00:00.000Z",
            "cardData": {"license": "other", "pretty_name": "DS"}}
    assert record(run(data, API_URL)) == {"title": "DS", "license": "LicenseRef-Other"}


def test_hub_api_without_blob_sizes_counts_files_but_states_no_size():
    data = {"id": "org/ds", "sha": "abc", "lastModified": "2024-02-01T00:00:00.000Z",
            "siblings": [{"rfilename": ".gitattributes"}, {"rfilename": "README.md"},
                         {"rfilename": "train.csv"}, {"rfilename": "test.csv"}]}
    ex = run(data, API_URL)
    assert record(ex) == {"file_count": 2, "formats": ["CSV"]}
    assert any("no size" in w for w in ex.warnings)


def test_hub_api_repo_with_loading_script_states_no_file_totals():
    data = {"id": "beans", "lastModified": "2022-10-03T00:00:00.000Z",
            "siblings": [{"rfilename": ".gitattributes", "size": 1},
                         {"rfilename": "README.md", "size": 4259},
                         {"rfilename": "beans.py", "size": 3000},
                         {"rfilename": "dataset_infos.json", "size": 2236}]}
    ex = run(data, "https://huggingface.co/api/datasets/beans?blobs=true")
    rec = record(ex)
    assert not {"size_bytes", "file_count", "formats"} & set(rec)
    assert any("loading script" in w for w in ex.warnings)


def test_hub_api_migration_created_at_is_not_a_release_date():
    data = {"id": "beans", "createdAt": "2022-03-02T23:29:22.000Z",
            "lastModified": "2024-01-16T13:00:00.000Z", "siblings": []}
    assert "release_date" not in record(run(data, API_URL))


def test_hub_listing_has_per_record_facts_only():
    rows = [
        {"_id": "1", "id": "org/a", "lastModified": "2024-01-01T00:00:00.000Z", "private": False,
         "gated": "manual", "downloads": 10, "likes": 1, "tags": ["license:mit"],
         "createdAt": "2023-05-01T00:00:00.000Z"},
        {"_id": "2", "id": "org/b", "lastModified": "2024-01-02T00:00:00.000Z", "private": False,
         "gated": False, "downloads": 5, "tags": ["license:cc0-1.0", "doi:10.57967/hf/9"]},
    ]
    ex = run(rows, "https://huggingface.co/api/datasets?search=org&limit=2")
    assert ex.error is None and ex.listing
    assert None not in resolve.by_record(ex.facts)
    assert resolve.record(ex.facts, key="org/a") == {
        "license": "MIT", "commercial_use": True, "release_date": "2023-05-01", "access": "gated"}
    assert resolve.record(ex.facts, key="org/b") == {
        "license": "CC0-1.0", "commercial_use": True, "doi": "10.57967/hf/9", "access": "open"}


def test_hub_parquet_map():
    data = {"default": {"train": [
        "https://huggingface.co/api/datasets/org/ds/parquet/default/train/0.parquet",
        "https://huggingface.co/api/datasets/org/ds/parquet/default/train/1.parquet"],
        "test": ["https://huggingface.co/api/datasets/org/ds/parquet/default/test/0.parquet"]}}
    ex = run(data, "https://huggingface.co/api/datasets/org/ds/parquet")
    assert record(ex) == {"file_count": 3, "formats": ["PARQUET"]}


# ------------------------------------------------------------------------------ cards

def test_gated_card_with_yaml_dataset_info():
    ex = run(fixture("card-gated.md"), CARD_URL, TEXT)
    assert record(ex) == {
        "title": "Chest Radiograph Triage", "license": "LicenseRef-Other",
        "homepage": "https://example.org/cxr-triage",
        "size_bytes": 3_600_000_000,          # download_size of the two configs
        "item_count": 14_500, "item_unit": "images", "class_count": 2, "access": "gated",
    }
    assert values(ex, "maintainer") == ["Data Team <data@example.org>"]
    # dataset_size (Arrow) is derived, and the HTML comment's "99 classes" is template text.
    assert 2_660_000_000 + 1_120_000_000 not in values(ex, "size_bytes")
    assert 99 not in values(ex, "class_count")


def test_card_prose_counts_and_traps():
    ex = run(fixture("card-prose.md"), RAW_URL, TEXT)
    assert record(ex) == {
        "title": "Street Signs", "license": "MIT", "commercial_use": True,
        "homepage": "https://signs.example.org/",
        "item_count": 1_200_000, "item_unit": "images", "class_count": 43,
    }
    # "[Dataset Name]" H1 is the template; the citation DOI is a paper's; size_categories and
    # a "Size (MB)" column are not the dataset's byte size; "30,000 images per city" no total.
    assert values(ex, "title") == ["Street Signs"]
    assert not values(ex, "doi") and not values(ex, "size_bytes")
    assert values(ex, "item_count") == [1_200_000]


def test_card_summary_naming_the_whole_gives_the_total():
    body = card("license: odc-by\nsize_categories:\n- 1M<n<10M",
                "# Dataset Card for ChatLog\n\n## Dataset Description\n\n### Dataset Summary\n\n"
                "ChatLog is a collection of 1 million conversations between human users and a "
                "chatbot, together with request headers.\n")
    rec = record(run(body, RAW_URL, TEXT))
    assert (rec["item_count"], rec["item_unit"]) == (1_000_000, "conversations")


def test_size_categories_are_neither_size_nor_count():
    ex = run(card("pretty_name: X\nsize_categories:\n- 1M<n<10M\n- 10K<n<100K"), RAW_URL, TEXT)
    assert record(ex) == {"title": "X"}


def test_card_license_other_named_in_licensing_section():
    body = "# Dataset Card for X\n\n### Licensing Information\n\nCreative Commons Attribution 4.0\n"
    ex = run(card("license: other\npretty_name: X", body), RAW_URL, TEXT)
    assert record(ex)["license"] == "CC-BY-4.0"
    assert "LicenseRef-Other" not in values(ex, "license")


def test_card_license_other_with_license_name():
    ex = run(card("license: other\nlicense_name: imagenet-agreement\npretty_name: X"), RAW_URL, TEXT)
    assert record(ex)["license"] == "LicenseRef-ImageNet-Terms"
    assert record(ex)["commercial_use"] is False


def test_card_with_several_licences_chooses_none():
    ex = run(card("pretty_name: X\nlicense:\n- mit\n- cc-by-nc-4.0"), RAW_URL, TEXT)
    assert "license" not in record(ex)
    assert any("several licences" in w for w in ex.warnings)


def test_card_unknown_licence_is_no_value():
    ex = run(card("pretty_name: X\nlicense: unknown"), RAW_URL, TEXT)
    assert "license" not in record(ex)


@pytest.mark.parametrize("summary, count, unit", [
    # split counts listed in one sentence add up
    ("It contains 1,281,167 training images, 50,000 validation images and 100,000 test images.",
     1_431_167, "images"),
    ("There are 8,000 examples in the training set and 2,000 examples in the test set.",
     10_000, "examples"),
    # a stated total wins over the split sentence that follows it
    ("The corpus consists of 70,000 images. There are 60,000 training images and 10,000 test "
     "images.", 70_000, "images"),
    # a split's own size is not the total; per-class counts are not totals
    ("The training set contains 60,000 images.", None, None),
    ("Each class has 7,000 images (6,000 train images and 1,000 test images) per class.",
     None, None),
    ("The set consists of 500 images per class.", None, None),
    # bounds are not counts
    ("It contains more than 1,000 images.", None, None),
    ("It contains about 2.5k recordings.", 2_500, "recordings"),
])
def test_prose_item_counts(summary, count, unit):
    ex = run(card("pretty_name: X", f"\n### Dataset Summary\n\n{summary}\n"), RAW_URL, TEXT)
    rec = record(ex)
    assert rec.get("item_count") == count
    assert rec.get("item_unit") == unit
    assert all(f.rank == RANK_TEXT for f in ex.facts if f.field == "item_count")


@pytest.mark.parametrize("table, count", [
    ("|             |train|validation|test|\n|-------------|----:|---------:|---:|\n"
     "|# of examples|1034 |133       |128 |", 1295),
    ("| Split | Examples | Size (MB) |\n|---|---:|---:|\n| train | 8,000 | 90 |\n"
     "| validation | 1,000 | 10 |\n| test | 1,000 | 10 |", 10_000),
    # a byte-size table is not a count
    ("| Split | Size (MB) |\n|---|---:|\n| train | 900 |\n| test | 100 |", None),
    # a table that is not about splits
    ("| Model | Accuracy |\n|---|---|\n| A | 91 |\n| B | 93 |", None),
])
def test_split_tables(table, count):
    ex = run(card("pretty_name: X", f"\n### Data Splits\n\n{table}\n"), RAW_URL, TEXT)
    assert record(ex).get("item_count") == count


def test_class_label_mapping_block():
    body = ("\nClass Label Mappings:\n\n```json\n{\n  \"cat\": 0,\n  \"dog\": 1,\n"
            "  \"bird\": 2,\n}\n```\n")
    assert record(run(card("pretty_name: X", body), RAW_URL, TEXT))["class_count"] == 3


def test_class_vote_prefers_the_repeated_count():
    body = ("\n### Dataset Summary\n\nImages of 1000 object classes. Each image shows one of "
            "1000 classes. Only 3 people categories appear.\n")
    assert record(run(card("pretty_name: X", body), RAW_URL, TEXT))["class_count"] == 1000


def test_card_without_front_matter_reads_the_body():
    body = "# Dataset Card for Foo\n\n- **Homepage:** https://foo.example.org\n"
    ex = run(body, CARD_URL, TEXT)
    assert record(ex) == {"title": "Foo", "homepage": "https://foo.example.org"}


def test_card_placeholders_are_not_values():
    body = ("# Dataset Card for [Dataset Name]\n\n- **Homepage:** [More Information Needed]\n"
            "- **Point of Contact:** N/A\n\n### Licensing Information\n\n"
            "[More Information Needed]\n")
    ex = run(card("task_categories:\n- translation", body), RAW_URL, TEXT)
    assert record(ex) == {}
    assert not values(ex, "maintainer") and not values(ex, "description")


# ---------------------------------------------------------------------- dataset_infos.json

def test_dataset_infos_two_configs():
    ex = run(fixture("dataset_infos-two-configs.json"), RAW_URL.replace("README.md",
             "dataset_infos.json"), TEXT)
    assert record(ex) == {
        "version": "1.1.0", "homepage": "https://reviews.example.org/",
        "size_bytes": 4_501_000,   # en.zip + fr.zip + labels.csv once (listed in both configs)
        "file_count": 3, "formats": ["CSV", "ZIP"],
        "item_count": 33_000, "item_unit": "examples", "class_count": 5,
    }
    assert sorted(f.name for f in ex.files) == ["en.zip", "fr.zip", "labels.csv"]
    # "e1"/"c1" are not SHA-256 digests: not stored as one.
    assert all(f.sha256 is None for f in ex.files)
    # download_size per config summed would double-count labels.csv; dataset_size is derived.
    assert values(ex, "size_bytes") == [4_501_000]
    assert values(ex, "license") == []   # "" is not a licence


INFO_ONE = {
    "description": "Sentences.", "citation": "", "homepage": "", "license": "cc-by-sa-4.0",
    "features": {"sentence": {"dtype": "string", "_type": "Value"},
                 "label": {"names": ["neg", "pos"], "_type": "ClassLabel"}},
    "builder_name": "parquet", "config_name": "default", "version": {"version_str": "0.0.0"},
    "splits": {"train": {"name": "train", "num_bytes": 100, "num_examples": 67349},
               "validation": {"name": "validation", "num_bytes": 10, "num_examples": 872}},
    "download_size": 3_110_000, "dataset_size": 110, "size_in_bytes": 3_110_110,
}


def test_dataset_infos_same_data_in_two_configs_counts_once():
    data = {"raw": INFO_ONE, "processed": {**INFO_ONE, "config_name": "processed"}}
    ex = run(data, RAW_URL)
    rec = record(ex)
    assert rec["item_count"] == 67349 + 872
    assert rec["size_bytes"] == 3_110_000     # same download_size: the same files
    assert rec["license"] == "CC-BY-SA-4.0"


def test_dataset_infos_sha256_checksums_are_kept():
    digest = "284fe8456ce20687f4367ae7ad94a64577e7f9fde2c2c6b1c74340ab5dc82715"
    info = {**INFO_ONE, "download_checksums": {
        "https://example.org/train.zip": {"num_bytes": 10, "checksum": digest.upper()},
        "https://example.org/test.zip": {"num_bytes": 5, "checksum": None}}}
    ex = run({"default": info}, RAW_URL)
    assert [(f.name, f.sha256) for f in ex.files] == [("train.zip", digest), ("test.zip", None)]
    assert record(ex)["size_bytes"] == 15


def test_dataset_infos_full_licence_text():
    mit = ("MIT License\nCopyright (c) 2019 someone\nPermission is hereby granted, free of "
           "charge, to any person obtaining a copy of this software ...")
    ex = run({"default": {**INFO_ONE, "license": mit}}, RAW_URL)
    assert record(ex)["license"] == "MIT"


def test_dataset_infos_two_label_features_are_ambiguous():
    features = {"coarse": {"names": ["a", "b"], "_type": "ClassLabel"},
                "fine": {"names": ["a1", "a2", "b1", "b2"], "_type": "ClassLabel"}}
    ex = run({"default": {**INFO_ONE, "features": features}}, RAW_URL)
    assert "class_count" not in record(ex)
    assert any("label features" in w for w in ex.warnings)


def test_dataset_infos_sequence_of_class_labels():
    features = {"tags": {"feature": {"names": ["O", "B-PER", "I-PER"], "_type": "ClassLabel"},
                         "_type": "Sequence"}}
    ex = run({"default": {**INFO_ONE, "features": features}}, RAW_URL)
    assert record(ex)["class_count"] == 3


# ---------------------------------------------------------------------- dataset viewer

SIZE = {"size": {
    "dataset": {"dataset": "org/ds", "num_bytes_original_files": 2_000_000,
                "num_bytes_parquet_files": 1_500_000, "num_bytes_memory": 9_000_000,
                "num_rows": 12_345, "estimated_num_rows": None},
    "configs": [{"dataset": "org/ds", "config": "default", "num_bytes_original_files": 2_000_000,
                 "num_bytes_parquet_files": 1_500_000, "num_bytes_memory": 9_000_000,
                 "num_rows": 12_345, "num_columns": 4, "estimated_num_rows": None}],
    "splits": [{"dataset": "org/ds", "config": "default", "split": "train",
                "num_bytes_parquet_files": 1_500_000, "num_bytes_memory": 9_000_000,
                "num_rows": 12_345, "num_columns": 4, "estimated_num_rows": None}]},
    "pending": [], "failed": [], "partial": False}

PARQUET = {"parquet_files": [
    {"dataset": "org/ds", "config": "a", "split": "train",
     "url": "https://huggingface.co/datasets/org/ds/resolve/refs%2Fconvert%2Fparquet/a/train/0000.parquet",
     "filename": "0000.parquet", "size": 1000},
    {"dataset": "org/ds", "config": "b", "split": "train",
     "url": "https://huggingface.co/datasets/org/ds/resolve/refs%2Fconvert%2Fparquet/b/train/0000.parquet",
     "filename": "0000.parquet", "size": 2000},
    {"dataset": "org/ds", "config": "b", "split": "train",    # the same URL twice: one file
     "url": "https://huggingface.co/datasets/org/ds/resolve/refs%2Fconvert%2Fparquet/b/train/0000.parquet",
     "filename": "0000.parquet", "size": 2000}],
    "pending": [], "failed": [], "partial": False}


def test_viewer_size_uses_original_files_only():
    ex = run(SIZE, "https://datasets-server.huggingface.co/size?dataset=org/ds")
    assert record(ex) == {"size_bytes": 2_000_000, "item_count": 12_345}   # /size does not say what a row is
    assert values(ex, "size_bytes") == [2_000_000]
    assert values(ex, "feature_count") == [4]


def test_viewer_size_partial_states_no_totals():
    ex = run({**SIZE, "partial": True}, "https://datasets-server.huggingface.co/size?dataset=x")
    assert record(ex) == {}
    assert any("partial" in w for w in ex.warnings)


def test_viewer_parquet_counts_urls_not_file_names():
    ex = run(PARQUET, "https://datasets-server.huggingface.co/parquet?dataset=org/ds")
    assert record(ex) == {"size_bytes": 3000, "file_count": 2, "formats": ["PARQUET"]}
    assert [f.folder for f in ex.files] == ["a/train", "b/train"]


def test_viewer_info_single_config_form():
    ex = run({"dataset_info": INFO_ONE, "partial": False},
             "https://datasets-server.huggingface.co/info?dataset=org/ds&config=default")
    assert record(ex) == {
        "license": "CC-BY-SA-4.0", "commercial_use": True, "version": "0.0.0",
        "size_bytes": 3_110_000, "item_count": 68_221, "item_unit": "examples", "class_count": 2}


def test_viewer_splits_has_no_facts():
    data = {"splits": [{"dataset": "org/ds", "config": "default", "split": "train"}],
            "pending": [], "failed": []}
    ex = run(data, "https://datasets-server.huggingface.co/splits?dataset=org/ds")
    assert ex.error is None and record(ex) == {}


CROISSANT = {
    "@context": {"@language": "en", "@vocab": "https://schema.org/",
                 "cr": "http://mlcommons.org/croissant/"},
    "@type": "sc:Dataset", "conformsTo": "http://mlcommons.org/croissant/1.0",
    "name": "duorc", "url": "https://huggingface.co/datasets/ibm/duorc",
    "license": "https://choosealicense.com/licenses/mit/",
}


def test_croissant_is_handed_to_the_croissant_adapter():
    pytest.importorskip("extractors.adapters.croissant")
    ex = run(CROISSANT, "https://datasets-server.huggingface.co/croissant?dataset=ibm/duorc")
    assert ex.error is None
    assert record(ex).get("title") == "duorc"
    assert any("croissant adapter" in w for w in ex.warnings)
    assert ex.meta["read_by"].startswith("croissant@")
    # The registry keeps the delegate's name and version: facts are the croissant reader's.
    assert ex.adapter == "croissant" and ex.extractor == ex.meta["read_by"]


def test_croissant_without_the_croissant_adapter_is_an_error(monkeypatch):
    def missing(name, *args, **kwargs):
        raise ImportError(name)
    monkeypatch.setattr(huggingface.importlib, "import_module", missing)
    ex = run(CROISSANT, "https://huggingface.co/api/datasets/ibm/duorc/croissant")
    assert ex.error and "croissant" in ex.error


# --------------------------------------------------------------- broken / hostile input

def assert_safe(ex) -> None:
    """Ran through the registry without raising; stored text is capped."""
    assert ex.adapter == "huggingface"
    for fact in ex.facts:
        assert len(fact.evidence) <= 300
        if isinstance(fact.value, str):
            assert len(fact.value) <= 5000


@pytest.mark.parametrize("body, warning", [
    (card("pretty_name: [unclosed\nlicense: mit", "- **Homepage:** https://a.example.org"),
     "invalid YAML"),
    (card("- just\n- a list"), "not a mapping"),
    ("---\npretty_name: X\nlicense: mit\n\n# no closing line", "not closed"),
    (card("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
          "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]"),
     "aliases"),
    (card("pretty_name: !!python/object/apply:os.system ['echo hacked']"), "invalid YAML"),
])
def test_broken_front_matter_warns_and_goes_on(body, warning):
    ex = run(body, RAW_URL, TEXT)
    assert ex.error is None
    assert any(warning in w for w in ex.warnings), ex.warnings
    assert_safe(ex)


def test_yaml_of_wrong_types_is_ignored_quietly():
    front = ("pretty_name: [1, 2]\nlicense: 42\ntask_categories: 7\nextra_gated_prompt: ''\n"
             "dataset_info:\n  features: 5\n  splits: {train: x}\n  download_size: big\n")
    ex = run(card(front), RAW_URL, TEXT)
    assert ex.error is None
    assert record(ex) == {}
    assert_safe(ex)


@pytest.mark.parametrize("body", [
    b"{\"id\": \"org/ds\", \"siblings\": [",                   # truncated
    b"{not json}",
    b"[1, 2, 3]",
    b"{\"error\": \"Repository not found\"}",
    b"{\"unrelated\": true}",
    b"[" * 100_000 + b"]" * 100_000,                            # deep nesting
    b"{\"a\": " * 50_000 + b"1" + b"}" * 50_000,
])
def test_unreadable_json_is_an_error(body):
    ex = run(body, API_URL, "application/json")
    assert ex.error
    assert len(ex.error) <= 500


@pytest.mark.parametrize("data", [
    {"id": "org/ds", "lastModified": 5, "siblings": {"a": 1}, "cardData": ["x"],
     "tags": "license:mit", "gated": [1], "private": "no", "createdAt": ["2020"]},
    {"id": "org/ds", "siblings": [None, 1, "x", {"rfilename": 5}, {"rfilename": "a.csv",
                                                                     "size": "big"}]},
    {"id": "org/ds", "cardData": {"license": {"id": "mit"}, "pretty_name": None,
                                  "dataset_info": "none", "extra_gated_prompt": 3}},
    {"cfg": {"builder_name": "b", "splits": "x", "features": [1, 2], "version": 5,
             "download_checksums": ["a"], "homepage": 7, "license": None}},
    {"cfg": {"builder_name": "b", "splits": [{"name": "t", "num_examples": -3},
                                             {"num_examples": True}],
             "download_checksums": {"u": "x", "v": {"num_bytes": "9"}}}},
    {"dataset_info": {"c": 1, "d": [], "e": {"splits": {"x": {"num_examples": 1}},
                                             "features": {}}}},
    {"parquet_files": [None, {"url": 5}, {"url": "u", "size": -1}]},
    {"size": {"dataset": {"num_bytes_original_files": "1 GB", "num_rows": None}}},
])
def test_wrong_types_do_not_raise(data):
    ex = run(data, API_URL, "application/json")
    assert_safe(ex)


def test_size_without_dataset_is_an_error():
    assert run({"size": {"dataset": []}}, API_URL).error


def test_huge_strings_are_capped():
    front = f"pretty_name: \"{'A' * 400_000}\"\nlicense: mit"
    body = "\n### Dataset Summary\n\n" + "word " * 400_000 + "\n"
    ex = run(card(front, body), RAW_URL, TEXT)
    assert ex.error is None
    assert_safe(ex)
    assert len(values(ex, "title")[0]) == 500


def test_oversized_front_matter_is_ignored_with_a_warning():
    ex = run(card(f"pretty_name: \"{'A' * 1_000_000}\""), RAW_URL, TEXT)
    assert ex.error is None and not values(ex, "title")
    assert any("too large" in w for w in ex.warnings)


def test_huge_repetitive_card_is_fast():
    body = ("It contains 1 " * 200_000 + "\n" + "| train |" * 50_000 + "\n"
            + "12 classes " * 100_000 + "<!--" * 10_000)
    start = time.monotonic()
    ex = run(card("pretty_name: X", body), RAW_URL, TEXT)
    assert time.monotonic() - start < 20
    assert_safe(ex)


def test_over_long_card_is_cut_with_a_warning():
    ex = run(card("pretty_name: X", "x" * (huggingface.MAX_TEXT + 10)), RAW_URL, TEXT)
    assert any("only the first" in w for w in ex.warnings)


@pytest.mark.parametrize("body", [b"", b"\xff\xfe\x00garbage\x00", b"   \n  ",
                                  b"\"just a string\""])
def test_empty_or_binary_bodies_never_raise(body):
    ex = run(body, RAW_URL, None)
    assert_safe(ex)
    assert ex.error or ex.warnings


def test_sniff_never_raises_on_hostile_bodies():
    for body in (b"---\n" + b"a: [" * 10_000, b"{" * 100_000, b"---\n- x\n---\n", b"\x00" * 10):
        assert huggingface.sniff(body, None) in (True, False)


# ------------------------------------------------- dataset-viewer /first-rows and /statistics

# A /first-rows response in the dataset-viewer's shape, for a 4-class topic dataset.
FIRST_ROWS = {
    "dataset": "example/news-topics", "config": "default", "split": "test",
    "features": [
        {"feature_idx": 0, "name": "text", "type": {"dtype": "string", "_type": "Value"}},
        {"feature_idx": 1, "name": "label",
         "type": {"names": ["World", "Sports", "Business", "Sci/Tech"], "_type": "ClassLabel"}},
    ],
    "rows": [{"row_idx": i, "row": {"text": f"headline {i}", "label": i % 4},
              "truncated_cells": []} for i in range(3)],
    "truncated": False,
}


def test_first_rows_states_the_label_set_but_no_count():
    ex = detected_run("huggingface", as_body(FIRST_ROWS), None, "application/json")
    assert record(ex) == {"class_count": 4}
    url = "https://datasets-server.huggingface.co/first-rows?dataset=x/y&config=a&split=test"
    assert huggingface.match_url(url)


def test_first_rows_with_two_label_features_states_no_class_count():
    body = json.loads(json.dumps(FIRST_ROWS))
    body["features"].append({"feature_idx": 2, "name": "subtopic", "type": {
        "_type": "ClassLabel", "names": ["a", "b", "c"]}})
    assert "class_count" not in record(run(body))


# A /statistics response (one split of a 3-class NLI subset), in the viewer's shape.
STATISTICS = {
    "num_examples": 9815,
    "statistics": [
        {"column_name": "premise", "column_type": "string_text", "column_statistics": {
            "nan_count": 0, "min": 3, "max": 200, "mean": 20.1}},
        {"column_name": "label", "column_type": "class_label", "column_statistics": {
            "nan_count": 0, "no_label_count": 0, "n_unique": 3,
            "frequencies": {"entailment": 3479, "neutral": 3123, "contradiction": 3213}}},
    ],
    "partial": False,
}


def test_statistics_states_the_label_set_not_the_split_size():
    ex = detected_run("huggingface", as_body(STATISTICS), None, "application/json")
    assert record(ex) == {"class_count": 3}


def test_statistics_disagreeing_label_counts_state_nothing():
    body = json.loads(json.dumps(STATISTICS))
    body["statistics"][1]["column_statistics"]["n_unique"] = 4
    assert "class_count" not in record(run(body))


# ---------------------------------------------------------- card: annotations, terms, people

def test_card_yaml_annotations_creators():
    text = card("annotations_creators:\n- crowdsourced\n- expert-generated\n"
                "pretty_name: Street Signs\nlicense: cc-by-4.0")
    assert record(run(text, RAW_URL, TEXT))["annotations_creators"] == [
        "crowdsourced", "expert-generated"]


# A card of the old `datasets` template with `license: other` and the terms in prose.
TERMS_CARD = card("license:\n- other\npretty_name: Hand Gestures\nsize_categories:\n- 1K<n<10K", """
# Dataset Card for Hand Gestures

### Dataset Summary

Depth videos of 12 people performing 25 gestures.

### Licensing Information

The data may be used for non-commercial research purposes only. Redistribution is not allowed.

### Citation Information

Recorded from 99 subjects in an earlier study (Doe et al., 2019).
""")


def test_card_licence_terms_in_prose_say_non_commercial_without_an_id():
    rec = record(run(TERMS_CARD, RAW_URL, TEXT))
    assert rec["commercial_use"] is False
    assert rec.get("license") in (None, "LicenseRef-Other")
    assert rec["subject_count"] == 12      # the citation's 99 subjects are another study's


@pytest.mark.parametrize("terms", [
    "Free for commercial and non-commercial use.",
    "[More Information Needed]",
])
def test_card_terms_that_do_not_restrict_use(terms):
    text = TERMS_CARD.replace(
        "The data may be used for non-commercial research purposes only.", terms)
    assert "commercial_use" not in record(run(text, RAW_URL, TEXT))


def test_dataset_infos_licence_terms_string():
    infos = {"default": {"description": "Faces of 30 people.", "license":
                         "Made available for non-commercial use only by academic institutions.",
                         "splits": {"train": {"name": "train", "num_examples": 300}},
                         "download_size": 10}}
    rec = record(run(infos))
    assert rec["commercial_use"] is False and "license" not in rec
    assert rec["subject_count"] == 30


def test_card_single_speaker_and_ambiguous_people():
    speech = card("pretty_name: Narrated Poems\nlicense: cc0-1.0\ntask_categories:\n"
                  "- text-to-speech", "### Dataset Summary\n\nPoems read aloud by a single "
                  "speaker, 2,400 clips.\n")
    assert record(run(speech, RAW_URL, TEXT))["subject_count"] == 1
    mixed = speech.replace("by a single speaker, 2,400 clips.",
                           "from 8 participants.\n\nA second session added recordings of "
                           "3 people.")
    assert "subject_count" not in record(run(mixed, RAW_URL, TEXT))


# ------------------------------------------------------ card: classes, counts and publisher

def test_class_label_inside_a_sequence_of_dicts():
    """Object detection: objects = Sequence({bbox, category: ClassLabel}), JSON and YAML."""
    infos = {"default": {"features": {
        "image": {"_type": "Image"},
        "objects": {"_type": "Sequence", "length": -1, "feature": {
            "bbox": {"_type": "Sequence", "feature": {"dtype": "float32", "_type": "Value"}},
            "category": {"_type": "ClassLabel", "names": ["car", "bus", "bike"]}}}},
        "splits": {"train": {"name": "train", "num_examples": 10}}}}
    assert record(run(infos))["class_count"] == 3
    yaml_card = card("""pretty_name: Vehicles
dataset_info:
  features:
  - name: image
    dtype: image
  - name: objects
    sequence:
    - name: bbox
      sequence: float32
    - name: category
      dtype:
        class_label:
          names:
            '0': car
            '1': bus
  splits:
  - name: train
    num_examples: 10""")
    assert record(run(yaml_card, RAW_URL, TEXT))["class_count"] == 2


def test_card_data_fields_values_with_indices():
    text = card("pretty_name: Sentiment\ntask_categories:\n- text-classification", """
### Data Fields

- `text`: the review
- `label`: the sentiment, one of `negative` (0), `neutral` (1) and `positive` (2)
""")
    assert record(run(text, RAW_URL, TEXT))["class_count"] == 3


def test_card_data_splits_sentence_and_config_table():
    text = card("pretty_name: Leaves\ntask_categories:\n- image-classification", """
### Data Splits

The training set contains 800 images and the test set 200 images.
""")
    assert record(run(text, RAW_URL, TEXT))["item_count"] == 1000
    table = card("pretty_name: Papers\ntask_categories:\n- other", """
### Data Splits

| | train |
|---|---:|
| abstracts | 5000 |
| fulltext | 5000 |
""")
    assert record(run(table, RAW_URL, TEXT))["item_count"] == 5000
    differing = table.replace("| fulltext | 5000 |", "| fulltext | 4000 |")
    assert "item_count" not in record(run(differing, RAW_URL, TEXT))


def test_card_curating_organisation_is_the_publisher():
    text = card("pretty_name: Reef Fish\ntask_categories:\n- object-detection", """
### Dataset Summary

Underwater photos of reef fish. It is maintained by the Marine Vision group at the Ocean
Research Institute of Lisbon.

### Dataset Curators

Jane Doe and John Roe.
""")
    assert record(run(text, RAW_URL, TEXT))["publisher"] == "Ocean Research Institute of Lisbon"
    people = text.replace("It is maintained by the Marine Vision group at the Ocean\n"
                          "Research Institute of Lisbon.", "It is maintained by Jane Doe.")
    assert "publisher" not in record(run(people, RAW_URL, TEXT))
