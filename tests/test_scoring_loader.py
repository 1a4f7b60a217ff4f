"""The fast evidence loader (scoring/run.py) against the loader it replaced: the same Evidence and
the same scores on the demo warehouse and on synthetic warehouses with history, ties, odd JSON
values and datasets with no scored fact; and the behaviour-preserving speedups of scoring/lqs.py
against their former code."""
from __future__ import annotations

import json
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from config.load import load
from scoring import lqs
from scoring.lqs import Evidence, fields, score
from scoring.run import evidence_for, score_datasets
from tests.support import refresh_demo
from warehouse.db import Warehouse

ROOT = Path(__file__).resolve().parents[1]
CFG = load().lqs


# ------------------------------------------------------------------ the former loader, verbatim
BASIS_SORT = "case basis when 'measured' then 0 when 'published' then 1 else 2 end"


def legacy_evidence_for(con, dataset_ids=None) -> dict[str, Evidence]:
    cond = "f.record is null"
    params: list = []
    if dataset_ids is not None:
        cond += " and f.dataset_id in (select unnest(?))"
        params.append(dataset_ids)
    rows = con.execute(f"""
        select f.dataset_id, f.field, f.value, f.basis, d.category
        from facts_current f join datasets d using (dataset_id)
        where {cond}
        order by f.dataset_id, {BASIS_SORT}, f.winner desc, f.rank desc
    """, params).fetchall()
    grouped: dict[str, list] = {}
    categories: dict[str, str] = {}
    for dataset_id, field, value, basis, category in rows:
        grouped.setdefault(dataset_id, []).append((field, json.loads(value) if value is not None else None, basis))
        categories[dataset_id] = category
    files = legacy_files(con, list(grouped))
    return {d: Evidence.from_rows(rows_, categories[d], files.get(d, [])) for d, rows_ in grouped.items()}


def legacy_files(con, dataset_ids):
    if not dataset_ids:
        return {}
    rows = con.execute("""
        select f.dataset_id, f.name, f.size_bytes, f.format from files f
        join latest_source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id
        where f.kind = 'file' and f.dataset_id in (select unnest(?))""", [dataset_ids]).fetchall()
    out: dict[str, list[dict]] = {}
    for dataset_id, name, size, fmt in rows:
        out.setdefault(dataset_id, []).append({"name": name, "size_bytes": size, "format": fmt})
    return out


def assert_same_evidence(con, dataset_ids=None):
    old = legacy_evidence_for(con, dataset_ids)
    new = evidence_for(con, dataset_ids, CFG)
    wanted = fields(CFG)
    assert list(new) == sorted(old)
    for dataset_id, before in old.items():
        after = new[dataset_id]
        assert after.category == before.category, dataset_id
        assert after.facts == {f: v for f, v in before.facts.items() if f in wanted}, dataset_id
        # the file names are not read by the formulas, so not loaded; the old query had no order
        key = lambda item: json.dumps(item, sort_keys=True)  # noqa: E731
        assert sorted(after.files, key=key) == sorted(
            ({"size_bytes": f["size_bytes"], "format": f["format"]} for f in before.files), key=key), dataset_id
        assert score(after, CFG) == score(before, CFG), dataset_id
    everything = evidence_for(con, dataset_ids)   # no cfg: every field
    assert {d: e.facts for d, e in everything.items()} == {d: e.facts for d, e in old.items()}
    return old, new


# ------------------------------------------------------------------ demo warehouse
@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory):
    # Two runs, the second unchanged: facts_current must pick the latest run's copies.
    _, summaries, path = refresh_demo(tmp_path_factory.mktemp("demo-wh"), runs=2)
    assert summaries[0]["sources_failed"] == 0
    return path


def test_fast_loader_gives_the_same_evidence_and_scores_on_the_demo_warehouse(demo_warehouse):
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        old, new = assert_same_evidence(con)
        assert len(new) == 21
        nih = new["nih-chestxray14"]
        assert nih.facts["fill_rate"] == {"measured": 100.0} and isinstance(nih.facts["columns"]["measured"], int)
        assert score(nih, CFG).composite == 81
        some = ["nih-chestxray14", "ham10000", "no-such-dataset"]
        assert_same_evidence(con, some)
        assert list(evidence_for(con, some, CFG)) == ["ham10000", "nih-chestxray14"]
        assert evidence_for(con, [], CFG) == {}
    finally:
        con.close()


def test_score_datasets_writes_what_it_returns(demo_warehouse, tmp_path):
    copy = tmp_path / "wh.duckdb"
    copy.write_bytes(demo_warehouse.read_bytes())
    with Warehouse(copy).writer("test") as w:
        legacy = {d: score(e, CFG) for d, e in legacy_evidence_for(w.con).items()}
        out = score_datasets(w, "score-test", CFG)
        rows = w.con.execute("select dataset_id, composite, tier, coverage, methodology_version from lqs_scores "
                             "where run_id = 'score-test' order by 1").fetchall()
        dims = w.con.execute("select dataset_id, dimension, score, basis, evidence from lqs_dimensions "
                             "where run_id = 'score-test' order by 1, 2").fetchall()
    assert out == {d: {"composite": s.composite, "tier": s.tier, "coverage": s.coverage} for d, s in legacy.items()}
    assert rows == [(d, s.composite, s.tier, s.coverage, s.methodology_version) for d, s in sorted(legacy.items())]
    assert dims == sorted((d, x.name, x.score, x.basis, x.evidence) for d, s in legacy.items() for x in s.dimensions)


# ------------------------------------------------------------------ synthetic warehouses
def test_fast_loader_on_a_synthetic_warehouse_with_history(tmp_path):
    from benchmarks.score import build

    path = tmp_path / "synthetic.duckdb"
    build(path, 400, runs=2, seed=3)
    con = duckdb.connect(str(path), read_only=True)
    try:
        _, new = assert_same_evidence(con)
        assert len(new) == 400
        assert_same_evidence(con, [f"synthetic-{n:06d}" for n in range(0, 400, 7)])
    finally:
        con.close()


def _hand_warehouse(path: Path, facts: list[tuple], files: list[tuple] = ()) -> None:
    """facts: (dataset_id, field, value, basis, rank, winner, record[, basis_best]) — basis_best
    defaults to winner; files: (dataset_id, name, size, format, kind)."""
    with Warehouse(path).writer("test") as w:
        ids = sorted({f[0] for f in facts} | {f[0] for f in files} | {"empty"})
        w.insert("datasets", [{"dataset_id": d, "name": d, "category": "Medical Imaging", "source_url": "http://x"}
                              for d in ids])
        w.insert("source_runs", [{"run_id": "r1", "dataset_id": d, "status": "ok", "finished_at": None} for d in ids])
        w.insert("facts", [{"run_id": "r1", "dataset_id": d, "field": f, "value": v, "basis": b, "rank": r,
                            "winner": win, "record": rec, "basis_best": best[0] if best else win}
                           for d, f, v, b, r, win, rec, *best in facts])
        w.insert("files", [{"run_id": "r1", "dataset_id": d, "name": n, "size_bytes": s, "format": fm, "kind": k}
                           for d, n, s, fm, k in files])


ODD_VALUES = ['1', '1.0', '-0.0', '1e-7', '12345678901234567890123', '0.1', '1.7976931348623157e308',
              '"caf\\u00e9 \\"quoted\\" \\\\ back"', '"Ω ünïcode"', 'true', 'false', 'null', '[]', '{}',
              '["CSV", "TAR", 3, null, {"a": [1, 2.5]}]', '{"a": 1, "b": {"c": [true, "x"]}}',
              '0.46518', '100.0', '87.639', '3.64']


def test_odd_json_values_decode_as_json_loads_does(tmp_path):
    path = tmp_path / "odd.duckdb"
    facts = [(f"ds-{i:02d}", "inner_format", v, "curated", 1, True, None) for i, v in enumerate(ODD_VALUES)]
    facts += [("ds-00", "fill_rate", None, "published", 1, True, None)]     # SQL NULL value
    facts += [("ds-01", "title", '"only unscored facts"', "published", 1, True, None)]
    facts += [("only-title", "title", '"x"', "published", 1, True, None)]  # no scored field at all
    facts += [("only-record", "gini", '0.5', "measured", 1, True, "rec-1")]  # only a listing's record facts
    _hand_warehouse(path, facts)
    con = duckdb.connect(str(path), read_only=True)
    try:
        old, new = assert_same_evidence(con)
        assert new["only-title"].facts == {} and "only-record" not in new and "empty" not in new
        for i, text in enumerate(ODD_VALUES):
            value = new[f"ds-{i:02d}"].facts["inner_format"]["curated"]
            assert value == json.loads(text) and type(value) is type(json.loads(text)), text
        assert new["ds-00"].facts["fill_rate"] == {"published": None}
    finally:
        con.close()


def test_scoring_reads_the_fact_resolution_flagged_per_basis(tmp_path):
    # Which fact is a basis's best is extractors/resolve.py's decision (tests/test_pipeline.py);
    # scoring takes the flagged one and decides nothing, whatever the ranks and write order say.
    path = tmp_path / "ties.duckdb"
    _hand_warehouse(path, [
        ("a", "label_provenance", '"single-expert"', "curated", 2, False, None, False),
        ("a", "label_provenance", '"nlp-extracted"', "curated", 1, False, None, True),
        ("a", "item_count", '10', "published", None, False, None, False),
        ("a", "item_count", '20', "published", 1, False, None, False),
        ("a", "item_count", '30', "published", 0, True, None, True),              # the winner
        ("a", "item_count", '40', "measured", 5, False, None, True),
        ("a", "item_count", '50', "measured", 9, False, "rec-1", True),           # another record
    ], files=[("a", "x.tar", 5, "TAR", "file"), ("a", "y.zip", 5, "ZIP", "file"),
              ("a", "imgs", None, None, "folder"), ("a", "z.csv", None, "CSV", "file")])
    con = duckdb.connect(str(path), read_only=True)
    try:
        ev = evidence_for(con, cfg=CFG)["a"]
    finally:
        con.close()
    assert ev.facts == {"label_provenance": {"curated": "nlp-extracted"},
                        "item_count": {"published": 30, "measured": 40}}
    assert ev.files == [{"size_bytes": 5, "format": "TAR"}, {"size_bytes": 5, "format": "ZIP"},
                        {"size_bytes": None, "format": "CSV"}]   # listing order: TAR wins the tie


def test_an_evidence_asked_for_a_field_it_did_not_load_raises():
    ev = Evidence({"gini": {"measured": 0.5}}, "Medical Imaging", [], frozenset({"gini"}))
    assert ev.best("gini") == (0.5, "measured")
    with pytest.raises(KeyError, match="FIELDS"):
        ev.best("item_count")
    with pytest.raises(KeyError, match="FIELDS"):
        ev.get("rows")
    # every field the formulas read is loaded: scoring an empty loaded evidence asks for nothing else
    score(Evidence({}, "Tabular", [], fields(CFG)), CFG)
    score(Evidence({}, "Medical Imaging", [{"format": "ZIP", "size_bytes": 1}], fields(CFG)), CFG)


# ------------------------------------------------------------------ lqs.py speedups vs their former code
def legacy_round_half_up(x: float) -> int:
    return int(Decimal(repr(round(x, 9))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_round_half_up_matches_the_decimal_rounding():
    rng = random.Random(11)
    values = [rng.uniform(-50, 200) for _ in range(20_000)] + [rng.uniform(0, 2e6) for _ in range(2_000)]
    values += [k / 2 for k in range(-40, 400)] + [0, 1, 999_999.5, 1_000_000.5, 10 ** 7, 2.675, 0.15 * 93 + 0.85 * 68]
    values += [k + 0.5 + d for k in range(0, 100, 7) for d in (1e-9, -1e-9, 4e-10, -4e-10, 1e-6, -1e-6, 2e-6, -2e-6)]
    values += [w * s for w in (0.15, 0.1, 0.3) for s in range(101)]
    for x in values:
        assert lqs.round_half_up(x) == legacy_round_half_up(x), x
    for bad in (float("nan"), float("inf")):
        with pytest.raises(Exception):
            lqs.round_half_up(bad)


def legacy_tier(value, cfg):
    for t in sorted(cfg["tiers"], key=lambda t: -t["min"]):
        if value >= t["min"]:
            return t["name"]
    return cfg["tiers"][-1]["name"]


@pytest.mark.parametrize("tiers", [
    CFG["tiers"],
    [{"name": "a", "min": 10}, {"name": "b", "min": 50}, {"name": "c", "min": 50}, {"name": "d", "min": 0}],
    [{"name": "x", "min": 20}, {"name": "y", "min": 40}],
])
def test_tier_matches_the_sorted_lookup(tiers):
    cfg = {"tiers": tiers}
    for value in range(-5, 105):
        assert lqs.tier(value, cfg) == legacy_tier(value, cfg)


def test_format_band_and_primary_format_match_their_former_code():
    f = CFG["format_compliance"]
    for score_ in range(0, 101):
        assert lqs._nearest_band(tuple(f["evidence"]), score_) == \
            min((int(k) for k in f["evidence"]), key=lambda k: (abs(k - score_), -k))
    files = [{"format": "ZIP", "size_bytes": 5}, {"format": "TAR", "size_bytes": 5}, {"format": None, "size_bytes": 9},
             {"format": "PNG", "size_bytes": 0}, {"format": "TAR", "size_bytes": "3"}]
    ev = Evidence({}, "Computer Vision", files)
    assert lqs._primary_format(ev, f) == ("TAR", "published")
    assert lqs._primary_format(Evidence({}, "Computer Vision", files[:2]), f) == ("ZIP", "published")


def legacy_num(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except (TypeError, ValueError):
        return None


def test_num_matches_its_former_code():
    import numpy as np

    for value in [1, 1.5, True, False, None, "1,234", "x", "nan", b"12", [1], {}, -0.0, 10 ** 30,
                  np.float64(2.5), np.int64(3), np.bool_(True)]:
        new, old = lqs._num(value), legacy_num(value)
        assert type(new) is type(old) and (new == old or (new != new and old != old)), value


def test_dimension_is_still_a_frozen_dataclass():
    import dataclasses

    d = lqs.Dimension("completeness", 90, "measured", "text")
    assert d == lqs.Dimension(name="completeness", score=90, basis="measured", evidence="text")
    assert hash(d) == hash(lqs.Dimension("completeness", 90, "measured", "text"))
    assert dataclasses.asdict(d) == {"name": "completeness", "score": 90, "basis": "measured", "evidence": "text"}
    assert repr(d) == "Dimension(name='completeness', score=90, basis='measured', evidence='text')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.score = 1
