"""The readme adapter: Markdown READMEs, reStructuredText descriptions and plain text (UCI
".names" files, datasheets, tag lists), and the shared prose reader it calls.

Inputs are written here in the structure of their families (fixtures/readme/): a TFDS-style
README (tfds-style-README.md), a scikit-learn `descr/*.rst`-style description
(descr-style.rst), a UCI ".names" file (uci.names) and a Hugging Face style card (card.md). The
traps are the ones such documents carry: years, band numbers, resolutions, per-item figures,
licences of code, reference lists.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from extractors import registry
from extractors.adapters import readme
from extractors.model import RANK_TEXT
from extractors.resolve import record

FIXTURES = Path(__file__).parent / "fixtures" / "readme"


def run(body: bytes | str, content_type: str | None = "text/plain; charset=utf-8", url=None):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return registry.run("readme", url, body, content_type)


def facts_of(ex, field):
    return [f for f in ex.facts if f.field == field]


def counts(text: str) -> dict:
    """The record fields prose alone gives."""
    ex = run(text)
    assert ex.error is None, ex.error
    rec = record(ex.facts)
    return {k: v for k, v in rec.items() if k in ("item_count", "subject_count", "class_count")}


# ----------------------------------------------------------------------------- detection

@pytest.mark.parametrize("body, ctype, name", [
    (b"# Retina OCT\n\nThe set holds 4,000 scans.", "text/plain", "readme"),
    (b"Some plain prose about a dataset of 5 scans.", None, "readme"),
    (b"<!DOCTYPE html><html><head><title>x</title></head></html>", "text/plain", "html"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "html"),
])
def test_detection_sends_text_here_and_html_to_the_fallback(body, ctype, name):
    assert registry.detect(None, body, ctype) == name


def test_sniff_declines_structured_and_tabular_text():
    assert not readme.sniff(b'{"name": "x"}', "text/plain")
    assert not readme.sniff(b'<?xml version="1.0"?><a/>', "text/plain")
    assert not readme.sniff(b"a,b,c\n1,2,3\n4,5,6\n7,8,9\n", "text/plain")
    assert not readme.sniff(b"x", "application/json")
    assert readme.sniff(b"Iris plants dataset\n===================\n", None)


# ----------------------------------------------------------------------------- families

def test_tfds_style_readme():
    ex = run((FIXTURES / "tfds-style-README.md").read_bytes())
    assert ex.error is None
    assert record(ex.facts) == {
        "license": "CC-BY-4.0", "commercial_use": True,
        "homepage": "https://retinascan.example.org/", "access": "registered",
        "formats": ["PNG"], "item_count": 48210, "item_unit": "images",
        "subject_count": 9807, "class_count": 5,
    }
    # traps: acquisition years, device numbers, hospitals, pixel sizes; the code's MIT licence
    values = {f.value for f in ex.facts if f.field.endswith("_count")}
    assert values == {48210, 9807, 5}
    assert all(f.rank == RANK_TEXT for f in ex.facts)
    assert "release_date" not in record(ex.facts)


def test_rst_description():
    ex = run((FIXTURES / "descr-style.rst").read_bytes())
    assert ex.error is None
    assert record(ex.facts) == {
        "title": "Wine quality dataset", "item_count": 4898, "item_unit": "instances",
        "class_count": 3, "homepage": "https://wine.example.org/quality",
    }
    # the reference list's "12 classes" and years are not read; :Date: is not a release date
    assert {f.value for f in facts_of(ex, "class_count")} == {3}
    assert facts_of(ex, "feature_count")[0].value == 11


def test_rst_characteristics_table():
    text = ("Forest plots\n============\n\n**Data Set Characteristics:**\n\n"
            "=================   ============\nClasses                        4\n"
            "Samples total             12000\nDimensionality                20\n"
            "=================   ============\n\n:func:`load_plots` loads it.\n")
    rec = record(run(text).facts)
    assert (rec["title"], rec["item_count"], rec["class_count"]) == ("Forest plots", 12000, 4)


def test_uci_names_file():
    ex = run((FIXTURES / "uci.names").read_bytes())
    rec = record(ex.facts)
    assert rec["title"] == "Glass Identification Database"
    assert (rec["item_count"], rec["item_unit"]) == (214, "instances")
    assert "release_date" not in rec and "publisher" not in rec


def test_markdown_card():
    ex = run((FIXTURES / "card.md").read_bytes())
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
    # READMEs opening with the name in code font or bold (TFDS, GitHub)
    ("`open-instruct-20k` is an open dataset of instructions.\n", "open-instruct-20k"),
    ("**KneeXR** is a collection of knee radiographs.\n", "KneeXR"),
    ("The KneeXR set is a collection of knee radiographs.\n", None),
])
def test_markdown_titles(text, title):
    assert record(run(text).facts).get("title") == title


def test_bibtex_is_not_a_dataset_description():
    bib = b"""@article{smith2023,
  title={A Large Chest X-ray Benchmark of 100,000 images},
  journal={Scientific Data}, year={2023}, doi={10.1038/s41597-023-00001-1},
  publisher={Nature Publishing Group}
}"""
    ex = run(bib)
    assert ex.error is None and ex.facts == []
    assert any("citation" in w for w in ex.warnings)


def test_tag_list_gives_nothing():
    tags = b"content.data-type.image # Contains image data.\nml.task.image-classification\n"
    ex = run(tags)
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
    ex = run(text)
    assert [f.value for f in facts_of(ex, "item_count")] == [70000]



# ----------------------------------------------------------------------------- hostile input

def test_binary_garbage_is_an_error():
    ex = run(bytes(range(256)) * 200, "application/octet-stream")
    assert ex.error and "binary" in ex.error


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"#", b".. ", b":", b"`", b"=====\n"])
def test_empty_and_tiny_never_raise(body):
    ex = run(body)
    assert ex.error is not None or isinstance(ex.facts, list)


def test_pathological_numbers_are_fast():
    start = time.monotonic()
    ex = run("1,000 " * 150_000 + "images")
    assert time.monotonic() - start < 30
    assert ex.error is None


def test_pathological_rst_is_bounded():
    start = time.monotonic()
    deep = "".join("  " * i + "- item\n" for i in range(300))
    ex = run(".. _x:\n\nTitle\n=====\n\n" + deep + ":Number of Instances: 5\n" * 20_000)
    assert time.monotonic() - start < 30
    assert ex.error is None


# ----------------------------------------------------------------------------- real corpus

from tests.extractors.corpus_support import CORPUS, all_labels as corpus_labels  # noqa: E402


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
@pytest.mark.parametrize("label", corpus_labels(), ids=lambda label: label["input"])
def test_prose_reader_never_contradicts_a_label(label):
    """Whatever input the prose reader is given (even one another adapter owns: JSON, XML, HTML
    read as text), what it states is either right or absent: no wrong value on a labelled field
    and no absent violation."""
    ex = run((CORPUS / label["input"]).read_bytes(), label.get("content_type"), label.get("url"))
    rec = record(ex.facts)
    assert not [k for k in label["absent"] if k in rec]
    wrong = {k: v for k, v in rec.items()
             if k in label["expect"] and k != "item_unit" and v != label["expect"][k]
             and not (k == "size_bytes" and abs(v - label["expect"][k])
                      <= label.get("tolerance", {}).get(k, 0) * label["expect"][k])}
    assert wrong == {}


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
@pytest.mark.parametrize("label", [lb for lb in corpus_labels()
                                   if registry.detect(lb.get("url"), (CORPUS / lb["input"]).read_bytes(),
                                                      lb.get("content_type")) == "readme"],
                         ids=lambda label: label["input"])
def test_corpus_inputs_detected_here_are_fully_right(label):
    ex = run((CORPUS / label["input"]).read_bytes(), label.get("content_type"), label.get("url"))
    rec = record(ex.facts)
    missing = {k: v for k, v in label["expect"].items() if k != "item_unit" and rec.get(k) != v}
    assert missing == {}


# ------------------------------------------------- audit fixes (TFDS / sklearn-style families)
# Small READMEs written here in the structure of TFDS dataset READMEs and scikit-learn RST
# descriptions; each names the family it stands for.

def test_generic_first_heading_is_not_a_title():
    """Family: TFDS READMEs that open with "# Description" (a section name, not a name)."""
    ex = run("# Description\n\nA compilation of 900+ tasks written as instructions.\n")
    assert "title" not in record(ex.facts)
    ex = run("# Ocean Buoys Dataset\n\nHourly readings from 12 moored buoys.\n")
    assert record(ex.facts)["title"] == "Ocean Buoys Dataset"


def test_rewrapped_dataset_url_and_licence_url():
    """Family: TFDS READMEs ending "Dataset URL: <url> \\ License: <licence url>", also when
    reflowed so that "License:" ends the URL line and the licence URL starts the next."""
    ex = run("This dataset contains 1204 images of seedlings in 9 categories.\n\n"
             "Dataset URL: https://data.example.org/datasets/abc123/2 License:\n"
             "http://creativecommons.org/licenses/by-sa/4.0\n")
    rec = record(ex.facts)
    assert rec["homepage"] == "https://data.example.org/datasets/abc123/2"
    assert rec["license"] == "CC-BY-SA-4.0" and rec["commercial_use"] is True
    assert rec["item_count"] == 1204 and rec["class_count"] == 9


def test_dataset_url_that_is_a_doi_link_gives_the_doi():
    """Family: TFDS READMEs whose "Dataset URL:" is a doi.org link (data repositories)."""
    ex = run("Radar image patches over 30 cities.\n\n"
             "Dataset URL: http://doi.org/10.99999/2020ABC123 \\\n"
             "License: http://creativecommons.org/licenses/by/4.0\n")
    rec = record(ex.facts)
    assert rec["doi"] == "10.99999/2020abc123" and rec["license"] == "CC-BY-4.0"


def test_official_website_in_rst_prose_is_the_homepage():
    """Family: scikit-learn-style RST descriptions: "all details are available on the official
    website:" with the URL on the next line."""
    text = ("Street signs dataset\n====================\n\nPhotos of street signs, all details are "
            "available on the official website:\nhttp://signs.example.edu/data/\n\n"
            ":Number of Instances: 812\n")
    rec = record(run(text).facts)
    assert rec["homepage"] == "http://signs.example.edu/data/" and rec["item_count"] == 812


@pytest.mark.parametrize("text, expected", [
    # "black and white" is one modifier; the later "100 images were collected" is a step
    ("SketchSet consists of 40,210 black and white drawings images, 40 for each of the 1000 "
     "classes. 120 images were collected per query and then filtered.", 40210),
    # numbered adjectives between number and noun; questions are the items of QA sets
    ("The dataset contains 4,102 4-way multiple choice questions.", 4102),
    # a year-like number right after "a dataset of"
    ("FaceAlign-2000 is a dataset of 2000 images annotated with 68 landmarks.", 2000),
    # a unit only the containment-verb reader knows
    ("This corpus consists of 1,234,567 posts with an average length of 80 words.", 1234567),
])
def test_tfds_style_totals(text, expected):
    """Family: TFDS README opening sentences stating the dataset's total."""
    assert record(run(text).facts)["item_count"] == expected


@pytest.mark.parametrize("text", [
    # per-configuration counts (TFDS builder configs)
    "In `2shot` configuration, 2 images per label, or 2000 images are sampled; and in `4shot` "
    "configuration, 4 images per label, or 4000 images are sampled.",
    # a sentence whose subject is one class
    "We kept the 6 largest classes. Each class contains 20,000 training samples and 1,500 "
    "testing samples.",
    "The class with the most images contains 1,100 examples, the smallest only 4 examples.",
    # a range per class, a share set aside, a subset with a property
    "Each flower type has between 40 and 251 images.",
    "We set aside 20% (1016 images) of the data for testing.",
    "Important: about 2800 examples contain no label and should be skipped.",
    # approximate bounds
    "A reading dataset with nearly 90,000 questions.",
])
def test_part_counts_are_not_totals(text):
    """Family: TFDS / card READMEs whose counts describe a part of the data."""
    assert "item_count" not in record(run(text).facts)


def test_heading_full_stop_is_not_part_of_the_title():
    """Family: TFDS READMEs whose first heading is written as a sentence."""
    assert record(run("# Ferry Talk Dataset.\n\nDialogues about ferries.\n").facts)["title"] == \
        "Ferry Talk Dataset"
    assert record(run("# Data of Acme Inc.\n\nText.\n").facts)["title"] == "Data of Acme Inc."


def test_each_part_containing_is_not_a_total():
    """Family: TFDS READMEs of suites: "N sub-datasets, each containing M pairs"."""
    ex = run("SynSet consists of 12 sub-datasets, each containing 1000 minimal pairs.")
    assert "item_count" not in record(ex.facts)


def test_rst_tilde_underline_is_not_a_markdown_fence():
    """Family: older scikit-learn `descr/*.rst` files with "~~~~~" subsection underlines."""
    text = (".. _bird_calls_dataset:\n\nThe bird calls dataset\n----------------------\n\n"
            "Recordings of bird calls.\n\n**Data Set Characteristics:**\n\n"
            "    =================   ======\n    Classes                 12\n"
            "    Samples total         3400\n    =================   ======\n\n"
            "Usage\n~~~~~\n\nLoad it with the fetcher.\n")
    rec = record(run(text).facts)
    assert rec["title"] == "The bird calls dataset"
    assert rec["item_count"] == 3400 and rec["class_count"] == 12
    # A real Markdown tilde fence still marks Markdown
    assert not readme.looks_rst("Intro.\n\n~~~\ncode\n~~~\n\n:Name: value\n")
