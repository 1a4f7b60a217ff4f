"""DCAT in Turtle, RDF/XML and JSON-LD (inline and remote contexts), read offline with rdflib."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.adapters import dcat

FIXTURES = Path(__file__).parent / "fixtures" / "dcat"


# Nothing may be fetched: a remote JSON-LD context or DTD would open a socket.
pytestmark = pytest.mark.usefixtures("no_network")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run(body: bytes, url: str = "https://data.example.org/export", content_type: str | None = None):
    return registry.run("dcat", url, body, content_type)


def record(ex, key=None) -> dict:
    return resolve.record(ex.facts, key=key)


TTL_HEAD = (b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix dct: <http://purl.org/dc/terms/> .\n"
            b"@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n")


# --------------------------------------------------------------------------- detection

@pytest.mark.parametrize("name, content_type", [
    ("single-dataset.ttl", "text/turtle"),
    ("single-dataset.ttl", "text/plain"),
    ("catalog.rdf", "application/rdf+xml"),
    ("catalog.rdf", None),
    ("dataset-inline-context.jsonld", "application/ld+json"),
    ("dataset-remote-context.jsonld", "application/json"),
])
def test_detected_by_content(name, content_type):
    assert registry.detect("https://data.example.org/export/" + name, fixture(name), content_type) == "dcat"


@pytest.mark.parametrize("body, claimed", [
    (b'<rdf:RDF xmlns:d="http://www.w3.org/ns/dcat#"><d:Dataset/></rdf:RDF>', True),
    (b"PREFIX x: <http://www.w3.org/ns/dcat#>\n<https://e.org/c> a x:Catalog .", True),
    (b"<https://e.org/d> a <http://www.w3.org/ns/dcat#Dataset> .", True),
    (b'{"@context": {"@vocab": "https://schema.org/", "dcat": "http://www.w3.org/ns/dcat#"}, '
     b'"@type": "Dataset", "dcat:keyword": "x"}', False),     # schema.org Dataset, a DCAT term
    (b'{"@context": "https://schema.org", "@type": "sc:Dataset"}', False),
])
def test_sniff_needs_a_dcat_dataset_or_catalog(body, claimed):
    assert dcat.sniff(body, None) is claimed


def test_html_mentioning_dcat_is_not_claimed():
    body = b'<!DOCTYPE html><html><head></head><body>See http://www.w3.org/ns/dcat#</body></html>'
    assert not dcat.sniff(body, "text/html")


# --------------------------------------------------------------------------- one dataset (Turtle)

def test_single_dataset_turtle():
    ex = run(fixture("single-dataset.ttl"), content_type="text/turtle")
    assert ex.error is None and not ex.listing
    rec = record(ex)
    assert rec == {
        "title": "Air quality measurements 2021",     # the English title of two
        "license": "CC-BY-4.0",
        "commercial_use": True,
        "release_date": "2022-03-01",
        "doi": "10.5072/example.aq2021",              # adms:identifier / skos:notation
        "version": "2.1",
        "publisher": "Example Environment Agency",
        "homepage": "https://data.example.org/air-quality-2021",
        # the CSV (download URL) and the ZIP (format, byte size); the HTML query page is no file
        "size_bytes": 1048576 + 2000000,
        "file_count": 2,
        "formats": ["CSV", "ZIP"],
        "access": "open",                              # EU access-right PUBLIC
    }
    modified = [f.value for f in ex.facts if f.field == "modified_date"]
    assert modified == ["2023-01-15"]
    names = sorted(f.name for f in ex.files)
    assert names == ["Station photos", "aq2021.csv"]


def test_landing_page_equal_to_input_is_not_a_homepage():
    ex = run(fixture("single-dataset.ttl"), url="https://data.example.org/air-quality-2021/",
             content_type="text/turtle")
    assert "homepage" not in record(ex)


def test_person_publisher_is_not_a_publisher():
    body = TTL_HEAD + (b"@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
                       b"<https://e.org/d> a dcat:Dataset ; dct:title \"x\" ;\n"
                       b"  dct:publisher [ a foaf:Person ; foaf:name \"Pat Person\" ] .\n")
    assert "publisher" not in record(run(body))


def test_licence_from_distributions_when_they_agree():
    body = TTL_HEAD + (b"<https://e.org/d> a dcat:Dataset ; dct:title \"x\" ;\n"
                       b"  dcat:distribution [ dcat:downloadURL <https://e.org/a.csv> ;\n"
                       b"     dct:license <http://creativecommons.org/licenses/by/4.0/> ] ,\n"
                       b"   [ dcat:downloadURL <https://e.org/b.csv> ;\n"
                       b"     dct:license <http://creativecommons.org/licenses/by/4.0/> ] .\n")
    rec = record(run(body))
    assert rec["license"] == "CC-BY-4.0"
    assert rec["file_count"] == 2 and "size_bytes" not in rec


def test_compressed_download_is_gzip_whatever_the_media_type():
    body = TTL_HEAD + (b"<https://e.org/d> a dcat:Dataset ;\n"
                       b"  dcat:distribution [ dcat:downloadURL <https://e.org/a.csv.gz> ;\n"
                       b"     dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ] .\n")
    assert record(run(body))["formats"] == ["GZIP"]


# --------------------------------------------------------------------------- catalogue (RDF/XML)

def test_rdfxml_catalog_of_two_datasets_is_a_listing():
    ex = run(fixture("catalog.rdf"), content_type="application/rdf+xml")
    assert ex.error is None and ex.listing
    assert record(ex) == {}                           # the catalogue itself is no dataset
    bikes = record(ex, "https://portal.example.org/dataset/bike-counts")
    assert bikes == {"title": "Bike counter data", "license": "ODbL-1.0", "commercial_use": True,
                     "release_date": "2020-05-04", "doi": "10.5072/bikes.2020", "size_bytes": 5120,
                     "file_count": 1, "formats": ["JSON"]}
    trees = record(ex, "https://portal.example.org/dataset/trees")
    assert trees["license"] == "CC0-1.0"
    assert trees["file_count"] == 2 and trees["formats"] == ["CSV", "GEOJSON"]
    assert "size_bytes" not in trees
    assert {f.record for f in ex.files} == {"https://portal.example.org/dataset/bike-counts",
                                            "https://portal.example.org/dataset/trees"}


# --------------------------------------------------------------------------- JSON-LD

def test_jsonld_with_inline_context():
    ex = run(fixture("dataset-inline-context.jsonld"), content_type="application/ld+json")
    assert ex.error is None and not ex.warnings
    assert record(ex) == {
        "title": "Coral reef survey images", "license": "CC-BY-SA-4.0", "commercial_use": True,
        "release_date": "2021-07-30", "doi": "10.5072/reef.991", "version": "3",
        "publisher": "Example Marine Institute", "size_bytes": 734003200 + 20480, "file_count": 2,
        "formats": ["CSV", "TAR"],
    }


def test_jsonld_with_remote_context_is_read_offline():
    ex = run(fixture("dataset-remote-context.jsonld"), content_type="application/ld+json")
    assert ex.error is None
    assert any("remote @context not fetched" in w for w in ex.warnings)
    assert record(ex) == {"title": "Noise map 2022", "license": "CC-BY-4.0", "commercial_use": True,
                          "release_date": "2022-10-01", "size_bytes": 3500, "file_count": 1,
                          "formats": ["ZIP"]}


@pytest.mark.parametrize("context", [
    {"@version": 1.1, "@import": "https://example.org/ctx.jsonld", "dcat": "http://www.w3.org/ns/dcat#"},
    ["context.jsonld", {"dcat": "http://www.w3.org/ns/dcat#"}],
    {"dcat": "http://www.w3.org/ns/dcat#", "title": {"@id": "http://purl.org/dc/terms/title",
                                                     "@context": "https://example.org/scoped.jsonld"}},
])
def test_no_context_is_ever_fetched(context):
    body = json.dumps({"@context": context, "@id": "https://e.org/d", "@type": "dcat:Dataset",
                       "title": "Offline"}).encode()
    ex = run(body, content_type="application/ld+json")
    assert ex.error is None
    assert ex.warnings
    assert record(ex)["title"] == "Offline"


# --------------------------------------------------------------------------- broken and hostile

@pytest.mark.parametrize("body, content_type", [
    (b"", None),
    (TTL_HEAD + b'<a> a dcat:Dataset ; <b> "unterminated .', "text/turtle"),
    (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
     b'xmlns:dcat="http://www.w3.org/ns/dcat#"><dcat:Dataset rdf:about="x">', None),
    (b'{"@context": {"dcat": "http://www.w3.org/ns/dcat#"}, "@type": "dcat:Dataset", ', None),
    (TTL_HEAD + b"<https://e.org/c> a dcat:Catalog .", "text/turtle"),
    (TTL_HEAD + b"<https://e.org/d> a dcat:Dataset ; <http://x/p> " + b"[ <http://x/p> " * 20_000
     + b'"x"' + b" ]" * 20_000 + b" .", "text/turtle"),
    (b'{"@context": {"dcat": "http://www.w3.org/ns/dcat#"}, "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", None),
    (b"\x00\x01http://www.w3.org/ns/dcat#\xff\xfe" * 100, None),
])
def test_unreadable_input_is_an_error_not_an_exception(body, content_type):
    ex = run(body, content_type=content_type)
    assert ex.error
    assert ex.facts == []


RDF_OPEN = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">'
            b'<dcat:Dataset rdf:about="https://e.org/d"><dct:title>')
RDF_CLOSE = b"</dct:title></dcat:Dataset></rdf:RDF>"


@pytest.mark.parametrize("doctype", [
    # billion laughs
    b'<!DOCTYPE r [<!ENTITY l "lol"><!ENTITY l1 "&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;">'
    b'<!ENTITY l2 "&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;"><!ENTITY l3 "&l2;&l2;&l2;&l2;&l2;&l2;&l2;">]>',
    # external entity (a local file) and external DTD (a fetch)
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE r SYSTEM "http://example.org/evil.dtd">',
    # parameter entity
    b'<!DOCTYPE r [<!ENTITY % p "<!ENTITY x \'y\'>"> %p;]>',
])
def test_xml_entity_tricks_are_refused(doctype):
    start = time.monotonic()
    ex = run(b'<?xml version="1.0"?>' + doctype + RDF_OPEN + b"&l3;&x;" + RDF_CLOSE,
             content_type="application/rdf+xml")
    assert time.monotonic() - start < 5
    assert ex.error and "refused" in ex.error
    assert ex.facts == []


def test_plain_namespace_entities_are_allowed():
    body = (b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY dct "http://purl.org/dc/terms/">]>'
            + RDF_OPEN + b"Entities ok" + RDF_CLOSE)
    assert record(run(body))["title"] == "Entities ok"


def test_wrong_shapes_become_warnings_or_nothing():
    body = TTL_HEAD + (b"<https://e.org/d> a dcat:Dataset ; dct:title \"x\" ;\n"
                       b"  dct:issued \"sometime\" ; dcat:distribution \"nope\" ,\n"
                       b"  [ dcat:downloadURL <https://e.org/a.csv> ; dcat:byteSize \"abc\" ] .\n")
    ex = run(body)
    assert ex.error is None
    rec = record(ex)
    assert rec["title"] == "x" and rec["file_count"] == 1 and "size_bytes" not in rec
    assert "release_date" not in rec
    assert any("not a date" in w for w in ex.warnings)
    assert any("byteSize not a number" in w for w in ex.warnings)


def test_huge_literals_are_capped():
    body = TTL_HEAD + b'<https://e.org/d> a dcat:Dataset ; dct:title "' + b"T" * 3_000_000 + b'" ;\n' \
        + b'  dct:description "' + b"D" * 3_000_000 + b'" .\n'
    ex = run(body)
    assert ex.error is None
    assert len(record(ex)["title"]) <= 1000
    assert all(len(f.evidence) <= 300 for f in ex.facts)


def test_relative_iris_resolve_against_the_input_url_only(tmp_path, monkeypatch):
    body = TTL_HEAD + (b"<a> a dcat:Dataset ; dcat:landingPage <page> ; dcat:distribution <d1> .\n"
                       b"<d1> dcat:downloadURL <files/a.csv> .\n")
    monkeypatch.chdir(tmp_path)          # rdflib's default base would be the working directory
    ex = run(body, url=None)
    assert "homepage" not in record(ex)
    assert [(f.name, f.url) for f in ex.files] == [("a.csv", None)]
    ex = run(body, url="https://portal.example.org/export/dcat")
    assert record(ex)["homepage"] == "https://portal.example.org/export/page"
    assert [f.url for f in ex.files] == ["https://portal.example.org/export/files/a.csv"]


# --------------------------------------------------------------------------- file digests (spdx:checksum)

SPDX_HEAD = TTL_HEAD + b"@prefix spdx: <http://spdx.org/rdf/terms#> .\n"
MD5_A = "0cc175b9c0f1b6a831c399e269772661"


def with_checksums(*checksums: bytes) -> bytes:
    sums = b" , ".join(checksums)
    return SPDX_HEAD + (b"<https://data.example.org/d/1> a dcat:Dataset ; dct:title \"Sums\" ;\n"
                        b"  dcat:distribution [ a dcat:Distribution ;\n"
                        b"    dcat:downloadURL <https://data.example.org/d/1/data.csv> ;\n"
                        b"    spdx:checksum " + sums + b" ] .\n")


def checksum(algorithm: bytes, value: str) -> bytes:
    return b"[ spdx:algorithm " + algorithm + b" ; spdx:checksumValue \"" + value.encode() + b"\" ]"


@pytest.mark.parametrize("sums, sha256, other", [
    ([checksum(b"spdx:checksumAlgorithm_sha256", "AB" * 32)], "ab" * 32, None),
    ([checksum(b"spdx:checksumAlgorithm_md5", MD5_A)], None, f"md5:{MD5_A}"),
    ([checksum(b"<http://spdx.org/rdf/terms#checksumAlgorithm_sha1>", "c" * 40)], None, "sha1:" + "c" * 40),
    ([checksum(b'"SHA-512"', "d" * 128)], None, "sha512:" + "d" * 128),       # a literal label
    ([checksum(b"spdx:checksumAlgorithm_md5", MD5_A),
      checksum(b"spdx:checksumAlgorithm_sha1", "c" * 40),
      checksum(b"spdx:checksumAlgorithm_sha256", "ab" * 32)], "ab" * 32, "sha1:" + "c" * 40),
    ([checksum(b"spdx:checksumAlgorithm_sha256", MD5_A)], None, None),        # wrong length
    ([checksum(b"spdx:checksumAlgorithm_md2", MD5_A)], None, None),           # unknown algorithm
])
def test_distribution_checksums(sums, sha256, other):
    entry = run(with_checksums(*sums), content_type="text/turtle").files[0]
    assert (entry.sha256, entry.checksum) == (sha256, other)


# --------------------------------------------------------------------------- deterministic output

def blank_node_catalog() -> bytes:
    """A catalogue whose datasets and distributions are all blank nodes (as exporters write
    them), several per dataset, in RDF/XML: rdflib labels such nodes anew on every parse."""
    datasets = []
    for name in ("rivers", "lakes", "wells"):
        dists = "".join(
            f'<dcat:distribution><dcat:Distribution>'
            f'<dcat:downloadURL rdf:resource="https://data.example.org/{name}.{ext}"/>'
            f'<dcat:byteSize>{size}</dcat:byteSize>'
            f'<dct:format>{ext.upper()}</dct:format></dcat:Distribution></dcat:distribution>'
            for ext, size in (("csv", 10), ("json", 20), ("zip", 30), ("xml", 40)))
        datasets.append(f"<dcat:dataset><dcat:Dataset><dct:title>{name}</dct:title>"
                        f"<dct:license>CC-BY-4.0</dct:license>{dists}</dcat:Dataset></dcat:dataset>")
    return ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">'
            '<dcat:Catalog rdf:about="https://data.example.org/catalog">' + "".join(datasets) +
            "</dcat:Catalog></rdf:RDF>").encode()


def rendering(ex) -> str:
    return json.dumps({"files": [f.to_dict() for f in ex.files], "facts": [f.to_dict() for f in ex.facts],
                       "warnings": ex.warnings}, sort_keys=True)


def test_blank_node_catalogs_give_the_same_output_on_every_run():
    body = blank_node_catalog()
    outputs = {rendering(run(body, content_type="application/rdf+xml")) for _ in range(8)}
    assert len(outputs) == 1
    ex = run(body, content_type="application/rdf+xml")
    assert ex.listing and len(ex.files) == 12
    # Records of blank-node datasets are numbered in an order that depends on content only.
    titles = {f.record: f.value for f in ex.facts if f.field == "title"}
    assert titles == {"dataset[0]": "lakes", "dataset[1]": "rivers", "dataset[2]": "wells"}


def test_the_same_graph_in_another_syntax_gives_the_same_files_in_the_same_order():
    from rdflib import Graph
    graph = Graph().parse(data=blank_node_catalog(), format="xml")
    as_jsonld = graph.serialize(format="json-ld").encode()
    as_turtle = graph.serialize(format="turtle").encode()
    xml_files = run(blank_node_catalog(), content_type="application/rdf+xml").files
    assert run(as_jsonld, content_type="application/ld+json").files == xml_files
    assert run(as_turtle, content_type="text/turtle").files == xml_files


# --------------------------------------------------------------------------- ambiguous numeric dates

@pytest.mark.parametrize("issued, expected", [
    # CKAN/DERI-style catalogue exports write dct:issued as a plain "dd/mm/yyyy" or "mm/dd/yyyy"
    # literal: when both parts could be the month, only the year is certain.
    ("03/04/2012", "2012"),
    ("11-12-2015", "2015"),
    # unambiguous forms keep their full precision (read by the shared date parser)
    ("25/04/2012", "2012-04-25"),
    ("2012-04-03", "2012-04-03"),
])
def test_issued_with_ambiguous_day_month_order_keeps_the_year(issued, expected):
    body = TTL_HEAD + (b'<https://e.org/d> a dcat:Dataset ; dct:title "Litter counts" ;\n'
                       b'  dct:issued "' + issued.encode() + b'" .\n')
    assert record(run(body))["release_date"] == expected


@pytest.mark.parametrize("issued", ["00/04/2012", "03/04/12", "03/04-2012", "year 2012"])
def test_issued_that_is_no_date_gives_no_release_date(issued):
    body = TTL_HEAD + (b'<https://e.org/d> a dcat:Dataset ; dct:title "Litter counts" ;\n'
                       b'  dct:issued "' + issued.encode() + b'" .\n')
    assert "release_date" not in record(run(body))
