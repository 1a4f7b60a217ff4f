"""Wrong and missing charsets never crash the pipeline: bodies go through
extractors.normalize.text.decode (header, BOM, meta, detection, invalid bytes replaced) and every
source lands in the warehouse with readable text."""
from __future__ import annotations

import codecs

import pytest

from fetchkit import Reply, box_page, html_type, query
from flows.pipeline import run_locally

TITLE = "Zürich Ærø café"


def served(text: str, encoding: str, header: str | None, bom: bytes = b"", broken: bool = False) -> Reply:
    body = bom + text.encode(encoding)
    if broken:  # a byte that is valid in no declared charset, inside the title itself
        body = body.replace("Zürich".encode(encoding), b"Z\xffrich")
    return Reply(200, body, html_type(header))


CASES = {
    # source id: (reply, title the catalog should show; None: any text ending the same way)
    "utf8-labelled-latin1": (served(box_page(TITLE), "utf-8", "iso-8859-1"), TITLE),
    "latin1-labelled-utf8": (served(box_page(TITLE, charset="utf-8"), "latin-1", "utf-8"), None),
    "cp1252-by-meta": (served(box_page(TITLE, charset="windows-1252"), "cp1252", None), TITLE),
    "no-charset-anywhere": (served(box_page(TITLE).replace('<meta charset="utf-8">', ""), "utf-8", None), TITLE),
    "utf16-bom-labelled-utf8": (served(box_page(TITLE), "utf-16-le", "utf-8", bom=codecs.BOM_UTF16_LE), TITLE),
    "invalid-bytes": (served(box_page(TITLE), "utf-8", "utf-8", broken=True), None),
    "unknown-charset-label": (served(box_page(TITLE), "utf-8", "x-no-such-charset"), TITLE),
}


@pytest.fixture
def catalog(site, make_config):
    for source_id, (reply, _) in CASES.items():
        site.route(f"/v/{source_id}", reply)
    return make_config([{"id": s, "url": site.url(f"/v/{s}")} for s in CASES])


def test_wrong_and_missing_charsets_still_land(catalog):
    summary = run_locally(catalog, catalog.sources, "refresh")

    assert summary["sources_failed"] == 0, [s for s in summary["per_source"] if s["error"]]
    titles = dict(query(catalog, "select dataset_id, value ->> '$' from facts where field = 'title' and winner"))
    for source_id, (_, expected) in CASES.items():
        if expected:
            assert titles[source_id] == expected, source_id
        else:
            assert "rich" in titles[source_id], source_id
    assert not query(catalog, "select * from facts where field = 'extraction_error'")
