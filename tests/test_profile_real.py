"""The profiler on the real label files in ../shared/corpus/annotations, read in place: each figure
it measures (rows, distinct ids, class counts, labels per row, fill per column) equals the one
this test computes on its own with the csv, gzip and zipfile modules. With no spec, the id and
label columns it infers from the file's shape are the ones the README there names."""
from __future__ import annotations

import csv
import gzip
import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from extractors.profile import LabelSpec, profile

ANNOTATIONS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "annotations"


@pytest.fixture
def folder() -> Path:
    if not ANNOTATIONS.is_dir():
        pytest.skip(f"{ANNOTATIONS} not found: real label-file tests skipped")
    return ANNOTATIONS


def rows_of(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows, by the standard library alone. A header longer than the rows with
    empty trailing names (BBox_List_2017) is cut to the rows' width."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            text = zf.read(zf.namelist()[0]).decode("utf-8")
    else:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text)))
    width = len(rows[0])
    if len(header) > width and not any(header[width:]):
        header = header[:width]
    return header, rows


def expected(path: Path, id_column: str, label_column: str | None, separator: str = "|") -> dict:
    header, rows = rows_of(path)
    out = {"rows": len(rows), "columns": len(header),
           "column_fill": {name: round(sum(1 for r in rows if r[i].strip()) / len(rows), 6)
                           for i, name in enumerate(header)}}
    out["unique_ids"] = len({r[header.index(id_column)] for r in rows})
    if label_column:
        at = header.index(label_column)
        labels = Counter(x.strip() for r in rows for x in r[at].split(separator) if x.strip())
        out["class_counts"] = dict(labels)
        out["labels_per_item"] = round(sum(labels.values()) / len(rows), 6)
    return out


def check(stats: dict, want: dict) -> None:
    for key, value in want.items():
        assert stats[key] == value, key


# file, id column, label column the README describes
LABELLED = [
    ("BBox_List_2017.csv.gz", "Image Index", "Finding Label"),              # one row per box
    ("vinbigdata-train.csv.gz", "image_id", "class_name"),                  # a row per box per reader
    ("kaggle_stage_2_train_labels.csv.zip", "patientId", "Target"),         # one row per box, 0/1
    ("google2019_nih-chest-xray-labels.csv.gz", "Image Index", "Finding Labels"),   # |-separated
]


@pytest.mark.parametrize("name, id_column, label_column", LABELLED)
def test_a_real_label_file_measures_what_the_csv_module_counts(folder, name, id_column, label_column):
    path = folder / name
    want = expected(path, id_column, label_column)

    ex = profile(name, path.read_bytes(), LabelSpec(id_column, label_column))

    assert ex.error is None, ex.error
    check(ex.meta["label_stats"], want)


@pytest.mark.parametrize("name, id_column, label_column", LABELLED)
def test_with_no_spec_the_columns_are_inferred_from_the_shape(folder, name, id_column, label_column):
    path = folder / name

    ex = profile(name, path.read_bytes(), None, require_id=True)

    assert ex.error is None, ex.error
    spec = ex.meta["label_spec"]
    assert (spec.id_column, spec.label_column) == (id_column, label_column)
    check(ex.meta["label_stats"], expected(path, id_column, label_column))


def test_the_bbox_header_with_trailing_empty_names_is_read_with_a_warning(folder):
    ex = profile("BBox_List_2017.csv.gz", (folder / "BBox_List_2017.csv.gz").read_bytes(),
                 LabelSpec("Image Index", "Finding Label"))
    s = ex.meta["label_stats"]
    assert (s["rows"], s["unique_ids"], s["classes"]) == (984, 880, 8)   # as the README says
    assert any("empty column name(s) past the rows' 6 fields" in w for w in ex.warnings)


def test_chexpert_one_column_per_class_is_measured_but_not_label_shaped(folder):
    path = folder / "chexpert_train.csv.gz"
    body = path.read_bytes()
    want = expected(path, "Path", None)

    ex = profile(path.name, body, LabelSpec("Path"))
    assert ex.error is None
    check(ex.meta["label_stats"], want)
    assert "class_counts" not in ex.meta["label_stats"]

    detected = profile(path.name, body, None)   # no column named like a label column
    assert detected.error and "not label-shaped: no label column" in detected.error
    assert detected.facts == []
