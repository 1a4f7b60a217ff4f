"""Prose documents about a dataset: Markdown READMEs, reStructuredText descriptions and plain
text (UCI ".names" files, datasheets, tag lists).

Families served:
- TFDS dataset READMEs (`tensorflow_datasets/datasets/<name>/README.md`): a short Markdown
  description, "License: ..." / "URL: ..." lines, counts in sentences;
- GitHub / project READMEs and datasheets in Markdown (title = the first level-1 heading);
- scikit-learn `datasets/descr/*.rst` and other RST descriptions: the document title, the
  "Data Set Characteristics" field list (":Number of Instances: 150") or two-column table
  ("Samples total  581012"), class lists, links named "homepage";
- UCI ".names" files ("1. Title: Iris Plants Database", "5. Number of Instances: 150").
Everything stated in sentences (licence, homepage line, access, counts, ...) is read by the
ONE shared prose reader, `normalize/prose.add_prose_facts`. Structured statements (fields,
tables, titles) are emitted first, so they win over prose of the same rank.

Claims text that is not HTML, JSON or XML and not binary, at Confidence.TEXT: the generic
structured reader (JSON/YAML/XML/BibTeX, STRUCTURED) and every dedicated adapter claim before
it, the html reader (PAGE, also the fallback) after it. A BibTeX/RIS entry that reaches it describes a publication, never the
dataset: nothing is read from it.
"""
from __future__ import annotations

import re

import yaml

from extractors.claims import Claims, Confidence, Probe
from extractors.model import RANK_TEXT, Extraction, ExtractionError
from extractors.normalize.prose import (MAX_PROSE, add_prose_facts, field_count,
                                        names_fields)
from extractors.normalize.text import decode, yaml_too_deep
from extractors.parse import markdown, rst

NAME = "readme"
VERSION = "1.0.3"

MAX_BODY = 2_000_000   # bytes read: a README or description is never bigger
MAX_TITLE = 300

_BIBTEX = re.compile(r"^@\w+\s*[{(]")
_RIS = re.compile(r"^TY  - ")
# Structured text other adapters read (JSON, XML/HTML markup): never prose.
_STRUCTURED_START = ("{", "[", "<")
_NOT_PROSE_TYPES = ("json", "xml", "html", "csv", "tab-separated", "yaml", "octet-stream",
                    "image/", "audio/", "video/", "zip", "gzip", "pdf")


def sniff(body: bytes, content_type: str | None) -> bool:
    """Text that is not HTML, JSON, XML, a table or binary: Markdown, reStructuredText,
    plain prose."""
    if not body or _looks_binary(body):
        return False
    ctype = (content_type or "").lower()
    if any(kind in ctype for kind in _NOT_PROSE_TYPES):
        return False
    head = decode(body[:4096], content_type).lstrip("\ufeff \t\r\n")
    return bool(head) and not head.startswith(_STRUCTURED_START) and not _tabular(head)


CLAIMS = Claims(
    content_types=("text/markdown", "text/x-rst", "text/plain"),
    probe=Probe(sniff, Confidence.TEXT),
)


def _looks_binary(body: bytes) -> bool:
    """NUL bytes or mostly control bytes in the first 8 KB: an image, archive or garbage."""
    head = body[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text: NUL bytes are part of its encoding
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > 0.1 * len(head)


def _tabular(head: str) -> bool:
    """CSV/TSV rows (a data file, not prose): every one of the first lines has the same
    number (>= 2) of tabs or commas and no sentence ends."""
    lines = [ln for ln in head.splitlines()[:6] if ln.strip()]
    if len(lines) < 3:
        return False
    for sep in ("\t", ","):
        counts = {ln.count(sep) for ln in lines[:-1]}
        if len(counts) == 1 and counts.pop() >= 2 and not any(". " in ln for ln in lines):
            return True
    return False


def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    if not body or not body.strip():
        raise ExtractionError("empty body")
    if _looks_binary(body):
        raise ExtractionError("binary content, not a text document")
    if len(body) > MAX_BODY:
        ex.warn(f"body is {len(body)} bytes; read the first {MAX_BODY}")
        body = body[:MAX_BODY]
    text = decode(body, content_type)[:MAX_PROSE]
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if _BIBTEX.match(first) or _RIS.match(first):
        # A citation entry describes a publication (its title, DOI, year, publisher), never the
        # dataset itself: reading any of it would put the paper's facts on the dataset.
        ex.warn("citation entry (BibTeX/RIS): describes a publication, not the dataset")
        return ex
    if looks_rst(text):
        read_rst(ex, text)
    else:
        read_markdown(ex, text)
    return ex


# =============================================================================== kind

# RST-only markup: directives/targets/comments (".. x::", ".. _name:"), field lists
# (":Name: value"), roles (":func:`x`"), `text <url>`_ links, "::" literal markers.
_RST_MARKS = re.compile(r"^\.\. (?:[\w-]+::|_[^:\n]+:|\|)|^:[A-Za-z][^:\n]{0,40}:(?:\s|$)|"
                        r":[a-z]+:`|`[^`\n]+ <[^>\n]+>`__?", re.M)
# A "~~~" fence opens after a blank line; "~~~~~~" right under a text line is an RST section
# underline (older scikit-learn descr/*.rst: "Usage\n~~~~~").
_MD_MARKS = re.compile(r"^#{1,6}\s|\]\([^)\n]*\)|^```|(?:\A|\n[ \t]*\n)~~~", re.M)


def looks_rst(text: str) -> bool:
    head = text[:20_000]
    return bool(_RST_MARKS.search(head)) and not _MD_MARKS.search(head)


# =============================================================================== RST

# Field lists or definition terms naming the class list: ":Class:", "class:", "Classes".
_CLASS_LIST_NAME = re.compile(r"^(?:class|classes|class labels|labels|categories)\s*:?$", re.I)


def read_rst(ex: Extraction, text: str) -> None:
    doc = rst.parse(text)
    if doc is None:
        ex.warn("reStructuredText not parsed; read as plain text")
        read_markdown(ex, text)
        return
    if doc.title:
        ex.add("title", doc.title[:MAX_TITLE], f"RST document title: {doc.title[:200]}",
               rank=RANK_TEXT)
    pairs = [(name, value, f":{name}: {value}") for name, value in doc.fields]
    pairs += [(row[0], row[1], f"table row: {row[0]} | {row[1]}")
              for table in doc.tables for row in table if len(row) == 2]
    stated = add_field_counts(ex, pairs)
    stated |= _add_class_list(ex, doc.items, stated)
    fields_text = "\n".join(f"{name}: {value}" for name, value in doc.fields)
    add_prose_facts(ex, "\n".join(filter(None, [doc.prose, fields_text])), rank=RANK_TEXT,
                    skip=stated, links=doc.links)


def add_field_counts(ex: Extraction, pairs) -> set[str]:
    """Counts stated as "Name: value" ((name, value, evidence) triples): the first of each field
    is emitted (field lists and characteristics tables state one total each)."""
    added: set[str] = set()
    for name, value, evidence in pairs:
        found = field_count(name, value)
        if not found or found[0] in added:
            continue
        field_, count, unit = found
        ex.add(field_, count, evidence[:300], rank=RANK_TEXT, unit=unit)
        added.add(field_)
        if unit and field_ == "item_count":
            ex.add("item_unit", unit, evidence[:300], rank=RANK_TEXT)
            added.add("item_unit")
    return added


def _add_class_list(ex: Extraction, items, stated: set[str]) -> set[str]:
    """A class list under "class:" / ":Classes:" (distinct short values) gives class_count."""
    if "class_count" in stated:
        return set()
    for name, values in items:
        if _CLASS_LIST_NAME.match(name.strip()) and len(values) >= 2 and \
                len(set(values)) == len(values) and all(len(v) <= 60 for v in values):
            ex.add("class_count", len(values), f"class list under {name!r}: "
                   f"{', '.join(values)[:200]}", rank=RANK_TEXT)
            return {"class_count"}
    return set()


# =============================================================================== Markdown / text

_CARD_PREFIX = re.compile(r"^(?:dataset|data)\s+card\s+for\s+", re.I)
_PLACEHOLDER = re.compile(r"\[[^\]]*\]")
# Generic section names some READMEs open with as their level-1 heading (TFDS READMEs:
# "# Description"): they name a part of the document, not the dataset.
_SECTION_NAME = re.compile(r"^(?:(?:dataset|data)\s+)?(?:description|overview|abstract|introduction|"
                           r"summary|about|readme|background|contents|table\s+of\s+contents|"
                           r"details|information|documentation|usage|notes?)\s*:?$", re.I)
# A README opening with the dataset's name in code font or bold: "`name` is a dataset ...".
_NAMED_OPENING = re.compile(r"\A\s*(?:`(?P<code>[^`\n]{2,80})`|\*\*(?P<bold>[^*\n]{2,80})\*\*)"
                            r"\s+(?:is|are)\s+(?:a|an|the)\b")
# UCI ".names" files number their fields: "1. Title: ...", "5. Number of Instances: 150".
_NUMBERED_FIELD = re.compile(r"^\s*\d{1,2}\.\s*[A-Z][A-Za-z ]{1,40}:", re.M)


def read_markdown(ex: Extraction, text: str) -> None:
    doc = markdown.parse(text)
    names_like = len(_NUMBERED_FIELD.findall(text[:50_000])) >= 3
    _add_markdown_title(ex, doc, text, names_like)
    pairs = [(name, value, line) for name, value, line in names_fields(text)]
    stated = add_field_counts(ex, pairs)
    prose = "\n".join(doc.blocks)
    add_prose_facts(ex, prose, rank=RANK_TEXT, skip=stated, links=doc.links)


def _front_matter_name(front: str | None) -> str | None:
    """`pretty_name` (dataset cards) or `title` of YAML front matter, when it is a string."""
    if not front:
        return None
    if yaml_too_deep(front[:100_000]):
        return None
    try:
        data = yaml.safe_load(front[:100_000])
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    for key in ("pretty_name", "title"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def _add_markdown_title(ex: Extraction, doc, text: str, names_like: bool) -> None:
    """YAML front matter's pretty_name/title; else the first level-1 heading; else, in a UCI ".names" file, its "Title:" line; else the
    name a README opens with in code font or bold ("`databricks-dolly-15k` is a ...")."""
    named = _front_matter_name(doc.front_matter)
    if named:
        ex.add("title", named[:MAX_TITLE], "front matter pretty_name/title", rank=RANK_TEXT)
        return
    heading = next((s.heading for s in doc.sections if s.level == 1), None)
    if heading is not None:
        # A heading written as a sentence ("# Bot Talk Dataset.") ends in a full stop that is
        # not part of the name (an abbreviation's dot, "Inc.", is kept).
        clean = _CARD_PREFIX.sub("", heading).strip()
        if clean.endswith(".") and not re.search(r"(?:\b\w{1,3}|\.\w+)\.$", clean):
            clean = clean[:-1].rstrip()
        # An unfilled template heading ("Dataset Card for [Dataset Name]") names nothing, and
        # a section name used as the first heading ("# Description") is not the dataset's name.
        if clean and not _PLACEHOLDER.search(clean) and not _SECTION_NAME.match(clean):
            ex.add("title", clean[:MAX_TITLE], f"heading: {heading[:200]}", rank=RANK_TEXT)
        return
    if names_like:
        for name, value, line in names_fields(text):
            if name.lower() == "title":
                ex.add("title", value[:MAX_TITLE], line[:300], rank=RANK_TEXT)
                return
    _, body = markdown.split_front_matter(text)
    m = _NAMED_OPENING.match(body)
    if m:
        name = (m.group("code") or m.group("bold")).strip()
        ex.add("title", name[:MAX_TITLE], f"opening: {m.group(0)[:200]}", rank=RANK_TEXT)
