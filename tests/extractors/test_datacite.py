"""DataCite adapter: inputs written here in DataCite's real shapes (fixtures/datacite/), each with
the facts it must give, plus broken and hostile inputs that must end in an error or warnings."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.adapters import datacite
from tests.extractors.adapter_support import detected_run, winning_values as values

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "datacite"
API = "https://api.datacite.org/dois/10.17632/x7k2p9m4rt.2?include=media,client"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run(body: bytes, url: str | None, content_type: str | None = None):
    return detected_run("datacite", body, url, content_type)


def canonical(ex) -> dict:
    return resolve.record(ex.facts)


def jsonapi(**attributes) -> bytes:
    """The fixture's JSON:API record with some attributes replaced (None deletes)."""
    data = json.loads(load("jsonapi-dois.json"))
    for name, value in attributes.items():
        if value is None:
            data["data"]["attributes"].pop(name, None)
        else:
            data["data"]["attributes"][name] = value
    return json.dumps(data).encode()


# ---------------------------------------------------------------- JSON:API

def test_jsonapi_record():
    ex = run(load("jsonapi-dois.json"), API, "application/vnd.api+json; charset=utf-8")
    assert canonical(ex) == {
        "title": "Date palm leaf disease images",        # the main title, not the Subtitle
        "doi": "10.17632/x7k2p9m4rt.2",                   # not IsSupplementTo / IsVersionOf DOIs
        "publisher": "Mendeley Data",                      # publisher given as {name}
        "release_date": "2022-03-08",                      # Issued; not Created 2021-11-30
        "version": "2",                                    # not metadataVersion 4
        "license": "CC-BY-4.0",
        "commercial_use": True,
        "access": "open",                                  # info:eu-repo openAccess
        "size_bytes": 13510573713,                         # "4211 images" is not a size
        "formats": ["CSV", "JPEG"],
        "homepage": "https://data.mendeley.com/datasets/x7k2p9m4rt/2",
    }
    extra = values(ex)
    assert extra["modified_date"] == "2023-01-19"          # Updated
    assert extra["keywords"] == ["Plant Pathology", "Computer Vision"]
    assert not ex.warnings and not ex.listing


def test_publication_year_when_no_issued_date():
    ex = run(jsonapi(dates=[{"date": "2021-11-30", "dateType": "Created"},
                            {"date": "2022-04-01", "dateType": "Available"}]), API)
    assert canonical(ex)["release_date"] == "2022"


def test_no_version_and_no_licence_when_not_stated():
    ex = run(jsonapi(version=None, rightsList=[], sizes=["8898 data points"], formats=[]), API)
    rec = canonical(ex)
    assert "version" not in rec and "license" not in rec and "commercial_use" not in rec
    assert "size_bytes" not in rec and "item_count" not in rec and "formats" not in rec


def test_access_statement_alone_is_no_licence():
    ex = run(jsonapi(rightsList=[{"rights": "Open Access", "rightsUri": "info:eu-repo/semantics/openAccess"}]), API)
    rec = canonical(ex)
    assert rec["access"] == "open" and "license" not in rec


def test_licence_from_uri_or_name():
    ex = run(jsonapi(rightsList=[{"rights": "Creative Commons Zero - CC0 1.0",
                                  "rightsUri": "https://creativecommons.org/publicdomain/zero/1.0"}]), API)
    assert canonical(ex)["license"] == "CC0-1.0"
    ex = run(jsonapi(rightsList=[{"rights": "MIT License"}]), API)
    assert canonical(ex)["license"] == "MIT"


def test_publisher_string_and_client_fallback():
    assert canonical(run(jsonapi(publisher="figshare"), API))["publisher"] == "figshare"
    ex = run(jsonapi(publisher="(:unav)"), API)         # DataCite's "unavailable" placeholder
    assert canonical(ex)["publisher"] == "Mendeley Data"   # the client named in `included`


def test_sizes_in_files_and_bare_numbers():
    ex = run(jsonapi(sizes=["12 files", "5000"]), API)
    rec = canonical(ex)
    assert rec["file_count"] == 12 and "size_bytes" not in rec   # a bare number is not bytes


def test_content_urls_are_files():
    ex = run(jsonapi(contentUrl=["https://example.org/data/a.parquet", "https://example.org/data/b.parquet",
                                 "https://example.org/data/a.parquet"], formats=[]), API)
    rec = canonical(ex)
    assert rec["file_count"] == 2 and rec["formats"] == ["PARQUET"]
    assert [f.name for f in ex.files] == ["a.parquet", "b.parquet"]


def test_included_media_are_files():
    data = json.loads(jsonapi(formats=[]))
    data["included"].append({"id": "4211", "type": "media",
                             "attributes": {"url": "https://example.org/get/leaves", "mediaType": "application/zip"}})
    ex = run(json.dumps(data).encode(), API)
    assert canonical(ex)["formats"] == ["ZIP"] and canonical(ex)["file_count"] == 1


def test_non_dataset_resource_type_warns():
    ex = run(jsonapi(types={"resourceTypeGeneral": "Text"}), API)
    assert any("Text" in w for w in ex.warnings)


def test_search_listing():
    data = json.loads(load("jsonapi-dois.json"))
    first = data["data"]
    second = json.loads(json.dumps(first))
    second["id"] = second["attributes"]["doi"] = "10.17632/x7k2p9m4rt.1"
    second["attributes"]["version"] = "1"
    body = json.dumps({"data": [first, second], "meta": {"total": 2, "totalPages": 1, "page": 1},
                       "links": {"self": "https://api.datacite.org/dois?query=date+palm",
                                 "next": "https://api.datacite.org/dois?query=date+palm&page%5Bnumber%5D=2"}})
    ex = run(body.encode(), "https://api.datacite.org/dois?query=date+palm")
    assert ex.listing and values(ex, None) == {}
    assert {f.record for f in ex.facts} == {"10.17632/x7k2p9m4rt.2", "10.17632/x7k2p9m4rt.1"}
    assert values(ex, "10.17632/x7k2p9m4rt.1")["version"] == "1"
    assert values(ex, "10.17632/x7k2p9m4rt.2")["size_bytes"] == 13510573713
    assert len(ex.follow) == 1 and ex.follow[0].kind == "page"


def test_flat_datacite_json():
    attrs = json.loads(load("jsonapi-dois.json"))["data"]["attributes"]
    attrs["id"] = "https://doi.org/10.17632/x7k2p9m4rt.2"
    body = json.dumps(attrs).encode()
    ex = run(body, "https://data.datacite.org/application/vnd.datacite.datacite+json/10.17632/x7k2p9m4rt.2")
    rec = canonical(ex)
    assert rec["doi"] == "10.17632/x7k2p9m4rt.2" and rec["release_date"] == "2022-03-08"
    assert rec["publisher"] == "Mendeley Data"


# ---------------------------------------------------------------- XML

def test_kernel4_xml():
    ex = run(load("kernel4.xml"), "https://data.datacite.org/application/vnd.datacite.datacite+xml/10.48620/1234",
             "application/vnd.datacite.datacite+xml")
    assert canonical(ex) == {
        "title": "Alpine glacier mass balance, 1960-2020",  # not the TranslatedTitle
        "doi": "10.48620/1234",                              # not the IsCitedBy paper
        "publisher": "University of Bern",
        "release_date": "2021-06",                           # Issued at its precision; not Collected
        "version": "3.1",
        "license": "CC-BY-SA-4.0",
        "commercial_use": True,
        "size_bytes": 2_500_000_000,
        "file_count": 48,                                    # sizes "48 files"
        "formats": ["CSV", "NETCDF"],
    }
    assert values(ex)["modified_date"] == "2022-02-14"


def test_kernel3_xml():
    ex = run(load("kernel3.xml"), None, "application/xml")
    assert canonical(ex) == {
        "title": "Tidal flat elevation surveys, Wadden Sea",
        "doi": "10.4121/uuid:6a2e0f1c-1b7d-4c9a-9e3d-2f5b8a1c0d4e",
        "publisher": "TU Delft",
        "release_date": "2014",                              # publicationYear; Created/Available are not
        "license": "CC0-1.0",
        "commercial_use": True,
        "access": "open",
        "size_bytes": 350_000_000,                           # "1200 survey points" is not a size
        "formats": ["ZIP"],
        "homepage": "https://data.4tu.nl/repository/uuid:6a2e0f1c-1b7d-4c9a-9e3d-2f5b8a1c0d4e",
    }
    assert any("ASCII grid" in w for w in ex.warnings)


def test_xml_inside_oai_pmh_envelope():
    inner = load("kernel4.xml").split(b"?>", 1)[1]
    body = (b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            b"<GetRecord><record><metadata><oai_datacite xmlns=\"http://schema.datacite.org/oai/oai-1.1/\">"
            b"<payload>" + inner + b"</payload></oai_datacite></metadata></record></GetRecord></OAI-PMH>")
    ex = run(body, None, "text/xml")
    assert canonical(ex)["doi"] == "10.48620/1234"


# ---------------------------------------------------------------- detection

@pytest.mark.parametrize("url", [
    "https://api.datacite.org/dois/10.5061/dryad.8515?include=media,client",
    "https://api.datacite.org/dois?query=climate",
    "https://api.test.datacite.org/dois/10.80225/abc",
    "https://data.datacite.org/application/vnd.datacite.datacite+xml/10.5061/dryad.8515",
])
def test_match_url(url):
    assert datacite.match_url(url)


@pytest.mark.parametrize("url", [
    "https://api.datacite.org/clients/cern.zenodo",
    "https://datacite.org/dois.html",
    "https://zenodo.org/api/records/1",
])
def test_match_url_refuses(url):
    assert not datacite.match_url(url)


def test_other_bodies_at_datacite_urls_are_vetoed():
    assert not datacite.accepts(b"<!DOCTYPE html><html><body>DataCite Commons</body></html>", "text/html")
    assert not datacite.accepts(b'{"data": {"type": "clients", "attributes": {"name": "x"}}}', None)


@pytest.mark.parametrize("name", ["jsonapi-dois.json", "kernel4.xml", "kernel3.xml"])
def test_sniffed_without_url(name):
    assert registry.detect(None, load(name), None) == "datacite"


def test_zenodo_fixture_not_sniffed():
    body = (FIXTURES.parent / "zenodo" / "legacy-record.json").read_bytes()
    assert not datacite.sniff(body, "application/json")


# ---------------------------------------------------------------- broken and hostile input

@pytest.mark.parametrize("body", [
    b"",
    b'{"data": {"type": "dois", "attributes": ',                       # truncated JSON
    b'[{"data": 1}]',                                                  # a list, not a document
    b'{"data": {"type": "dois", "attributes": [1, 2]}}',               # attributes is a list
    b'{"data": {"type": "dois", "attributes": {"titles": ' + b"[" * 10_000 + b"]" * 10_000 + b"}}}",
    b'<?xml version="1.0"?><resource xmlns="http://datacite.org/schema/kernel-4">'
    + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</resource>",              # deep XML
    load("kernel4.xml")[:900],                                         # truncated XML
    b'<?xml version="1.0"?><resource xmlns="http://example.org/not-datacite"><title>x</title></resource>',
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    b'<resource xmlns="http://datacite.org/schema/kernel-4"><titles><title>&b;</title></titles></resource>',
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<resource xmlns="http://datacite.org/schema/kernel-4"><titles><title>&x;</title></titles></resource>',
])
def test_unreadable_input_is_an_error(body):
    ex = registry.run("datacite", API, body)
    assert ex.error


def test_wrong_types_inside_attributes_are_tolerated():
    body = json.dumps({"data": {"type": "dois", "id": "10.1234/x", "attributes": {
        "titles": "just a string", "dates": "2020", "rightsList": {"rights": "MIT"}, "sizes": 12,
        "formats": [None, 5, "text/csv"], "publisher": ["x"], "url": 7, "publicationYear": "nineteen",
        "version": {"v": 1}, "contentUrl": "not a url"}}}).encode()
    ex = registry.run("datacite", API, body)
    assert ex.error is None
    rec = canonical(ex)
    assert rec == {"title": "just a string", "doi": "10.1234/x", "license": "MIT",
                   "commercial_use": True, "formats": ["CSV"]}
    assert any("nineteen" in w for w in ex.warnings)


def test_huge_title_is_dropped_with_a_warning():
    body = json.dumps({"data": {"type": "dois", "id": "10.1234/x", "attributes": {
        "doi": "10.1234/x", "titles": [{"title": "A" * 5_000_000}]}}}).encode()
    ex = registry.run("datacite", API, body)
    assert ex.error is None and "title" not in canonical(ex) and canonical(ex)["doi"] == "10.1234/x"
    assert any("5000000 characters" in w for w in ex.warnings)


def test_huge_title_in_xml_is_dropped():
    body = (b'<resource xmlns="http://datacite.org/schema/kernel-3"><identifier identifierType="DOI">'
            b"10.1234/x</identifier><titles><title>" + b"A" * 5_000_000 + b"</title></titles></resource>")
    ex = registry.run("datacite", None, body)
    assert ex.error is None and "title" not in canonical(ex) and ex.warnings


def test_oai_pmh_list_records_is_a_listing():
    k4 = load("kernel4.xml").split(b"?>", 1)[1]
    k3 = load("kernel3.xml").split(b"?>", 1)[1]
    wrap = lambda inner: (b"<record><metadata><oai_datacite xmlns=\"http://schema.datacite.org/oai/oai-1.1/\">"
                          b"<payload>" + inner + b"</payload></oai_datacite></metadata></record>")
    body = (b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            b"<ListRecords>" + wrap(k4) + wrap(k3) + b"</ListRecords></OAI-PMH>")
    ex = run(body, None, "text/xml")
    assert ex.listing and values(ex, None) == {}
    assert values(ex, "10.48620/1234")["version"] == "3.1"
    assert values(ex, "10.4121/uuid:6a2e0f1c-1b7d-4c9a-9e3d-2f5b8a1c0d4e")["publisher"] == "TU Delft"


def test_empty_search_page_is_an_empty_listing_but_not_sniffed():
    body = b'{"data": [], "meta": {"total": 0}, "links": {"self": "https://api.datacite.org/dois?query=zzz"}}'
    assert not datacite.sniff(body, "application/json")
    ex = run(body, "https://api.datacite.org/dois?query=zzz")
    assert ex.listing and not ex.facts


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json")))
def test_fact_shapes(name):
    """Evidence is short and values have the label format's shapes, on every fixture."""
    ex = registry.run("datacite", None, load(name))
    assert ex.error is None
    for fact in ex.facts:
        assert len(fact.evidence) <= 300 and fact.evidence
        if fact.field == "formats":
            assert fact.value == sorted(set(fact.value)) and all(v == v.upper() for v in fact.value)
        if fact.field == "doi":
            assert fact.value == fact.value.lower() and fact.value.startswith("10.")
        if fact.field in ("size_bytes", "file_count"):
            assert isinstance(fact.value, int) and not isinstance(fact.value, bool)
        if fact.field in ("release_date", "modified_date"):
            assert len(fact.value) in (4, 7, 10)


# ---------------------------------------------------------------- sizes written one per file

def test_per_file_sizes_are_summed_and_counted():
    # Research-portal exports (Pure and the like): one <size> and one <format> per file.
    rec = canonical(run(load("per-file-sizes.xml"), None))
    assert rec["size_bytes"] == 2_500_000 + 300_000 + 12_000 + 1_200_000_000
    assert rec["file_count"] == 4
    # octet-stream and an office MIME type outside the vocabulary are stated formats: OTHER
    assert rec["formats"] == ["CSV", "OTHER", "ZIP"]
    assert rec["license"] == "CC-BY-4.0"


def test_per_file_sizes_in_json_without_parallel_formats_give_no_file_count():
    rec = canonical(run(jsonapi(sizes=["1.5 MB", "20 kB"], formats=["text/csv"]), API))
    assert rec["size_bytes"] == 1_520_000
    assert "file_count" not in rec


@pytest.mark.parametrize("sizes, expected", [
    (["107328 bytes"], 107328),               # one total (Dryad)
    (["8898 data points", "5 MB"], 5_000_000),  # not all byte quantities: the first one only
    (["3 files", "2 GB"], 2_000_000_000),       # a count next to the total
])
def test_a_single_stated_size_is_kept_as_written(sizes, expected):
    rec = canonical(run(jsonapi(sizes=sizes, formats=[]), API))
    assert rec["size_bytes"] == expected


def test_free_text_formats_outside_the_vocabulary_are_not_other():
    rec = canonical(run(jsonapi(formats=["Spreadsheet, see readme", "text/csv"]), API))
    assert rec["formats"] == ["CSV"]
