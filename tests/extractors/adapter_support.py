"""Small helpers the adapter unit tests share: bodies from Python values, a run that must be
detected as the adapter under test, and views of the facts."""
from __future__ import annotations

import json

from extractors import registry, resolve
from extractors.model import Extraction


def as_body(body) -> bytes:
    """Test bodies written as dicts/lists (JSON) or str (UTF-8) as the bytes an adapter gets."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return body


def detected_run(adapter: str, body: bytes, url: str | None,
                 content_type: str | None = None) -> Extraction:
    """Detect, assert the adapter under test was chosen, run, assert no error."""
    name = registry.detect(url, body, content_type)
    assert name == adapter, f"detected {name}"
    ex = registry.run(name, url, body, content_type)
    assert ex.error is None, ex.error
    return ex


def winning_values(ex: Extraction, record: str | None = None) -> dict:
    """Winning value per field (canonical and extra fields) for one record of the input."""
    facts = [f for f in ex.facts if f.record == record]
    return {field: fact.value for field, fact in resolve.winners(facts).items()}


def resolved(ex: Extraction) -> dict:
    """The input's own resolved record, after asserting the run had no error."""
    assert ex.error is None, ex.error
    return resolve.record(ex.facts)


def field_values(ex: Extraction, field: str) -> list:
    return [f.value for f in ex.facts if f.field == field]
