"""OpenML adapter against the shared development corpus (../shared/corpus/openml): every
labelled field of the inputs this adapter reads right, no absent-field violation, scored by the
corpus's own score.py. The folder also holds a Croissant file, which is the croissant adapter's:
it must not be claimed here. The corpus is read in place, never copied into the project."""
from __future__ import annotations

import pytest

from extractors import resolve
from tests.extractors.corpus_support import CORPUS, HAS_SCORER, labels, read, rows, score

KIND = "openml"

pytestmark = pytest.mark.skipif(
    not HAS_SCORER or not (CORPUS / KIND).is_dir(),
    reason=f"shared corpus not found at {CORPUS}; corpus score not measured")

LABELS = labels(KIND) if HAS_SCORER and (CORPUS / KIND).is_dir() else []


def predict(label: dict) -> tuple[str, dict]:
    name, ex = read(label)
    return name, resolve.record(ex.facts) if ex.error is None else {}


def test_openml_api_inputs_are_ours_and_croissant_is_not():
    for label in LABELS:
        name = predict(label)[0]
        if label["input"].endswith(".croissant.json"):
            assert name != KIND, label["input"]
        else:
            assert name == KIND, label["input"]


def test_corpus_score_is_complete_for_openml_inputs(tmp_path):
    predictions = {lab["input"]: predict(lab) for lab in LABELS}
    report = score(KIND, {key: record for key, (_, record) in predictions.items()}, tmp_path)
    table = rows(report)
    ours = [key for key, (name, _) in predictions.items() if name == KIND]
    assert ours, report
    for key in ours:
        expected, correct, violations = table[key]
        assert (correct, violations) == (expected, 0), f"{key}\n{report}"
