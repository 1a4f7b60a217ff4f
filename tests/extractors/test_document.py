"""extract_document: adapter choice, resolution into label-format records, and never raising."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.document import extract_document, record_of, shape
from extractors.model import RANK_API, RANK_TEXT, Extraction, Fact

FIXTURES = Path(__file__).parent / "fixtures"
LANDING = FIXTURES / "html" / "chestxray-landing.html"
MANIFEST = FIXTURES / "checksums" / "tfds-checksums.tsv"


def test_landing_page_result_shape():
    result = extract_document(LANDING.read_bytes(), url="https://nihcc.example.org/chestxray",
                              content_type="text/html; charset=utf-8")
    assert result["adapter"] == "html"
    assert result["extractor"] == f"html@{registry.version('html')}"
    assert result["record"]["item_count"] == 112120
    assert result["record"]["item_unit"] == "images"
    assert result["record"]["subject_count"] == 30805
    assert result["record"]["publisher"] == "NIH Clinical Center"
    assert set(result) >= {"adapter", "extractor", "record", "facts", "files", "warnings",
                           "conflicts"}
    assert all({"field", "value", "evidence", "rank", "basis"} <= set(f) for f in result["facts"])
    json.dumps(result)  # plain JSON all the way down


def test_detects_a_checksum_manifest_without_url():
    result = extract_document(MANIFEST.read_bytes(), content_type="text/plain; charset=utf-8")
    assert result["adapter"] == "checksums"
    assert result["record"] == {"size_bytes": 174450394, "file_count": 3,
                                "formats": ["GZIP", "NPZ"]}
    assert len(result["files"]) == 3 and result["files"][0]["sha256"]


def test_adapter_override_and_unknown_adapter():
    result = extract_document(LANDING.read_bytes(), adapter="checksums")
    assert result["adapter"] == "checksums"
    assert "error" in result and "record" not in result
    with pytest.raises(KeyError):
        extract_document(b"x", adapter="no-such-adapter")


@pytest.mark.parametrize("body", [b"", b"\x00\xff" * 5000, bytes(range(256)) * 100])
def test_unreadable_input_is_an_error_result(body):
    result = extract_document(body)
    assert result["adapter"] == "html"
    assert result["error"]
    assert isinstance(result["warnings"], list)


def test_str_body_and_wrong_types_do_not_raise():
    assert extract_document("# Title\n\nIt has 300 scans.", content_type="text/plain")[
        "record"] == {"title": "Title", "item_count": 300, "item_unit": "scans"}
    assert "error" in extract_document(None)


def test_truncated_fixtures_never_raise():
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and not path.name.endswith(".expected.json"):
            body = path.read_bytes()
            for cut in (1, len(body) // 3, len(body) // 2, len(body) - 1):
                result = extract_document(body[:cut])
                assert "error" in result or isinstance(result["record"], dict)


def _fake_run(extraction):
    def run(name, url, body, content_type=None):
        extraction.adapter, extraction.version, extraction.url = name, "9.9.9", url
        return extraction
    return run


def test_listing_gives_per_record_records(monkeypatch):
    ex = Extraction("html", "9.9.9", listing=True)
    ex.add("title", "First", "$.hits[0].title", record="rec/1")
    ex.add("doi", "10.5281/zenodo.1", "$.hits[0].doi", record="rec/1")
    ex.add("title", "Second", "$.hits[1].title", record="rec/2")
    ex.add("title", "Second (old)", "$.hits[1].other", record="rec/2", rank=RANK_TEXT)
    monkeypatch.setattr(registry, "run", _fake_run(ex))
    result = extract_document(b"{}", adapter="html")
    assert result["record"] == {}
    assert result["records"] == {"rec/1": {"title": "First", "doi": "10.5281/zenodo.1"},
                                 "rec/2": {"title": "Second"}}
    assert [(c["record"], c["other_value"]) for c in result["conflicts"]] == \
        [("rec/2", "Second (old)")]


def test_item_unit_follows_the_winning_count(monkeypatch):
    ex = Extraction("html", "9.9.9")
    ex.add("item_count", 5000, "prose", rank=RANK_TEXT, unit="images")
    ex.add("item_unit", "images", "prose", rank=RANK_TEXT)
    ex.add("item_count", 70000, "$.num_rows", rank=RANK_API, unit="rows")
    monkeypatch.setattr(registry, "run", _fake_run(ex))
    result = extract_document(b"x", adapter="html")
    assert result["record"] == {"item_count": 70000, "item_unit": "rows"}
    assert result["conflicts"][0]["other_value"] == 5000


@pytest.mark.parametrize("read_by, expected", [
    (None, "html@"),                      # no delegation: the module that was run
    ("croissant@7.7.7", "croissant@7.7.7"),  # a known delegate keeps its own name and version
    ("nosuchadapter@1.0", "html@"),      # an unknown name is not trusted
    ("croissant", "html@"),              # no version
    (["croissant@1"], "html@"),
])
def test_registry_keeps_a_delegated_reader(monkeypatch, read_by, expected):
    ex = Extraction("croissant", "7.7.7", meta={"read_by": read_by} if read_by else {})
    monkeypatch.setattr(registry.get("html"), "extract", lambda url, body, ctype=None: ex)
    result = registry.run("html", "https://e.org/x", b"x")
    assert result.extractor.startswith(expected) and result.url == "https://e.org/x"


def test_resolve_record_takes_item_unit_from_the_winning_count():
    facts = [Fact("item_count", 5000, unit="images", rank=RANK_TEXT),
             Fact("item_unit", "images", rank=RANK_TEXT),
             Fact("item_count", 70000, unit="rows", rank=RANK_API)]
    assert resolve.record(facts) == {"item_count": 70000, "item_unit": "rows"}
    assert resolve.record(facts, fields=["item_unit"]) == {"item_unit": "rows"}
    # A winning count without a unit leaves the item_unit facts to decide.
    no_unit = [Fact("item_count", 9, rank=RANK_API), Fact("item_unit", "scans", rank=RANK_TEXT)]
    assert resolve.record(no_unit) == {"item_count": 9, "item_unit": "scans"}
    # Per record: another record's count does not qualify this one.
    keyed = [Fact("item_count", 3, unit="rows", record="a"), Fact("item_count", 4, record="b")]
    assert resolve.record(keyed, key="b") == {"item_count": 4}


@pytest.mark.parametrize("field, value, expected", [
    ("item_count", "70000", 70000),
    ("item_count", 70000.0, 70000),
    ("item_count", True, None),
    ("item_count", -3, None),
    ("size_bytes", 1.5, None),
    ("formats", ["zip", "CSV", "zip"], ["CSV", "ZIP"]),
    ("formats", "parquet", ["PARQUET"]),
    ("formats", [], None),
    ("doi", "https://doi.org/10.5281/ZENODO.1239", "10.5281/zenodo.1239"),
    ("doi", "not a doi", None),
    ("commercial_use", "yes", None),
    ("commercial_use", False, False),
    ("title", "  Two\n words ", "Two words"),
    ("version", 1.0, "1.0"),
    ("title", {"en": "x"}, None),
])
def test_value_shapes(field, value, expected):
    assert shape(field, value) == expected


def test_wrong_shapes_are_dropped_with_a_warning():
    warnings: list[str] = []
    rec = record_of([Fact("file_count", "many"), Fact("title", "T")], warnings)
    assert rec == {"title": "T"}
    assert warnings and "file_count" in warnings[0]


# ------------------------------------------------------------------ resolve(): the one decision
def test_resolve_flags_the_winner_and_each_basis_best():
    facts = [Fact("item_count", 20, "a", rank=RANK_TEXT),
             Fact("item_count", 30, "b", rank=RANK_API),
             Fact("item_count", 31, "c", rank=RANK_API),                  # tie: written later, loses
             Fact("item_count", 40, "d", basis="curated", rank=RANK_TEXT),
             Fact("item_count", 41, "e", basis="curated", rank=RANK_API),
             Fact("item_count", 50, "f", rank=RANK_API, record="rec-1")]  # another record
    done = resolve.resolve(facts)
    assert [f.value for f, won in zip(done.facts, done.winner) if won] == [30, 50]
    assert [f.value for f, best in zip(done.facts, done.basis_best) if best] == [30, 41, 50]
    assert not any(done.derived)


def test_resolve_prefers_the_winner_as_its_basis_best_even_when_a_rank_is_higher():
    # item_unit follows the winning count, so a weaker item_unit fact can win; scoring must then
    # read that one for its basis, not the basis's highest rank.
    facts = [Fact("item_count", 10, "n", unit="images", rank=RANK_TEXT),
             Fact("item_unit", "rows", "$.unit", rank=RANK_API),
             Fact("item_unit", "images", "prose", rank=RANK_TEXT)]
    done = resolve.resolve(facts)
    assert done.record() == {"item_count": 10, "item_unit": "images"}
    assert [(f.value, w, b) for f, w, b in zip(done.facts, done.winner, done.basis_best)
            if f.field == "item_unit"] == [("rows", False, False), ("images", True, True)]


def test_resolve_derives_item_unit_from_a_count_no_item_unit_fact_states():
    # A label file's profile states a measured count in its own unit and no item_unit fact.
    facts = [Fact("item_count", 100, "rows", unit="images", basis="measured", rank=RANK_API),
             Fact("item_unit", "studies", "$.unit", rank=RANK_API)]
    done = resolve.resolve(facts)
    derived = [f for f, d in zip(done.facts, done.derived) if d]
    assert derived == [Fact("item_unit", "images", "unit of the winning item_count (rows)",
                            None, "measured", RANK_API, None)]
    assert done.record() == {"item_count": 100, "item_unit": "images"}


def test_resolve_derives_commercial_use_from_a_clear_licence_only():
    licensed = [Fact("license", "CC-BY-NC-4.0", "$.license", rank=RANK_TEXT),
                Fact("license", "CC0-1.0", "$.rights", basis="curated")]
    done = resolve.resolve(licensed)
    assert done.record() == {"license": "CC-BY-NC-4.0", "commercial_use": False}
    derived = done.facts[-1]
    assert done.derived[-1] and (derived.basis, derived.rank) == ("published", RANK_TEXT)
    assert "CC-BY-NC-4.0" in derived.evidence
    # Stated beats derived; an unclear licence derives nothing; listed records derive nothing.
    stated = licensed + [Fact("commercial_use", True, "terms", basis="curated")]
    assert resolve.resolve(stated).record()["commercial_use"] is True
    assert "commercial_use" not in resolve.resolve([Fact("license", "other")]).record()
    keyed = resolve.resolve([Fact("license", "CC0-1.0", record="r")])
    assert keyed.record("r") == {"license": "CC0-1.0"}


def test_lqs_extract_derives_commercial_use_as_the_harvest_does(monkeypatch):
    ex = Extraction("html", "9.9.9")
    ex.add("license", "CC-BY-4.0", "$.license")
    ex.add("formats", ["zip", "csv"], "$.formats")
    monkeypatch.setattr(registry, "run", _fake_run(ex))
    result = extract_document(b"x", adapter="html")
    assert result["record"] == {"license": "CC-BY-4.0", "commercial_use": True,
                                "formats": ["CSV", "ZIP"]}
    assert [f["field"] for f in result["facts"]] == ["license", "formats"]   # as the adapter said
