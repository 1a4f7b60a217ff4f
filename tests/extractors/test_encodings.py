"""Wide encodings and unrepresentable numbers (issue 11 item 7). Records are written here in
the real shapes of their families: a Zenodo REST record, a Frictionless Data Package."""
from __future__ import annotations

import codecs
import json

from extractors.document import extract_document
from extractors.normalize.text import as_utf8, head_text, wide_codec

# A Zenodo REST API record (api/records/<id>), as served by zenodo.org.
ZENODO = {"id": 4567, "doi": "10.5281/zenodo.4567", "conceptdoi": "10.5281/zenodo.4566",
          "links": {"self": "https://zenodo.org/api/records/4567"},
          "metadata": {"title": "Bird song recordings (Zürich)", "license": {"id": "cc-by-4.0"},
                       "publication_date": "2022-05-06", "resource_type": {"type": "dataset"}},
          "files": [{"key": "songs.zip", "size": 52_000}]}
ZENODO_URL = "https://zenodo.org/api/records/4567"
# A Frictionless Data Package descriptor (datapackage.json).
PACKAGE = {"name": "rainfall", "title": "Rainfall", "licenses": [{"name": "ODC-BY-1.0"}],
           "resources": [{"path": "rain.csv", "format": "csv"}, {"path": "gauges.csv", "format": "csv"}]}


def test_utf16_le_bom_zenodo_record_gives_its_facts():
    body = codecs.BOM_UTF16_LE + json.dumps(ZENODO, ensure_ascii=False).encode("utf-16-le")
    out = extract_document(body, url=ZENODO_URL, content_type="application/json; charset=utf-16")
    assert out["adapter"] == "zenodo"
    assert out["record"]["title"] == "Bird song recordings (Zürich)"
    assert out["record"]["license"] == "CC-BY-4.0"
    assert out["record"]["doi"] == "10.5281/zenodo.4567"
    assert out["record"]["size_bytes"] == 52_000


def test_utf32_be_bom_data_package_is_detected_and_read():
    body = codecs.BOM_UTF32_BE + json.dumps(PACKAGE).encode("utf-32-be")
    out = extract_document(body)   # no URL, no content type: found by sniffing
    assert out["adapter"] == "frictionless"
    assert out["record"]["title"] == "Rainfall"
    assert out["record"]["file_count"] == 2


def test_bomless_utf16_json_is_recognised_by_its_zero_bytes():
    body = json.dumps(PACKAGE).encode("utf-16-be")
    assert wide_codec(body) == "utf-16-be"
    assert extract_document(body)["record"]["title"] == "Rainfall"


def test_as_utf8_leaves_other_bodies_alone_and_fixes_the_charset():
    assert as_utf8(b"{}", "application/json") == (b"{}", "application/json")
    assert as_utf8(b"\x00\x00\x00\x00", None) == (b"\x00\x00\x00\x00", None)   # NULs are no document
    body, ctype = as_utf8(codecs.BOM_UTF16_LE + "{}".encode("utf-16-le"), "text/json; charset=UTF-16")
    assert (body, ctype) == (b"{}", "text/json; charset=utf-8")
    truncated = codecs.BOM_UTF16_LE + "{}".encode("utf-16-le")[:-1]
    assert as_utf8(truncated, None) == (truncated, None)   # does not decode: left as it is


def test_head_text_strips_the_bom_and_decodes():
    assert head_text(codecs.BOM_UTF32_LE + '{"a": 1}'.encode("utf-32-le"), None, 4) == '{"a"'
    assert head_text(codecs.BOM_UTF8 + b"---\ntitle: x", None, 3) == "---"


def test_an_over_long_integer_is_a_warning_and_the_rest_is_read():
    text = json.dumps(ZENODO).replace("52000", "9" * 5_000)
    out = extract_document(text.encode(), url=ZENODO_URL)
    assert "error" not in out
    assert out["record"]["title"] == "Bird song recordings (Zürich)"
    assert out["record"]["license"] == "CC-BY-4.0"
    assert "size_bytes" not in out["record"]
    assert any("5000 digits cannot be represented" in w for w in out["warnings"])
