"""Zenodo adapter: inputs written here in Zenodo's real shapes (fixtures/zenodo/), each with the
facts it must give, plus broken and hostile inputs that must end in an error or warnings."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.adapters import zenodo
from tests.extractors.adapter_support import detected_run, winning_values as values

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "zenodo"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run(body: bytes, url: str | None, content_type: str | None = None):
    return detected_run("zenodo", body, url, content_type)


def canonical(ex) -> dict:
    return resolve.record(ex.facts)


# ---------------------------------------------------------------- legacy REST record

def test_legacy_record():
    ex = run(load("legacy-record.json"), "https://zenodo.org/api/records/3456789", "application/json")
    assert canonical(ex) == {
        "title": "Coastal sediment grain-size measurements, Baltic Sea 2018",
        "doi": "10.5281/zenodo.3456789",               # not conceptdoi ...788, not the paper
        "release_date": "2019-10-02",
        "version": "1.1",                               # not revision 12, not relations index
        "license": "CC-BY-4.0",
        "commercial_use": True,
        "access": "open",
        "homepage": "https://zenodo.org/record/3456789",  # links.html, not latest_html
        "size_bytes": 20480 + 104857600 + 2048,         # files, not stats.volume
        "file_count": 3,
        "formats": ["CSV", "MARKDOWN", "TAR"],          # .tar.gz is TAR although type is "gz"
    }
    assert values(ex)["modified_date"] == "2021-03-17"
    assert [f.name for f in ex.files] == ["grain_sizes.csv", "core_photos.tar.gz", "README.md"]
    assert ex.files[0].url.endswith("/grain_sizes.csv") and ex.files[0].size_bytes == 20480
    assert not ex.listing and not ex.warnings


def test_legacy_record_without_version_states_none():
    data = json.loads(load("legacy-record.json"))
    del data["metadata"]["version"]
    ex = run(json.dumps(data).encode(), "https://zenodo.org/api/records/3456789")
    assert "version" not in canonical(ex)


def test_stats_never_become_size():
    data = json.loads(load("legacy-record.json"))
    data["files"] = []
    ex = run(json.dumps(data).encode(), "https://zenodo.org/api/records/3456789")
    assert "size_bytes" not in canonical(ex) and "file_count" not in canonical(ex)


def test_homepage_not_repeated_when_it_is_the_input_page():
    ex = run(load("legacy-record.json"), "https://www.zenodo.org/records/3456789/")
    assert "homepage" not in canonical(ex)


# ---------------------------------------------------------------- InvenioRDM

def test_rdm_record_with_entries_dict():
    ex = run(load("rdm-record.json"), "https://zenodo.org/api/records/10698321", "application/json")
    assert canonical(ex) == {
        "title": "Pollinator field photographs with bounding boxes",
        "doi": "10.5281/zenodo.10698321",       # pids.doi, not parent.pids or isSupplementTo
        "release_date": "2024-02-20",
        "version": "v2.0.1",                     # not revision_id 9 or versions.index 3
        "license": "CC-BY-4.0",
        "commercial_use": True,
        "access": "open",
        "publisher": "Zenodo",
        "homepage": "https://zenodo.org/records/10698321",
        "size_bytes": 7340032 + 2147483648,     # not stats data_volume
        "file_count": 2,
        "formats": ["JSONL", "ZIP"],
    }
    assert values(ex)["keywords"] == ["pollinators", "object detection"]
    assert {f.file_id for f in ex.files} == {"6b1f2c43-9a8e-4d5f-b2c1-7e8d9f0a1b2c",
                                             "a7c3e5f1-2b4d-4e6f-8a9b-0c1d2e3f4a5b"}


def test_rdm_files_response():
    ex = run(load("rdm-files.json"), "https://zenodo.org/api/records/10698321/files")
    assert canonical(ex) == {"size_bytes": 2154823680, "file_count": 2, "formats": ["JSONL", "ZIP"]}
    assert [f.name for f in ex.files] == ["annotations.jsonl", "images.zip"]
    assert [f.checksum for f in ex.files] == ["md5:0cc175b9c0f1b6a831c399e269772661",
                                              "md5:92eb5ffee6ae2fec3ad71c777531578f"]
    assert all(f.sha256 is None for f in ex.files)


@pytest.mark.parametrize("checksum, sha256, other", [
    ("md5:0CC175B9C0F1B6A831C399E269772661", None, "md5:0cc175b9c0f1b6a831c399e269772661"),
    ("0cc175b9c0f1b6a831c399e269772661", None, "md5:0cc175b9c0f1b6a831c399e269772661"),
    ("sha256:" + "ab" * 32, "ab" * 32, None),
    ("md5:0cc175b9", None, None),          # not a digest: dropped
    (None, None, None),
])
def test_file_checksums(checksum, sha256, other):
    body = json.dumps({"entries": [{"key": "a.csv", "size": 1, "checksum": checksum}]}).encode()
    (entry,) = run(body, "https://zenodo.org/api/records/1/files").files
    assert (entry.sha256, entry.checksum) == (sha256, other)


def test_rdm_record_without_entries_uses_totals_and_follows_files():
    data = json.loads(load("rdm-record.json"))
    del data["files"]["entries"]
    ex = run(json.dumps(data).encode(), "https://zenodo.org/api/records/10698321")
    rec = canonical(ex)
    assert rec["file_count"] == 2 and rec["size_bytes"] == 2154823680 and "formats" not in rec
    assert [f.url for f in ex.follow] == ["https://zenodo.org/api/records/10698321/files"]


def test_rdm_entries_as_list_and_rights_by_link():
    data = json.loads(load("rdm-record.json"))
    data["files"]["entries"] = list(data["files"]["entries"].values())
    data["metadata"]["rights"] = [{"link": "https://creativecommons.org/publicdomain/zero/1.0/",
                                   "title": {"en": "CC0 1.0"}}]
    ex = run(json.dumps(data).encode(), "https://zenodo.org/api/records/10698321")
    rec = canonical(ex)
    assert rec["file_count"] == 2 and rec["license"] == "CC0-1.0"


def test_rdm_embargo_is_restricted():
    data = json.loads(load("rdm-record.json"))
    data["access"] = {"embargo": {"active": True, "until": "2030-01-01"}, "files": "restricted",
                      "record": "public"}
    ex = run(json.dumps(data).encode(), "https://zenodo.org/api/records/10698321")
    assert canonical(ex)["access"] == "restricted"


def test_legacy_deposition_file_list():
    body = json.dumps([
        {"id": "f1", "filename": "a.csv", "filesize": 10, "checksum": "0cc175b9",
         "links": {"self": "https://zenodo.org/api/deposit/depositions/5/files/f1",
                   "download": "https://zenodo.org/api/files/b/a.csv"}},
        {"id": "f2", "filename": "b.parquet", "filesize": 20, "checksum": "92eb5ffe",
         "links": {"download": "https://zenodo.org/api/files/b/b.parquet"}},
    ]).encode()
    ex = run(body, "https://zenodo.org/api/deposit/depositions/5/files")
    assert canonical(ex) == {"size_bytes": 30, "file_count": 2, "formats": ["CSV", "PARQUET"]}


def test_duplicate_file_counts_once():
    data = json.loads(load("legacy-record.json"))
    copy = dict(data["files"][0], links={"self": "https://zenodo.org/api/files/other/grain_sizes.csv"})
    data["files"].append(copy)
    ex = run(json.dumps(data).encode(), "https://zenodo.org/api/records/3456789")
    assert canonical(ex)["file_count"] == 3


# ---------------------------------------------------------------- search response

def test_search_response_is_a_listing():
    url = "https://zenodo.org/api/records/?sort=mostrecent&type=dataset&q=hydrology&page=1&size=2"
    ex = run(load("search-2-hits.json"), url, "application/json")
    assert ex.listing
    assert values(ex, None) == {}                    # hits.total 57 and aggregations are not facts
    assert {f.record for f in ex.facts} == {"4411201", "4400101"}
    first, second = values(ex, "4411201"), values(ex, "4400101")
    assert first["title"] == "Weather stations of Lower Saxony"
    assert first["size_bytes"] == 5000 and first["formats"] == ["CSV"] and "version" not in first
    assert second["doi"] == "10.5281/zenodo.4400101" and second["version"] == "3"
    assert second["access"] == "restricted" and second["size_bytes"] == 123000
    assert second["formats"] == ["PDF", "XLSX"] and second["license"] == "CC0-1.0"
    assert ex.files == []                            # FileEntry cannot name its record
    assert [f.url for f in ex.follow] == [
        "https://zenodo.org/api/records/?sort=mostrecent&type=dataset&q=hydrology&page=2&size=2"]


# ---------------------------------------------------------------- landing pages

def test_legacy_landing_page():
    ex = run(load("landing-legacy.html"), "https://zenodo.org/record/2204455", "text/html; charset=utf-8")
    rec = canonical(ex)
    assert rec == {
        "title": "Hourly noise measurements at 14 urban sites",
        "doi": "10.5281/zenodo.2204455",             # not concept 2204454 or version 2900001
        "release_date": "2018-12-11",
        "version": "1.0",                            # not the newer "Version 2.0" in the box
        "license": "CC-BY-4.0",
        "commercial_use": True,
        "publisher": "Zenodo",                       # og:site_name
        "access": "open",                            # the Open Access badge
        "size_bytes": 1_300_000_000 + 18_200,        # files table, not "Data volume 88.4 GB"
        "file_count": 2,
        "formats": ["GEOJSON", "GZIP"],              # .csv.gz is GZIP, inner CSV not added
        "subject_count": 58,
    }
    assert "homepage" not in rec                     # JSON-LD url is the input page
    sizes = {f.name: f.size_bytes for f in ex.files}
    assert sizes == {"levels_2017.csv.gz": 1_300_000_000, "sites.geojson": 18_200}


def test_rdm_landing_page():
    ex = run(load("landing-rdm.html"), "https://zenodo.org/records/10698321", "text/html")
    assert canonical(ex) == {
        "title": "Pollinator field photographs with bounding boxes",
        "doi": "10.5281/zenodo.10698321",
        "release_date": "2024-02-20",
        "version": "v2.0.1",
        "license": "CC-BY-4.0",
        "commercial_use": True,
        "publisher": "Zenodo",
        "access": "open",                            # access-status open badge
        "size_bytes": 7_300_000 + 2_100_000_000,
        "file_count": 2,
        "formats": ["JSONL", "ZIP"],
    }


def test_landing_page_without_jsonld_uses_meta_and_table():
    html = load("landing-legacy.html").decode()
    start = html.index("<script type='application/ld+json'>")
    html = html[:start] + html[html.index("</script>", start) + len("</script>"):]
    ex = run(html.encode(), "https://zenodo.org/record/2204455", "text/html")
    rec = canonical(ex)
    assert rec["title"] == "Hourly noise measurements at 14 urban sites"
    assert rec["doi"] == "10.5281/zenodo.2204455" and rec["release_date"] == "2018-12-11"
    assert rec["file_count"] == 2 and rec["size_bytes"] == 1_300_018_200
    assert "version" not in rec and "license" not in rec


def test_subject_count_needs_one_unambiguous_number():
    ex = registry.run("zenodo", "https://zenodo.org/api/records/1", json.dumps({
        "id": 1, "metadata": {"title": "T", "description":
                              "12 patients at site A and 30 patients at site B; 1 of the subjects left."}}).encode())
    assert "subject_count" not in canonical(ex)
    assert any("several subject counts" in w for w in ex.warnings)


# ---------------------------------------------------------------- detection

@pytest.mark.parametrize("url", [
    "https://zenodo.org/api/records/7078760",
    "https://zenodo.org/api/records/?q=x&type=dataset",
    "https://zenodo.org/api/records/10698321/files",
    "https://zenodo.org/records/10698321",
    "https://www.zenodo.org/record/1196821",
    "https://sandbox.zenodo.org/records/123",
    "https://zenodo.org/api/files/bc520c46-ee9e-4245-8c57-2a7203062e14/data.csv",
])
def test_match_url(url):
    assert zenodo.match_url(url)


@pytest.mark.parametrize("url", [
    "https://zenodo.org/communities/dryad",
    "https://notzenodo.org/records/1",
    "https://example.org/api/records/1",
    "https://zenodo.org.evil.example/records/1",
])
def test_match_url_refuses(url):
    assert not zenodo.match_url(url)


def test_data_package_from_a_bucket_is_not_claimed():
    # A Data Package served from /api/files/<bucket>/datapackage.json: the URL is Zenodo's, the
    # body is not a record, so the claim is vetoed and sniffing decides.
    body = json.dumps({"name": "test-package", "resources": [
        {"name": "data", "path": "data.csv", "format": "csv"}], "licenses": [{"name": "CC-BY-4.0"}]}).encode()
    url = "https://zenodo.org/api/files/bc520c46-ee9e-4245-8c57-2a7203062e14/datapackage.json"
    assert zenodo.match_url(url) and not zenodo.accepts(body, "application/json")
    assert registry.detect(url, body, "application/json") != "zenodo"


def test_csv_from_a_bucket_is_not_claimed():
    assert not zenodo.accepts(b"a,b\n1,2\n", "text/csv")


@pytest.mark.parametrize("name", ["legacy-record.json", "rdm-record.json", "search-2-hits.json",
                                  "landing-legacy.html", "landing-rdm.html", "rdm-files.json"])
def test_sniffed_without_url(name):
    assert registry.detect(None, load(name), None) == "zenodo"


def test_generic_invenio_or_elasticsearch_json_not_sniffed():
    assert not zenodo.sniff(json.dumps({"hits": {"hits": [{"_source": {"a": 1}}]}}).encode(), None)
    assert not zenodo.sniff(json.dumps({"id": 1, "metadata": {"title": "x"},
                                        "links": {"self": "https://data.caltech.edu/api/records/1"}}).encode(), None)


# ---------------------------------------------------------------- broken and hostile input

API = "https://zenodo.org/api/records/1"


@pytest.mark.parametrize("body", [
    b"",
    b'{"metadata": {"title": "x"',                     # truncated JSON
    b"[1, 2, 3]",                                      # a list where a record is expected
    b'{"id": 1, "metadata": [1, 2]}',                  # metadata is a list
    b'"just a string"',
    b'{"id": 1, "metadata": {"title": ' + b"[" * 10_000 + b"]" * 10_000 + b"}}",   # deep nesting
    b"\xff\xfe\x00garbage",
])
def test_unreadable_json_is_an_error(body):
    ex = registry.run("zenodo", API, body, "application/json")
    assert ex.error


def test_files_as_a_string_is_a_warning():
    body = json.dumps({"id": 1, "metadata": {"title": "T", "access_right": "open"}, "files": "data.csv"})
    ex = registry.run("zenodo", API, body.encode())
    assert ex.error is None and any("files is a str" in w for w in ex.warnings)
    assert canonical(ex) == {"title": "T", "access": "open"}


def test_wrong_types_inside_a_record_are_warnings():
    body = json.dumps({"id": 1, "links": {"html": 5}, "metadata": {
        "title": ["not", "text"], "publication_date": "someday", "license": {"id": "no-such-licence"},
        "access_right": "whatever", "version": {"v": 1}, "doi": 10.5281},
        "files": [None, 3, {"key": "a.csv", "size": "big"}, {"key": "b.csv", "size": 5}]})
    ex = registry.run("zenodo", API, body.encode())
    assert ex.error is None
    rec = canonical(ex)
    assert rec == {"file_count": 2, "formats": ["CSV"]}       # size unknown for a.csv: not summed
    assert len(ex.warnings) >= 5


def test_huge_title_is_dropped_with_a_warning():
    body = json.dumps({"id": 1, "metadata": {"title": "A" * 5_000_000, "access_right": "open"}}).encode()
    ex = registry.run("zenodo", API, body)
    assert ex.error is None and "title" not in canonical(ex)
    assert any("title of 5000000 characters" in w for w in ex.warnings)
    assert all(len(f.evidence) <= 300 for f in ex.facts)


def test_huge_title_in_html_is_dropped():
    body = (b'<html><head><meta property="og:site_name" content="Zenodo">'
            b'<meta name="citation_title" content="' + b"A" * 5_000_000 + b'">'
            b'<meta name="citation_doi" content="10.5281/zenodo.1"></head><body></body></html>')
    ex = registry.run("zenodo", "https://zenodo.org/records/1", body, "text/html")
    assert ex.error is None and "title" not in canonical(ex) and ex.warnings
    assert canonical(ex)["doi"] == "10.5281/zenodo.1"


def test_deeply_nested_html_does_not_raise():
    body = (b'<html><head><meta property="og:site_name" content="Zenodo">'
            b'<meta name="citation_title" content="T"></head><body>'
            + b"<div>" * 10_000 + b"x" + b"</div>" * 10_000 + b"</body></html>")
    ex = registry.run("zenodo", "https://zenodo.org/records/1", body, "text/html")
    assert ex.error is None and canonical(ex)["title"] == "T"


def test_truncated_landing_page_keeps_what_it_has():
    body = load("landing-legacy.html")[:3000]
    ex = registry.run("zenodo", "https://zenodo.org/record/2204455", body, "text/html")
    assert ex.error is None and canonical(ex)["doi"] == "10.5281/zenodo.2204455"


def test_html_without_record_metadata_is_an_error():
    ex = registry.run("zenodo", "https://zenodo.org/records/1", b"<html><body>Not found</body></html>",
                      "text/html")
    assert ex.error


def test_search_with_junk_hits_warns():
    body = json.dumps({"hits": {"hits": ["x", None, {"metadata": {"title": "t"}}], "total": 3}}).encode()
    ex = registry.run("zenodo", "https://zenodo.org/api/records?q=x", body)
    assert ex.error is None and ex.listing and not ex.facts and len(ex.warnings) == 3


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json")))
def test_fact_shapes(name):
    """Evidence is short and values have the label format's shapes, on every fixture."""
    ex = registry.run("zenodo", "https://zenodo.org/records/0", load(name))
    assert ex.error is None
    for fact in ex.facts:
        assert len(fact.evidence) <= 300 and fact.evidence
        if fact.field == "formats":
            assert fact.value == sorted(set(fact.value)) and all(v == v.upper() for v in fact.value)
        if fact.field == "doi":
            assert fact.value == fact.value.lower() and fact.value.startswith("10.")
        if fact.field in ("size_bytes", "file_count", "subject_count"):
            assert isinstance(fact.value, int) and not isinstance(fact.value, bool)
        if fact.field in ("release_date", "modified_date"):
            assert len(fact.value) in (4, 7, 10)
