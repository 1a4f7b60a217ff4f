"""Bounded work on hostile inputs, adapter by adapter (issue 11 item 2): each bound refuses or
cuts the input cleanly and leaves real documents of its family alone. The timeout marks catch a
hang; speed itself is measured by test_fuzz.py and benchmarks/, not here."""
from __future__ import annotations

import json

import pytest

from extractors import registry
from extractors.adapters import checksums, dcat, zenodo
from extractors.model import ExtractionError

# ------------------------------------------------------------------------------------- dcat

# A DCAT-AP catalogue in RDF/XML, as data portals export it (written for this test).
RDF_XML = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="https://data.example.org/dataset/air">
    <dct:title>Air quality readings</dct:title>
  </dcat:Dataset>
</rdf:RDF>"""


NS = b'<r xmlns:dcat="http://www.w3.org/ns/dcat#">'


@pytest.mark.timeout(30)
@pytest.mark.parametrize("body", [
    NS + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</r>",
    b'<?xml version="1.0"?>' + NS + b"<a>" * 100_000,
    RDF_XML.replace(b"<dct:title>", b"<dct:title>" + b"<x>" * 300),
])
def test_dcat_refuses_deep_xml_before_rdflib(body):
    ex = registry.run("dcat", None, body, "application/rdf+xml")
    assert ex.error == "XML nested too deeply (more than 256 levels)"


def test_dcat_still_reads_ordinary_rdf_xml():
    ex = registry.run("dcat", "https://data.example.org/export", RDF_XML, "application/rdf+xml")
    assert ex.error is None
    assert any(f.field == "title" and f.value == "Air quality readings" for f in ex.facts)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("body, ctype", [
    (b"1." * 50_000, "text/turtle"),              # 25k valid Turtle triples, none of them DCAT
    (b"<r>" + b"<a/>" * 100_000 + b"</r>", "application/rdf+xml"),
])
def test_dcat_skips_rdf_that_never_names_the_dcat_namespace(body, ctype):
    ex = registry.run("dcat", None, body, ctype)
    assert ex.error == "no dcat:Dataset in the RDF (the DCAT namespace is not used)"


@pytest.mark.timeout(30)
def test_dcat_doctype_pattern_is_tried_once_on_a_run_of_doctypes():
    # Searched, the DOCTYPE pattern retried to the end of the head at every "<!DOCTYPE[".
    with pytest.raises(ExtractionError):
        dcat._check_dtd(b"<!DOCTYPE[" * 100_000)


# -------------------------------------------------------------------------------- checksums

# sha256sum output (a dataset's SHA256SUMS file), written for this test.
SUMS = "".join(f"{i:064x}  part-{i}.csv\n" for i in range(3))


@pytest.mark.timeout(30)
def test_checksums_never_splits_a_10_mb_line():
    body = ("word " * 2_000_000).encode()
    ex = registry.run("checksums", None, body, "text/plain")
    assert ex.error == f"no checksum lines found (in the first {checksums.FIRST_LINES} lines)"


@pytest.mark.timeout(30)
def test_checksums_gives_up_on_a_long_body_without_rows_early():
    body = ('{"a": 1}\n' * 3_000_000).encode()           # 27 MB of JSON lines
    ex = registry.run("checksums", None, body, None)
    assert ex.error.startswith("no checksum lines found")


def test_checksums_reads_rows_after_a_long_line():
    body = ("x" * 10_000 + "\n" + SUMS).encode()
    ex = registry.run("checksums", None, body, "text/plain")
    assert ex.error is None
    assert [f.name for f in ex.files] == ["part-0.csv", "part-1.csv", "part-2.csv"]
    assert any("skipped" in w for w in ex.warnings)


# ----------------------------------------------------------------------------------- zenodo

def _legacy_record(n_files: int) -> bytes:
    # A legacy Zenodo record (/api/records/ID) with a long files list.
    return json.dumps({
        "id": 7, "doi": "10.5281/zenodo.7", "links": {"self": "https://zenodo.org/api/records/7"},
        "metadata": {"title": "Sensor parts", "publication_date": "2020-01-01"},
        "files": [{"key": f"part-{i}.csv", "size": 10, "checksum": "md5:" + "0" * 32}
                  for i in range(n_files)]}).encode()


@pytest.mark.timeout(60)
def test_zenodo_cuts_a_long_file_list_and_states_no_partial_totals():
    ex = registry.run("zenodo", "https://zenodo.org/api/records/7",
                      _legacy_record(zenodo.MAX_FILES + 1), "application/json")
    assert ex.error is None
    assert len(ex.files) == zenodo.MAX_FILES
    fields = {f.field for f in ex.facts}
    assert not fields & {"file_count", "size_bytes", "formats"}
    assert "title" in fields
    assert any(f"read the first {zenodo.MAX_FILES}" in w for w in ex.warnings)


def test_zenodo_states_totals_of_a_whole_file_list():
    ex = registry.run("zenodo", "https://zenodo.org/api/records/7", _legacy_record(3),
                      "application/json")
    facts = {f.field: f.value for f in ex.facts}
    assert facts["file_count"] == 3 and facts["size_bytes"] == 30


@pytest.mark.timeout(60)
def test_zenodo_landing_page_is_read_up_to_max_tags():
    # A Zenodo record page's head (citation_* tags), then far more markup than any real page.
    head = ('<!doctype html><html><head><meta name="citation_title" content="Sensor parts">'
            '<meta name="citation_doi" content="10.5281/zenodo.7"></head><body>')
    body = (head + "<div>" * 100_000 + "</div>" * 100_000 + "</body></html>").encode()
    ex = registry.run("zenodo", "https://zenodo.org/records/7", body, "text/html")
    assert ex.error is None
    assert any(f.field == "doi" for f in ex.facts)
    assert any(f"more than {zenodo.MAX_TAGS} tags" in w for w in ex.warnings)


# ------------------------------------------------------------------ YAML readers (depth check)

@pytest.mark.timeout(30)
def test_frictionless_refuses_deep_yaml_cleanly():
    body = ("resources:\n  - path: " + "[" * 10_000 + "]" * 10_000 + "\n").encode()
    ex = registry.run("frictionless", None, body, "application/yaml")
    assert ex.error == "YAML nested too deeply (more than 64 levels)"


@pytest.mark.timeout(30)
def test_card_with_deep_front_matter_reads_the_body_only():
    card = ("---\nlicense: " + "[" * 10_000 + "]" * 10_000 + "\n---\n# Tiny Birds\n\n"
            "Tiny Birds has 1,204 images.\n").encode()
    ex = registry.run("huggingface", "https://huggingface.co/datasets/x/tiny-birds/raw/main/README.md",
                      card, "text/markdown")
    assert not any(f.field == "license" for f in ex.facts)
    assert any("nested more than 64 levels" in w for w in ex.warnings)


@pytest.mark.timeout(30)
def test_readme_ignores_a_deep_front_matter_title():
    body = ("---\ntitle: " + "[" * 10_000 + "\n---\n# Air readings\n\nText.\n").encode()
    ex = registry.run("readme", None, body, "text/markdown")
    assert ex.error is None
    assert [f.value for f in ex.facts if f.field == "title"] == ["Air readings"]


@pytest.mark.timeout(30)
def test_card_body_longer_than_the_cap_is_cut_with_a_warning():
    from extractors.adapters import huggingface

    card = ("---\nlicense: mit\n---\n# Tiny Birds\n\n" + "Birds sing. " * 40_000).encode()
    ex = registry.run("huggingface", "https://huggingface.co/datasets/x/tiny-birds/raw/main/README.md",
                      card, "text/markdown")
    assert any(f.field == "license" for f in ex.facts)
    assert any(f"read the first {huggingface.MAX_BODY_TEXT}" in w for w in ex.warnings)
