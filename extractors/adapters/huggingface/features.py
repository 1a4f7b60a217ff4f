"""Class labels in Hugging Face `datasets` feature specifications.

Serves every place the `datasets` feature schema appears: dataset_infos.json / viewer /info
(JSON form: {name: {"_type": "ClassLabel", "names": [...]}}), card YAML `dataset_info`
(list form: [{name, dtype: {class_label: {names: {"0": ...}}}}]) and the viewer's /first-rows
(a list of {name, type: <JSON form>}). A class label may sit inside a sequence (multi-label) or
inside a sequence of dicts (object detection: `objects: Sequence({bbox, category: ClassLabel})`).
"""
from __future__ import annotations

MAX_FEATURES = 10_000
MAX_DEPTH = 4


def label_features(features) -> list[tuple[str, int]]:
    """Top-level features holding a class label, as (name, number of classes)."""
    out = []
    if isinstance(features, dict):
        for name, spec in list(features.items())[:MAX_FEATURES]:
            count = class_label_size(spec)
            if count:
                out.append((str(name), count))
    elif isinstance(features, list):
        for spec in features[:MAX_FEATURES]:
            if isinstance(spec, dict):
                count = class_label_size(spec)
                if count:
                    out.append((str(spec.get("name", "?")), count))
    return out


def class_label_size(spec, depth: int = 0) -> int | None:
    """Number of classes of the one class label in `spec` (None: none, or several)."""
    if depth > MAX_DEPTH or not isinstance(spec, (dict, list)):
        return None
    if isinstance(spec, list):
        if len(spec) == 1:   # [ClassLabel] is a sequence in newer `datasets`
            return class_label_size(spec[0], depth + 1)
        # YAML struct: a list of named fields (a sequence of dicts in the list form).
        return _struct_label([s for s in spec[:MAX_FEATURES] if isinstance(s, dict)], depth)
    if spec.get("_type") == "ClassLabel":
        return _names_size(spec.get("names")) or _positive_int(spec.get("num_classes"))
    if isinstance(spec.get("class_label"), dict):
        return _names_size(spec["class_label"].get("names"))
    if spec.get("_type") in ("Sequence", "LargeList", "List"):
        return class_label_size(spec.get("feature"), depth + 1)
    for key in ("dtype", "sequence", "list", "struct", "type"):   # YAML form; /first-rows "type"
        if isinstance(spec.get(key), (dict, list)):
            return class_label_size(spec[key], depth + 1)
    if "_type" not in spec and spec and all(isinstance(v, dict) for v in spec.values()):
        # JSON struct: {field: spec}, e.g. the feature dict inside Sequence(objects).
        return _struct_label(list(spec.values())[:MAX_FEATURES], depth)
    return None


def _struct_label(fields: list, depth: int) -> int | None:
    """The class count of a struct with exactly one class-label field."""
    sizes = [class_label_size(f, depth + 1) for f in fields]
    sizes = [s for s in sizes if s]
    return sizes[0] if len(sizes) == 1 else None


def _names_size(names) -> int | None:
    if isinstance(names, (list, dict)) and len(names) > 0:
        return len(names)
    return None


def _positive_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def label_columns(features) -> list[tuple[str, str]]:
    """Top-level features holding class labels, as (name, kind): "class_label" for a plain
    ClassLabel column (one label per item), "list" for a sequence of ClassLabel (multi-label:
    the dataset-viewer's /statistics reports it as a `list` column of lengths), "nested" for a
    ClassLabel deeper inside (a sequence of dicts: object detection)."""
    if isinstance(features, dict):
        named = [(str(name), spec) for name, spec in list(features.items())[:MAX_FEATURES]]
    elif isinstance(features, list):
        named = [(str(spec.get("name", "?")), spec) for spec in features[:MAX_FEATURES]
                 if isinstance(spec, dict)]
    else:
        return []
    out = []
    for name, spec in named:
        kind = _label_kind(spec)
        if kind:
            out.append((name, kind))
    return out


def _label_kind(spec) -> str | None:
    if _plain_class_label(spec):
        return "class_label"
    if _plain_class_label(_list_item(spec)):
        return "list"
    return "nested" if class_label_size(spec) else None


def _plain_class_label(spec) -> bool:
    """ClassLabel itself: JSON {"_type": "ClassLabel"}, YAML {dtype: {class_label: ...}} or
    {class_label: ...}."""
    if not isinstance(spec, dict):
        return False
    if spec.get("_type") == "ClassLabel" or isinstance(spec.get("class_label"), dict):
        return True
    dtype = spec.get("dtype")
    return isinstance(dtype, dict) and isinstance(dtype.get("class_label"), dict)


def _list_item(spec):
    """The item spec of a sequence feature (JSON Sequence/List/LargeList, `[item]`, YAML
    `sequence:` / `list:`), else None."""
    if isinstance(spec, list):
        return spec[0] if len(spec) == 1 else None
    if not isinstance(spec, dict):
        return None
    if spec.get("_type") in ("Sequence", "LargeList", "List"):
        return spec.get("feature")
    for key in ("sequence", "list"):
        item = spec.get(key)
        if isinstance(item, dict):
            return item
    dtype = spec.get("dtype")
    if isinstance(dtype, list) and len(dtype) == 1:   # YAML `dtype: [class_label...]`
        return dtype[0]
    return None
