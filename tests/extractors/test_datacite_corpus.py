"""DataCite adapter against the shared development corpus (../shared/corpus/datacite), scored with
the corpus's own score.py: every labelled field right and no absent-field violations. The
corpus is read in place, never copied into the project."""
from __future__ import annotations

import pytest

from tests.extractors.corpus_support import (CORPUS, check_folder_scores, detect, labels,
                                             other_inputs, predicted_record, read)

KIND = "datacite"

pytestmark = pytest.mark.skipif(not (CORPUS / KIND).is_dir(),
                                reason=f"shared corpus not found at {CORPUS}")

LABELS = labels(KIND) if (CORPUS / KIND).is_dir() else []


@pytest.mark.parametrize("label", LABELS, ids=lambda label: label["input"].split("/")[-1])
def test_each_input_is_read_by_this_adapter(label):
    _, ex = read(label)
    assert ex.adapter == KIND and ex.error is None, ex.error


def test_corpus_score(tmp_path):
    check_folder_scores(KIND, {label["input"]: predicted_record(label) for label in LABELS},
                        tmp_path)


def test_no_other_corpus_input_is_claimed_by_this_adapter():
    # Content sniffing must not take bodies of other kinds (Zenodo records with DataCite-ish
    # fields, Croissant, Data Packages ...).
    for label in other_inputs(KIND):
        assert detect(label) != KIND, label["input"]
