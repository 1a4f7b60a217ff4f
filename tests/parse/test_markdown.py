"""Markdown by structure: front matter, sections by heading, prose without markup or code."""
from extractors.parse.markdown import parse, split_front_matter

# A dataset card in the Hugging Face layout (written for this test).
CARD = """---
license: other
annotations_creators:
- expert-generated
---
# Dataset Card for Tiny Birds

## Dataset Description

### Dataset Summary

Tiny Birds has **1,204 images** of [garden birds](https://example.org/birds).

```python
load_dataset("tiny_birds")  # 99 images in this code block are not prose
```

<!-- a comment with 7 classes -->

## Additional Information

### Licensing Information

The images are available for non-commercial research only.

| split | examples |
|---|---|
| train | 1000 |
| test | 204 |

### Citation Information

@misc{birds, title={Tiny Birds}}
"""


def test_front_matter_split():
    front, rest = split_front_matter(CARD)
    assert front.startswith("license: other") and rest.lstrip().startswith("# Dataset Card")
    assert split_front_matter("# no front matter\n") == (None, "# no front matter\n")


def test_sections_by_heading_with_path():
    doc = parse(CARD)
    assert doc.title == "Dataset Card for Tiny Birds"
    lic = doc.section("licensing information")
    assert lic.level == 3 and lic.path == ("Dataset Card for Tiny Birds", "Additional Information",
                                           "Licensing Information")
    assert "non-commercial research only" in lic.prose
    assert lic.tables == [[["split", "examples"], ["train", "1000"], ["test", "204"]]]


def test_prose_has_no_markup_code_or_comments():
    doc = parse(CARD)
    summary = doc.section("Dataset Summary")
    assert summary.prose == "Tiny Birds has 1,204 images of garden birds."
    assert summary.links == [("garden birds", "https://example.org/birds")]
    assert "99 images" not in doc.prose and "7 classes" not in doc.prose
    assert summary.code and "load_dataset" in summary.code[0]


def test_under_collects_subsections():
    doc = parse(CARD)
    text = doc.under(doc.section("Additional Information"))
    assert "non-commercial" in text and "@misc" in text
    assert "1,204" not in text


def test_readme_without_headings():
    # A TFDS-style README: plain paragraphs and "Key: value" lines, no headings.
    doc = parse("A set of 300 scans.\n\nLicense: MIT.\n\nURL: https://example.org/\n")
    assert doc.title is None
    assert doc.prose == "A set of 300 scans.\nLicense: MIT.\nURL: https://example.org/"


# --- bounded work on hostile markdown (issue 11): markdown-it costs ~15 µs per markup character

import pytest  # noqa: E402

from extractors.normalize.text import collect_warnings  # noqa: E402
from extractors.parse import markdown  # noqa: E402


@pytest.mark.timeout(20)
@pytest.mark.parametrize("unit", ["*a ", "[", "&", "<", "_x ", "![", ":"])
def test_runs_of_one_delimiter_are_cut_at_the_markup_budget(unit):
    with collect_warnings() as warnings:
        doc = parse("# Title\n\nThe dataset has 10 images.\n\n" + unit * 300_000)
    assert doc.title == "Title"
    assert "10 images" in doc.prose
    assert any("markup characters" in w or "characters; read the first" in w for w in warnings)


@pytest.mark.timeout(20)
def test_markup_budget_keeps_an_ordinary_readme_whole():
    # A long but ordinary README (a TFDS / GitHub README layout): every section is read.
    sections = "".join(f"## Part {i}\n\nSee [docs](https://example.org/{i}) for *split* {i}.\n\n"
                       for i in range(300))
    with collect_warnings() as warnings:
        doc = parse("# Big README\n\n" + sections)
    assert len(doc.links) == 300 and doc.section("Part 299") is not None
    assert not warnings


@pytest.mark.timeout(20)
def test_a_text_longer_than_max_text_is_cut_with_a_warning():
    with collect_warnings() as warnings:
        doc = parse("# T\n\n" + "word " * (markdown.MAX_TEXT // 2))
    assert doc.title == "T"
    assert any("read the first" in w for w in warnings)
