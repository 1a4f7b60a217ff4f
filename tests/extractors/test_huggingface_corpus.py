"""Hugging Face adapter against the shared development corpus (../shared/corpus/huggingface):
every labelled field right and no absent-field violation, scored by the corpus's own score.py.
The corpus is read in place, never copied into the project."""
from __future__ import annotations

import pytest

from tests.extractors.corpus_support import (CORPUS, HAS_SCORER, check_folder_scores, detect,
                                             labels, predicted_record, rows)

KIND = "huggingface"

pytestmark = pytest.mark.skipif(
    not HAS_SCORER or not (CORPUS / KIND).is_dir(),
    reason=f"shared corpus not found at {CORPUS}; corpus score not measured")

LABELS = labels(KIND) if HAS_SCORER and (CORPUS / KIND).is_dir() else []


def test_every_input_is_read_by_this_adapter():
    for label in LABELS:
        assert detect(label) == KIND, label["input"]


def test_corpus_score_is_complete(tmp_path):
    report = check_folder_scores(KIND, {lab["input"]: predicted_record(lab) for lab in LABELS},
                                 tmp_path)
    assert len(rows(report)) == len(LABELS), report
