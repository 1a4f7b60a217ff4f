"""One document in, one resolved record out: the single code path of `lqs extract` and the tests.

extract_document picks the adapter (the one asked for, else registry.detect), runs it through the
registry (which turns adapter failures into Extraction.error), resolves the facts into the label
format's fields and value shapes, and returns a plain dict ready for JSON. It never raises for bad
input; only an unknown adapter name raises KeyError (a caller error, exit 2 in the CLI).
"""
from __future__ import annotations

from typing import Any

from extractors import registry, resolve
from extractors.model import CANONICAL_FIELDS, Extraction, Fact
from extractors.normalize import annotations as annotations_
from extractors.normalize import formats as formats_
from extractors.normalize.ids import normalize_doi

INT_FIELDS = {"size_bytes", "file_count", "item_count", "subject_count", "class_count"}
STR_FIELDS = {"title", "license", "release_date", "version", "publisher", "homepage",
              "item_unit", "access"}


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
    the label format's shape."""
    resolved = resolve.record(facts, key=key)   # item_unit follows the winning item_count
    out = {}
    for field in CANONICAL_FIELDS:
        if field not in resolved:
            continue
        value = shape(field, resolved[field])
        if value is None:
            warnings.append(f"{field}: value {str(resolved[field])[:80]!r} has the wrong shape; "
                            "dropped")
        else:
            out[field] = value
    return out


def shape(field: str, value: Any) -> Any:
    """The label format's shape for one field's value, or None when it cannot have it."""
    if field in INT_FIELDS:
        return _as_int(value)
    if field == "commercial_use":
        return value if isinstance(value, bool) else None
    if field == "formats":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple, set)):
            return None
        names = formats_.sorted_set(str(v).strip().upper() for v in value
                                    if isinstance(v, str) and v.strip())
        return names or None
    if field == "annotations_creators":
        return annotations_.from_values(value) or None
    if field == "doi":
        return normalize_doi(value) if isinstance(value, str) else None
    if field in STR_FIELDS:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return None
        text = " ".join(str(value).split())
        return text or None
    return value


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
