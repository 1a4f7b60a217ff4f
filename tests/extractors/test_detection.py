"""Detection from declared claims (extractors/claims.py, extractors/registry.py): every adapter
declares CLAIMS; URL claims come first unless the body is vetoed, then the highest confidence any
probe returns, ties by name, then the html fallback."""
from __future__ import annotations

import itertools
import json
import re
from types import SimpleNamespace

import pytest

from extractors import registry
from extractors.claims import Claims, Confidence, Probe
from extractors.model import Extraction

PLACEHOLDER = re.compile(r"<[^>]+>|\*")
BRACES = re.compile(r"\{([^{}]*)\}")
FILL = {"<id>": "123", "*": "app"}   # numeric ids; "*" is a subdomain or any path


def instances(pattern: str) -> list[str]:
    """Concrete URLs for a human-readable pattern: every {a,b} alternative, placeholders filled."""
    parts = BRACES.split(pattern)   # literal, alternatives, literal, ...
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    urls = []
    for combo in itertools.product(*choices):
        text = PLACEHOLDER.sub(lambda m: FILL.get(m.group(0), "x1"), "".join(combo))
        urls.append("https://" + text)
    return urls


def test_every_adapter_declares_claims_and_no_order_number():
    for name in registry.names():
        module = registry.get(name)
        assert isinstance(module.CLAIMS, Claims), name
        assert module.CLAIMS.levels, f"{name}: a probe with its levels"
        assert module.CLAIMS.description, f"{name}: the probe says what it looks for"
        assert not hasattr(module, "SNIFF_ORDER"), name
        assert bool(module.CLAIMS.urls) == bool(module.CLAIMS.match_url), name


@pytest.mark.parametrize("name", [n for n in registry.names() if registry.claims(n).urls])
def test_every_url_pattern_shown_is_claimed_by_the_code(name):
    # The patterns `lqs adapters` prints are read by people; match_url is what runs. Each shown
    # pattern, filled in, must be claimed, and by this adapter (no adapter asked earlier takes it).
    for pattern in registry.claims(name).urls:
        for url in instances(pattern):
            assert registry.claims(name).match_url(url), (pattern, url)
            assert registry.detect_url(url) == name, (pattern, url)


def test_order_is_declared_confidence_then_name():
    order = [m.NAME for m in registry.ordered()]
    keys = [(-registry.claims(n).top, n) for n in order]
    assert keys == sorted(keys)
    assert order[-1] == "html" and order.index("generic") < order.index("readme")
    # Host marks before the shared standards; DCAT before the schema.org reader.
    assert order.index("zenodo") < order.index("frictionless") < order.index("dcat") \
        < order.index("croissant") < order.index("generic")


# Bodies two readers could both claim, one per family of overlap: the narrower mark wins.
OVERLAPS = [
    # a Data Package whose text mentions a DCAT class: the descriptor's own keys decide
    ({"name": "p", "title": "P", "description": "mapped to dcat:Dataset",
      "resources": [{"path": "a.csv"}]}, "frictionless"),
    # DCAT JSON-LD that also types its dataset schema:Dataset (common in DCAT-AP exports)
    ({"@context": {"dcat": "http://www.w3.org/ns/dcat#", "schema": "http://schema.org/"},
      "@type": ["dcat:Dataset", "schema:Dataset"], "schema:name": "x"}, "dcat"),
    # a Zenodo record (host marks) that mentions DCAT
    ({"id": 7, "doi": "10.5281/zenodo.7", "metadata": {"title": "x", "notes": "dcat:Dataset"},
      "links": {"self": "https://zenodo.org/api/records/7"}}, "zenodo"),
    # plain schema.org JSON-LD: the schema.org reader before the generic one
    ({"@context": "https://schema.org/", "@type": "Dataset", "name": "x"}, "croissant"),
    ({"title": "x", "license": "CC0-1.0"}, "generic"),
]


@pytest.mark.parametrize("body,expected", OVERLAPS)
def test_the_narrower_mark_wins(body, expected):
    assert registry.detect(None, json.dumps(body).encode(), "application/json") == expected


def test_text_and_pages():
    assert registry.detect(None, b"# Readme\n\nWe use <head> tags.\n", None) == "readme"
    assert registry.detect(None, b"<html><head><title>x</title></head></html>", None) == "html"
    assert registry.detect(None, b"\x00\x01\x02binary", None) == "html"   # nobody claims: fallback


# ------------------------------------------------------------------ the rule, on made-up adapters

def _fake(name, levels_by_body, *, top=None, urls=(), match=None, accepts=None):
    def probe(body, content_type):
        if body == b"boom":
            raise ValueError("a probe that trips claims nothing")
        return levels_by_body.get(body)
    probe.levels = tuple(top or {lvl for lvl in levels_by_body.values()})
    module = SimpleNamespace(NAME=name, VERSION="1.0.0",
                             CLAIMS=Claims(urls=urls, match_url=match, accepts=accepts, probe=probe),
                             extract=lambda url, body, ct: Extraction(name, "1.0.0"))
    return module


@pytest.fixture
def fakes(monkeypatch):
    def install(*modules):
        found = {m.NAME: m for m in modules}
        found.setdefault("html", _fake("html", {}, top=(Confidence.PAGE,)))
        monkeypatch.setattr(registry, "_modules", lambda: found)
    return install


def test_highest_confidence_wins_whoever_is_asked_first(fakes):
    # alpha may be SPECIFIC (asked first) but on this body only says STRUCTURED: beta's
    # DESCRIPTOR wins. On a body alpha marks as SPECIFIC, beta is never asked.
    alpha = _fake("alpha", {b"x": Confidence.STRUCTURED, b"y": Confidence.SPECIFIC},
                  top=(Confidence.SPECIFIC, Confidence.STRUCTURED))
    beta = _fake("beta", {b"x": Confidence.DESCRIPTOR, b"y": Confidence.DESCRIPTOR})
    fakes(alpha, beta)
    assert [m.NAME for m in registry.ordered()] == ["alpha", "beta", "html"]
    assert registry.detect(None, b"x") == "beta"
    assert registry.detect(None, b"y") == "alpha"


def test_ties_go_to_the_name_sorting_first_and_failing_probes_claim_nothing(fakes):
    fakes(_fake("zeta", {b"x": Confidence.VOCABULARY}),
          _fake("eta", {b"x": Confidence.VOCABULARY}))
    assert registry.detect(None, b"x") == "eta"
    assert registry.detect(None, b"boom") == "html"


def test_url_claim_first_unless_the_body_is_vetoed(fakes):
    host = _fake("host", {}, top=(Confidence.SPECIFIC,), urls=("example.org/<id>",),
                 match=lambda url: url.startswith("https://example.org/"),
                 accepts=lambda body, ct: not body.startswith(b"<html"))
    other = _fake("other", {b"<html>": Confidence.SCHEMA_ORG, b"{}": Confidence.STRUCTURED})
    fakes(host, other)
    assert registry.detect("https://example.org/1", b"{}") == "host"   # the URL decides
    assert registry.detect("https://example.org/1", b"<html>") == "other"   # vetoed: probed
    assert registry.detect(None, b"{}") == "other"


def test_probe_made_of_a_sniff():
    def sniff(body, content_type):
        """Bodies that start with MAGIC.

        More detail."""
        return body.startswith(b"MAGIC")
    probe = Probe(sniff, Confidence.SPECIFIC)
    assert probe(b"MAGIC!", None) is Confidence.SPECIFIC and probe(b"no", None) is None
    assert probe.levels == (Confidence.SPECIFIC,) and probe.description == "Bodies that start with MAGIC."
