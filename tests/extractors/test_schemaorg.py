"""schema.org Dataset embedded in landing pages (JSON-LD and microdata), read by the croissant
adapter through extruct. Pages are written here in the shape repositories serve."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.adapters import croissant
from extractors.model import RANK_EMBEDDED, RANK_TEXT

FIXTURES = Path(__file__).parent / "fixtures" / "schemaorg"
HTML = "text/html; charset=utf-8"


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run(body: bytes, url: str = "https://repo.example.org/landing/1"):
    return registry.run("croissant", url, body, HTML)


def record(ex) -> dict:
    return resolve.record(ex.facts)


def fields(ex, name: str) -> list:
    return [f for f in ex.facts if f.field == name]


# extruct must not fetch anything (no remote contexts, no RDFa vocabularies).
pytestmark = pytest.mark.usefixtures("no_network")


# --------------------------------------------------------------------------- detection

@pytest.mark.parametrize("name", ["repository-jsonld.html", "catalog-microdata.html",
                                  "search-two-datasets.html", "broken-jsonld.html"])
def test_pages_with_an_embedded_dataset_are_claimed(name):
    assert registry.detect("https://repo.example.org/x", page(name), HTML) == "croissant"


def test_plain_pages_are_left_to_the_fallback():
    body = b"<!DOCTYPE html><html><head><title>About us</title></head><body>Hi</body></html>"
    assert not croissant.sniff(body, HTML)
    body = b'<html><script type="application/ld+json">{"@type": "WebSite"}</script></html>'
    assert not croissant.sniff(body, HTML)


# --------------------------------------------------------------------------- JSON-LD landing page

def test_repository_landing_page_jsonld():
    ex = run(page("repository-jsonld.html"))
    assert ex.error is None and not ex.listing
    rec = record(ex)
    assert rec["title"] == "Soil moisture in alpine meadows, 2015-2019"
    assert rec["license"] == "CC-BY-NC-4.0" and rec["commercial_use"] is False
    assert rec["release_date"] == "2020-02-29"   # datePublished; dateCreated is not a release
    assert rec["doi"] == "10.5072/edr/abc123"    # identifier PropertyValue; not the paper's DOI
    assert rec["version"] == "2"
    assert rec["publisher"] == "Example Data Repository"   # includedInDataCatalog; creator is a person
    assert rec["homepage"] == "https://repo.example.org/dataset/abc123"
    assert rec["file_count"] == 3
    assert rec["size_bytes"] == 2_048_000 + 1_500 + 900
    assert rec["formats"] == ["CSV", "GEOJSON", "MARKDOWN"]
    assert rec["access"] == "open"                # conditionsOfAccess "unrestricted"
    assert fields(ex, "access")[0].rank == RANK_EMBEDDED
    assert [f.value for f in fields(ex, "modified_date")] == ["2021-04-01"]
    assert {f.rank for f in fields(ex, "title")} == {RANK_EMBEDDED}


def test_meta_tags_come_after_the_jsonld_facts():
    ex = run(page("repository-jsonld.html"))
    evidence = [f.evidence for f in fields(ex, "title")]
    assert evidence[0].startswith("json-ld[0]")
    assert any("og:title" in e for e in evidence)
    assert fields(ex, "publisher")[-1].evidence == "meta[property=og:site_name]"


def test_url_equal_to_the_page_is_not_a_homepage():
    rec = record(run(page("repository-jsonld.html"), url="http://www.repo.example.org/dataset/abc123/"))
    assert "homepage" not in rec


# --------------------------------------------------------------------------- microdata

def test_microdata_dataset():
    ex = run(page("catalog-microdata.html"), url="https://data.example.edu/lakes/temp")
    assert ex.error is None
    rec = record(ex)
    assert rec["title"] == "Lake temperature profiles"
    assert rec["license"] == "CC0-1.0"
    assert rec["release_date"] == "2018-08-15"
    assert rec["version"] == "1.3"
    assert rec["publisher"] == "Example University Library"
    assert rec["homepage"] == "https://lakes.example.edu/"
    assert rec["file_count"] == 2
    assert rec["size_bytes"] == 12_500_000 + 40_000
    assert rec["formats"] == ["CSV", "NETCDF"]
    assert sorted(f.url for f in ex.files) == ["https://data.example.edu/lakes/temp/profiles.nc",
                                               "https://data.example.edu/lakes/temp/stations.csv"]


# --------------------------------------------------------------------------- several datasets

def test_page_with_two_datasets_is_a_listing():
    ex = run(page("search-two-datasets.html"))
    assert ex.listing
    grouped = resolve.by_record(ex.facts)
    assert set(grouped) == {"https://repo.example.org/d/1", "https://repo.example.org/d/2"}
    assert resolve.record(ex.facts, key="https://repo.example.org/d/2")["license"] == "MIT"
    assert resolve.record(ex.facts) == {}         # the page itself describes no dataset
    assert not fields(ex, "access")               # page-level statements are not read for listings


# --------------------------------------------------------------------------- broken pages

def test_broken_jsonld_script_does_not_hide_the_good_one():
    ex = run(page("broken-jsonld.html"))
    assert ex.error is None
    rec = record(ex)
    assert rec["title"] == "Glacier outlines 2000-2020"
    assert rec["publisher"] == "Example Glacier Service"
    assert any("partly unreadable" in w for w in ex.warnings)


def test_contradicting_access_statements_give_no_access():
    ex = run(page("broken-jsonld.html"))
    assert "access" not in record(ex)
    assert any("both open and restricted" in w for w in ex.warnings)


def test_file_access_statement_in_page_text():
    body = (b'<html><head><script type="application/ld+json">{"@context": "http://schema.org", '
            b'"@type": "Dataset", "name": "x"}</script></head><body><table><tr><td>File Access</td>'
            b'<td>Public</td></tr></table></body></html>')
    ex = run(body)
    assert record(ex)["access"] == "open"
    assert fields(ex, "access")[0].rank == RANK_TEXT


@pytest.mark.parametrize("body", [
    b"<html><body><p>No structured data here.</p></body></html>",
    b"<html><head><script type='application/ld+json'>{not json</script></head></html>",
    b"<html><head><script type='application/ld+json'>" + b"[" * 100_000 + b"</script></head></html>",
    b"<html><head><title>Truncated",
])
def test_pages_without_a_readable_dataset_are_errors(body):
    ex = run(body)
    assert ex.error
    assert ex.facts == []


def test_entity_bomb_in_html_is_not_expanded():
    entities = b'<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %c "%s">' % (bytes([ord("b") + i]), (b"&%c;" % (ord("a") + i)) * 10) for i in range(7))
    body = (b"<!DOCTYPE html [" + entities + b"]><html><head><script type='application/ld+json'>"
            b'{"@context": "https://schema.org", "@type": "Dataset", "name": "&h;"}'
            b"</script></head><body>&h;&h;&h;</body></html>")
    start = time.monotonic()
    ex = run(body)
    assert time.monotonic() - start < 10
    assert ex.error is None
    assert len(record(ex)["title"]) < 100


def test_deeply_nested_markup():
    body = (b'<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
            b'"@type": "Dataset", "name": "Deep"}</script></head><body>' + b"<div>" * 200_000
            + b"</body></html>")
    ex = run(body)
    assert ex.error is None and record(ex)["title"] == "Deep"


def test_huge_page_values_are_capped():
    body = (b'<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
            b'"@type": "Dataset", "name": "' + b"T" * 3_000_000 + b'", "description": "'
            + b"120 images " * 300_000 + b'"}</script></head><body></body></html>')
    ex = run(body)
    assert ex.error is None
    assert all(len(f.evidence) <= 300 for f in ex.facts)
    assert len(record(ex)["title"]) <= 1000


def test_dataset_as_main_entity_of_a_web_page():
    body = (b'<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
            b'"@type": "WebPage", "name": "Landing", "mainEntity": {"@type": "Dataset", '
            b'"name": "Inner dataset", "license": "https://creativecommons.org/licenses/by/4.0/"}}'
            b"</script></head><body></body></html>")
    assert croissant.sniff(body, HTML)
    rec = record(run(body))
    assert rec["title"] == "Inner dataset" and rec["license"] == "CC-BY-4.0"


# --------------------------------------------------------------------------- links to pages are no files

def landing(distribution: list, url: str = "https://archive.example.org/content/cxr/2.0.0/",
            **extra) -> bytes:
    """A project page in the shape of a PhysioNet-style landing page: JSON-LD in the head."""
    import json
    node = {"@context": "https://schema.org/", "@type": "Dataset", "name": "CXR Database",
            "url": url, "includedInDataCatalog": {"@type": "DataCatalog", "name": "archive.example.org"},
            "creator": [{"@type": "Person", "name": "A. Author"}], "distribution": distribution, **extra}
    return (f'<!DOCTYPE html><html><head><script type="application/ld+json">{json.dumps(node)}'
            f"</script></head><body><h1>CXR Database</h1><h2 id=files>Files</h2></body></html>").encode()


PAGE_URL = "https://archive.example.org/content/cxr/2.0.0/"


@pytest.mark.parametrize("link", [
    PAGE_URL + "#files",                                   # an anchor on the input page
    "#files",                                              # the same, relative
    "http://archive.example.org/content/cxr/2.0.0",        # the page itself, other scheme/slash
    "https://www.archive.example.org/content/cxr/2.0.0/",
])
def test_a_distribution_linking_to_the_landing_page_is_no_file(link):
    ex = run(landing([{"@type": "DataDownload", "contentUrl": link}]), PAGE_URL)
    rec = record(ex)
    assert ex.files == []
    assert "file_count" not in rec and "formats" not in rec


def test_a_distribution_linking_to_the_datasets_own_url_is_no_file():
    # The page was fetched under another URL (a DOI redirect); the dataset names its own page.
    body = landing([{"@type": "DataDownload", "contentUrl": PAGE_URL + "#files"}])
    ex = run(body, "https://doi.example.org/10.1234/cxr")
    assert ex.files == [] and "file_count" not in record(ex)


@pytest.mark.parametrize("entry", [
    {"@type": "DataDownload", "contentUrl": "https://archive.example.org/files/index.html"},
    {"@type": "DataDownload", "contentUrl": "https://archive.example.org/files/", "encodingFormat": "text/html"},
])
def test_a_distribution_that_is_an_html_page_is_no_file(entry):
    ex = run(landing([entry]), PAGE_URL)
    assert ex.files == [] and "formats" not in record(ex)


def test_real_files_next_to_a_page_link_still_count():
    body = landing([
        {"@type": "DataDownload", "contentUrl": PAGE_URL + "#files"},
        {"@type": "DataDownload", "contentUrl": PAGE_URL + "files/cxr-2.0.0.zip", "contentSize": "5 MB"},
        # same page path, other query: a download endpoint, not the page
        {"@type": "DataDownload", "contentUrl": PAGE_URL + "?format=csv", "encodingFormat": "text/csv"},
    ])
    ex = run(body, PAGE_URL)
    rec = record(ex)
    assert rec["file_count"] == 2 and rec["formats"] == ["CSV", "ZIP"]
    assert [f.url for f in ex.files] == [PAGE_URL + "files/cxr-2.0.0.zip", PAGE_URL + "?format=csv"]


# --------------------------------------------------------------------------- publisher: publisher, host, site

def test_the_catalogue_that_holds_the_dataset_is_its_publisher():
    # Label convention: an organisation named as publisher, host or site. The creators are persons.
    rec = record(run(landing([]), PAGE_URL))
    assert rec["publisher"] == "archive.example.org"


def test_a_named_publisher_wins_over_the_catalogue():
    body = landing([], publisher={"@type": "Organization", "name": "Example Research Institute"})
    assert record(run(body, PAGE_URL))["publisher"] == "Example Research Institute"


@pytest.mark.parametrize("catalogue", [
    {"@type": "DataCatalog", "url": "https://archive.example.org/"},   # no name
    "https://archive.example.org/",                                     # a bare link names nothing
    {"@type": "Person", "name": "Some One"},
])
def test_a_catalogue_without_an_organisation_name_gives_no_publisher(catalogue):
    rec = record(run(landing([], includedInDataCatalog=catalogue), PAGE_URL))
    assert "publisher" not in rec


# --------------------------------------------------------------------------- standalone schema.org JSON-LD

STANDALONE_URL = "https://raw.githubusercontent.com/example/fixtures/main/msl.json"


def test_standalone_dataset_jsonld_is_claimed_and_read():
    # A schema.org Dataset served as a JSON-LD document (no page around it), @type spelt
    # "DataSet", one distribution object instead of a list, a catalogue named by a host path.
    body = page("standalone-dataset.jsonld")
    assert registry.detect(STANDALONE_URL, body, "text/plain; charset=utf-8") == "croissant"
    rec = record(registry.run("croissant", STANDALONE_URL, body, "application/ld+json"))
    assert rec["title"] == "Magnetic susceptibility (MSL)"
    assert rec["license"] == "CC0-1.0" and rec["commercial_use"] is True
    assert rec["release_date"] == "2018-11-02"
    assert rec["publisher"] == "Deep Sea Drilling Data Center"   # creator organisation before a host path
    assert rec["file_count"] == 1 and rec["size_bytes"] == 48_000 and rec["formats"] == ["TSV"]
    assert "doi" not in rec


def test_dataset_level_encoding_format_without_distribution():
    import json
    body = json.dumps({"@context": "https://schema.org/", "@type": "Dataset", "name": "x",
                       "encodingFormat": ["text/csv", "application/json"]}).encode()
    rec = record(registry.run("croissant", STANDALONE_URL, body, "application/ld+json"))
    assert rec["formats"] == ["CSV", "JSON"] and "file_count" not in rec


def test_host_path_catalogue_is_the_publisher_when_nothing_else_is_named():
    import json
    body = json.dumps({"@context": "https://schema.org/", "@type": "Dataset", "name": "x",
                       "creator": {"@type": "Person", "name": "A. Author"},
                       "includedInDataCatalog": {"@type": "DataCatalog", "name": "data.example.org/publish"}}).encode()
    rec = record(registry.run("croissant", STANDALONE_URL, body, "application/ld+json"))
    assert rec["publisher"] == "data.example.org/publish"


def test_misspelt_dataset_type_in_a_page_is_claimed():
    body = (b'<html><head><script type="application/ld+json">{"@context": "https://schema.org",'
            b' "@type": "DataSet", "name": "Core photos"}</script></head><body></body></html>')
    assert croissant.sniff(body, HTML)
    assert record(run(body))["title"] == "Core photos"
