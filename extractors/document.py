"""One document in, one resolved record out: the single code path of `lqs extract` and the tests.

extract_document picks the adapter (the one asked for, else registry.detect), runs it through the
registry (which turns adapter failures into Extraction.error), resolves the facts with
extractors/resolve.py (the one decision the harvest and scoring share: winners, shapes, the
item_unit rule, commercial_use from a clear licence) into the label format's fields, and
returns a plain dict ready for JSON. It never raises for bad input; only an unknown adapter name raises KeyError (a caller error, exit 2 in the CLI).
"""
from __future__ import annotations

from typing import Any

from extractors import registry, resolve
from extractors.model import Extraction, Fact
from extractors.resolve import shape  # noqa: F401  (the label format's shapes, re-exported)


def extract_document(body: bytes, url: str | None = None, adapter: str | None = None,
                     content_type: str | None = None) -> dict:
    if adapter is not None:
        registry.get(adapter)  # KeyError for an unknown name, before anything else happens
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, (bytes, bytearray, memoryview)):
        body = b""
    body = bytes(body)
    name = adapter or registry.detect(url, body, content_type)
    ex = registry.run(name, url, body, content_type)
    if ex.error:
        return {"adapter": ex.adapter, "extractor": ex.extractor, "error": ex.error,
                "warnings": list(ex.warnings)}
    try:
        return _result(ex)
    except Exception as exc:  # a resolution bug must not take a whole harvest down
        return {"adapter": ex.adapter, "extractor": ex.extractor,
                "error": f"resolution failed: {type(exc).__name__}: {exc}"[:500],
                "warnings": list(ex.warnings)}


def _result(ex: Extraction) -> dict:
    warnings = list(ex.warnings)
    groups = resolve.by_record(ex.facts)
    out: dict[str, Any] = {"adapter": ex.adapter, "extractor": ex.extractor}
    if ex.listing:
        # A listing describes no single dataset: its own record stays empty, each listed
        # record is resolved on its own, and conflicts never mix two records.
        out["record"] = {}
        out["records"] = {key: record_of(facts, warnings, key)
                          for key, facts in groups.items() if key is not None}
        conflicts = []
        for key, facts in groups.items():
            conflicts.extend({**c, "record": key} for c in resolve.conflicts(facts))
    else:
        own = groups.get(None, [])
        out["record"] = record_of(own, warnings)
        conflicts = resolve.conflicts(own)
        if len(groups) > 1:
            warnings.append("facts with a record key on a non-listing input were ignored")
    out["facts"] = [fact.to_dict() for fact in ex.facts]
    out["files"] = [entry.to_dict() for entry in ex.files]
    out["follow"] = [{"url": f.url, "kind": f.kind, "note": f.note} for f in ex.follow]
    out["warnings"] = warnings
    out["conflicts"] = conflicts
    return out


def record_of(facts: list[Fact], warnings: list[str], key: str | None = None) -> dict[str, Any]:
    """The resolved canonical record of `key` (None: the input's own dataset), every value in
    the label format's shape: resolve.resolve decides, exactly as it does for the harvest."""
    resolution = resolve.resolve(f for f in facts if f.record == key)
    warnings.extend(resolution.warnings)
    return resolution.record(key)
