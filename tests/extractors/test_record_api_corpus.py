"""The Zenodo and DataCite adapters against the shared development corpus (../shared/corpus/<kind>),
scored with the corpus's own score.py: every labelled field right and no absent-field violations.
The corpus is read in place, never copied into the project."""
from __future__ import annotations

import json

import pytest

from tests.extractors.corpus_support import (CORPUS, check_folder_scores, detect, labels,
                                             other_inputs, predicted_record, read)

KINDS = ("zenodo", "datacite")

pytestmark = pytest.mark.skipif(not all((CORPUS / kind).is_dir() for kind in KINDS),
                                reason=f"shared corpus not found at {CORPUS}")

CASES = [(kind, label) for kind in KINDS if (CORPUS / kind).is_dir() for label in labels(kind)]


@pytest.mark.parametrize("kind, label", CASES, ids=lambda v: v if isinstance(v, str) else v["input"].split("/")[-1])
def test_each_input_is_read_by_its_adapter(kind, label):
    _, ex = read(label)
    assert ex.adapter == kind and ex.error is None, ex.error


@pytest.mark.parametrize("kind", KINDS)
def test_corpus_score(kind, tmp_path):
    check_folder_scores(kind, {label["input"]: predicted_record(label) for label in labels(kind)}, tmp_path)


@pytest.mark.parametrize("kind", KINDS)
def test_no_other_corpus_input_is_claimed_by_the_adapter(kind):
    # Content sniffing must not take bodies of other kinds: croissant/zenodo-head-mri-16956
    # describes a Zenodo record but is Croissant; Data Packages carry DataCite-ish fields.
    for label in other_inputs(kind):
        assert detect(label) != kind, label["input"]


def test_data_package_in_a_zenodo_bucket_goes_to_another_adapter():
    label = json.loads((CORPUS / "frictionless" / "zenodo-7078760-datapackage.json.expected.json").read_text())
    assert "zenodo.org/api/files/" in label["url"]
    assert detect(label) != "zenodo"
