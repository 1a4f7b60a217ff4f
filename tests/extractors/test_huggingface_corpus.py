"""Hugging Face adapter against the shared development corpus (../shared/corpus/huggingface):
every labelled field right and no absent-field violation, scored by the corpus's own score.py.
The corpus is read in place, never copied into the project."""
from __future__ import annotations

import pytest

from extractors import resolve
from tests.extractors.corpus_support import (CORPUS, HAS_SCORER, check_folder_scores, labels,
                                             read, rows)

KIND = "huggingface"

pytestmark = pytest.mark.skipif(
    not HAS_SCORER or not (CORPUS / KIND).is_dir(),
    reason=f"shared corpus not found at {CORPUS}; corpus score not measured")

LABELS = labels(KIND) if HAS_SCORER and (CORPUS / KIND).is_dir() else []


def predict(label: dict) -> tuple[str, dict]:
    name, ex = read(label)
    assert ex.error is None, f"{label['input']}: {ex.error}"
    return name, resolve.record(ex.facts)


def test_every_input_is_read_by_this_adapter():
    for label in LABELS:
        assert predict(label)[0] == KIND, label["input"]


def test_corpus_score_is_complete(tmp_path):
    report = check_folder_scores(KIND, {lab["input"]: predict(lab)[1] for lab in LABELS},
                                 tmp_path)
    assert len(rows(report)) == len(LABELS), report
