"""The croissant adapter (Croissant files and schema.org Datasets in landing pages) measured on
the shared devcorpus with its own scorer: every labelled field right, no absent violations.

The corpus is read in place (never copied into the project); the test is skipped when it is
not there.
"""
from __future__ import annotations

import pytest

from tests.extractors.corpus_support import (CORPUS, HAS_SCORER, check_folder_scores, detect,
                                             labels, predicted_record)

ADAPTER = "croissant"
# folder -> inputs of this adapter in it (None: all of the folder's labelled inputs)
INPUTS: dict[str, list[str] | None] = {
    "croissant": None,
    "kaggle": None,
    "openml": ["openml/openml-180-covertype.croissant.json"],
    "dataverse": None,
    "pangaea": None,
}

pytestmark = pytest.mark.skipif(not HAS_SCORER, reason=f"shared devcorpus not found at {CORPUS}")

LABELS = [label for folder, only in INPUTS.items() for label in labels(folder, only)] \
    if HAS_SCORER else []


@pytest.mark.parametrize("label", LABELS, ids=lambda label: label["input"])
def test_detected_as_this_adapter(label):
    assert detect(label) == ADAPTER


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("folder", list(INPUTS))
def test_every_labelled_field_and_no_absent_violation(folder, strict, tmp_path):
    folder_labels = [label for label in LABELS if label["input"].startswith(folder + "/")]
    assert folder_labels, f"no labelled inputs for {folder}"
    check_folder_scores(folder, {label["input"]: predicted_record(label) for label in folder_labels},
                        tmp_path, strict, whole_folder=INPUTS[folder] is None)
