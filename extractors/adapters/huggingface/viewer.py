"""Hugging Face dataset-viewer responses about one split: `/first-rows` and `/statistics`.

Both describe ONE config and ONE split (`?dataset=..&config=..&split=..`): their row counts
(`rows`, `num_examples`) are never the dataset's item count. What they do state about the whole
dataset is its label set: a ClassLabel feature's names (`/first-rows` features) or a class_label
column's statistics (`n_unique`, `frequencies`).
"""
from __future__ import annotations

from extractors.adapters.huggingface.features import label_features
from extractors.model import RANK_API, Extraction

MAX_COLUMNS = 10_000


def is_first_rows(data) -> bool:
    """/first-rows: {dataset, config, split, features: [{feature_idx, name, type}], rows: [...]}."""
    return (isinstance(data, dict) and isinstance(data.get("features"), list)
            and isinstance(data.get("rows"), list) and isinstance(data.get("split"), str)
            and any(isinstance(f, dict) and "feature_idx" in f and "type" in f
                    for f in data["features"][:50]))


def is_statistics(data) -> bool:
    """/statistics: {num_examples, statistics: [{column_name, column_type, column_statistics}]}."""
    return (isinstance(data, dict) and isinstance(data.get("statistics"), list)
            and "num_examples" in data
            and any(isinstance(c, dict) and "column_name" in c and "column_statistics" in c
                    for c in data["statistics"][:50]))


def first_rows(ex: Extraction, data: dict) -> None:
    ex.warn("dataset-viewer /first-rows shows the first rows of one split: no item count")
    features = {str(f.get("name")): f.get("type") for f in data["features"][:MAX_COLUMNS]
                if isinstance(f, dict) and isinstance(f.get("type"), (dict, list))}
    _one_label_set(ex, label_features(features), "$.features[{}] ClassLabel with {} names",
                   "class-label features")


def statistics(ex: Extraction, data: dict) -> None:
    """The label set of a class_label column: the split's label counts name every class the
    split holds; n_unique and the frequencies must agree, else nothing is stated."""
    ex.warn("dataset-viewer /statistics describes one split: num_examples is not the total")
    found = []
    for column in data["statistics"][:MAX_COLUMNS]:
        if not isinstance(column, dict) or column.get("column_type") != "class_label":
            continue
        stats = column.get("column_statistics")
        count = _label_count(stats if isinstance(stats, dict) else {})
        if count:
            found.append((str(column.get("column_name")), count))
    _one_label_set(ex, found, "$.statistics[{}] class_label: {} labels", "class_label columns")


def _one_label_set(ex: Extraction, found: list[tuple[str, int]], evidence: str, what: str) -> None:
    """class_count when exactly one label feature or column states it; several are ambiguous."""
    if len(found) == 1:
        name, count = found[0]
        ex.add("class_count", count, evidence.format(name, count), rank=RANK_API)
    elif found:
        ex.warn(f"{len(found)} {what}; class count ambiguous")


def _label_count(stats: dict) -> int | None:
    unique = stats.get("n_unique")
    unique = unique if isinstance(unique, int) and not isinstance(unique, bool) else None
    frequencies = stats.get("frequencies")
    keys = len(frequencies) if isinstance(frequencies, dict) else None
    if unique is not None and keys is not None and unique != keys:
        return None
    count = unique if unique is not None else keys
    return count if count and count >= 2 else None
