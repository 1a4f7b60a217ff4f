"""The html fallback: meta tags, Signposting links and prose counts of HTML pages. Text documents
(Markdown, RST, plain text) are the readme adapter's (test_readme.py).

Inputs are written here in the structure real maintainer pages use (fixtures/html/); the traps
are the ones such pages carry: years, percentages, per-item ratios, citations, site chrome.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from extractors import registry
from extractors.adapters import html
from extractors.model import RANK_EMBEDDED, RANK_TEXT
from extractors.resolve import record

FIXTURES = Path(__file__).parent / "fixtures" / "html"


def run(body: bytes | str, content_type: str | None = "text/html; charset=utf-8", url=None):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return registry.run("html", url, body, content_type)


def facts_of(ex, field):
    return [f for f in ex.facts if f.field == field]


# ----------------------------------------------------------------------------- landing pages

def test_maintainer_landing_page():
    ex = run((FIXTURES / "chestxray-landing.html").read_bytes(),
             url="https://nihcc.example.org/chestxray")
    assert ex.error is None
    assert record(ex.facts) == {
        "title": "NIH Chest X-ray Dataset of 14 Common Thorax Diseases",
        "release_date": "2017-09-27",
        "publisher": "NIH Clinical Center",
        "item_count": 112120,
        "item_unit": "images",
        "subject_count": 30805,
        "class_count": 14,
        "access": "open",
    }
    (items,) = facts_of(ex, "item_count")
    assert items.rank == RANK_TEXT and items.unit == "images"
    assert "112,120 frontal chest X-rays from 30,805 unique patients" in items.evidence
    assert len(items.evidence) <= 300
    assert facts_of(ex, "modified_date")[0].value == "2020-06-01"
    assert facts_of(ex, "publisher")[0].evidence == 'meta[property="og:site_name"]'


def test_landing_page_traps_are_not_counts():
    ex = run((FIXTURES / "chestxray-landing.html").read_bytes())
    values = {f.value for f in ex.facts if f.field.endswith("_count")}
    # script/style/nav/citation/pre, per-patient ratio, subset, years, percentages, table refs
    for trap in (999999, 5, 25, 108948, 32717, 4000, 20, 984, 2017, 2020, 76, 10, 2, 3):
        assert trap not in values
    # the footer's site-wide licence is not the dataset's
    assert not facts_of(ex, "license")


def test_title_suffix_is_the_site_name():
    ex = run((FIXTURES / "chestxray-landing.html").read_bytes())
    titles = [f for f in facts_of(ex, "title") if f.evidence == "title"]
    assert titles[0].value == "NIH Chest X-ray Dataset of 14 Common Thorax Diseases"


def test_citation_meta_signposting_and_european_numbers():
    ex = run((FIXTURES / "eu-archive-landing.html").read_bytes())
    assert ex.error is None
    assert record(ex.facts) == {
        "title": "Knee MRI Collection",
        "license": "CC-BY-NC-4.0",
        "commercial_use": False,
        "release_date": "2021-11-03",
        "doi": "10.1234/knee.mri.2021",
        "publisher": "Universitätsklinikum Archive",
        "size_bytes": 2_400_000_000,
        "file_count": 2,
        "formats": ["CSV", "ZIP"],
        "item_count": 12500,
        "item_unit": "scans",
        "subject_count": 1204,
        "class_count": 4,
    }
    assert [f.name for f in ex.files] == ["knee_mri.zip", "labels.csv"]
    assert {f.value for f in ex.facts if f.field.endswith("_count")} == {2, 12500, 1204, 4}


def test_meta_ranks_and_evidence():
    page = """<html><head><meta name="citation_title" content="A">
    <meta property="og:title" content="B"><title>C</title></head><body></body></html>"""
    ex = run(page)
    titles = facts_of(ex, "title")
    assert [(f.value, f.rank) for f in titles] == [("A", RANK_EMBEDDED), ("B", RANK_EMBEDDED),
                                                    ("C", RANK_EMBEDDED)]
    assert titles[0].evidence == 'meta[name="citation_title"]'
    assert record(ex.facts)["title"] == "A"


def test_h1_only_when_no_title():
    ex = run("<html><body><h1>Retinal Fundus Set</h1><p>Some text.</p></body></html>")
    assert record(ex.facts)["title"] == "Retinal Fundus Set"
    ex = run("<html><head><title>Page</title></head><body><h1>Heading</h1></body></html>")
    assert record(ex.facts)["title"] == "Page"


def test_generic_date_meta_is_not_a_release_date():
    ex = run('<html><head><meta name="date" content="2024-01-01"><title>x</title></head></html>')
    assert not facts_of(ex, "release_date")


def test_html_served_as_text_plain():
    # raw.githubusercontent.com serves .html as text/plain
    ex = run("<!DOCTYPE html><html><head><title>Lung CT</title></head></html>",
             "text/plain; charset=utf-8")
    assert record(ex.facts)["title"] == "Lung CT"


# ----------------------------------------------------------------------------- hostile input

def test_binary_garbage_is_an_error():
    garbage = bytes(range(256)) * 200
    ex = run(garbage, "application/octet-stream")
    assert ex.error and "binary" in ex.error


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"<", b"<html", b"</html>", b"<!-- x"])
def test_empty_and_tiny_never_raise(body):
    ex = run(body)
    assert ex.error is not None or isinstance(ex.facts, list)


def test_five_megabytes_of_one_tag():
    start = time.monotonic()
    ex = run(b"<div>" * 1_000_000 + b"<p>The set holds 4,000 scans.</p>")
    assert time.monotonic() - start < 30
    assert ex.error is None or isinstance(ex.error, str)


def test_deep_nesting_and_unclosed_tags():
    deep = "<html><head><title>Deep" + "<div><span>" * 50_000 + "120 images of 3 classes"
    ex = run(deep)
    assert ex.error is None or isinstance(ex.error, str)
    unclosed = ("<html><head><title>Open Set</title><body><p>It contains 4,000 images"
                "<p>of 8 classes<div><span><table><tr><td>more")
    ex = run(unclosed)
    assert ex.error is None
    assert record(ex.facts)["item_count"] == 4000
    # an unclosed <title> swallows the page (HTML parsing rules); the title stops at markup
    ex = run("<html><head><title>Open Set<body><p>It contains 4,000 images")
    assert record(ex.facts)["title"] == "Open Set"


def test_wrong_charset_declarations():
    page = "<html><head><title>Universitätsklinikum Röntgen</title></head></html>"
    # UTF-8 bytes declared as ISO-8859-1, and Latin-1 bytes declared as UTF-8
    ex = run(page.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert ex.error is None and record(ex.facts)["title"].startswith("Universit")
    ex = run(page.encode("latin-1"), "text/html; charset=utf-8")
    assert ex.error is None and record(ex.facts)["title"].startswith("Universit")
    ex = run(page.encode("utf-16"), "text/html")
    assert ex.error is None and record(ex.facts)["title"] == "Universitätsklinikum Röntgen"


def test_xml_declaration_with_encoding():
    ex = run(b'<?xml version="1.0" encoding="utf-8"?><html><head><title>X</title></head></html>')
    assert record(ex.facts)["title"] == "X"


def test_huge_meta_value_is_capped():
    ex = run('<html><head><meta name="description" content="' + "a" * 2_000_000 + '"></head>'
             "</html>")
    assert ex.error is None
    assert all(len(str(f.value)) <= 2000 and len(f.evidence) <= 300 for f in ex.facts)


def test_pathological_numbers_are_fast():
    start = time.monotonic()
    ex = run("<html><body><p>" + "1,000 " * 150_000 + "images</p></body></html>")
    assert time.monotonic() - start < 30
    assert ex.error is None


def test_sniff_only_claims_markup():
    assert html.sniff(b"<!DOCTYPE html><html></html>", None)
    assert not html.sniff(b'{"a": 1}', "application/json")


@pytest.mark.parametrize("body, ctype", [
    (b"# Retina OCT\n\nThe set holds 4,000 scans.", "text/plain"),
    (b'{"name": "x", "rows": 5000}', "application/json"),
    (b"Iris plants dataset\n===================\n\n:Number of Instances: 150\n", None),
])
def test_text_given_to_the_fallback_is_not_read(body, ctype):
    """Detection sends text documents to readme; the fallback reads only HTML and never crashes
    or makes up facts from anything else."""
    ex = run(body, ctype)
    assert ex.error is None and ex.facts == []
    assert any("not an HTML page" in w for w in ex.warnings)


def test_no_break_spaces_are_thousands_separators_in_pages():
    page = "<html><body><p>It holds 112&#8239;120 images in 3&nbsp;classes.</p></body></html>"
    rec = record(run(page).facts)
    assert (rec["item_count"], rec["class_count"]) == (112120, 3)


# ----------------------------------------------------------------------------- real corpus

from tests.extractors.corpus_support import CORPUS, all_labels as corpus_labels  # noqa: E402


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
@pytest.mark.parametrize("label", corpus_labels(), ids=lambda label: label["input"])
def test_fallback_never_contradicts_a_label(label):
    """Whatever input the fallback is given (even one another adapter owns), what it states is
    either right or absent: no wrong value on a labelled field and no absent violation."""
    ex = run((CORPUS / label["input"]).read_bytes(), label.get("content_type"), label.get("url"))
    rec = record(ex.facts)
    assert not [k for k in label["absent"] if k in rec]
    wrong = {k: v for k, v in rec.items()
             if k in label["expect"] and k != "item_unit" and v != label["expect"][k]
             and not (k == "size_bytes" and abs(v - label["expect"][k])
                      <= label.get("tolerance", {}).get(k, 0) * label["expect"][k])}
    assert wrong == {}
