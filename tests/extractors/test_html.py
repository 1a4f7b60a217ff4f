"""The html fallback: meta tags, Signposting links, markdown headings and prose counts.

Inputs are written here in the structure real maintainer pages use (fixtures/html/); the traps
are the ones such pages carry: years, percentages, per-item ratios, citations, site chrome.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from extractors import html, registry
from extractors.model import RANK_EMBEDDED, RANK_TEXT
from extractors.resolve import record

FIXTURES = Path(__file__).parent / "fixtures" / "html"


def run(body: bytes | str, content_type: str | None = "text/html; charset=utf-8", url=None):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return registry.run("html", url, body, content_type)


def facts_of(ex, field):
    return [f for f in ex.facts if f.field == field]


def counts(text: str) -> dict:
    """The record fields prose alone gives."""
    ex = run(text, "text/plain; charset=utf-8")
    assert ex.error is None, ex.error
    rec = record(ex.facts)
    return {k: v for k, v in rec.items() if k in ("item_count", "subject_count", "class_count")}


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


# ----------------------------------------------------------------------------- text / markdown

def test_markdown_card():
    ex = run((FIXTURES / "card.md").read_bytes(), "text/plain; charset=utf-8")
    assert record(ex.facts) == {"title": "Retina OCT Scans", "item_count": 84495,
                                "item_unit": "images", "subject_count": 4686, "class_count": 4}
    # the code block's "12,000 images each" and the split table are not totals
    assert {f.value for f in facts_of(ex, "item_count")} == {84495}


@pytest.mark.parametrize("text, title", [
    ("# MedMNIST Pneumonia Dataset\n\nText.", "MedMNIST Pneumonia Dataset"),
    ("Knee Radiographs\n================\n\nText.", "Knee Radiographs"),
    ("# Dataset Card for Beans\n", "Beans"),
    ("# **[Chest CT](https://example.org)** #\n", "Chest CT"),
    ("# Dataset Card for [Dataset Name]\n", None),
    ("## Only a level-2 heading\n", None),
    ("No heading at all, just a paragraph.\n", None),
])
def test_markdown_titles(text, title):
    assert record(run(text, "text/plain").facts).get("title") == title


def test_bibtex_is_not_a_dataset_description():
    bib = b"""@article{smith2023,
  title={A Large Chest X-ray Benchmark of 100,000 images},
  journal={Scientific Data}, year={2023}, doi={10.1038/s41597-023-00001-1},
  publisher={Nature Publishing Group}
}"""
    ex = run(bib, "text/plain")
    assert ex.error is None and ex.facts == []
    assert any("citation" in w for w in ex.warnings)


def test_tag_list_gives_nothing():
    tags = b"content.data-type.image # Contains image data.\nml.task.image-classification\n"
    ex = run(tags, "text/plain")
    assert ex.error is None and ex.facts == []


# ----------------------------------------------------------------------------- prose counts

@pytest.mark.parametrize("text, expected", [
    ("It consists of 327.680 color images (96 x 96px) extracted from scans.",
     {"item_count": 327680}),
    ("The corpus holds 1.2 million images of street scenes.", {"item_count": 1_200_000}),
    ("WildChat is a collection of 1 million conversations.", {"item_count": 1_000_000}),
    ("The MNIST dataset consists of 70,000 28x28 black-and-white images in 10 classes.",
     {"item_count": 70000, "class_count": 10}),
    ("112,120 frontal chest X-rays from 30,805 unique patients.",
     {"item_count": 112120, "subject_count": 30805}),
    ("It has 14 disease labels.", {"class_count": 14}),
    ("Samples fall into 14 classes.", {"class_count": 14}),
    ("The dataset contains 112\u202f120 images.", {"item_count": 112120}),
    ("Wang X, Peng Y. The set holds 4,000 scans.", {"item_count": 4000}),
    ("This dataset consists of 5 head scans.", {"item_count": 5}),
    ("It contains 10,000 entries about used cars.", {"item_count": 10000}),
    ("Each image is annotated with a binary label.", {"class_count": 2}),
    ("The task is binary-class classification of pneumonia against normal.",
     {"class_count": 2}),
    ("Images are graded into three categories.", {"class_count": 3}),
    ("A 10-class classification benchmark.", {"class_count": 10}),
    ("Ratings for each of 21 healthy unmedicated participants (10 males, 11 females).",
     {"subject_count": 21}),
    ("It spans 1000 object classes and contains 1,281,167 training images, 50,000 validation "
     "images and 100,000 test images.", {"class_count": 1000, "item_count": 1_431_167}),
    ("There are 60,000 images in the training set and 10,000 images in the test set.",
     {"item_count": 70000}),
    ("The dataset consists of 2000 images.", {"item_count": 2000}),
])
def test_prose_counts(text, expected):
    assert counts(text) == expected


@pytest.mark.parametrize("text", [
    "In 2017 images were collected at three sites.",
    "The model reaches a top-5 accuracy of 76.1% on the test images.",
    "We report the 10 most common classes.",
    "Results for the top 10 classes are in Table 3.",
    "Version 2.0 images were re-encoded.",
    "More than 100,000 images were screened.",
    "The archive has over 1 million images.",
    "Up to 20 scans were taken.",
    "There are 5 images per patient.",
    "Each subject has 3 scans each.",
    "ImageNet aims to provide on average 1000 images to illustrate each synset.",
    "The set is based on a prior dataset of 5,856 pediatric chest X-ray images.",
    "Wang et al. (2017) released 108,948 images of 32,717 patients.",
    "See Figure 3 images for examples.",
    "A 500 MB images archive is provided.",
    "Images are resized to 28 x 28 images.",
    "The sizes are (384–2,916) × (127–2,713) pixels.",
    "The annotators produced 20,000 labels.",
    "About 1.5 images per study.",
    "Between 2,000-2,500 images are blurred.",
    "Scraped 10K+ images from the web.",
    "Of these, 1,000 images have boxes.",
    "A total of 1 subject was excluded.",
    "Stored since release 3 images as DICOM.",
    "The dataset contains 112 120 images.",
])
def test_prose_traps(text):
    assert counts(text) == {}


def test_first_total_of_a_sentence_wins_over_its_breakdown():
    assert counts("It consists of 3 classes: 2 disease classes and the healthy class.") == \
        {"class_count": 3}


def test_splits_are_not_totals_when_a_total_is_stated():
    text = ("The MNIST dataset consists of 70,000 images. The training set contains 60,000 "
            "images and the test set 10,000 images.")
    ex = run(text, "text/plain")
    assert [f.value for f in facts_of(ex, "item_count")] == [70000]


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
    ex = run("1,000 " * 150_000 + "images", "text/plain")
    assert time.monotonic() - start < 30
    assert ex.error is None


def test_sniff_only_claims_markup():
    assert html.sniff(b"<!DOCTYPE html><html></html>", None)
    assert not html.sniff(b'{"a": 1}', "application/json")


def test_no_break_spaces_are_thousands_separators_in_pages():
    page = "<html><body><p>It holds 112&#8239;120 images in 3&nbsp;classes.</p></body></html>"
    rec = record(run(page).facts)
    assert (rec["item_count"], rec["class_count"]) == (112120, 3)


# ----------------------------------------------------------------------------- real corpus

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def corpus_labels():
    if not CORPUS.is_dir():
        return []
    labels = [json.loads(p.read_text(encoding="utf-8"))
              for p in sorted(CORPUS.rglob("*.expected.json"))]
    return [label for label in labels if label.get("input")]


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
