"""Label-file profiling: the real NIH file gives exactly the published facts; small files we
write cover gzip/zip/plain, duplicates, empty-by-design columns and bad input."""
from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from extractors.profile import LabelSpec, gini, profile

NIH = LabelSpec("Image Index", "Finding Labels", "|", "Patient ID", "No Finding", item_unit="images")


def facts(ex) -> dict:
    return {f.field: f.value for f in ex.facts}


def test_real_nih_label_file(nih_labels):
    ex = profile("Data_Entry_2017_v2020.csv.gz", nih_labels.read_bytes(), NIH)
    assert ex.error is None
    s = ex.meta["label_stats"]
    assert (s["rows"], s["unique_ids"], s["duplicate_ids"], s["subjects"], s["columns"]) == (112_120, 112_120, 0, 30_805, 11)
    assert set(s["column_fill"].values()) == {1.0} and s["fill_rate"] == 100.0
    assert s["classes"] == 14 and s["background_count"] == 60_361
    assert s["class_counts"]["Infiltration"] == 19_894 and s["class_counts"]["Hernia"] == 227
    assert round(s["labels_per_item"], 3) == 1.262 and round(s["labels_per_item_positive"], 3) == 0.724
    assert round(s["gini"], 3) == 0.465 and round(s["max_min_ratio"], 1) == 87.6
    f = facts(ex)
    assert (f["item_count"], f["subject_count"], f["class_count"], f["item_unit"]) == (112_120, 30_805, 14, "images")
    assert all(fact.basis == "measured" for fact in ex.facts)


SMALL = (b"id,labels,patient,note\n"
         b"a,Cat|Dog,p1,\n"
         b"b,No Finding,p1,x\n"
         b"c,Dog,p2,\n"
         b"c,Dog|Bird,p3,y\n")
SPEC = LabelSpec("id", "labels", "|", "patient", "No Finding")


@pytest.mark.parametrize("name, body", [
    ("labels.csv", SMALL),
    ("labels.csv.gz", gzip.compress(SMALL)),
    ("labels.zip", None),
])
def test_small_file_in_any_container(name, body):
    if body is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("inner/labels.csv", SMALL)
        body = buffer.getvalue()
    s = profile(name, body, SPEC).meta["label_stats"]
    assert (s["rows"], s["unique_ids"], s["duplicate_ids"], s["subjects"]) == (4, 3, 1, 3)
    assert s["class_counts"] == {"Dog": 3, "Bird": 1, "Cat": 1}
    assert s["background_count"] == 1
    assert s["labels_per_item"] == pytest.approx(6 / 4) and s["labels_per_item_positive"] == pytest.approx(5 / 4)
    assert s["column_fill"]["note"] == 0.5 and s["fill_rate"] == pytest.approx(100 * 3.5 / 4)
    assert s["max_min_ratio"] == 3.0


def test_empty_by_design_columns_count_as_filled():
    spec = LabelSpec("id", "labels", "|", empty_by_design=("note",))
    s = profile("l.csv", SMALL, spec).meta["label_stats"]
    assert s["column_fill"]["note"] == 1.0 and s["fill_rate"] == 100.0


def test_tab_separated_file():
    s = profile("l.tsv", SMALL.replace(b",", b"\t"), SPEC).meta["label_stats"]
    assert s["rows"] == 4


@pytest.mark.parametrize("name, body, message", [
    ("l.csv", b"", "empty"),
    ("l.csv.gz", b"\x1f\x8b\x08broken", "broken gzip"),
    ("l.zip", b"PK\x03\x04garbage", "broken zip"),
    ("l.csv", b"id,labels\n", "no rows"),
    ("l.csv", b"x,y\n1,2\n", "not among the columns"),
])
def test_bad_files_are_errors_not_exceptions(name, body, message):
    ex = profile(name, body, SPEC)
    assert ex.error and message in ex.error and ex.facts == []


def test_gini():
    assert gini([5, 5, 5]) == 0
    assert gini([0, 0, 10]) == pytest.approx(2 / 3)
    assert gini([]) == 0
