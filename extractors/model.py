"""The typed records every extractor returns.

A Fact is one claim about a dataset (one canonical field, one value) with where it came from.
An Extraction is everything one adapter read from one (url, body): facts, the file manifest,
further URLs the flow should fetch, warnings, and a fatal error if the input was unreadable.
Nothing here does I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Canonical fields and value shapes of the label format (../shared/corpus/README.md).
CANONICAL_FIELDS = (
    "title", "license", "commercial_use", "release_date", "doi", "version", "publisher",
    "homepage", "size_bytes", "file_count", "formats", "item_count", "item_unit",
    "subject_count", "class_count", "access", "annotations_creators",
)
# Further fields the pipeline records (label statistics, curation, dates kept apart).
EXTRA_FIELDS = (
    "modified_date", "description", "keywords", "label_provenance", "inner_format",
    "annotation_format", "completeness_pct", "dedup_method", "rows", "unique_ids",
    "duplicate_ids", "columns", "column_fill", "fill_rate", "classes", "class_counts",
    "background_class", "background_count", "labels_per_item", "labels_per_item_positive",
    "gini", "max_min_ratio", "items_per_subject", "validation_kappa", "feature_count",
    "extraction_error", "maintainer",
    "missing_values", "class_share_estimate", "annotation_review",   # LQS v1.1 (issue 13)
)
KNOWN_FIELDS = frozenset(CANONICAL_FIELDS + EXTRA_FIELDS)

BASES = ("measured", "published", "curated")   # the one order of evidence, strongest first

# Precedence of the kind of place a fact was read from (higher wins within one basis).
RANK_API = 3        # a structured API field (REST JSON, XML schema element)
RANK_EMBEDDED = 2   # structured data embedded in a page (JSON-LD, microdata, meta tags, YAML)
RANK_TEXT = 1       # a pattern matched in free text
RANK_GENERIC = 0    # read by the generic fallback readers (a shared key name, not a known schema):
                    # below every dedicated adapter's fact, whatever its kind of place


def _shallow_dict(obj) -> dict:
    """The set fields of a dataclass, in declaration order. Shallow on purpose: asdict() deep-copies
    every value and was a third of a refresh's CPU on pages that list thousands of files."""
    return {name: value for name in obj.__dataclass_fields__
            if (value := getattr(obj, name)) is not None}


@dataclass(frozen=True)
class Fact:
    field: str
    value: Any
    evidence: str = ""
    unit: str | None = None
    basis: str = "published"
    rank: int = RANK_API
    # For inputs that describe several datasets (a search response, a DCAT catalog):
    # the key of the record this fact belongs to. None = the input's own dataset.
    record: str | None = None

    def to_dict(self) -> dict:
        return _shallow_dict(self)


@dataclass(frozen=True)
class FileEntry:
    name: str
    size_bytes: int | None = None
    format: str | None = None
    url: str | None = None
    file_id: str | None = None
    folder: str | None = None
    sha256: str | None = None
    kind: str = "file"          # "file" or "folder" (a folder not yet expanded)
    file_count: int | None = None  # for folders: files inside, when stated
    record: str | None = None      # for listings: the record the file belongs to
    # Any other digest as "<algorithm>:<hex>" ("md5:…", "sha1:…", "sha512:…"); a SHA-256 goes
    # to sha256. Last, so positional construction and to_dict()'s key order stay as they were.
    checksum: str | None = None

    def to_dict(self) -> dict:
        return _shallow_dict(self)


@dataclass(frozen=True)
class Follow:
    """A URL the flow should fetch next. kind: 'page' (same adapter, more of this listing: the
    source fails without it), 'folder' (a subfolder's own page), 'evidence' (a host's statistics
    about the dataset, read with the same adapter; missing, it is only a warning), 'annotations'
    (a label file to profile)."""
    url: str
    kind: str = "page"
    note: str = ""


@dataclass
class Extraction:
    adapter: str
    version: str
    url: str | None = None
    facts: list[Fact] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)
    follow: list[Follow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    listing: bool = False   # the input lists many datasets and describes none itself
    # Adapter-private state that combine() needs (e.g. which folder a page showed); not stored.
    meta: dict = field(default_factory=dict)

    @property
    def extractor(self) -> str:
        return f"{self.adapter}@{self.version}"

    def add(self, field_: str, value: Any, evidence: str = "", **kw) -> None:
        """Add a fact unless the value is empty (None, '', [], {})."""
        if value is None or value == "" or value == [] or value == {}:
            return
        self.facts.append(Fact(field_, value, evidence, **kw))

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def concat(adapter: str, version: str, parts: list[Extraction]) -> Extraction:
    """The pages of one source read by one adapter, as one extraction: their facts, files and
    warnings in page order; listing when any page is one; the first error."""
    merged = Extraction(adapter, version, url=parts[0].url if parts else None)
    for part in parts:
        merged.facts.extend(part.facts)
        merged.files.extend(part.files)
        merged.warnings.extend(part.warnings)
        merged.listing = merged.listing or part.listing
        merged.error = merged.error or part.error
    return merged


class ExtractionError(Exception):
    """Raised inside an adapter for input it cannot read; the registry turns it into
    Extraction.error so nothing past the registry ever raises."""
