"""The fallback adapter: any web page no other adapter claimed.

HTML only: the <title>, meta tags (citation_*, Dublin Core DC.*/DCTERMS.* and Open Graph read
through extruct), FAIR Signposting links (rel="cite-as", rel="item", rel="license") and counts
stated in the visible prose. Prose counts are the weakest evidence (RANK_TEXT); their rules are
the shared ones in extractors/normalize/prose.py.

Text documents (Markdown, reStructuredText, plain text) are read by the readme adapter, which
sniffs before this one. Whatever else reaches the fallback without being HTML (JSON or XML no
adapter claimed, text) is not read: a warning says so, and no fact is made up from it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html
from extruct.dublincore import DublinCoreExtractor
from extruct.opengraph import OpenGraphExtractor

from extractors.claims import Claims, Confidence, Probe
from extractors.model import (RANK_EMBEDDED, RANK_TEXT, Extraction, ExtractionError,
                              FileEntry)
from extractors.normalize import formats
from extractors.normalize.access import EU_REPO_ACCESS
from extractors.normalize.dates import parse_date
from extractors.normalize.ids import find_doi, normalize_doi
from extractors.normalize.license import commercial_use, normalize_license
from extractors.normalize.prose import MAX_PROSE, add_prose_facts
from extractors.normalize.sizes import parse_size
from extractors.normalize.text import decode

NAME = "html"
VERSION = "1.2.2"

MAX_BODY = 20_000_000     # bytes parsed; a landing page is never bigger
MAX_EVIDENCE = 300
MAX_VALUE = 2_000         # characters kept of a meta value (titles, descriptions)
MAX_META_VALUES = 50      # values kept per meta key (a page repeating a tag 10^5 times)
MAX_LINKS = 1_000         # distinct rel links read per relation


def sniff(body: bytes, content_type: str | None) -> bool:
    """Claims pages that look like HTML; the registry also uses this module when nothing sniffs."""
    head = body[:4096].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head


CLAIMS = Claims(
    content_types=("text/html", "application/xhtml+xml"),
    probe=Probe(sniff, Confidence.PAGE),   # also the fallback when no probe claims a body
)


def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    if not body or not body.strip():
        raise ExtractionError("empty body")
    if _looks_binary(body):
        raise ExtractionError("binary content, not a page or text")
    if len(body) > MAX_BODY:
        ex.warn(f"body is {len(body)} bytes; read the first {MAX_BODY}")
        body = body[:MAX_BODY]
    text = decode(body, content_type)
    if _is_html(text, content_type):
        _read_html(ex, text)
    else:
        ex.warn("not an HTML page: nothing read (text documents are the readme adapter's)")
    return ex


# =============================================================================== detection

def _looks_binary(body: bytes) -> bool:
    """NUL bytes or mostly control bytes in the first 8 KB: an image, archive or garbage."""
    head = body[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16/32 text: NUL bytes are part of its encoding
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > 0.1 * len(head)


def _is_html(text: str, content_type: str | None) -> bool:
    ctype = (content_type or "").lower()
    if "html" in ctype:
        return True
    head = text[:4096].lstrip("\ufeff \t\r\n").lower()
    # raw.githubusercontent.com serves .html files as text/plain: trust the markup itself.
    if head.startswith(("<!doctype html", "<html")) or "<head" in head[:2048]:
        return True
    return head.startswith("<?xml") and "<html" in head


# =============================================================================== HTML

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def parse_page(text: str):
    """An lxml.html document for a page, or None when nothing parseable is in it."""
    # lxml refuses str input that carries an encoding declaration; the text is already decoded.
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        return None
    parser = lxml.html.HTMLParser(recover=True, no_network=True, remove_comments=True,
                                  remove_pis=True)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError, TypeError):
        return None


def _read_html(ex: Extraction, text: str) -> None:
    doc = parse_page(text)
    if doc is None:
        raise ExtractionError("no HTML content")
    meta = meta_values(doc, ex)
    site = _first(meta, "og:site_name")
    _add_meta_facts(ex, meta)
    _add_title_element(ex, doc, site or _first(meta, "dc.publisher", "citation_publisher"))
    # Files listed as Signposting items outrank the one-line DC.format summary: emitted first.
    _add_link_facts(ex, doc)
    _add_format_meta(ex, meta)
    description = _first(meta, "dc.description", "description", "og:description")
    add_prose_facts(ex, "\n".join(filter(None, [description, visible_text(doc)])))


@dataclass(frozen=True)
class MetaValue:
    value: str
    evidence: str


def meta_values(doc, ex: Extraction | None = None) -> dict[str, list[MetaValue]]:
    """Meta tag values by lower-cased key: citation_* and other names as written, Open Graph
    properties (og:*) via extruct, Dublin Core via extruct keyed `dc.<element>` whatever the
    prefix (DC., DCTERMS., dcterms.)."""
    found: dict[str, list[MetaValue]] = {}

    def put(key: str, value, evidence: str) -> None:
        if isinstance(value, str) and value.strip():
            values = found.setdefault(key.lower(), [])
            if len(values) >= MAX_META_VALUES:
                return
            values.append(
                MetaValue(_WHITESPACE.sub(" ", value[:MAX_VALUE * 2]).strip()[:MAX_VALUE],
                          evidence[:MAX_EVIDENCE]))

    for el in doc.iter("meta"):
        name = el.get("name") or ""
        if name and not name.lower().startswith(("dc.", "dcterms.")):
            put(name, el.get("content"), f'meta[name="{name}"]')
    try:
        for item in OpenGraphExtractor().extract_items(doc):
            for prop, value in item.get("properties", []):
                put(prop, value, f'meta[property="{prop}"]')
    except Exception as exc:  # extruct trips on odd trees; meta names above still stand
        if ex is not None:
            ex.warn(f"Open Graph not read: {type(exc).__name__}")
    try:
        for item in DublinCoreExtractor().extract_items(doc):
            for entry in item.get("elements", []) + item.get("terms", []):
                name = entry.get("name") or ""
                # Un-prefixed names ("description", "date") are generic page meta, read above;
                # other vocabularies ("eprints.date") are not Dublin Core.
                if name.lower().split(".", 1)[0] in ("dc", "dcterms") and "." in name:
                    element = name.rsplit(".", 1)[-1]
                    put(f"dc.{element}", entry.get("content"), f'meta[name="{name}"]')
    except Exception as exc:
        if ex is not None:
            ex.warn(f"Dublin Core not read: {type(exc).__name__}")
    return found


def _first(meta: dict[str, list[MetaValue]], *keys: str) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0].value
    return None


# Order matters: resolution keeps the first of equal rank.
TITLE_KEYS = ("citation_title", "dc.title", "og:title", "title")
PUBLISHER_KEYS = ("dc.publisher", "citation_publisher", "og:site_name")
# DC "date" on a dataset page is its issue date (DataCite/PANGAEA practice); modified goes apart.
RELEASE_KEYS = ("citation_publication_date", "citation_date", "dc.issued", "dc.date")
MODIFIED_KEYS = ("dc.modified",)
DOI_KEYS = ("citation_doi", "prism.doi", "dc.identifier")
LICENSE_KEYS = ("dc.license", "dc.rights", "citation_license", "license")
ACCESS_KEYS = ("dc.accessrights", "dc.rights")
DESCRIPTION_KEYS = ("dc.description", "description", "og:description", "dc.abstract")
FORMAT_KEYS = ("dc.format", "dc.extent")


def _add_meta_facts(ex: Extraction, meta: dict[str, list[MetaValue]]) -> None:
    for key in TITLE_KEYS:
        for mv in meta.get(key, [])[:1]:
            ex.add("title", mv.value, mv.evidence, rank=RANK_EMBEDDED)
    for key in PUBLISHER_KEYS:
        for mv in meta.get(key, [])[:1]:
            ex.add("publisher", mv.value, mv.evidence, rank=RANK_EMBEDDED)
    _add_dates(ex, meta, RELEASE_KEYS, "release_date")
    _add_dates(ex, meta, MODIFIED_KEYS, "modified_date")
    for key in DOI_KEYS:
        for mv in meta.get(key, []):
            doi = normalize_doi(mv.value) if key == "citation_doi" else find_doi(mv.value)
            ex.add("doi", doi, mv.evidence, rank=RANK_EMBEDDED)
    _add_license(ex, [mv for key in LICENSE_KEYS for mv in meta.get(key, [])])
    _add_access(ex, meta)
    for key in DESCRIPTION_KEYS:
        for mv in meta.get(key, [])[:1]:
            ex.add("description", mv.value, mv.evidence, rank=RANK_EMBEDDED)
    _add_keywords(ex, meta)


def _add_dates(ex: Extraction, meta, keys, field_: str) -> None:
    for key in keys:
        for mv in meta.get(key, [])[:1]:
            date = parse_date(mv.value)
            if date:
                ex.add(field_, date, mv.evidence, rank=RANK_EMBEDDED)
            else:
                ex.warn(f"{mv.evidence}: unreadable date {mv.value[:40]!r}")


def _add_license(ex: Extraction, values: list[MetaValue]) -> None:
    for mv in values:
        spdx = normalize_license(mv.value)
        if spdx:
            ex.add("license", spdx, mv.evidence, rank=RANK_EMBEDDED)
            ex.add("commercial_use", commercial_use(spdx), mv.evidence, rank=RANK_EMBEDDED)


def _add_access(ex: Extraction, meta) -> None:
    for key in ACCESS_KEYS:
        for mv in meta.get(key, []):
            term = mv.value.rstrip("/").rsplit("/", 1)[-1].lower()
            # eu-repo access vocabulary (OpenAIRE guidelines), used in DC.rights / accessRights.
            if term in EU_REPO_ACCESS:
                ex.add("access", EU_REPO_ACCESS[term], mv.evidence, rank=RANK_EMBEDDED)


def _add_keywords(ex: Extraction, meta) -> None:
    words: list[str] = []
    for mv in meta.get("citation_keywords", []) + meta.get("dc.subject", []):
        words.extend(w.strip() for w in re.split(r"[;]", mv.value))
    for mv in meta.get("keywords", []):
        words.extend(w.strip() for w in re.split(r"[,;]", mv.value))
    unique = list(dict.fromkeys(w for w in words if w))[:100]
    ex.add("keywords", unique, "meta keywords", rank=RANK_EMBEDDED)


def _add_format_meta(ex: Extraction, meta) -> None:
    """DC.format / DCTERMS.extent describe the dataset's files: "application/zip, 5.5 MBytes"."""
    for key in FORMAT_KEYS:
        for mv in meta.get(key, [])[:1]:
            fmts, sizes = [], []
            for part in mv.value.split(","):
                part = part.strip()
                fmt = formats.from_mime(part) if "/" in part else None
                if fmt == "HTML":  # the page's own format, not the dataset's
                    continue
                if fmt:
                    fmts.append(fmt)
                    continue
                size = parse_size(part)
                if size:
                    sizes.append(size)
            ex.add("formats", formats.sorted_set(fmts), mv.evidence, rank=RANK_EMBEDDED)
            if len(sizes) == 1:
                ex.add("size_bytes", sizes[0][0], f"{mv.evidence}: {mv.value[:200]}",
                       rank=RANK_EMBEDDED)


_MARKUP = re.compile(r"<[a-zA-Z/!]")
_TITLE_SEPARATORS = (" | ", " - ", " — ", " – ", " :: ", " · ")


def _add_title_element(ex: Extraction, doc, site: str | None) -> None:
    """<title>, without a trailing " | Site" when the site name is stated elsewhere."""
    el = doc.find(".//title")
    title = el.text_content() if el is not None else ""
    # An unclosed <title> swallows the page as text (HTML parsing rules): keep what precedes it.
    title = " ".join(_MARKUP.split(title, 1)[0].split())[:MAX_VALUE]
    if title and site:
        for sep in _TITLE_SEPARATORS:
            head, _, tail = title.rpartition(sep)
            if head and tail.casefold() == site.casefold():
                title = head.strip()
                break
    ex.add("title", title, "title", rank=RANK_EMBEDDED)
    if not title:
        h1 = doc.find(".//h1")
        if h1 is not None:
            ex.add("title", " ".join(h1.text_content().split())[:MAX_VALUE], "h1", rank=RANK_TEXT)


CHROME_TAGS = {"footer", "nav", "aside"}
CHROME_CLASS = re.compile(r"footer|navbar|menu|cookie", re.I)


def _in_site_chrome(el) -> bool:
    """Inside a footer/nav: a site-wide statement ("content on this site is CC-BY-4.0")."""
    for anc in el.iterancestors():
        if anc.tag in CHROME_TAGS or CHROME_CLASS.search(
                (anc.get("class") or "") + " " + (anc.get("id") or "")):
            return True
    return False


def _rel_links(doc, rel: str, tags=("link", "a")) -> dict[str, str | None]:
    """Distinct hrefs of elements with this rel (first MAX_LINKS), each with its type."""
    found: dict[str, str | None] = {}
    for el in doc.iter(*tags):
        rels = (el.get("rel") or "").lower().split()
        href = (el.get("href") or "").strip()[:2000]
        if rel in rels and href and href not in found and \
                not (el.tag == "a" and _in_site_chrome(el)):
            found[href] = el.get("type")
            if len(found) >= MAX_LINKS:
                break
    return found


def _add_link_facts(ex: Extraction, doc) -> None:
    """FAIR Signposting: rel="cite-as" (persistent id), rel="item" (content files),
    rel="license"; also the anchor form <a rel="license">."""
    for href in _rel_links(doc, "cite-as"):
        ex.add("doi", find_doi(href), f'link[rel="cite-as"] {href[:200]}', rank=RANK_EMBEDDED)
    for href in _rel_links(doc, "license"):
        spdx = normalize_license(href)
        if spdx:
            ex.add("license", spdx, f'[rel="license"] {href[:200]}', rank=RANK_EMBEDDED)
            ex.add("commercial_use", commercial_use(spdx), f'[rel="license"] {href[:200]}',
                   rank=RANK_EMBEDDED)
    # Signposting puts items in <link> elements; an <a rel="item"> is not a Signposting link.
    items = _rel_links(doc, "item", tags=("link",))
    for href, mime in items.items():
        name = unquote(urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1]) or href
        fmt = formats.from_filename(name) or formats.from_mime(mime)
        ex.files.append(FileEntry(name=name[:500], format=fmt, url=href[:2000]))
    if items:
        ex.add("file_count", len(items), f'{len(items)} link[rel="item"]', rank=RANK_EMBEDDED)
        ex.add("formats", formats.sorted_set(f.format for f in ex.files), 'link[rel="item"]',
               rank=RANK_EMBEDDED)


# Elements whose text is not the page's own prose about the dataset.
SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer", "aside",
             "form", "select", "option", "button", "textarea", "cite", "pre", "code", "math",
             "iframe", "object"}
# Sections that hold other works' numbers (citations, reference lists) or site chrome.
SKIP_CLASS = re.compile(r"citation|bibtex|reference|footer|navbar|breadcrumb|cookie|menu",
                        re.I)
BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd",
              "table", "tr", "td", "th", "thead", "tbody", "h1", "h2", "h3", "h4", "h5", "h6",
              "br", "hr", "blockquote", "header", "figure", "figcaption", "caption", "body",
              "label"}


# ASCII whitespace only: no-break and narrow spaces are thousands separators ("112 120").
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")


def visible_text(doc) -> str:
    """Page prose with one line per block element (iterative: deep nesting cannot recurse).
    Line breaks inside a text node are source formatting, not sentence ends: they become spaces."""
    parts: list[str] = []
    size = 0
    stack = [(doc, False)]
    while stack and size < MAX_PROSE:
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if closing:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if el.tail:
                parts.append(_WHITESPACE.sub(" ", el.tail))
                size += len(el.tail)
            continue
        if not tag or tag in SKIP_TAGS or SKIP_CLASS.search(
                (el.get("class") or "") + " " + (el.get("id") or "")):
            parts.append("\n" if tag in BLOCK_TAGS or tag in SKIP_TAGS else "")
            if el.tail:
                parts.append(_WHITESPACE.sub(" ", el.tail))
                size += len(el.tail)
            continue
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if el.text:
            parts.append(_WHITESPACE.sub(" ", el.text))
            size += len(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return "".join(parts)[:MAX_PROSE]
