"""DOIs as bare lower-case strings ("10.5281/zenodo.1239").

DOIs are case-insensitive (DOI Handbook 2.4), so lower-casing loses nothing and makes them
comparable. Accepted wrappers: https://doi.org/, http://dx.doi.org/, www.doi.org, hdl.handle.net
(a DOI is a Handle), "doi:", "DOI: ", "urn:doi:", "info:doi/", percent-encoding ("%2F").
"""
from __future__ import annotations

import re
from urllib.parse import unquote

# Prefix 10.<registrant> (4-9 digits, optionally dotted sub-registrants), "/", a suffix without
# whitespace. Quotes and angle brackets end a DOI in text (HTML attributes, <doi> tags).
_DOI_CORE = r"10\.\d{4,9}(?:\.\d+)*/[^\s\"'<>]+"
_DOI_RE = re.compile(rf"^{_DOI_CORE}$", re.I)
_FIND_RE = re.compile(rf"10\.\d{{4,9}}(?:\.\d+)*(?:/|%2F)[^\s\"'<>]+", re.I)
_WRAPPER_RE = re.compile(
    r"^(?:(?:https?://)?(?:www\.|dx\.)?(?:doi\.org|hdl\.handle\.net)/"
    r"|urn:doi:|info:doi/|doi\s*:\s*|doi\s+)",
    re.I,
)
_TRAILING = ".,;:!?"
_MAX_LEN = 500


def normalize_doi(value) -> str | None:
    """Bare lower-case DOI, or None when the value is not a DOI (or a DOI URL)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_LEN:
        return None
    for _ in range(2):   # "doi:https://doi.org/10..." happens
        text = _WRAPPER_RE.sub("", text, count=1).strip()
    if "%" in text:
        text = unquote(text)
    if re.match(r"^https?://", text, re.I):
        return None   # a URL on another host is a landing page, not a DOI
    # A DOI in a URL context ends at a query string or fragment.
    text = re.split(r"[?#]", text, maxsplit=1)[0] if "/" in text else text
    text = text.rstrip(_TRAILING)
    return text.lower() if _DOI_RE.match(text) else None


def find_doi(text) -> str | None:
    """The first DOI in free text (citation, description, HTML), trailing punctuation and an
    unbalanced closing bracket removed; None when there is none."""
    if not isinstance(text, str):
        return None
    m = _FIND_RE.search(text)
    if not m:
        return None
    return _clean_found(unquote(m.group(0)))


def _clean_found(doi: str) -> str | None:
    # Punctuation and closing brackets that end the sentence are not part of the DOI, but
    # brackets that open inside it are ("10.1016/S0140-6736(20)30183-5").
    # A query string, fragment or HTML entity ends a DOI found inside a URL or markup.
    doi = re.split(r"[?#]|&(?:amp|lt|gt|quot|#\d+);", doi, maxsplit=1)[0]
    while doi:
        last = doi[-1]
        if last in _TRAILING:
            doi = doi[:-1]
        elif last in ")]}" and doi.count(last) > doi.count({")": "(", "]": "[", "}": "{"}[last]):
            doi = doi[:-1]
        else:
            break
    return doi.lower() if _DOI_RE.match(doi) else None
