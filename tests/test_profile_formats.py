"""The profiler's other formats, on files written here in the real structure of each family:
Hugging Face Parquet shards (ClassLabel columns known from the `huggingface` schema metadata, a
single label and a list of labels), JSON Lines (a text label, a list of labels), COCO annotation
JSON (compact and pretty-printed/gzipped, with the oddities real files have), label sets of
several files (train + valid CSVs, Parquet shards) and the [source.annotations] keys that name
them. Each reader gets a second, different input."""
from __future__ import annotations

import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from config.load import ConfigError, load
from extractors.profile import LabelSpec, profile, profile_set


def facts(ex) -> dict:
    return {f.field: f.value for f in ex.facts}


# --------------------------------------------------------------------------- Parquet
def parquet(table: pa.Table, features: dict | None) -> bytes:
    """A Parquet shard as the datasets library writes it: the features in the schema metadata."""
    if features is not None:
        meta = {b"huggingface": json.dumps({"info": {"features": features}}).encode()}
        table = table.replace_schema_metadata(meta)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


IMAGE = pa.struct([("bytes", pa.binary()), ("path", pa.string())])


def image_classification_shard() -> bytes:
    """An image-classification shard (MNIST/CIFAR shape): image struct + ClassLabel integer;
    -1 is the datasets library's "no label"."""
    images = [{"bytes": b"\x89PNG" + bytes([i]), "path": None} for i in range(5)]
    table = pa.table({"image": pa.array(images, IMAGE), "label": pa.array([0, 1, 1, 2, -1], pa.int64())})
    return parquet(table, {"image": {"_type": "Image"},
                           "label": {"names": ["cat", "dog", "bird"], "_type": "ClassLabel"}})


def test_a_parquet_class_label_column_is_found_from_the_schema_metadata():
    ex = profile("train-00000-of-00001.parquet", image_classification_shard(), None)

    assert ex.error is None, ex.error
    s = ex.meta["label_stats"]
    assert ex.meta["label_spec"].label_column == "label" and ex.meta["label_spec"].id_column is None
    assert s["format"] == "PARQUET" and s["rows"] == 5
    assert s["class_counts"] == {"dog": 2, "bird": 1, "cat": 1}      # names, not integers
    assert s["labels_per_item"] == pytest.approx(4 / 5)
    assert s["column_fill"] == {"image": 1.0, "label": 0.8}         # -1 is a missing label
    f = facts(ex)
    assert f["annotation_format"] == "PARQUET" and f["class_count"] == 3
    assert "ClassLabel in the Parquet schema metadata" in next(
        x.evidence for x in ex.facts if x.field == "class_counts")


def multilabel_shard(ids: list[str], labels: list[list[int] | None], form: str = "Sequence") -> bytes:
    """A multi-label shard: a list of ClassLabel (Sequence form of datasets 2.x, or the list form)."""
    names = ["car", "person", "tree"]
    feature = ({"feature": {"names": names, "_type": "ClassLabel"}, "_type": "Sequence"} if form == "Sequence"
               else [{"names": names, "_type": "ClassLabel"}])
    table = pa.table({"image_id": pa.array(ids), "objects": pa.array(labels, pa.list_(pa.int32()))})
    return parquet(table, {"image_id": {"dtype": "string", "_type": "Value"}, "objects": feature})


@pytest.mark.parametrize("form", ["Sequence", "list"])
def test_a_list_of_class_labels_counts_every_label(form):
    body = multilabel_shard(["a", "b", "c", "d"], [[0, 1], [1], [], None], form)

    ex = profile("data/train-00000.parquet", body, None)

    s = ex.meta["label_stats"]
    assert ex.meta["label_spec"].id_column == "image_id"
    assert s["class_counts"] == {"person": 2, "car": 1}
    assert s["labels_per_item"] == pytest.approx(3 / 4) and s["unique_ids"] == 4
    assert s["column_fill"] == {"image_id": 1.0, "objects": 0.75}   # an empty list is a stated "none"


def test_parquet_shards_of_one_set_are_profiled_as_their_union():
    first = multilabel_shard(["a", "b"], [[0], [0, 2]])
    second = multilabel_shard(["c", "a"], [[1], [2]])

    ex = profile_set([("train-00000-of-00002.parquet", first), ("train-00001-of-00002.parquet", second)], None)

    s = ex.meta["label_stats"]
    assert (s["rows"], s["unique_ids"], s["duplicate_ids"]) == (4, 3, 1)
    assert s["class_counts"] == {"car": 2, "tree": 2, "person": 1}


def test_a_parquet_file_without_class_labels_is_not_label_shaped_but_a_configured_column_is_read():
    body = parquet(pa.table({"id": ["a", "b"], "target": [1, 0]}), None)

    assert "no column as ClassLabel" in profile("x.parquet", body, None).error
    s = profile("x.parquet", body, LabelSpec("id", "target")).meta["label_stats"]
    assert s["class_counts"] == {"0": 1, "1": 1}


def test_a_parquet_footer_promising_too_many_bytes_is_refused_before_reading():
    texts = [f"{i:05d}" * 2_000 for i in range(100)]   # distinct: no dictionary makes them small
    body = parquet(pa.table({"text": texts, "label": [0] * 100}), None)
    ex = profile("big.parquet", body, LabelSpec(label_column="label"), max_decompressed_bytes=50_000)
    assert "max_decompressed_bytes" in ex.error


# --------------------------------------------------------------------------- JSON Lines
def test_json_lines_with_a_text_label():
    body = b"".join(json.dumps(r).encode() + b"\n" for r in [
        {"id": "1", "label": "spam", "text": "buy"},
        {"id": "2", "label": "ham", "text": "hi"},
        {"id": "3", "label": None, "text": ""},
        {"id": "3", "label": "spam", "text": "win"},
    ])

    ex = profile("train.jsonl", body, None)

    s = ex.meta["label_stats"]
    assert s["format"] == "JSONL" and (s["rows"], s["unique_ids"]) == (4, 3)
    assert s["class_counts"] == {"spam": 2, "ham": 1}
    assert s["column_fill"] == {"id": 1.0, "label": 0.75, "text": 0.75}
    assert facts(ex)["annotation_format"] == "JSONL"


def test_json_lines_with_a_list_of_labels_and_nested_fields_gzipped():
    body = gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in [
        {"image": "img/0.png", "labels": ["a", "b"], "meta": {"w": 10}},
        {"image": "img/1.png", "labels": ["b"], "meta": {"w": 12}},
        {"image": "img/2.png", "labels": [], "meta": None},
    ]))

    ex = profile("annotations.ndjson.gz", body, None)

    s = ex.meta["label_stats"]
    assert ex.meta["label_spec"].id_column == "image"
    assert s["class_counts"] == {"b": 2, "a": 1} and s["labels_per_item"] == 1.0
    assert s["column_fill"]["meta"] == pytest.approx(2 / 3)


def test_broken_json_lines_are_an_error():
    ex = profile("x.jsonl", b'{"label": "a"}\n{"label": \n', None)
    assert ex.error and "not readable JSON Lines" in ex.error


# --------------------------------------------------------------------------- COCO
def coco(images, annotations, categories, **extra) -> dict:
    return {"info": {"description": "made here", "version": "1.0"}, "licenses": [{"id": 1, "name": "x"}],
            "images": images, "annotations": annotations, "categories": categories, **extra}


def test_coco_instances_give_density_balance_uniqueness_and_field_fill():
    doc = coco(
        images=[{"id": 1, "file_name": "1.jpg", "width": 640, "height": 480},
                {"id": 2, "file_name": "2.jpg", "width": 640, "height": 480},
                {"id": 3, "file_name": "3.jpg", "width": 640, "height": 480}],   # no annotation
        annotations=[
            {"id": 10, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "area": 12.0, "iscrowd": 0,
             "segmentation": [[1, 2, 3, 4, 5, 6]]},
            {"id": 11, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "area": 12.0, "iscrowd": 0,
             "segmentation": [[1, 2, 3, 4, 5, 6]]},
            {"id": 12, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "area": 12.0, "iscrowd": 1,
             "segmentation": {"counts": "abc", "size": [480, 640]}},
            {"id": 13, "image_id": 2, "category_id": 1, "bbox": [1, 2, 3, 4], "iscrowd": 0,
             "segmentation": []},                                             # no area, empty polygon
        ],
        categories=[{"id": 1, "name": "person", "supercategory": "person"},
                    {"id": 2, "name": "bicycle", "supercategory": "vehicle"}])

    ex = profile("instances_train2017.json", json.dumps(doc, separators=(",", ":")).encode(), None,
                 format="coco")

    assert ex.error is None, ex.error
    s = ex.meta["label_stats"]
    assert (s["rows"], s["unique_ids"], s["annotations"], s["categories"]) == (3, 3, 4, 2)
    assert s["class_counts"] == {"person": 3, "bicycle": 1}
    assert s["labels_per_item"] == pytest.approx(4 / 3)          # image 3 counts with 0
    assert s["gini"] == pytest.approx(0.25) and s["max_min_ratio"] == 3.0
    assert s["column_fill"] == {"area": 0.75, "bbox": 1.0, "category_id": 1.0, "id": 1.0,
                                "image_id": 1.0, "iscrowd": 1.0, "segmentation": 0.75}
    f = facts(ex)
    assert f["item_unit"] == "images" and f["item_count"] == 3 and f["annotation_format"] == "JSON"
    assert "annotations per listed image" in next(x.evidence for x in ex.facts if x.field == "labels_per_item")


def test_coco_pretty_printed_gzipped_with_string_ids_and_stray_references():
    doc = coco(
        images=[{"id": "a"}, {"id": "b"}, {"id": "b"}],
        annotations=[{"image_id": "a", "category_id": 7, "bbox": [0, 0, 1, 1]},
                     {"image_id": "a", "category_id": 9, "bbox": None},             # unknown category
                     {"image_id": "zz", "category_id": 7, "bbox": [0, 0, 1, 1]}],   # image not listed
        categories=[{"id": 7, "name": "lesion"}], extra_key={"nested": [1, 2, {"x": "y"}]})

    ex = profile("instances_val.json.gz", gzip.compress(json.dumps(doc, indent=2).encode()), None)

    s = ex.meta["label_stats"]
    assert (s["rows"], s["unique_ids"], s["duplicate_ids"]) == (3, 2, 1)
    assert s["class_counts"] == {"lesion": 2, "9": 1}
    assert s["column_fill"] == {"bbox": pytest.approx(2 / 3), "category_id": 1.0, "image_id": 1.0}
    assert any("not among the categories" in w for w in ex.warnings)
    assert any("1 image id(s) not among the images" in w for w in ex.warnings)


@pytest.mark.parametrize("body, message", [
    (b'{"images": [], "categories": []}', "no 'annotations'"),
    (b'{"images": [{"id": 1}], "annotations": [{"image_id": 1', "not readable COCO JSON"),
    (b'[{"images": []}]', "not readable COCO JSON"),
    (b'{"images": [1, 2], "annotations": [], "categories": []}', "not an object"),
])
def test_bad_coco_is_an_error(body, message):
    ex = profile("instances_x.json", body, None)
    assert ex.error and message in ex.error and ex.facts == []


# --------------------------------------------------------------------------- label sets
def test_train_and_valid_csvs_are_one_set():
    train = b"image_id,label\na,cat\nb,dog\nc,cat\n"
    valid = b"image_id,label,reader\nd,dog,r1\na,cat,r2\n"

    ex = profile_set([("train.csv", train), ("valid.csv.gz", gzip.compress(valid))],
                     LabelSpec("image_id", "label"))

    s = ex.meta["label_stats"]
    assert (s["rows"], s["unique_ids"], s["duplicate_ids"]) == (5, 4, 1)
    assert s["class_counts"] == {"cat": 3, "dog": 2}
    assert s["column_fill"]["reader"] == pytest.approx(2 / 5)   # a column only valid has
    assert next(f for f in ex.facts if f.field == "rows").evidence.startswith("train.csv + valid.csv")


def test_a_set_mixing_formats_is_an_error():
    ex = profile_set([("a.csv", b"id,label\n1,x\n"), ("b.jsonl", b'{"id": 2, "label": "y"}\n')],
                     LabelSpec("id", "label"))
    assert "different formats" in ex.error


# --------------------------------------------------------------------------- [source.annotations]
SOURCE = '''
[[source]]
id = "a"
name = "A"
url = "https://example.org/a"
category = "Medical Imaging"

[source.annotations]
'''


def test_annotations_files_and_format_are_read(config_dir):
    (config_dir / "sources.toml").write_text(
        SOURCE + 'files = ["train.csv", "https://example.org/valid.csv"]\nformat = "CSV"\nlabel_column = "y"\n')
    spec = load(config_dir).source("a").annotations
    assert spec.files == ("train.csv", "https://example.org/valid.csv") and spec.format == "csv"


@pytest.mark.parametrize("text, message", [
    ('files = "train.csv"\n', "'files' must be a list of file names or URLs"),
    ('files = ["a.csv", ""]\n', "'files' must be a list of file names or URLs"),
    ('files = ["a.csv"]\nfile = "b.csv"\n', "give 'files' or 'file'/'url', not both"),
    ('file = "a.csv"\nformat = "xlsx"\n', "'format' must be one of csv, parquet, jsonl, coco, not 'xlsx'"),
    ('label_column = "y"\n', "needs 'file' (a name in the listing), 'url' or 'files'"),
])
def test_bad_annotations_keys_are_one_line_errors(config_dir, text, message):
    (config_dir / "sources.toml").write_text(SOURCE + text)
    with pytest.raises(ConfigError) as err:
        load(config_dir)
    assert message in str(err.value) and "\n" not in str(err.value)
