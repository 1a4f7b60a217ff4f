"""Frictionless Data Package descriptors (datapackage.json / .yaml / .yml), v1 and v2."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.adapters import frictionless

FIXTURES = Path(__file__).parent / "fixtures" / "frictionless"
RAW = "https://raw.githubusercontent.com/org/repo/main/"
TEXT_PLAIN = "text/plain; charset=utf-8"


def run(body: bytes, url: str = RAW + "datapackage.json", content_type: str | None = TEXT_PLAIN):
    return registry.run("frictionless", url, body, content_type)


def record(ex) -> dict:
    return resolve.record(ex.facts)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def package(**fields) -> bytes:
    base = {"name": "pkg", "resources": [{"name": "a", "path": "a.csv"}]}
    base.update(fields)
    return json.dumps(base).encode()


# --------------------------------------------------------------------------- detection

def test_descriptor_urls_are_claimed_when_the_body_is_a_package():
    assert frictionless.match_url(RAW + "datapackage.json")
    assert frictionless.match_url("https://example.org/pkg/datapackage.yml?raw=1")
    assert not frictionless.match_url("https://example.org/datapackage.json/about")
    assert registry.detect(RAW + "datapackage.json", package(), TEXT_PLAIN) == "frictionless"


def test_descriptor_url_with_another_body_is_vetoed():
    assert not frictionless.accepts(b"<html><body>Not found</body></html>", "text/html")
    assert not frictionless.accepts(b'{"message": "Not Found"}', "application/json")


@pytest.mark.parametrize("name", ["tabular-v1-datapackage.json", "v2-datapackage.yaml"])
def test_sniffed_by_content_under_any_name(name):
    assert registry.detect("https://files.example.org/bucket/0001", fixture(name), TEXT_PLAIN) == "frictionless"


def test_catalogue_records_with_resources_are_not_sniffed():
    ckan = {"name": "x", "license_id": "cc-by", "resources": [{"url": "https://e.org/a.csv",
                                                               "package_id": "1", "format": "CSV"}]}
    assert not frictionless.sniff(json.dumps(ckan).encode(), "application/json")
    assert not frictionless.sniff(b"resources: 3\n", TEXT_PLAIN)


def test_zenodo_bucket_url_reaches_this_adapter_by_content():
    """A Zenodo file URL is claimed by the zenodo adapter's pattern, which vetoes a body that is
    no Zenodo record; content sniffing then finds the Data Package."""
    url = "https://zenodo.org/api/files/bc520c46-ee9e-4245-8c57-2a7203062e14/datapackage.json"
    body = package(resources=[{"name": "data", "path": "data.csv"}, {"name": "d2", "path": "data2.csv"}])
    assert registry.detect(url, body, TEXT_PLAIN) == "frictionless"


# --------------------------------------------------------------------------- v1 JSON

def test_tabular_v1_descriptor():
    ex = run(fixture("tabular-v1-datapackage.json"))
    assert ex.error is None
    rec = record(ex)
    assert rec["title"] == "UK house price index, monthly"
    assert rec["license"] == "PDDL-1.0" and rec["commercial_use"] is True
    assert rec["version"] == "1.4.0"              # not datapackage_version 1.0.0-beta.18
    assert rec["homepage"] == "https://prices.example.org/hpi"
    assert rec["doi"] == "10.5072/house.prices.7"
    assert rec["publisher"] == "Example Statistics Office"   # role publisher; not the maintainer
    # monthly.csv, regions.json and the two parts of "yearly"; inline "codes" data is no file.
    assert rec["file_count"] == 4
    assert rec["formats"] == ["CSV", "GZIP", "JSON"]
    assert rec["size_bytes"] == 1048576 + 2048 + 4096
    assert "release_date" not in rec              # `created` dates the descriptor
    assert [f.value for f in ex.facts if f.field == "modified_date"] == ["2024-01-31"]


def test_files_of_the_v1_descriptor():
    ex = run(fixture("tabular-v1-datapackage.json"))
    by_name = {f.name: f for f in ex.files}
    monthly = by_name["monthly.csv"]
    assert monthly.url == RAW + "data/monthly.csv"   # relative to the descriptor
    assert monthly.folder == "data" and monthly.size_bytes == 1048576
    assert monthly.sha256 == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    assert by_name["regions.json"].sha256 is None    # an md5 hash ...
    assert by_name["regions.json"].checksum == "md5:0f343b0931126a20f133d67c2b018a3b"   # ... kept here
    assert by_name["yearly-part1.csv.gz"].size_bytes is None   # bytes cover both parts
    assert any("covers 2 files" in w for w in ex.warnings)


def test_related_and_sources_are_ignored():
    rec = record(run(fixture("tabular-v1-datapackage.json")))
    assert "XLSX" not in rec["formats"]           # sources[].path .xlsx
    assert rec["publisher"] != "core"             # related[].publisher


# --------------------------------------------------------------------------- v2 YAML

def test_v2_yaml_descriptor():
    ex = run(fixture("v2-datapackage.yaml"), url=RAW + "datapackage.yaml")
    assert ex.error is None
    rec = record(ex)
    assert rec["title"] == "River levels at gauging stations"   # folded block scalar
    assert rec["version"] == "1.10"               # not the float 1.1
    assert rec["license"] == "CC-BY-4.0"          # from the licence path
    assert rec["publisher"] == "River Monitoring Agency"   # v2 roles list
    assert rec["formats"] == ["CSV", "PARQUET"]
    assert rec["file_count"] == 2
    assert "size_bytes" not in rec                # stations.csv states no bytes
    assert "release_date" not in rec
    assert any("size_bytes not summed" in w for w in ex.warnings)


def test_package_name_is_not_a_title():
    rec = record(run(package(name="testing")))
    assert "title" not in rec
    assert rec["file_count"] == 1 and rec["formats"] == ["CSV"]


def test_format_then_extension_then_mediatype():
    body = package(resources=[{"path": "a.txt", "format": "csv"},
                              {"path": "https://e.org/download?id=7", "mediatype": "application/vnd.apache.parquet"},
                              {"path": "b.tsv"}])
    assert record(run(body))["formats"] == ["CSV", "PARQUET", "TSV"]


def test_same_path_twice_counts_once():
    body = package(resources=[{"path": "a.csv", "bytes": 10}, {"name": "again", "path": "a.csv", "bytes": 10}])
    rec = record(run(body))
    assert rec["file_count"] == 1 and rec["size_bytes"] == 10


@pytest.mark.parametrize("licenses, expected", [
    ([{"name": "CC-BY-4.0"}], "CC-BY-4.0"),
    ([{"path": "https://opendatacommons.org/licenses/odbl/1-0/"}], "ODbL-1.0"),
    ([{"title": "Creative Commons Attribution Share-Alike 4.0"}], "CC-BY-SA-4.0"),
])
def test_license_entries(licenses, expected):
    assert record(run(package(licenses=licenses)))["license"] == expected


def test_old_single_license_key():
    assert record(run(package(license="ODC-BY-1.0")))["license"] == "ODC-By-1.0"


# --------------------------------------------------------------------------- broken and hostile

@pytest.mark.parametrize("body", [
    b"",
    b'{"name": "x", "resources": [',
    b"name: x\nresources:\n  - path: a.csv\n    format: [csv\n",
    b"- path: a.csv\n- path: b.csv\n",
    b'["a", "b"]',
    b'{"name": "x", "resources": {"path": "a.csv"}}',
    b"name: x\nresources: !!python/object/apply:os.system ['echo hi']\n",
    b'{"name": "x", "resources": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}",
    b"name: x\nresources: " + b"[" * 5_000 + b"]" * 5_000 + b"\n",
    b"\x00\x01\x02\xff" * 100,
])
def test_unreadable_input_is_an_error_not_an_exception(body):
    ex = run(body)
    assert ex.error
    assert ex.facts == []


def test_wrong_types_become_warnings():
    body = json.dumps({"name": "x", "title": ["t"], "licenses": "MIT", "version": {"a": 1},
                       "contributors": "me", "keywords": "a,b", "homepage": 5,
                       "resources": [1, "a", None, {"path": 5}, {"path": ["a.csv", 7, "b.csv"], "bytes": "12"},
                                     {"data": [1, 2]}, {"path": "c.csv", "bytes": -3}]}).encode()
    ex = run(body)
    assert ex.error is None
    rec = record(ex)
    assert rec["license"] == "MIT"
    assert rec["file_count"] == 3 and "size_bytes" not in rec
    assert "title" not in rec and "version" not in rec
    assert sum("not an object" in w for w in ex.warnings) == 3


def test_yaml_alias_bomb_is_refused_or_cheap():
    levels = [b'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        levels.append(b"a%d: &a%d [%s]" % (i, i, b",".join([b"*a%d" % (i - 1)] * 9)))
    body = b"\n".join(levels) + b"\nresources: *a8\nlicenses: *a8\nprofile: *a8\ntitle: *a8\ncontributors: *a8\n"
    start = time.monotonic()
    ex = run(body, url=RAW + "datapackage.yaml")
    assert time.monotonic() - start < 10
    assert ex.error or ex.warnings
    many = b"a: &a [1]\nresources: [" + b",".join([b"*a"] * 1000) + b"]\n"
    assert "aliases" in run(many, url=RAW + "datapackage.yaml").error


def test_huge_strings_are_capped():
    body = package(title="T" * 5_000_000, description="D" * 5_000_000,
                   resources=[{"path": "p" * 3_000_000 + ".csv"}])
    ex = run(body)
    assert ex.error is None
    assert len(record(ex)["title"]) <= 1000
    assert all(len(f.evidence) <= 300 for f in ex.facts)
    assert all(len(f.name) <= 500 for f in ex.files)


# --------------------------------------------------------------------------- resource hashes

@pytest.mark.parametrize("value, expected", [
    ("0cc175b9c0f1b6a831c399e269772661", {"checksum": "md5:0cc175b9c0f1b6a831c399e269772661"}),
    ("MD5:0CC175B9C0F1B6A831C399E269772661", {"checksum": "md5:0cc175b9c0f1b6a831c399e269772661"}),
    ("sha256:" + "ab" * 32, {"sha256": "ab" * 32}),
    ("SHA-256:" + "ab" * 32, {"sha256": "ab" * 32}),
    ("sha1:" + "c" * 40, {"checksum": "sha1:" + "c" * 40}),
    ("sha512:" + "d" * 128, {"checksum": "sha512:" + "d" * 128}),
    ("sha256:0cc175b9c0f1b6a831c399e269772661", {}),     # an md5's length under a sha256 label
    ("crc32:deadbeef", {}), ("TODO", {}), (12345, {}), (None, {}),
])
def test_resource_hash_is_md5_unless_prefixed(value, expected):
    ex = run(package(resources=[{"name": "a", "path": "a.csv", "hash": value}]))
    entry = ex.files[0]
    assert {k: v for k, v in (("sha256", entry.sha256), ("checksum", entry.checksum)) if v} == expected


# --------------------------------------------------------------------------- legacy "files" descriptors

# A pre-2013 descriptor (the Data Package drafts named the file list "files"), in the shape of
# the early DataHub core datasets: name, title, sources, licenses and files with a path and schema.
LEGACY = {
    "name": "gdp-uk-quarterly",
    "title": "UK Quarterly GDP at market prices",
    "sources": [{"name": "Office for National Statistics", "web": "http://www.ons.gov.uk/"}],
    "licenses": [{"id": "odc-pddl", "url": "http://opendatacommons.org/licenses/pddl/"}],
    "files": [
        {"path": "data/quarterly.csv", "schema": {"fields": [{"id": "Quarter", "type": "string"}]}},
        {"path": "data/annual.tsv"},
    ],
}


def test_legacy_files_descriptor_is_sniffed_and_read():
    body = json.dumps(LEGACY).encode()
    assert frictionless.sniff(body, TEXT_PLAIN)
    assert registry.detect("https://files.example.org/pkg/descriptor", body, TEXT_PLAIN) == "frictionless"
    rec = record(run(body))
    assert rec["title"] == "UK Quarterly GDP at market prices"
    assert rec["license"] == "PDDL-1.0" and rec["commercial_use"] is True
    assert rec["file_count"] == 2 and rec["formats"] == ["CSV", "TSV"]
    assert "publisher" not in rec and "homepage" not in rec   # sources are upstream providers


def test_legacy_files_descriptor_at_a_descriptor_url_is_accepted():
    assert frictionless.accepts(json.dumps(LEGACY).encode(), TEXT_PLAIN)


@pytest.mark.parametrize("other", [
    # npm package.json: name, license, keywords and "files" - but its files are strings
    {"name": "left-pad", "version": "1.3.0", "license": "WTFPL", "keywords": ["pad"],
     "files": ["index.js", "index.d.ts"]},
    # a file listing with paths but none of the Data Package keys
    {"name": "snapshot", "files": [{"path": "a.csv", "size": 3}]},
    # a record API with "files" objects without paths (Zenodo, figshare)
    {"title": "x", "license": "cc-by", "files": [{"key": "a.csv", "size": 3, "links": {}}]},
])
def test_other_json_with_files_is_not_sniffed(other):
    assert not frictionless.sniff(json.dumps(other).encode(), "application/json")


# --------------------------------------------------------------------------- sizes and row counts

def test_package_level_bytes_and_rows_are_stated_totals():
    # DataHub-processed descriptors state the package's bytes and count_of_rows; a second
    # resource without bytes must not block (nor change) the stated total.
    body = package(bytes=52_000, count_of_rows=1200,
                   resources=[{"name": "stations", "path": "data/stations.csv", "bytes": 52_000},
                              {"name": "legend", "path": "data/legend.csv"}])
    rec = record(run(body))
    assert rec["size_bytes"] == 52_000 and rec["item_count"] == 1200 and rec["item_unit"] == "rows"


@pytest.mark.parametrize("resources, expected", [
    ([{"path": "a.csv", "count_of_rows": 10}, {"path": "b.csv", "count_of_rows": 5}], 15),
    ([{"path": "a.csv", "stats": {"rows": 7, "bytes": 90}}], 7),        # frictionless-py stats
    ([{"path": "a.csv", "count_of_rows": 10}, {"path": "b.csv"}], None),  # one unstated: no sum
    ([{"path": "a.csv", "count_of_rows": 10}, {"name": "inline", "data": [[1]]}], 10),  # inline data is no file
])
def test_resource_row_counts_are_summed_only_when_all_state_them(resources, expected):
    rec = record(run(package(resources=resources)))
    assert rec.get("item_count") == expected


@pytest.mark.parametrize("description, expected", [
    ("Boundaries of all 412 Met Office weather stations in the network.", 412),
    ("Locations of 1,204 stations, with their elevation.", 1204),
    ("Locations of more than 400 stations.", None),          # a bound
    ("Data for 12 of the stations.", None),                   # a part
    ("412 stations in 2019, 420 stations since 2021.", None),  # two different counts
    ("Readings from 400 automatic weather sensors.", None),   # not the resource's noun
])
def test_a_count_of_the_thing_the_resource_is_named_after(description, expected):
    body = package(description="Weather station register.",
                   resources=[{"name": "stations", "path": "data/stations.csv", "description": description}])
    rec = record(run(body))
    assert rec.get("item_count") == expected
    if expected:
        assert rec["item_unit"] == "stations"


def test_named_count_needs_a_plural_resource_name():
    body = package(resources=[{"name": "data", "path": "data.csv", "description": "Has 40 data points."}])
    assert "item_count" not in record(run(body))


def test_description_prose_goes_through_the_shared_prose_reader():
    """A Data Package whose licence is only stated in its description (descriptors written by
    hand for a GitHub repository): the shared prose reader reads it, below any licenses key."""
    from tests.extractors.adapter_support import as_body, detected_run, winning_values

    body = as_body({"name": "river-gauges", "title": "River gauges",
                    "description": "Daily levels of 42 river gauges. The data are released under "
                                   "the Open Data Commons Public Domain Dedication and License.",
                    "resources": [{"name": "levels", "path": "data/levels.csv", "format": "csv"}]})
    values = winning_values(detected_run("frictionless", body, "https://example.org/datapackage.json"))
    assert values["license"] == "PDDL-1.0" and values["commercial_use"] is True
