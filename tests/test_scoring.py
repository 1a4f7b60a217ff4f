"""LQS v1 against ../shared/docs/LQS.md: the two calibration cards, each dimension's formula and
basis ladder, and the NIH measured card (81 gold)."""
from __future__ import annotations

import math

import pytest

from config.load import load
from scoring.lqs import DIMENSIONS, Evidence, composite, round_half_up, score, tier

CFG = load().lqs


def ev(category="Medical Imaging", files=(), **facts) -> Evidence:
    """facts: field=value (measured) or field=(value, basis)."""
    rows = []
    for field, value in facts.items():
        value, basis = value if isinstance(value, tuple) else (value, "measured")
        rows.append((field, value, basis))
    return Evidence.from_rows(rows, category, files)


@pytest.mark.parametrize("dims, expected, expected_tier", [
    ((93, 93, 68, 92, 95, 52, 58), 80, "gold"),   # NIH ChestX-ray14 published card
    ((92, 93, 75, 95, 95, 71, 75), 86, "gold"),   # PubLayNet published card
])
def test_calibration_cards(dims, expected, expected_tier):
    value = composite(dict(zip(DIMENSIONS, dims)), CFG)
    assert value == expected and tier(value, CFG) == expected_tier


@pytest.mark.parametrize("value, name", [(90, "platinum"), (89, "gold"), (75, "gold"), (74, "silver"),
                                         (60, "silver"), (59, "bronze"), (0, "bronze")])
def test_tiers(value, name):
    assert tier(value, CFG) == name


def nih_evidence():
    files = [{"name": f"images_{i:03d}.tar.gz", "size_bytes": 3_700_000_000, "format": "TAR"} for i in range(12)]
    files.append({"name": "Data_Entry_2017_v2020.csv", "size_bytes": 9_003_496, "format": "CSV"})
    return ev(files=files, fill_rate=100.0, rows=112_120, columns=11, unique_ids=112_120, items_per_subject=3.64,
              item_count=112_120, item_unit="images", annotation_format="CSV", labels_per_item=1.262371,
              gini=0.46518, max_min_ratio=87.639, label_provenance=("nlp-extracted", "curated"),
              inner_format=("PNG", "curated"))


def test_nih_measured_card_is_81_gold():
    s = score(nih_evidence(), CFG)
    dims = {d.name: (d.score, d.basis) for d in s.dimensions}
    assert dims == {"completeness": (100, "measured"), "uniqueness": (90, "measured"),
                    "validation": (68, "curated"), "size_adequacy": (92, "measured"),
                    "format_compliance": (95, "curated"), "label_density": (55, "measured"),
                    "class_balance": (58, "measured")}
    assert (s.composite, s.tier, s.coverage) == (81, "gold", 1.0)
    text = {d.name: d.evidence for d in s.dimensions}
    assert text["size_adequacy"] == "112,120 images — exceeds 20,000 adequacy target for Medical Imaging."
    assert text["label_density"] == "Average 1.26 labels per item (sparse)."
    assert text["class_balance"].endswith("(Gini 0.47, max/min 88×)")
    assert text["validation"] == "Labels auto-extracted from free-text reports — typical ~90% accuracy."


def test_no_evidence_gives_defaults_and_zero_coverage():
    s = score(ev(), CFG)
    assert {d.basis for d in s.dimensions} == {"default"}
    assert s.coverage == 0
    assert all(d.evidence == "No evidence found." for d in s.dimensions)
    assert {d.name: d.score for d in s.dimensions}["completeness"] == 50


def dim(evidence, name):
    return next(d for d in score(evidence, CFG).dimensions if d.name == name)


def test_completeness_published_and_measured_precedence():
    assert dim(ev(completeness_pct=(93, "published")), "completeness").score == 93
    both = dim(ev(completeness_pct=(93, "published"), fill_rate=99.5, rows=10, columns=2), "completeness")
    assert (both.score, both.basis) == (100, "measured")  # 99.5 rounds half up


def test_uniqueness_ladder_and_duplicate_penalty():
    assert dim(ev(unique_ids=98, rows=100), "uniqueness").score == 80  # 90 - 5 * 2%
    assert dim(ev(dedup_method=("exact-hash", "published")), "uniqueness").score == 93
    assert dim(ev(unique_ids=0, rows=100), "uniqueness").score == 0  # floor 0
    assert dim(ev(), "uniqueness").score == 75


def test_validation_kappa_and_mixed_provenance():
    assert dim(ev(validation_kappa=0.8), "validation").score == 90
    padchest = ev(label_provenance_mix=({"single-expert": 0.243, "model-or-programmatic": 0.757}, "published"))
    assert dim(padchest, "validation").score == 77  # LQS.md: PadChest ≈ 77


@pytest.mark.parametrize("n, category, expected", [
    (20_000, "Medical Imaging", 85), (5_000, "Medical Imaging", 43),
    (10_000_000, "Computer Vision", 95), (1_000, "Unknown thing", round_half_up(85 * math.sqrt(1_000 / 20_000))),
])
def test_size_adequacy(n, category, expected):
    assert dim(ev(category=category, item_count=(n, "published")), "size_adequacy").score == expected


def test_tabular_target_grows_with_features():
    low = dim(ev(category="Tabular", item_count=(20_000, "published"), feature_count=(1000, "published")), "size_adequacy")
    assert low.score == round_half_up(85 * math.sqrt(20_000 / 50_000))


def test_format_compliance_archive_inner_and_annotation_average():
    files = [{"format": "ZIP", "size_bytes": 100}]
    assert dim(ev(files=files), "format_compliance").score == 85  # an archive without a declared inner format
    assert dim(ev(files=files, inner_format="DICOM"), "format_compliance").score == 95  # medical
    assert dim(ev(category="Computer Vision", files=files, inner_format="DICOM"), "format_compliance").score == 85
    mixed = dim(ev(files=[{"format": "MAT", "size_bytes": 9}], annotation_format="CSV"), "format_compliance")
    assert mixed.score == 83  # (70 + 95) / 2 = 82.5, rounded half up
    assert mixed.evidence.startswith("Common format")


@pytest.mark.parametrize("labels, expected, band", [(1.0, 52, "sparse"), (0.5, 26, "sparse"),
                                                      (3.0, 65, "moderate"), (100.0, 100, "high")])
def test_label_density(labels, expected, band):
    d = dim(ev(labels_per_item=labels), "label_density")
    assert d.score == expected and f"({band})" in d.evidence


def test_class_balance_from_published_counts():
    d = dim(ev(class_counts=({"a": 50, "b": 50}, "published")), "class_balance")
    assert (d.score, d.basis) == (100, "published") and d.evidence.startswith("Well balanced classes.")


@pytest.mark.parametrize("value", [1.7, -0.2])
def test_a_gini_outside_0_1_is_not_evidence(value):
    assert dim(ev(gini=(value, "published")), "class_balance").basis == "default"
    fallback = dim(ev(gini=(value, "published"), class_counts=({"a": 10, "b": 10}, "published")), "class_balance")
    assert (fallback.score, fallback.basis) == (100, "published")
