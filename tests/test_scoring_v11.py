"""LQS v1.1 (../shared/docs/LQS.md, sections marked v1.1) in scoring/lqs.py with config/lqs.toml:
host missing-value statistics, annotations_creators on the validation ladder, class balance from
a class-share estimate, published label density, rated vs provisional (unrated), evidence gaps;
and config/lqs-1.toml still computing the v1 scores exactly as v1 did."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from config.load import load
from scoring.lqs import FIELDS, Evidence, fields, score
from tests.test_scoring import nih_evidence

ROOT = Path(__file__).resolve().parents[1]
CFG = load().lqs
V1 = tomllib.loads((ROOT / "config" / "lqs-1.toml").read_text(encoding="utf-8"))


def ev(category="Medical Imaging", files=(), **facts) -> Evidence:
    """facts: field=value (published) or field=(value, basis)."""
    rows = []
    for name, value in facts.items():
        value, basis = value if isinstance(value, tuple) else (value, "published")
        rows.append((name, value, basis))
    return Evidence.from_rows(rows, category, files)


def dim(evidence, name, cfg=CFG):
    return next(d for d in score(evidence, cfg).dimensions if d.name == name)


def test_the_methodology_is_v11_with_its_threshold():
    assert CFG["methodology_version"] == "1.1" and V1["methodology_version"] == "1"
    assert CFG["min_rated_dimensions"] == 4 and CFG["provisional_tier"] == "unrated"
    assert {"missing_values", "annotations_creators", "annotation_review", "class_share_estimate"} <= FIELDS
    assert {"missing_values", "annotations_creators", "annotation_review", "class_share_estimate"} <= fields(CFG)


# ------------------------------------------------------------------ completeness from host statistics
HUB = {"pct": 0.0, "columns": 2, "rows": None, "split": "train", "source": "Hub statistics"}
IRIS = {"pct": 0, "columns": 5, "rows": 150, "split": None, "source": "OpenML qualities"}


@pytest.mark.parametrize("value, expected, text", [
    (HUB, 100, "Hub statistics: 0.0% missing values in 2 label columns (train split)."),
    ({**HUB, "pct": 1.25, "columns": 1, "split": "validation"}, 99,
     "Hub statistics: 1.2% missing values in 1 label column (validation split)."),
    (IRIS, 100, "OpenML qualities: 0% missing values (150 instances x 5 features)."),
    # credit-g style: 1,000 instances x 21 features, 2.5% missing -> 97.5 rounds half up
    ({**IRIS, "pct": 2.5, "columns": 21, "rows": 1000}, 98,
     "OpenML qualities: 2.5% missing values (1,000 instances x 21 features)."),
    ({"pct": 10, "columns": 3, "source": "Zenodo statistics"}, 90, "Zenodo statistics: 10% missing values in 3 columns."),
])
def test_completeness_from_published_missing_values(value, expected, text):
    d = dim(ev(missing_values=value), "completeness")
    assert (d.score, d.basis, d.evidence) == (expected, "published", text)


def test_completeness_precedence_measured_then_stated_then_missing_values():
    stated = dim(ev(missing_values={**HUB, "pct": 20}, completeness_pct=(93, "curated")), "completeness")
    assert (stated.score, stated.basis) == (93, "curated")
    measured = dim(ev(missing_values=HUB, fill_rate=(97.0, "measured"), rows=(10, "measured"),
                      columns=(2, "measured")), "completeness")
    assert (measured.score, measured.basis) == (97, "measured")


@pytest.mark.parametrize("value", [{"pct": 120, "columns": 1}, {"pct": -1}, {"columns": 2}, "0.0%", None])
def test_broken_missing_value_statements_are_no_evidence(value):
    assert dim(ev(missing_values=value), "completeness").basis == "default"


def test_a_curated_missing_values_is_not_read():
    # the contract makes it a host statistic: published only
    assert dim(ev(missing_values=(HUB, "curated")), "completeness").basis == "default"


# ------------------------------------------------------------------ validation from annotations_creators
@pytest.mark.parametrize("creators, review, expected", [
    (["expert-generated"], None, 85),
    (["expert-generated"], ["multiple-readers"], 92),
    (["expert-generated"], ["adjudication", "redundancy"], 92),
    (["expert-generated"], ["redundancy"], 85),          # redundancy is a crowd's review, not an expert's
    (["crowdsourced"], None, 60),
    (["crowdsourced"], ["gold-questions"], 82),
    (["crowdsourced"], ["redundancy"], 82),
    (["crowdsourced"], ["authoritative-source"], 60),
    (["machine-generated"], None, 55),
    (["machine-generated"], ["authoritative-source"], 75),
    (["found"], None, 60),
    (["found"], ["adjudication"], 60),                   # found has no reviewed score
    (["other"], None, 40),
    (["crowdsourced", "expert-generated"], ["multiple-readers"], 60),   # several: the lowest
    (["expert-generated", "machine-generated"], ["authoritative-source"], 75),
    (["expert-generated", "no-annotation"], None, 85),   # no-annotation next to a real term: the term
])
def test_annotations_creators_map_onto_the_ladder(creators, review, expected):
    facts = {"annotations_creators": creators}
    if review is not None:
        facts["annotation_review"] = review
    d = dim(ev(**facts), "validation")
    assert (d.score, d.basis) == (expected, "published")


def test_annotations_creators_evidence_says_what_the_card_states():
    other = dim(ev(annotations_creators=["other"]), "validation")
    assert '"other"' in other.evidence
    several = dim(ev(annotations_creators=["crowdsourced", "expert-generated"]), "validation")
    assert several.evidence.startswith("The card states crowdsourced labels")
    assert "lowest counts" in several.evidence and "crowdsourced, expert-generated" in several.evidence
    reviewed = dim(ev(annotations_creators=["expert-generated"], annotation_review=["adjudication", "multiple-readers"]),
                   "validation")
    assert "adjudication and multiple readers" in reviewed.evidence


def test_no_annotation_leaves_validation_at_its_default_and_says_why():
    d = dim(ev(annotations_creators=["no-annotation"]), "validation")
    assert (d.score, d.basis) == (40, "default")
    assert "no-annotation" in d.evidence and "no labels to trust" in d.evidence
    assert d.gap == CFG["gaps"]["no_labels"]
    plain = dim(ev(), "validation")
    assert plain.gap == CFG["gaps"]["validation"] == \
        "no label provenance: add annotations_creators or a curated label_provenance"


def test_validation_precedence_around_annotations_creators():
    # a published label_provenance > annotations_creators > a curated label_provenance
    both = ev(annotations_creators=["crowdsourced"], label_provenance="nlp-extracted")
    assert (dim(both, "validation").score, dim(both, "validation").basis) == (68, "published")
    card_first = ev(annotations_creators=["crowdsourced"], label_provenance=("single-expert", "curated"))
    assert (dim(card_first, "validation").score, dim(card_first, "validation").basis) == (60, "published")
    only_curated = ev(annotations_creators=["no-annotation"], label_provenance=("single-expert", "curated"))
    assert (dim(only_curated, "validation").score, dim(only_curated, "validation").basis) == (85, "curated")
    kappa = ev(annotations_creators=["crowdsourced"], validation_kappa=(0.6, "measured"))
    assert dim(kappa, "validation").score == 80


# ------------------------------------------------------------------ class balance estimate, density
def test_class_balance_from_a_share_estimate_two_classes():
    # OpenML diabetes style: 2 classes, 65.1% / 34.9% -> Gini 0.151 -> 100 - 13.59 = 86
    d = dim(ev(class_share_estimate={"classes": 2, "majority_pct": 65.1, "minority_pct": 34.9}), "class_balance")
    assert (d.score, d.basis) == (86, "published")
    assert "estimated Gini 0.15" in d.evidence and "estimate" in d.evidence and "max/min 2×" in d.evidence


def test_class_balance_from_a_share_estimate_the_others_share_the_rest_evenly():
    # 3 classes: 50% / 20%, the third 30% -> shares 20, 30, 50: Gini 60 / 300 = 0.2 -> 82
    d = dim(ev(class_share_estimate={"classes": 3, "majority_pct": 50, "minority_pct": 20}), "class_balance")
    assert d.score == 82 and "of 3 classes" in d.evidence and "estimated Gini 0.20" in d.evidence
    even = dim(ev(class_share_estimate={"classes": 3, "majority_pct": 33.3333, "minority_pct": 33.3333}),
               "class_balance")
    assert even.score == 100


@pytest.mark.parametrize("value", [
    {"classes": 4, "majority_pct": 40, "minority_pct": 30},   # the other two would be 15% < the minority
    {"classes": 2, "majority_pct": 70, "minority_pct": 20},   # does not add up to 100
    {"classes": 1, "majority_pct": 100, "minority_pct": 100},
    {"classes": 3, "majority_pct": 20, "minority_pct": 50},   # minority above majority
    {"classes": 2.5, "majority_pct": 60, "minority_pct": 40},
    {"majority_pct": 60, "minority_pct": 40},
])
def test_inconsistent_share_estimates_are_no_evidence(value):
    assert dim(ev(class_share_estimate=value), "class_balance").basis == "default"


def test_a_class_distribution_beats_the_estimate():
    d = dim(ev(class_share_estimate={"classes": 2, "majority_pct": 90, "minority_pct": 10},
               class_counts={"a": 50, "b": 50}), "class_balance")
    assert d.score == 100 and "estimate" not in d.evidence


def test_published_label_density_scores_like_a_measured_one():
    single = dim(ev(labels_per_item=1.0), "label_density")
    assert (single.score, single.basis) == (52, "published")
    assert single.evidence == "Published: average 1.00 labels per item (sparse)."
    multi = dim(ev(labels_per_item=2.7), "label_density")      # Hub list-of-ClassLabel mean length
    assert multi.score == 64 and "(moderate)" in multi.evidence


# ------------------------------------------------------------------ rated or provisional
FOUR = {"item_count": 20_000, "labels_per_item": 1.0, "annotations_creators": ["expert-generated"]}


def test_three_evidenced_dimensions_are_provisional_and_unrated():
    s = score(ev(**FOUR), CFG)
    assert (s.evidenced, s.status, s.tier) == (3, "provisional", "unrated")
    assert s.coverage == round(3 / 7, 4) and 0 < s.composite < 100
    assert [d.gap for d in s.dimensions if d.basis == "default"] == [
        CFG["gaps"][name] for name in ("completeness", "uniqueness", "format_compliance", "class_balance")]
    assert all(d.gap is None for d in s.dimensions if d.basis != "default")


def test_four_evidenced_dimensions_are_rated_with_a_tier():
    s = score(ev(**FOUR, missing_values=HUB), CFG)
    assert (s.evidenced, s.status) == (4, "rated")
    assert s.tier in ("platinum", "gold", "silver", "bronze") and s.tier == _tier(s.composite)
    # a second input: four other dimensions (Tabular, OpenML style)
    tabular = score(ev(category="Tabular", item_count=768, feature_count=9, class_counts={"a": 500, "b": 268},
                       missing_values={**IRIS, "rows": 768, "columns": 9},
                       files=[{"format": "ARFF", "size_bytes": 40_000}]), CFG)
    assert (tabular.evidenced, tabular.status) == (4, "rated")


def _tier(value):
    from scoring.lqs import tier

    return tier(value, CFG)


def test_nothing_evidenced_is_provisional():
    s = score(ev(), CFG)
    assert (s.evidenced, s.status, s.tier, s.composite) == (0, "provisional", "unrated", 55)


# ------------------------------------------------------------------ v1 stays reproducible
def test_the_v1_file_reproduces_the_v1_nih_score():
    s = score(nih_evidence(), V1)
    assert (s.composite, s.tier, s.coverage, s.methodology_version) == (81, "gold", 1.0, "1")
    assert [(d.name, d.score, d.basis) for d in s.dimensions] == [
        ("completeness", 100, "measured"), ("uniqueness", 90, "measured"), ("validation", 68, "curated"),
        ("size_adequacy", 92, "measured"), ("format_compliance", 95, "curated"),
        ("label_density", 55, "measured"), ("class_balance", 58, "measured")]
    assert (s.status, s.evidenced) == ("rated", 7)
    # and under v1.1 the same evidence gives the same score
    new = score(nih_evidence(), CFG)
    assert (new.composite, new.tier, new.status, new.methodology_version) == (81, "gold", "rated", "1.1")
    assert new.dimensions == s.dimensions


def test_v1_reads_none_of_the_v11_inputs_and_rates_everything():
    thin = ev(**FOUR, missing_values=HUB, class_share_estimate={"classes": 2, "majority_pct": 60, "minority_pct": 40})
    s = score(thin, V1)
    assert {d.name: d.basis for d in s.dimensions} == {
        "completeness": "default", "uniqueness": "default", "validation": "default",
        "size_adequacy": "published", "format_compliance": "default", "label_density": "published",
        "class_balance": "default"}
    assert (s.composite, s.status, s.tier) == (61, "rated", "silver")   # v1: a tier whatever the evidence
    assert (score(thin, CFG).evidenced, score(ev(**FOUR), V1).evidenced) == (5, 2)   # v1.1 reads them
    assert all(d.gap is None for d in s.dimensions)                      # v1 had no gap texts
