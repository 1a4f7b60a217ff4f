"""Croissant (MLCommons) metadata files and schema.org `Dataset` records.

Three shapes reach this adapter:
- a Croissant JSON-LD file (conformsTo http://mlcommons.org/croissant/1.0 or 1.1), sometimes
  wrapped in a one-element JSON array (Kaggle's /croissant/download);
- any other schema.org `Dataset` JSON-LD file (top-level object, list, or `@graph`);
- a landing page (Dataverse, PANGAEA, Figshare, Kaggle, ...) with a schema.org Dataset embedded
  as JSON-LD or microdata, read with extruct (never scraped by hand). OpenGraph and Dublin Core
  meta tags on the same page add a few lower-priority facts.

Croissant `distribution` lists cr:FileObject (one file) and cr:FileSet (a glob of files). Members
of an archive (`containedIn` a FileObject) are not downloadable files and do not count as files or
formats. A FileObject that is a git repository (`encodingFormat: git+https`) is not a file either;
what it contains (a FileSet) does give formats, but its file count and size are unknown.
A distribution that links to a web page is not a file either, and gives no format: the input
page itself or the dataset's own `url` (an anchor on it such as ".../2.0.0/#files" included), or
anything in HTML (PhysioNet points its DataDownload at the "Files" section of the landing page).

Croissant 1.1 FileSets may be `containedIn` a FileObject with a `readLines` transform: the
FileObject is then a manifest (a list of URLs, Common Crawl's *.paths.gz) and the FileSet's files
are downloadable, not archive members. Sizes: FileObjects' and downloadable FileSets'
`contentSize` are summed when every one of them states it; a manifest without a size does not
block the sum (it is a short list of links, the files it lists are what one downloads).

Publisher: an organisation named as `publisher`, `provider`, the catalogue that holds the dataset
(`includedInDataCatalog`, the host: "Harvard Dataverse", "physionet.org"), or a `creator` that is
an organisation, in that order; the label conventions count a host named so as the publisher.
Persons never, and a creator typed Organization whose name has the shape of a person's
("Lora Aroyo") is taken for a mistyped person. A catalogue "name" that is a host path
("web.example.edu/publish") ranks after an organisation creator.

Standalone schema.org Dataset JSON-LD is read too, with the type spelt in any case ("DataSet")
and a Dataset-level `encodingFormat` giving the formats when no distribution lists files.

Croissant RAI fields: who annotated (`rai:dataAnnotationPlatform`, `...Protocol`, `...Analysis`,
`rai:annotationsPerItem`, `rai:annotatorDemographics`, `rai:machineAnnotationTools`) via the
shared annotations reader (a crowd platform named as the annotation platform is crowdsourcing);
how the labels were checked (`annotation_review`: `rai:annotationsPerItem` > 1 is redundancy,
the text of those fields and of the description goes through the shared prose detector); the total the collection fields state with a containment verb ("X
consists of 350 conversations") when the description states none (raw-data and source
sentences never count).
"""
from __future__ import annotations

import json
import re
import reprlib
from collections import deque
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

import extruct
import lxml.html
from extruct.jsonld import JsonLdExtractor
from lxml import etree

from extractors.claims import Claims, Confidence, Probe
from extractors.model import (RANK_API, RANK_EMBEDDED, RANK_TEXT, Extraction, ExtractionError,
                              FileEntry)
from extractors.normalize import formats as fmt
from extractors.normalize.access import page_access
from extractors.normalize.dates import parse_date
from extractors.normalize.digests import merged_digest_fields
from extractors.normalize.ids import normalize_doi
from extractors.normalize.license import commercial_use, normalize_license
from extractors.normalize.annotations import from_platform as annotations_from_platform
from extractors.normalize.annotations import from_text as annotations_from_text
from extractors.normalize.prose import (add_prose_facts, annotation_review, paragraph_sentences,
                                        stated_totals)
from extractors.normalize.sizes import parse_size
from extractors.normalize.text import decode, load_json
from extractors.normalize.urls import basename, same_page

# Bounded renderings for warnings: a few items, two levels (YAML aliases can make a small
# file a huge shared structure).
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring = 2, 4, 4, 60

NAME = "croissant"
VERSION = "1.3.1"

SNIFF_LIMIT = 20_000_000       # bytes of a JSON body parsed while sniffing
EVIDENCE_MAX = 300
DESCRIPTION_MAX = 5_000
MAX_DISTRIBUTION = 10_000      # entries read from one distribution list
MAX_DATASETS = 1_000           # datasets read from one listing

SCHEMA_PREFIXES = ("", "sc:", "schema:", "https://schema.org/", "http://schema.org/", "cr:", "dct:")
# schema.org conditionsOfAccess is free text; only plain, unambiguous values are mapped.
ACCESS_VALUES = {
    "unrestricted": "open", "open": "open", "open access": "open", "public": "open",
    "restricted": "restricted", "restricted access": "restricted", "embargoed": "restricted",
    "closed": "restricted", "registration required": "gated", "login required": "gated",
}
# File digest properties (placeholders such as "sha256" or a URL are dropped by digests.py).
DIGEST_KEYS = ("sha256", "sha512", "sha1", "md5")

JSON_LD_SCRIPT = re.compile(rb"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", re.S | re.I)
DATASET_TYPE = re.compile(rb'"@type"\s*:\s*(?:\[[^\]]*?)?"(?:[\w.:/#-]*[:/#])?(?i:Dataset)"')
MICRODATA_DATASET = re.compile(rb"""itemtype\s*=\s*["']https?://schema\.org/Dataset["']""", re.I)


# ---------------------------------------------------------------------------------------------
# detection

def sniff(body: bytes, content_type: str | None) -> bool:
    """A schema.org Dataset: JSON-LD whose @context names schema.org or Croissant, or an
    HTML page with a Dataset in JSON-LD or microdata."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return len(body) <= SNIFF_LIMIT and _sniff_json(body)
    if b"<" not in head:
        return False
    return _sniff_html(body[:SNIFF_LIMIT])


CLAIMS = Claims(
    content_types=("application/ld+json", "application/json", "text/html"),
    # The generic schema.org reader: host adapters (which also see JSON-LD on their own pages)
    # and the DCAT reader (DCAT JSON-LD often types its dataset schema:Dataset too) go first.
    probe=Probe(sniff, Confidence.SCHEMA_ORG),
)


def _sniff_json(body: bytes) -> bool:
    try:
        data = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError):
        return False
    for node in _top_nodes(data):
        if "Dataset" in _types(node) and _mentions_schema_org(data, node):
            return True
    return False


def _mentions_schema_org(data, node: dict) -> bool:
    """The @context (of the node or the document) names schema.org or Croissant."""
    contexts = [node.get("@context")]
    if isinstance(data, dict):
        contexts.append(data.get("@context"))
    elif isinstance(data, list):
        contexts.extend(item.get("@context") for item in data[:5] if isinstance(item, dict))
    text = " ".join(_strings_in(contexts))
    return "schema.org" in text or "mlcommons.org/croissant" in text


def _sniff_html(body: bytes) -> bool:
    if MICRODATA_DATASET.search(body):
        return True
    return any(DATASET_TYPE.search(m.group(1)) for m in JSON_LD_SCRIPT.finditer(body))


# ---------------------------------------------------------------------------------------------
# entry point

def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        _extract_json(ex, url, load_json(body))
    elif b"<" in head:
        _extract_html(ex, url, body, content_type)
    else:
        raise ExtractionError("neither JSON-LD nor an HTML page")
    return ex


def _extract_json(ex: Extraction, url: str | None, data) -> None:
    index = _id_index(data)
    found = [(path, node) for path, node in _dataset_nodes(data) if "Dataset" in _types(node)]
    if not found:
        raise ExtractionError("no schema.org Dataset object in the JSON document")
    _read_datasets(ex, url, found, index, RANK_API)


def _read_datasets(ex: Extraction, url, found: list, index: dict, rank: int) -> None:
    if len(found) == 1:
        path, node = found[0]
        DatasetReader(ex, url, node, index, rank, path).read()
        return
    # Several datasets in one body: a catalogue or search page that describes none of them.
    ex.listing = True
    if len(found) > MAX_DATASETS:
        ex.warn(f"{len(found)} datasets listed; read the first {MAX_DATASETS}")
    for path, node in found[:MAX_DATASETS]:
        key = _record_key(node) or path
        DatasetReader(ex, url, node, index, rank, path, record=key).read()


def _record_key(node: dict) -> str | None:
    for key in ("@id", "url", "identifier", "name"):
        value = _first_text(_get(node, key))
        if value:
            return value[:500]
    return None


# ---------------------------------------------------------------------------------------------
# JSON-LD structure helpers

def _get(node: dict, key: str):
    """A property under its plain, prefixed (sc:, schema:) or full-IRI name."""
    for prefix in SCHEMA_PREFIXES:
        if prefix + key in node:
            return node[prefix + key]
    return None


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(node) -> set[str]:
    """Local names of a node's @type ("sc:Dataset", "https://schema.org/Dataset" -> "Dataset")."""
    if not isinstance(node, dict):
        return set()
    names = set()
    for value in _as_list(node.get("@type") or node.get("type")):
        if isinstance(value, str):
            name = re.split(r"[:/#]", value.strip())[-1]
            # "DataSet" (IODP and other hand-written JSON-LD) is the same type as "Dataset".
            names.add("Dataset" if name.lower() == "dataset" else name)
    return names


def _top_nodes(data) -> list[dict]:
    return [node for _, node in _dataset_nodes(data)]


def _dataset_nodes(data, path: str = "$") -> list[tuple[str, dict]]:
    """Candidate top-level nodes: the object itself, members of a list, members of @graph, and
    the mainEntity of a page node ({"@type": "WebPage", "mainEntity": {"@type": "Dataset"}})."""
    out: list[tuple[str, dict]] = []
    if isinstance(data, list):
        for i, item in enumerate(data[:MAX_DATASETS * 10]):
            if isinstance(item, dict):
                out.extend(_dataset_nodes(item, f"{path}[{i}]"))
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            for i, item in enumerate(graph[:MAX_DATASETS * 10]):
                if isinstance(item, dict):
                    out.append((f"{path}['@graph'][{i}]", item))
                    out.extend(_main_entities(item, f"{path}['@graph'][{i}]"))
        if _types(data) or not isinstance(graph, list):
            out.append((path, data))
            out.extend(_main_entities(data, path))
    return out


def _main_entities(node: dict, path: str) -> list[tuple[str, dict]]:
    if "Dataset" in _types(node):
        return []
    return [(f"{path}.mainEntity", entity) for entity in _as_list(_get(node, "mainEntity"))[:MAX_DATASETS]
            if isinstance(entity, dict) and "Dataset" in _types(entity)]


def _id_index(data) -> dict[str, dict]:
    """Top-level and @graph nodes by @id, so that {"@id": ...} references can be followed."""
    index: dict[str, dict] = {}
    for _, node in _dataset_nodes(data):
        node_id = node.get("@id")
        if isinstance(node_id, str) and len(node) > 1:
            index.setdefault(node_id, node)
    return index


def _strings_in(value, limit: int = 5_000) -> list[str]:
    """Strings (values and keys) inside a JSON value, breadth-first; at most `limit` nodes are
    visited, so a huge @context costs little."""
    out: list[str] = []
    queue = deque([value])
    visited = 0
    while queue and visited < limit:
        item = queue.popleft()
        visited += 1
        if isinstance(item, str):
            out.append(item[:1000])
        elif isinstance(item, dict):
            out.extend(k for k in list(item)[:limit] if isinstance(k, str))
            queue.extend(list(item.values())[:limit])
        elif isinstance(item, list):
            queue.extend(item[:limit])
    return out


def _text(value) -> str | None:
    """A plain string from a string, number or {"@value": ...}; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict) and "@value" in value:
        return _text(value["@value"])
    return None


def _first_text(value) -> str | None:
    for item in _as_list(value):
        text = _text(item)
        if text:
            return text
    return None


def _clip(text: str, limit: int = EVIDENCE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# one dataset node

class DatasetReader:
    """Reads one schema.org/Croissant Dataset node into facts and files."""

    def __init__(self, ex: Extraction, url: str | None, node: dict, index: dict, rank: int,
                 path: str, record: str | None = None):
        self.ex, self.url, self.node, self.index = ex, url, node, index
        self.rank, self.path, self.record = rank, path, record
        self.croissant = _is_croissant(node)

    def add(self, field: str, value, key: str, rank: int | None = None, **kw) -> None:
        evidence = key if key.startswith(("$", "json-ld", "microdata", "text:")) else f"{self.path}.{key}"
        self.ex.add(field, value, _clip(evidence), rank=rank or self.rank, record=self.record, **kw)

    def resolve(self, value):
        """Follow a bare {"@id": ...} reference to the node it names, when the body has it."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.index.get(value["@id"], value)
        return value

    def read(self) -> None:
        self.read_title()
        self.read_license()
        self.read_dates()
        self.read_version()
        self.read_doi()
        self.read_publisher()
        self.read_homepage()
        self.read_access()
        self.read_files()
        self.read_classes()
        self.read_prose()
        self.read_rai()

    # -- descriptive fields ---------------------------------------------------------------
    def read_title(self) -> None:
        title = _first_text(_get(self.node, "name"))
        if title:
            self.add("title", _clip(" ".join(title.split()), 1000), "name")
        description = self.description()
        if description:
            self.add("description", _clip(description, DESCRIPTION_MAX), "description")
        keywords = [_text(k) for k in _as_list(_get(self.node, "keywords"))]
        keywords = [k[:200] for k in keywords if k][:200]
        if len(keywords) == 1 and "," in keywords[0]:
            keywords = [k.strip() for k in keywords[0].split(",") if k.strip()]
        self.add("keywords", keywords, "keywords")

    def description(self) -> str | None:
        parts = [_text(v) for v in _as_list(_get(self.node, "description"))]
        text = "\n".join(p for p in parts if p)
        return text or None

    def read_license(self) -> None:
        seen = []
        for i, value in enumerate(_as_list(_get(self.node, "license"))):
            for candidate in _license_candidates(self.resolve(value)):
                spdx = normalize_license(candidate)
                if spdx:
                    if spdx not in seen:
                        seen.append(spdx)
                        self.add("license", spdx, f"license[{i}]: {candidate}")
                    break
            else:
                shown = _SHORT.repr(value)[:100]
                self.ex.warn(f"licence not recognised: {shown}")
        if len(seen) > 1:
            self.ex.warn(f"several licences stated: {', '.join(seen)}")
        if seen:
            allowed = commercial_use(seen[0])
            if allowed is not None:
                self.add("commercial_use", allowed, f"license ({seen[0]})")

    def read_dates(self) -> None:
        published = self.date("datePublished")
        if published:
            self.add("release_date", published, "datePublished")
        elif self.croissant:
            # Croissant producers (OpenML, HF) put the upload of this version in dateCreated;
            # the label conventions count it as the release when no datePublished is given.
            created = self.date("dateCreated")
            if created:
                self.add("release_date", created, "dateCreated")
        modified = self.date("dateModified")
        if modified:
            self.add("modified_date", modified, "dateModified")

    def date(self, key: str) -> str | None:
        raw = _first_text(_get(self.node, key))
        if not raw:
            return None
        value = parse_date(raw)
        if value is None:
            self.ex.warn(f"{key} not a date: {raw[:60]!r}")
        return value

    def read_version(self) -> None:
        value = _get(self.node, "version")
        if isinstance(value, list):
            value = value[0] if value else None
        text = _text(value)
        if text and len(text) <= 64:
            self.add("version", text, "version")

    def read_doi(self) -> None:
        # identifier is about the dataset itself; @id and sameAs only when they are DOI links.
        # citeAs/citation name papers and are never read for the dataset's DOI.
        for i, value in enumerate(_as_list(_get(self.node, "identifier"))):
            doi = _identifier_doi(value)
            if doi:
                self.add("doi", doi, f"identifier[{i}]")
                return
        for key in ("@id", "sameAs"):
            for value in _as_list(_get(self.node, key)):
                text = _text(value)
                if text and _is_doi_link(text):
                    doi = normalize_doi(text)
                    if doi:
                        self.add("doi", doi, key)
                        return

    def read_publisher(self) -> None:
        # Organisations named as publisher, provider or catalogue; a creator that is an
        # organisation (Croissant files from repositories name the host so). Persons never.
        # A catalogue named by a host path is a location more than a name: it ranks after an
        # organisation creator.
        deferred = None
        for key, organisation_only in (("publisher", False), ("provider", True),
                                       ("includedInDataCatalog", False), ("creator", True)):
            for value in _as_list(_get(self.node, key)):
                value = self.resolve(value)
                name = self.organisation_name(value, organisation_only)
                if name and key == "creator" and _looks_like_person(name, value):
                    self.ex.warn(f"creator {name[:60]!r} is typed Organization but named like a person")
                    continue
                if name and key == "includedInDataCatalog" and _is_host_path(name):
                    deferred = deferred or (name, key)
                    continue
                if name:
                    self.add("publisher", name, key)
                    return
        if deferred:
            self.add("publisher", deferred[0], deferred[1])

    def organisation_name(self, value, organisation_only: bool) -> str | None:
        if isinstance(value, str):
            return None if organisation_only or value.startswith("http") else value.strip()[:300]
        if not isinstance(value, dict):
            return None
        types = _types(value)
        if "Person" in types:
            return None
        if organisation_only and not types & ORGANISATION_TYPES:
            return None
        name = _first_text(_get(value, "name")) or _first_text(_get(value, "legalName"))
        return name[:300] if name else None

    def read_homepage(self) -> None:
        homepage = _first_text(_get(self.node, "url"))
        if homepage and homepage.startswith(("http://", "https://")) and not same_page(homepage, self.url):
            self.add("homepage", homepage, "url")

    def read_access(self) -> None:
        # isAccessibleForFree is about cost, not about who may download: never read for access.
        raw = _first_text(_get(self.node, "conditionsOfAccess"))
        if raw:
            access = ACCESS_VALUES.get(" ".join(raw.lower().split()).rstrip("."))
            if access:
                self.add("access", access, "conditionsOfAccess")

    # -- files ----------------------------------------------------------------------------
    def read_files(self) -> None:
        entries = [self.resolve(d) for d in _as_list(_get(self.node, "distribution"))]
        if len(entries) > MAX_DISTRIBUTION:
            self.ex.warn(f"{len(entries)} distribution entries; read the first {MAX_DISTRIBUTION}")
            entries = entries[:MAX_DISTRIBUTION]
        by_id = {e["@id"]: e for e in entries if isinstance(e, dict) and isinstance(e.get("@id"), str)}
        manifests = _manifest_ids(entries)
        files: list[tuple[FileEntry, str]] = []
        formats: list[str] = []
        set_sizes: list[int | None] = []    # one per downloadable FileSet
        countable = True
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                self.ex.warn(f"distribution[{i}] is not an object")
                continue
            role = _entry_role(entry, by_id)
            if role in ("member", "repository"):
                continue
            file_format = _entry_format(entry)
            if role == "file" and self.is_web_page(entry, file_format):
                continue
            if file_format:
                formats.append(file_format)
            if role == "fileset":
                countable = False   # a glob: how many files it matches is not stated
                set_sizes.append(self.content_size(entry, i))
                continue
            files.append(self.file_entry(entry, file_format, i))
        if not formats and not files:
            # A schema.org Dataset without distribution may state its format itself.
            formats = [f for f in (fmt.from_encoding_format(e) for e in _encodings(self.node)) if f]
        self.emit_files(files, formats, countable)
        self.emit_size(files, set_sizes, manifests)
        if not any(f.size_bytes for f, _ in files) and not any(set_sizes):
            self.read_dataset_size()

    def is_web_page(self, entry: dict, file_format: str | None) -> bool:
        """A link to a page one reads, not a file one downloads: HTML, or the input page or
        the dataset's own url (same_page ignores the #fragment of an anchor on it)."""
        if file_format in fmt.WEB_PAGE_FORMATS:
            return True
        link = _first_text(_get(entry, "contentUrl")) or _first_text(_get(entry, "url"))
        if not link:
            return False
        if link.startswith("#"):
            return True   # an anchor on the page the metadata came from
        absolute = _absolute(self.url, link) or link
        pages = (self.url, _first_text(_get(self.node, "url")))
        return any(same_page(absolute, page) for page in pages)

    def file_entry(self, entry: dict, file_format: str | None, i: int) -> tuple[FileEntry, str]:
        """The file and the key that identifies it (checksum, else URL, else name): the same
        file behind two URLs counts once."""
        url = _first_text(_get(entry, "contentUrl")) or _first_text(_get(entry, "url"))
        name = _first_text(_get(entry, "name"))
        if (not name or not fmt.from_filename(name)) and url and basename(url):
            name = basename(url) if fmt.from_filename(basename(url)) or not name else name
        # Croissant states `sha256` and/or `md5` (cr:md5; Kaggle writes it in base64).
        digests = merged_digest_fields((algo, _first_text(_get(entry, algo))) for algo in DIGEST_KEYS)
        digest = digests.get("sha256") or digests.get("checksum")
        key = f"sum:{digest}" if digest else f"url:{url}" if url else f"name:{name}"
        absolute = _absolute(self.url, url) if url else None
        return FileEntry(
            name=(name or url or f"distribution[{i}]")[:500],
            size_bytes=self.content_size(entry, i),
            format=file_format,
            url=absolute[:2000] if absolute else None,
            file_id=(entry.get("@id") if isinstance(entry.get("@id"), str) else None),
            **digests,
        ), key

    def content_size(self, entry: dict, i: int) -> int | None:
        raw = _get(entry, "contentSize")
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        # Numbers are bytes; strings carry their unit ("15.7M", "1120335512 B").
        text = raw if isinstance(raw, (int, float)) and not isinstance(raw, bool) else _text(raw)
        if text is None or text == "":
            return None
        parsed = parse_size(text)
        if parsed is None:
            self.ex.warn(f"distribution[{i}].contentSize not a size: {str(text)[:60]!r}")
            return None
        return parsed[0]

    def emit_files(self, files: list[tuple[FileEntry, str]], formats: list[str], countable: bool) -> None:
        unique = _dedupe(files)
        # In a listing each file carries the record (dataset) it belongs to.
        self.ex.files.extend(replace(f, record=self.record) for f in unique)
        self.add("formats", fmt.sorted_set(formats), "distribution[*].encodingFormat")
        if not unique or not countable:
            return
        self.add("file_count", len(unique), "distribution[*] (files counted)")

    def emit_size(self, files: list[tuple[FileEntry, str]], set_sizes: list[int | None],
                  manifests: set[str]) -> None:
        """The sum of the files' and downloadable FileSets' contentSize, when all state it; a
        manifest that states no size (a list of the URLs of a FileSet) does not block it."""
        sizes = [f.size_bytes for f in _dedupe(files)
                 if f.size_bytes is not None or (f.file_id or "") not in manifests]
        sizes += set_sizes
        if not sizes:
            return
        if all(s is not None for s in sizes):
            where = "distribution[*].contentSize (sum" + (", FileSets included)" if set_sizes else ")")
            self.add("size_bytes", sum(sizes), where)
        elif any(s is not None for s in sizes):
            self.ex.warn("some files state no contentSize: size_bytes not summed")

    def read_dataset_size(self) -> None:
        """schema.org `size` on the dataset itself (PANGAEA: {value 5.5, unitText "MBytes"})."""
        raw = _get(self.node, "size") or _get(self.node, "contentSize")
        unit = None
        if isinstance(raw, dict):
            unit = _text(_get(raw, "unitText")) or _text(_get(raw, "unitCode"))
            raw = _get(raw, "value")
        text = _text(raw)
        if not text:
            return
        parsed = parse_size(text, unit=unit)
        if parsed:
            self.add("size_bytes", parsed[0], f"size: {text} {unit or ''}".strip())

    # -- Croissant record sets ------------------------------------------------------------
    def read_classes(self) -> None:
        """Classes of the target field: the enumeration RecordSet its values reference."""
        record_sets = [self.resolve(r) for r in _as_list(_get(self.node, "recordSet"))]
        record_sets = [r for r in record_sets if isinstance(r, dict)]
        for record_set in record_sets:
            for field in _as_list(_get(record_set, "field")):
                if not isinstance(field, dict) or not _is_target(field):
                    continue
                ref_id = _referenced_field(field)
                count = _enumeration_size(record_sets, ref_id) if ref_id else None
                if count:
                    self.add("class_count", count, f"recordSet field {_text(field.get('@id')) or ''} -> {ref_id}")
                    return

    # -- prose ----------------------------------------------------------------------------
    def read_prose(self) -> None:
        """Counts stated in the description, then in the files' descriptions: a field found in
        one text is not read again from later ones."""
        texts = [("description", self.description())]
        for i, entry in enumerate(_as_list(_get(self.node, "distribution"))[:MAX_DISTRIBUTION]):
            if isinstance(entry, dict):
                texts.append((f"distribution[{i}].description", _first_text(_get(entry, "description"))))
        # annotation_review is read with the RAI fields (read_rai), in one fact per dataset
        done: set[str] = {"annotation_review"}
        for key, raw in texts:
            if raw:
                done |= add_prose_facts(self.ex, _prose_text(raw), f"text:{self.path}.{key}: ",
                                        record=self.record, skip=done, single_subject=True)


    # -- Croissant RAI -------------------------------------------------------------------
    def rai(self, name: str) -> str | None:
        parts = [_text(v) for v in _as_list(_rai_get(self.node, name))]
        text = "\n".join(p for p in parts if p)
        return text[:MAX_PROSE_TEXT] or None

    def read_rai(self) -> None:
        """Who annotated (the RAI annotation fields, through the shared annotations reader; a
        crowd platform named in rai:dataAnnotationPlatform is crowdsourcing) and how the labels
        were checked; then a total from the collection fields when no count was read from the
        description."""
        found: set[str] = set()
        sources = []
        for name in RAI_ANNOTATION_FIELDS:
            text = self.rai(name)
            terms = annotations_from_text(_prose_text(text)) if text else []
            if not terms and text and name == "dataAnnotationPlatform":
                terms = annotations_from_platform(text)
            if terms:
                found.update(terms)
                sources.append(f"rai:{name}")
        if found:
            self.add("annotations_creators", sorted(found), ", ".join(sources))
        self.read_review()
        if not any(f.field == "item_count" and f.record == self.record for f in self.ex.facts):
            self.read_rai_total()

    def read_review(self) -> None:
        """annotation_review, one fact: rai:annotationsPerItem above 1 is redundancy; the text
        of the RAI annotation fields and of the description goes through the shared prose
        detector (normalize/prose.annotation_review). Evidence names every field that stated a
        term; the rank is the document's when an RAI field did, text rank otherwise."""
        terms: set[str] = set()
        evidence = []
        per_item = _leading_number(self.rai("annotationsPerItem"))
        if per_item is not None and per_item > 1:
            terms.add("redundancy")
            evidence.append(f"{self.path}.rai:annotationsPerItem = {per_item:g}")
        for name in RAI_ANNOTATION_FIELDS:
            text = self.rai(name)
            found, said = annotation_review(_prose_text(text)) if text else ([], "")
            if found:
                terms.update(found)
                evidence.append(f"{self.path}.rai:{name}: {said}")
        rank = self.rank if terms else RANK_TEXT
        description = self.description()
        found, said = annotation_review(_prose_text(description)) if description else ([], "")
        if found:
            terms.update(found)
            evidence.append(f"text:{self.path}.description: {said}")
        if terms:
            self.add("annotation_review", sorted(terms), " | ".join(evidence), rank=rank)

    def read_rai_total(self) -> None:
        """One total stated with a containment verb in the collection fields ("DICES-350
        consists of 350 adversarial multi-turn conversations"); sentences about the raw data or
        a source ("sampled from an 8K conversation corpus") never count, nor do two totals."""
        totals: dict[int, tuple[str, str, str]] = {}
        for name in RAI_COLLECTION_FIELDS:
            text = self.rai(name)
            for sentence in paragraph_sentences(_prose_text(text)) if text else []:
                if _SOURCE_SENTENCE.search(sentence):
                    continue
                for count, unit, phrase in stated_totals(sentence):
                    totals.setdefault(count, (unit, phrase, name))
        if len(totals) != 1:
            return
        count, (unit, phrase, name) = next(iter(totals.items()))
        self.add("item_count", count, f"text:{self.path}.rai:{name}: {phrase}", rank=RANK_TEXT, unit=unit)
        self.add("item_unit", unit, f"text:{self.path}.rai:{name}: {phrase}", rank=RANK_TEXT)


ORGANISATION_TYPES = {"Organization", "Organisation", "DataCatalog", "ResearchOrganization",
                      "Corporation", "GovernmentOrganization", "NGO", "Consortium",
                      "EducationalOrganization", "CollegeOrUniversity", "ResearchProject"}

RAI_PREFIXES = ("rai:", "http://mlcommons.org/croissant/RAI/", "https://mlcommons.org/croissant/RAI/")
# RAI fields about who annotated the data (Croissant RAI vocabulary).
RAI_ANNOTATION_FIELDS = ("dataAnnotationPlatform", "dataAnnotationProtocol", "dataAnnotationAnalysis",
                         "annotationsPerItem", "annotatorDemographics", "machineAnnotationTools")
# RAI fields describing what was collected (dataCollectionRawData is about the source: not read).
RAI_COLLECTION_FIELDS = ("dataCollectionType", "dataCollection")
_SOURCE_SENTENCE = re.compile(r"\b(?:sampled|drawn|selected|taken|derived|extracted)\s+from\b|"
                              r"\bbased\s+on\b|\b(?:source|original|raw|input|parent)\s+"
                              r"(?:data|dataset|corpus|collection)\b|\bsubset\b", re.I)


def _leading_number(text: str | None) -> float | None:
    """The number a count field starts with ("3", "3.0", "5 annotators per item")."""
    m = re.match(r"\s*(\d{1,6}(?:\.\d+)?)(?![\d.])", text or "")
    return float(m.group(1)) if m else None


def _rai_get(node: dict, name: str):
    for prefix in RAI_PREFIXES:
        if prefix + name in node:
            return node[prefix + name]
    return None


# A creator typed Organization is a person mistyped when its name has the shape of one: two to
# four capitalised name words (initials and particles allowed), no word of an organisation's
# name, no acronym - and the organisation's own site does not carry the name ("Common Crawl"
# at commoncrawl.org, "Hugging Face" at huggingface.co are organisations).
ORGANISATION_WORDS = {
    "the", "foundation", "university", "universität", "université", "universidad", "università",
    "institute", "institut", "instituto", "istituto", "college", "school", "academy", "laboratory",
    "laboratories", "lab", "labs", "center", "centre", "program", "programme", "project",
    "consortium", "association", "society", "council", "agency", "department", "ministry",
    "office", "bureau", "service", "services", "survey", "inc", "inc.", "ltd", "ltd.", "llc",
    "gmbh", "corp", "corp.", "corporation", "company", "co.", "group", "team", "network",
    "initiative", "organization", "organisation", "museum", "library", "archive", "archives",
    "repository", "hospital", "clinic", "trust", "commission", "committee", "alliance",
    "federation", "union", "board", "authority", "government", "research", "data", "systems",
    "technologies", "technology", "partners", "collective", "community", "observatory",
    "administration", "national", "international", "open", "science", "sciences", "studio",
    "press", "media", "labs.", "ai", "ml", "nlp", "for", "of", "and", "&",
}
_NAME_PARTICLES = {"van", "von", "de", "der", "den", "da", "del", "della", "di", "du", "la", "le",
                   "bin", "al", "el", "dos", "das", "ter", "ten", "y"}
_INITIAL = re.compile(r"^[^\W\d_]\.(?:[^\W\d_]\.)*$")


def _looks_like_person(name: str, value) -> bool:
    words = name.replace(",", " ").split()
    if not 2 <= len(words) <= 4:
        return False
    if any(w.lower() in ORGANISATION_WORDS for w in words):
        return False
    for i, word in enumerate(words):
        if _INITIAL.match(word):
            continue
        if i > 0 and word in _NAME_PARTICLES:
            continue
        letters = word.replace("-", "").replace("'", "").replace("’", "")
        if not (letters.isalpha() and word[0].isupper() and not letters.isupper()):
            return False
    site = _first_text(_get(value, "url")) if isinstance(value, dict) else None
    host = (urlsplit(site).hostname or "") if site and "://" in site else ""
    squashed = "".join(ch for ch in name.lower() if ch.isalnum())
    return not (host and squashed and squashed in host.replace(".", "").replace("-", ""))


def _is_host_path(name: str) -> bool:
    """"web.example.edu/publish": a host with a path, no words of a name."""
    return not any(ch.isspace() for ch in name) and "/" in name and "." in name.split("/", 1)[0]


def _manifest_ids(entries: list) -> set[str]:
    """@ids of FileObjects that a FileSet reads line by line (lists of the FileSet's URLs)."""
    out: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        for ref in _as_list(_get(entry, "containedIn")):
            if isinstance(ref, dict) and _reads_lines(ref):
                ref_id = _container_id(ref)
                if ref_id:
                    out.add(ref_id)
    return out


def _reads_lines(ref: dict) -> bool:
    transforms = _as_list(_get(ref, "transform"))
    return any(isinstance(t, dict) and _get(t, "readLines") in (True, "true") for t in transforms)


def _container_id(ref) -> str | None:
    """{"@id": x}, "x", or Croissant 1.1 {"fileObject": {"@id": x}, "transform": ...}."""
    if isinstance(ref, str):
        return ref
    if not isinstance(ref, dict):
        return None
    if isinstance(ref.get("@id"), str):
        return ref["@id"]
    for key in ("fileObject", "fileSet"):
        inner = _get(ref, key)
        if isinstance(inner, dict) and isinstance(inner.get("@id"), str):
            return inner["@id"]
        if isinstance(inner, str):
            return inner
    return None


def _is_croissant(node: dict) -> bool:
    text = " ".join(_strings_in([_get(node, "conformsTo"), node.get("@context")]))
    return "mlcommons.org/croissant" in text


def _license_candidates(value) -> list[str]:
    """Strings to try for a licence: URL forms first (they name a licence exactly), then names."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if not isinstance(value, dict):
        return []
    out = []
    for key in ("@id", "url", "identifier", "name", "text", "alternateName"):
        text = _first_text(_get(value, key))
        if text and text not in out:
            out.append(text[:300])
    return out


def _identifier_doi(value) -> str | None:
    if isinstance(value, dict):
        kind = (_first_text(_get(value, "propertyID")) or "").lower()
        inner = _first_text(_get(value, "value")) or _first_text(_get(value, "url")) or _first_text(value.get("@id"))
        if not inner:
            return None
        if kind == "doi" or _is_doi_link(inner) or inner.lower().startswith("doi:"):
            return normalize_doi(inner)
        return None
    text = _text(value)
    return normalize_doi(text) if text else None


def _is_doi_link(text: str) -> bool:
    low = text.strip().lower()
    if low.startswith("doi:"):
        return True
    host = (urlsplit(low).hostname or "") if "://" in low else ""
    return host in ("doi.org", "dx.doi.org", "www.doi.org")


def _absolute(base: str | None, link: str) -> str | None:
    """contentUrl as a URL: relative links are relative to the metadata's own location."""
    if "://" in link:
        return link
    if base and base.startswith(("http://", "https://")):
        return urljoin(base, link)
    return None


def _encodings(entry: dict) -> list[str]:
    out = []
    for key in ("encodingFormat", "fileFormat"):
        out.extend(t for t in (_text(v) for v in _as_list(_get(entry, key))) if t)
    return out


def _is_repository(entry: dict) -> bool:
    url = _first_text(_get(entry, "contentUrl")) or ""
    return any(e.lower().startswith("git") for e in _encodings(entry)) or url.endswith(".git")


def _entry_role(entry: dict, by_id: dict) -> str:
    """'file', 'fileset' (a glob), 'member' (inside an archive) or 'repository'."""
    if _is_repository(entry):
        return "repository"
    for ref in _as_list(_get(entry, "containedIn")):
        ref_id = _container_id(ref)
        container = by_id.get(ref_id) if ref_id else None
        # A container read line by line is a list of URLs: what it lists is downloadable.
        if container is not None and isinstance(ref, dict) and _reads_lines(ref):
            continue
        # Contents of a repository are what one downloads; anything else is inside a file
        # (an archive), and so is content of a container the body does not describe.
        if container is None or not _is_repository(container):
            return "member"
    return "fileset" if "FileSet" in _types(entry) else "file"


def _entry_format(entry: dict) -> str | None:
    """The file's format: its own name or URL extension first (an ARFF file served as
    text/plain is ARFF), then the stated encodingFormat; for a FileSet its glob."""
    names = [_first_text(_get(entry, "name")), _first_text(_get(entry, "contentUrl"))]
    if "FileSet" in _types(entry):
        names = _include_patterns(_get(entry, "includes"))
        for encoding in _encodings(entry):
            found = fmt.from_encoding_format(encoding)
            if found:
                return found
    for name in names:
        found = fmt.from_filename(name) if name else None
        if found:
            return found
    for encoding in _encodings(entry):
        found = fmt.from_encoding_format(encoding)
        if found:
            return found
    return None


def _include_patterns(value) -> list[str]:
    """FileSet `includes`: a glob, a list of globs, or a list written as one string
    ("['350/*.csv']", as some generators serialise it)."""
    out = []
    for item in _as_list(value)[:50]:
        text = _text(item)
        if text:
            out += [p.strip(" '\"") for p in text.strip("[] ").split(",") if p.strip(" '\"")]
    return out


def _dedupe(files: list[tuple[FileEntry, str]]) -> list[FileEntry]:
    seen: set[str] = set()
    out = []
    for entry, key in files:
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


def _is_target(field: dict) -> bool:
    description = (_first_text(_get(field, "description")) or "").lower()
    data_types = {t for t in (_text(v) for v in _as_list(_get(field, "dataType"))) if t}
    return bool(re.search(r"\btarget\b", description)) or any(t.endswith(":Label") for t in data_types)


def _referenced_field(field: dict) -> str | None:
    """The @id in {"references": {"field": {"@id": ...}}}."""
    references = _get(field, "references")
    target = _get(references, "field") if isinstance(references, dict) else None
    ref_id = target.get("@id") if isinstance(target, dict) else None
    return ref_id if isinstance(ref_id, str) else None


def _enumeration_size(record_sets: list[dict], field_id: str) -> int | None:
    for record_set in record_sets:
        ids = {f.get("@id") for f in _as_list(_get(record_set, "field")) if isinstance(f, dict)}
        if field_id not in ids:
            continue
        rows = _as_list(_get(record_set, "data"))
        values = {json.dumps(r, sort_keys=True, default=str) for r in rows if isinstance(r, dict)}
        return len(values) or None
    return None


# ---------------------------------------------------------------------------------------------
# counts stated in prose (the rules are the shared ones in normalize/prose.py)

_URL = re.compile(r"https?://\S+")
_TAG = re.compile(r"<[^>]{0,500}>")
MAX_PROSE_TEXT = 200_000


def _prose_text(raw: str) -> str:
    """A description without markup and links (their digits are no counts)."""
    return _URL.sub(" ", _TAG.sub(" ", raw[:MAX_PROSE_TEXT]))


# ---------------------------------------------------------------------------------------------
# landing pages

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _extract_html(ex: Extraction, url: str | None, body: bytes, content_type: str | None) -> None:
    tree = _html_tree(decode(body, content_type))
    data = _extruct(ex, tree, url)
    found, index = [], {}
    for syntax in ("json-ld", "microdata"):
        for i, item in enumerate(data.get(syntax) or []):
            for path, node in _dataset_nodes(item, f"{syntax}[{i}]"):
                if "Dataset" in _types(node):
                    found.append((path, node))
            index.update({k: v for k, v in _id_index(item).items() if k not in index})
    found = _unique_datasets(found)
    if not found:
        raise ExtractionError("page has no schema.org Dataset in JSON-LD or microdata")
    _read_datasets(ex, url, found, index, RANK_EMBEDDED)
    if not ex.listing:
        _read_meta_tags(ex, data)
        _read_access_text(ex, tree)


def _html_tree(text: str):
    # lxml refuses str input that carries an XML declaration; encode with a known charset.
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        raise ExtractionError("empty page")
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, huge_tree=False,
                                  remove_comments=True)
    try:
        return lxml.html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unreadable HTML: {exc}"[:200]) from None


def _extruct(ex: Extraction, tree, url: str | None) -> dict:
    syntaxes = ["json-ld", "microdata", "opengraph", "dublincore"]
    try:
        return extruct.extract(tree, base_url=url, syntaxes=syntaxes, uniform=True)
    except Exception as exc:  # one broken JSON-LD script must not hide the rest of the page
        ex.warn(f"structured data partly unreadable: {type(exc).__name__}: {exc}"[:200])
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            JsonLdExtractor().extract_items(script, base_url=url)
        except Exception:
            script.getparent().remove(script)
    try:
        return extruct.extract(tree, base_url=url, syntaxes=syntaxes, uniform=True)
    except Exception as exc:
        raise ExtractionError(f"structured data unreadable: {type(exc).__name__}: {exc}"[:200]) from None


def _unique_datasets(found: list) -> list:
    """The same Dataset stated twice (JSON-LD and microdata) is one dataset."""
    out, seen = [], set()
    for path, node in found:
        key = _first_text(node.get("@id")) or _first_text(_get(node, "identifier")) or _first_text(_get(node, "name"))
        if key and key in seen:
            continue
        seen.add(key)
        out.append((path, node))
    if len(out) > 1 and len({_first_text(_get(n, "name")) for _, n in out}) == 1:
        return out[:1]  # microdata without @id repeating the JSON-LD dataset
    return out


def _read_meta_tags(ex: Extraction, data: dict) -> None:
    """OpenGraph and Dublin Core tags: added after the JSON-LD facts, so those win ties."""
    for item in data.get("opengraph") or []:
        if not isinstance(item, dict):
            continue
        _add_meta(ex, "title", item.get("og:title"), "meta[property=og:title]")
        _add_meta(ex, "publisher", item.get("og:site_name"), "meta[property=og:site_name]")
    for item in data.get("dublincore") or []:
        for element in item.get("elements") or [] if isinstance(item, dict) else []:
            if not isinstance(element, dict):
                continue
            name = str(element.get("name", "")).lower().removeprefix("dc.").removeprefix("dcterms.")
            content = element.get("content")
            if name == "title":
                _add_meta(ex, "title", content, f"meta[name={element.get('name')}]")
            elif name == "publisher":
                _add_meta(ex, "publisher", content, f"meta[name={element.get('name')}]")
            elif name == "identifier" and isinstance(content, str):
                doi = normalize_doi(content) if _is_doi_link(content) else None
                if doi:
                    ex.add("doi", doi, f"meta[name={element.get('name')}]", rank=RANK_EMBEDDED)


def _add_meta(ex: Extraction, field: str, value, evidence: str) -> None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str) and value.strip():
        ex.add(field, _clip(" ".join(value.split()), 1000), evidence, rank=RANK_EMBEDDED)


def _read_access_text(ex: Extraction, tree) -> None:
    """Access statements in the visible page ("File Access: Public", an "Open Access" badge).
    Contradicting statements (some files public, some restricted) give no value."""
    for node in tree.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    # itertext, not text_content: table cells and spans must not run together ("AccessPublic").
    states, evidence = page_access(" ".join(" ".join(tree.itertext()).split()))
    if len(states) == 1:
        ex.add("access", states.pop(), _clip("text: " + " | ".join(evidence)), rank=RANK_TEXT)
    elif states:
        ex.warn("page states both open and restricted access")
