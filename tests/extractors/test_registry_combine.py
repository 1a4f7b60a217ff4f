"""registry.combine keeps the reader of delegated pages, as registry.run does for one page."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from extractors import registry
from extractors.adapters import croissant, huggingface
from extractors.model import Extraction

HUB_API = "https://huggingface.co/api/datasets/example-org/chat-logs"
CROISSANT_URL = "https://huggingface.co/api/datasets/example-org/chat-logs/croissant"


def croissant_page(name: str, parquet: str) -> bytes:
    return json.dumps({
        "@context": {"@vocab": "https://schema.org/", "sc": "https://schema.org/",
                     "cr": "http://mlcommons.org/croissant/"},
        "@type": "sc:Dataset", "conformsTo": "http://mlcommons.org/croissant/1.1", "name": name,
        "distribution": [{"@type": "cr:FileObject", "@id": parquet, "name": parquet,
                          "contentUrl": f"https://huggingface.co/x/{parquet}",
                          "encodingFormat": "application/x-parquet", "contentSize": "10 B"}],
    }).encode()


def delegated(name: str, parquet: str) -> Extraction:
    return registry.run("huggingface", CROISSANT_URL, croissant_page(name, parquet), "application/json")


def test_one_delegated_page_carries_the_delegate():
    part = delegated("chat-logs", "a.parquet")
    assert part.extractor == f"croissant@{croissant.VERSION}"
    # a "source" of one page merged on its own stays the same
    assert registry.combine("huggingface", [part]).extractor == part.extractor


def test_several_delegated_pages_keep_the_delegate():
    parts = [delegated("chat-logs", "a.parquet"), delegated("chat-logs", "b.parquet")]
    merged = registry.combine("huggingface", parts)
    assert merged.extractor == f"croissant@{croissant.VERSION}"
    assert [f.name for f in merged.files] == ["a.parquet", "b.parquet"]
    assert sum(f.field == "title" for f in merged.facts) == 2


def test_pages_read_by_different_adapters_carry_the_merging_adapter():
    hub = registry.run("huggingface", HUB_API, json.dumps({"id": "example-org/chat-logs",
                                                           "cardData": {"license": "mit"}}).encode(),
                       "application/json")
    assert hub.extractor == f"huggingface@{huggingface.VERSION}"
    merged = registry.combine("huggingface", [hub, delegated("chat-logs", "a.parquet")])
    assert merged.extractor == f"huggingface@{huggingface.VERSION}"
    assert {f.field for f in merged.facts} >= {"license", "title"}


def test_an_error_page_among_delegated_pages_is_a_different_reader():
    bad = registry.run("huggingface", CROISSANT_URL, b"{", "application/json")
    assert bad.error and bad.adapter == "huggingface"
    merged = registry.combine("huggingface", [delegated("chat-logs", "a.parquet"), bad])
    assert merged.adapter == "huggingface" and merged.error == bad.error


def test_the_delegates_own_combine_hook_merges_its_pages(monkeypatch):
    def inner_combine(parts):
        merged = Extraction("inner", "2.0", url=parts[0].url)
        merged.add("file_count", len(parts), "inner combine")
        return merged

    inner = SimpleNamespace(NAME="inner", VERSION="2.0", extract=None, combine=inner_combine)
    outer = SimpleNamespace(NAME="outer", VERSION="1.0", extract=None,
                            combine=lambda parts: pytest.fail("the delegating adapter merged"))
    monkeypatch.setattr(registry, "_modules", lambda: {"inner": inner, "outer": outer})
    parts = [Extraction("inner", "2.0", url="https://e.org/1"), Extraction("inner", "2.0", url="https://e.org/2")]
    merged = registry.combine("outer", parts)
    assert merged.extractor == "inner@2.0"
    assert [(f.field, f.value) for f in merged.facts] == [("file_count", 2)]


def test_an_unknown_reader_name_falls_back_to_the_named_adapter(monkeypatch):
    outer = SimpleNamespace(NAME="outer", VERSION="1.0", extract=None)
    monkeypatch.setattr(registry, "_modules", lambda: {"outer": outer})
    merged = registry.combine("outer", [Extraction("gone", "9", url="https://e.org/1")])
    assert merged.extractor == "outer@1.0"


def test_adapter_names_are_known_without_importing_the_adapters():
    # Config validation relies on module names; every adapter module must be named after NAME,
    # and extractors/adapters/ holds nothing else.
    from extractors import registry

    assert registry.module_names() == registry.names()
