"""What an adapter recognises, declared in one place: its `CLAIMS`.

Every adapter module sets `CLAIMS = Claims(...)`:
  urls           human-readable URL patterns it claims ("zenodo.org/records/<id>"); `lqs adapters`
                 shows them and a test checks that match_url claims each one
  match_url      (url) -> bool, the code of those patterns
  accepts        (body, content_type) -> bool, the content check of a URL claim: a claimed URL
                 that serves something else (an HTML error page, a CSV in a record's bucket) is
                 vetoed and the body is probed like any other
  content_types  the media types the adapter reads, for people and `lqs adapters`; they do not
                 decide: servers send application/json, text/plain or octet-stream for every kind
                 (a probe may still read the type, as generic and readme do)
  probe          (body, content_type) -> Confidence | None: a cheap look at the body, answering
                 how sure it is that the body is this adapter's kind (None: not ours)

The registry (extractors/registry.py) decides from these alone: a URL claim first (unless
accepts() vetoes it), else the highest Confidence any probe returns, ties going to the adapter
whose NAME sorts first, else the html fallback.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Callable, Optional

Sniff = Callable[[bytes, Optional[str]], bool]


class Confidence(IntEnum):
    """How specific the mark a probe found is; the higher level wins. Each level says which
    kind of mark it stands for, so where two readers could both claim a body, the one whose
    mark is narrower reads it."""

    # any HTML page: what the html reader (also the fallback) takes
    PAGE = 1
    # any prose text (Markdown, reStructuredText, plain text)
    TEXT = 2
    # any JSON, YAML, XML or BibTeX document: read by shared key names
    STRUCTURED = 3
    # a schema.org Dataset (Croissant included): the vocabulary that landing pages and other
    # standards' documents also embed, so every more specific reader goes first
    SCHEMA_ORG = 4
    # lines that are (almost) all file digests: a checksum list, known by its shape alone
    MANIFEST = 5
    # a dataset or catalogue typed in a standard catalogue vocabulary's namespace (DCAT)
    VOCABULARY = 6
    # a standard's own descriptor, known by the keys that standard defines (a Data Package)
    DESCRIPTOR = 7
    # a mark only one source kind uses: a host API's response shape or XML namespace, a host's
    # page marker or site name
    SPECIFIC = 8

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    Confidence.PAGE: "any HTML page",
    Confidence.TEXT: "any prose text",
    Confidence.STRUCTURED: "any JSON, YAML, XML or BibTeX document",
    Confidence.SCHEMA_ORG: "a schema.org Dataset (Croissant included)",
    Confidence.MANIFEST: "lines that are file digests",
    Confidence.VOCABULARY: "a dataset typed in a standard catalogue vocabulary",
    Confidence.DESCRIPTOR: "a standard's own descriptor, by its keys",
    Confidence.SPECIFIC: "a mark only this source kind uses",
}


@dataclass(frozen=True)
class Probe:
    """A probe made of a yes/no sniff: `level` when the sniff says yes, else None. The sniff's
    docstring (first paragraph) describes it in `lqs adapters`."""

    sniff: Sniff
    level: Confidence

    def __call__(self, body: bytes, content_type: str | None) -> Confidence | None:
        return self.level if self.sniff(body, content_type) else None

    @property
    def levels(self) -> tuple[Confidence, ...]:
        return (self.level,)

    @property
    def description(self) -> str:
        return summary(self.sniff.__doc__)


@dataclass(frozen=True)
class Claims:
    urls: tuple[str, ...] = ()
    match_url: Optional[Callable[[str], bool]] = None
    accepts: Optional[Sniff] = None
    content_types: tuple[str, ...] = ()
    probe: Optional[Callable[[bytes, Optional[str]], Optional[Confidence]]] = None

    @property
    def levels(self) -> tuple[Confidence, ...]:
        """Every level the probe may return, highest first (a plain function probe declares
        them as its `levels` attribute)."""
        return tuple(sorted(getattr(self.probe, "levels", ()), reverse=True))

    @property
    def top(self) -> Confidence | None:
        """The highest level the probe may return: where the registry asks this adapter."""
        levels = self.levels
        return levels[0] if levels else None

    @property
    def description(self) -> str:
        probe = self.probe
        if probe is None:
            return ""
        return getattr(probe, "description", None) or summary(probe.__doc__)


def summary(doc: str | None) -> str:
    """The first paragraph of a docstring, on one line."""
    if not doc:
        return ""
    paragraph = doc.strip().split("\n\n")[0]
    return " ".join(line.strip() for line in paragraph.splitlines())
