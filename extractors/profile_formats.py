"""Readers of the label-file formats the profiler knows besides CSV/TSV: Parquet, JSON Lines and
COCO annotation JSON. Bytes in (already unpacked and capped by extractors.profile), a Loaded out:
an Arrow table of items plus, where the format says more, what it says (the class_label columns
of a Hugging Face Parquet schema, COCO's annotations as (image id, category) pairs and the fill of
its annotation fields). No files, no network.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from extractors.model import ExtractionError

CSV, PARQUET, JSONL, COCO = "CSV", "PARQUET", "JSONL", "COCO"


@dataclass
class Loaded:
    """One label file (or the union of a set's files) ready for DuckDB.

    table: one row per row of the file (COCO: per entry of `images`).
    pairs: COCO only: one row per annotation, (image_id, label) — labels and class counts come
        from here, so annotations of images the file does not list still count.
    fill_counts / fill_rows: COCO only: non-empty count per annotation field, and annotations;
        completeness is about the annotations, not about the image list.
    class_labels: columns the Parquet schema metadata types as ClassLabel (or a list of it),
        already turned from integers into class names.
    """
    table: Any
    name: str
    format: str
    pairs: Any = None
    fill_counts: dict[str, int] | None = None
    fill_rows: int = 0
    class_labels: tuple[str, ...] = ()
    notes: dict = field(default_factory=dict)


def format_of(name: str, data: bytes, stated: str | None) -> str:
    """The format: as configured, else by magic bytes (Parquet) and name (.jsonl/.ndjson, .json)."""
    if stated:
        return stated.upper()
    low = name.lower()
    if data[:4] == b"PAR1" or low.endswith(".parquet"):
        return PARQUET
    if low.endswith((".jsonl", ".ndjson", ".jsonlines")):
        return JSONL
    if low.endswith(".json"):
        return COCO
    return CSV


# ------------------------------------------------------------------ Parquet
def read_parquet(name: str, data: bytes, max_bytes: int, warnings: list[str]) -> Loaded:
    """A Parquet file (e.g. a Hugging Face dataset shard). Refused before reading when its footer
    says the columns unpack to more than max_bytes. Columns the `huggingface` key of the schema
    metadata types as ClassLabel get their class names instead of integers (-1 = no label)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(io.BytesIO(data))
        size = sum(pf.metadata.row_group(i).total_byte_size for i in range(pf.metadata.num_row_groups))
        if size > max_bytes:
            raise ExtractionError(f"Parquet columns unpack to {size} bytes, more than {max_bytes} "
                                  "(max_decompressed_bytes): refused")
        table = pf.read()
    except (pa.ArrowException, OSError) as exc:
        raise ExtractionError(f"not a readable Parquet file: {str(exc).splitlines()[0][:200]}") from None
    labels = _class_label_features(pf.schema_arrow.metadata or {}, warnings)
    named = []
    for column, (names, is_list) in labels.items():
        if column not in table.column_names:
            continue
        index = table.column_names.index(column)
        table = table.set_column(index, column, _to_names(table.column(column), names, is_list, column))
        named.append(column)
    return Loaded(table, name, PARQUET, class_labels=tuple(named))


def _class_label_features(metadata: dict, warnings: list[str]) -> dict[str, tuple[list, bool]]:
    """column -> (class names, is a list of labels) from `{"info": {"features": {...}}}`."""
    raw = metadata.get(b"huggingface")
    if not raw:
        return {}
    try:
        features = json.loads(raw).get("info", {}).get("features", {})
    except (ValueError, AttributeError):
        warnings.append("Parquet 'huggingface' schema metadata is not readable JSON: ignored")
        return {}
    out = {}
    for column, feature in (features.items() if isinstance(features, dict) else ()):
        if _is_class_label(feature):
            out[column] = (feature["names"], False)
            continue
        inner = None   # a list of class labels: [ClassLabel], Sequence(ClassLabel), List(ClassLabel)
        if isinstance(feature, list) and len(feature) == 1:
            inner = feature[0]
        elif isinstance(feature, dict) and feature.get("_type") in ("Sequence", "List", "LargeList"):
            inner = feature.get("feature")
        if _is_class_label(inner):
            out[column] = (inner["names"], True)
    return out


def _is_class_label(feature) -> bool:
    return (isinstance(feature, dict) and feature.get("_type") == "ClassLabel"
            and isinstance(feature.get("names"), list))


def _to_names(column, names: list, is_list: bool, label: str):
    import pyarrow as pa
    import pyarrow.compute as pc

    vocabulary = pa.array([str(n) for n in names], pa.string())

    def take(values):
        values = values.cast(pa.int64())
        bad = pc.any(pc.greater_equal(values, len(names))).as_py()
        if bad:
            raise ExtractionError(f"{label}: a class index is beyond the {len(names)} ClassLabel names")
        # -1 is the datasets library's "no label"
        return pc.take(vocabulary, pc.if_else(pc.less(values, 0), pa.scalar(None, pa.int64()), values))

    try:
        array = column.combine_chunks() if hasattr(column, "combine_chunks") else column
        if not is_list:
            return take(array)
        if not (pa.types.is_list(array.type) or pa.types.is_large_list(array.type)):
            raise ExtractionError(f"{label}: typed a list of ClassLabel but stored as {array.type}")
        array = array.cast(pa.large_list(array.type.value_type))
        return pa.LargeListArray.from_arrays(array.offsets, take(array.values), mask=array.is_null())
    except (pa.ArrowException, TypeError) as exc:
        raise ExtractionError(f"{label}: ClassLabel values unreadable: {str(exc)[:200]}") from None


# ------------------------------------------------------------------ JSON Lines
def read_jsonl(name: str, data: bytes) -> Loaded:
    """One JSON object per line; nested values stay nested (a list of labels is a list)."""
    import pyarrow as pa
    import pyarrow.json as pajson

    try:
        table = pajson.read_json(io.BytesIO(data))
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        raise ExtractionError(f"not readable JSON Lines: {str(exc).splitlines()[0][:200]}") from None
    return Loaded(table, name, JSONL)


# ------------------------------------------------------------------ COCO
_SPACE = re.compile(r"[ \t\n\r]*")
_WANTED = ("images", "annotations", "categories")


def read_coco(name: str, data: bytes, warnings: list[str]) -> Loaded:
    """COCO object-detection annotation JSON (`instances_*.json`): images, annotations, categories.

    Streamed element by element with json's raw_decode: the text of the file is held once (as
    str) and each image/annotation is decoded, read and dropped, so the peak is about twice the
    file (its bytes and its text) plus the ids kept, not the many times a json.loads of every
    polygon would cost."""
    import pyarrow as pa

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExtractionError("COCO JSON is not UTF-8") from None
    image_ids: list = []
    ann_images: list = []
    ann_categories: list = []
    categories: dict = {}
    fill: dict[str, int] = {}
    seen: set[str] = set()

    def take(key: str, element: dict) -> None:
        if key == "images":
            image_ids.append(_key(element.get("id")))
        elif key == "categories":
            categories[_key(element.get("id"))] = str(element.get("name", element.get("id")))
        else:
            ann_images.append(_key(element.get("image_id")))
            ann_categories.append(_key(element.get("category_id")))
            for k, v in element.items():
                fill[k] = fill.get(k, 0) + (v not in (None, "", [], {}))

    try:
        seen.update(_walk(text, take))
    except ValueError as exc:
        raise ExtractionError(f"not readable COCO JSON: {str(exc)[:200]}") from None
    del text
    missing = [k for k in _WANTED if k not in seen]
    if missing:
        raise ExtractionError(f"not COCO annotation JSON: no {', '.join(repr(k) for k in missing)} "
                              "at the top level")
    unknown = {c for c in set(ann_categories) if c not in categories}
    if unknown:
        warnings.append(f"{len(unknown)} category id(s) used by annotations but not among the "
                        f"categories (e.g. {min(unknown, key=str)!r}): counted by id")
    labels = [categories.get(c, c) for c in ann_categories]
    orphans = len(set(ann_images) - set(image_ids))
    if orphans:
        warnings.append(f"annotations refer to {orphans} image id(s) not among the images")
    # Fields an annotation may lack are counted over every annotation; 0 where never filled.
    table = pa.table({"image_id": pa.array(image_ids, pa.string())})
    pairs = pa.table({"image_id": pa.array(ann_images, pa.string()),
                      "label": pa.array(labels, pa.string())})
    return Loaded(table, name, COCO, pairs=pairs, fill_counts=fill, fill_rows=len(ann_images),
                  notes={"annotations": len(ann_images), "images": len(image_ids),
                         "categories": len(categories)})


def _key(value) -> str | None:
    """Ids as text: COCO uses integers, derived sets sometimes strings; 1 and "1" are one id."""
    return None if value is None else str(value)


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()


def _walk(text: str, take) -> set[str]:
    """Walk the top-level object; each element of the wanted arrays goes to take(key, element)
    as soon as it is decoded. Other values (info, licenses: small) are decoded and dropped.
    Returns the wanted keys present (an empty array is present too)."""
    decoder = json.JSONDecoder()
    present: set[str] = set()
    pos = _skip(text, 0)
    if text[pos:pos + 1] != "{":
        raise ValueError("the top level is not an object")
    pos = _skip(text, pos + 1)
    if text[pos:pos + 1] == "}":
        return present
    while True:
        key, pos = decoder.raw_decode(text, pos)
        if not isinstance(key, str):
            raise ValueError(f"a key that is not a string at character {pos}")
        pos = _skip(text, pos)
        if text[pos:pos + 1] != ":":
            raise ValueError(f"':' expected at character {pos}")
        pos = _skip(text, pos + 1)
        if key in _WANTED:
            present.add(key)
            pos = _array(text, pos, key, take, decoder)
        else:
            _, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos:pos + 1] == "}":
            return present
        if text[pos:pos + 1] != ",":
            raise ValueError(f"',' or '}}' expected at character {pos}")
        pos = _skip(text, pos + 1)


def _array(text: str, pos: int, key: str, take, decoder) -> int:
    """Decode the array at pos one element at a time; the position after it."""
    if text[pos:pos + 1] != "[":
        raise ValueError(f"{key!r} is not an array")
    pos = _skip(text, pos + 1)
    if text[pos:pos + 1] == "]":
        return pos + 1
    while True:
        element, pos = decoder.raw_decode(text, pos)
        if not isinstance(element, dict):
            raise ValueError(f"an element of {key!r} is not an object")
        take(key, element)
        pos = _skip(text, pos)
        if text[pos:pos + 1] == "]":
            return pos + 1
        if text[pos:pos + 1] != ",":
            raise ValueError(f"',' or ']' expected at character {pos}")
        pos = _skip(text, pos + 1)
