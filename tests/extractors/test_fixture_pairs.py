"""Paired fixtures, extruct style: every input under tests/extractors/fixtures/<kind>/ has an
`<input>.expected.json` beside it — the URL it is served from, the adapter that must read it and
the resolved record (`records` for a listing) — and `lqs extract`'s code path must give exactly
that. The inputs are written for the tests in each host's real structure; each adapter's own
tests assert the reasons behind the values, these pairs pin the whole record.

To add a source kind: one adapter, one fixture pair here, one config entry."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import registry
from extractors.document import extract_document

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAIRS = sorted(p for p in FIXTURES.rglob("*.expected.json"))


def input_of(pair: Path, expected: dict) -> Path:
    """The input beside its pair, or the project file the pair names (a demo page already in
    the tree is not copied)."""
    if "input" in expected:
        return ROOT / expected["input"]
    return pair.with_name(pair.name[: -len(".expected.json")])


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_pair(pair):
    expected = json.loads(pair.read_text(encoding="utf-8"))
    out = extract_document(input_of(pair, expected).read_bytes(), url=expected.get("url"))
    assert out.get("error") == expected.get("error")
    assert out["adapter"] == expected["adapter"]
    assert out.get("record") == expected.get("record")
    assert out.get("records") == expected.get("records")


def test_every_input_has_its_pair_and_every_adapter_a_pair():
    inputs = [p for p in FIXTURES.rglob("*") if p.is_file() and not p.name.endswith(".expected.json")]
    assert [p for p in inputs if not Path(f"{p}.expected.json").is_file()] == []
    adapters = {json.loads(p.read_text(encoding="utf-8"))["adapter"] for p in PAIRS}
    assert set(registry.names()) <= adapters
