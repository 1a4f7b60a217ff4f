"""The frictionless adapter (Data Package descriptors, JSON and YAML) measured on
the shared devcorpus with its own scorer: every labelled field right, no absent violations.

The corpus is read in place (never copied into the project); the test is skipped when it is
not there.
"""
from __future__ import annotations

import pytest

from tests.extractors.corpus_support import (CORPUS, HAS_SCORER, check_folder_scores, detect,
                                             labels, predicted_record)

ADAPTER = "frictionless"
FOLDER = "frictionless"   # includes the Zenodo bucket URL: zenodo's pattern vetoes, sniffing claims

pytestmark = pytest.mark.skipif(not HAS_SCORER, reason=f"shared devcorpus not found at {CORPUS}")

LABELS = labels(FOLDER) if HAS_SCORER else []


@pytest.mark.parametrize("label", LABELS, ids=lambda label: label["input"])
def test_detected_as_this_adapter(label):
    assert detect(label) == ADAPTER


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_every_labelled_field_and_no_absent_violation(strict, tmp_path):
    assert LABELS, f"no labelled inputs for {FOLDER}"
    check_folder_scores(FOLDER, {label["input"]: predicted_record(label) for label in LABELS}, tmp_path,
                        strict)
