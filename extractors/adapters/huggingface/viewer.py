"""Hugging Face dataset-viewer responses about one split: `/first-rows` and `/statistics`; the
walk from the Hub API to them (`/splits`, `/size`, `/info`, `/statistics` follows); and the join
of a source's `/statistics` pages with the label columns its feature specifications name.

`/first-rows` and `/statistics` describe ONE config and ONE split (`?dataset=..&config=..&split=..`):
their row counts (`rows`, `num_examples`) are never the dataset's item count. What they do state
about the whole dataset is its label set: a ClassLabel feature's names (`/first-rows` features) or
a class_label column's statistics (`n_unique`, `frequencies`). `/statistics` also states, for the
label columns of that split, how many values are missing (`nan_proportion`, `no_label_proportion`),
the per-class counts (`frequencies`) and, for a list column, the mean list length: the labels per
item of a multi-label column. A `list` column's statistics do not say what the lists hold; only
the features (viewer `/info`, a card's `dataset_info`) tell a list of class labels from a list of
anything else, so list columns count as labels only once combine() has seen those features.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs, quote, urlsplit

from extractors.adapters.huggingface.features import label_columns, label_features
from extractors.model import RANK_API, Extraction, Follow

MAX_COLUMNS = 10_000
MAX_SPLITS = 10_000
MAX_STATISTICS_CONFIGS = 5   # /statistics pages followed per dataset (one split of each config)
VIEWER = "https://datasets-server.huggingface.co"
STATISTICS_META = "hf_statistics"      # Extraction.meta key: one split's label-column summary
LABELS_META = "hf_label_columns"       # Extraction.meta key: {config: {"class_label": [...], "list": [...]}}
STATISTICS_FIELDS = ("class_count", "class_counts", "missing_values", "labels_per_item")
SOURCE = "Hub statistics"


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
    if isinstance(data.get("config"), str):
        note_label_columns(ex, data["config"], features)
    _one_label_set(ex, label_features(features), "$.features[{}] ClassLabel with {} names",
                   "class-label features")


# ------------------------------------------------------------------------------- follows

def viewer_url(endpoint: str, **params: str) -> str:
    """A dataset-viewer URL, query values percent-encoded (quote(value, safe="")) in the order
    given: dataset, then config, then split."""
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())
    return f"{VIEWER}/{endpoint}?{query}"


def dataset_follows(ex: Extraction, repo: str) -> None:
    """The Hub API page of one dataset -> its viewer /splits, /size and /info."""
    for endpoint, note in (("splits", "configs and splits, to pick the /statistics pages"),
                           ("size", "row and byte totals of the whole dataset"),
                           ("info", "feature specifications: which columns hold class labels")):
        ex.follow.append(Follow(viewer_url(endpoint, dataset=repo), "evidence", f"dataset-viewer /{endpoint}: {note}"))


def splits(ex: Extraction, data: dict, url: str | None) -> None:
    """/splits: {splits: [{dataset, config, split}], pending, failed}. States no dataset fact;
    names the /statistics pages to read: one split of each config (at most
    MAX_STATISTICS_CONFIGS configs, in the order listed): "train" when the config has one (the
    split a model learns from, and the one most often labelled), else the first split listed."""
    ex.warn("dataset-viewer /splits lists split names only; no dataset facts")
    chosen: dict[tuple[str, str], list[str]] = {}
    skipped = set()
    for entry in data["splits"][:MAX_SPLITS]:
        if not isinstance(entry, dict):
            continue
        dataset = entry.get("dataset") if isinstance(entry.get("dataset"), str) else _query(url, "dataset")
        config, split = entry.get("config"), entry.get("split")
        if not dataset or not isinstance(config, str) or not isinstance(split, str):
            continue
        if (dataset, config) not in chosen and len(chosen) >= MAX_STATISTICS_CONFIGS:
            skipped.add(config)
            continue
        chosen.setdefault((dataset, config), []).append(split)
    if skipped:
        ex.warn(f"more than {MAX_STATISTICS_CONFIGS} configs: /statistics read for the first "
                f"{MAX_STATISTICS_CONFIGS} only ({len(skipped)} not read)")
    for (dataset, config), names in chosen.items():
        split = "train" if "train" in names else names[0]
        ex.follow.append(Follow(viewer_url("statistics", dataset=dataset, config=config, split=split),
                                "evidence", f"dataset-viewer /statistics of config {config}, split {split}"))


def _query(url: str | None, key: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(key) if url else None
    return values[0] if values and values[0] else None


# ---------------------------------------------------------------------------- /statistics

def statistics(ex: Extraction, data: dict, url: str | None = None) -> None:
    """The label set of a class_label column: the split's label counts name every class the
    split holds; n_unique and the frequencies must agree, else nothing is stated. Then the label
    columns' missing values, class counts and labels per item (label_facts), with the list
    columns unknown: one page alone cannot tell a list of class labels from a list of words."""
    ex.warn("dataset-viewer /statistics describes one split: num_examples is not the total")
    summary = split_summary(data, url)
    ex.meta[STATISTICS_META] = summary
    label_facts(ex, [summary], {})


def split_summary(data: dict, url: str | None) -> dict:
    """What label_facts needs of one /statistics page, as plain values (Extraction.meta crosses
    process boundaries): where it is from, its row count, and each column's type and figures."""
    rows = data.get("num_examples")
    columns = []
    for index, column in enumerate(data["statistics"][:MAX_COLUMNS]):
        if not isinstance(column, dict):
            continue
        stats = column.get("column_statistics")
        stats = stats if isinstance(stats, dict) else {}
        # Only a class_label column's frequencies are read: the rest would only weigh on meta.
        frequencies = stats.get("frequencies") if column.get("column_type") == "class_label" else None
        columns.append({
            "index": index, "name": str(column.get("column_name"))[:200],
            "type": column.get("column_type") if isinstance(column.get("column_type"), str) else None,
            "nan": _proportion(stats, "nan", rows), "no_label": _proportion(stats, "no_label", rows),
            "mean": _number(stats.get("mean")), "n_unique": _count(stats.get("n_unique")),
            "frequencies": ({str(k)[:200]: v for k, v in list(frequencies.items())[:MAX_COLUMNS]}
                            if isinstance(frequencies, dict) else None)})
    return {"dataset": _query(url, "dataset"), "config": _query(url, "config"),
            "split": _query(url, "split"), "rows": _count(rows),
            "partial": data.get("partial") is True, "columns": columns}


def _proportion(stats: dict, prefix: str, rows) -> float | None:
    """`<prefix>_proportion`, else `<prefix>_count` / rows (older responses state only counts).
    None when neither is stated (older class_label statistics have no no_label figures)."""
    value = _number(stats.get(f"{prefix}_proportion"))
    if value is None:
        count, total = _count(stats.get(f"{prefix}_count")), _count(rows)
        value = count / total if count is not None and total else None
    return value if value is None or 0 <= value <= 1 else None


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def label_facts(ex: Extraction, summaries: list[dict], labels: dict) -> None:
    """class_count, class_counts, missing_values and labels_per_item from the /statistics pages
    of one source (one split of each config). `labels`: {config: {"list": [...]}} from the
    features; a list column counts as a label column only when the features of its config say
    it holds class labels. Several configs state a figure only when they all agree on it
    (class counts, labels per item); missing values pool every label column of every config."""
    per = [_split_facts(s, labels.get(s.get("config") or "")) for s in summaries]
    if len(per) == 1:
        for field, value, evidence in per[0]["facts"]:
            ex.add(field, value, evidence, rank=RANK_API)
        for warning in per[0]["warnings"]:
            ex.warn(warning)
        return
    for warning in dict.fromkeys(w for p in per for w in p["warnings"]):
        ex.warn(warning)
    for field in ("class_count", "class_counts"):
        stated = [next((f for f in p["facts"] if f[0] == field), None) for p in per]
        values = [json.dumps(f[1], sort_keys=True) if f else None for f in stated]
        if stated[0] and len(set(values)) == 1:
            ex.add(field, stated[0][1], f"{stated[0][2]}; the same in all {len(per)} configs read",
                   rank=RANK_API)
        elif any(stated):
            ex.warn(f"/statistics: {field} differs between configs (or is not stated in all); "
                    "not stated")
    _pooled_density(ex, summaries, per)
    _pooled_missing(ex, summaries, per)


def _pooled_density(ex: Extraction, summaries: list[dict], per: list[dict]) -> None:
    """labels_per_item over several configs' splits: the mean of their means weighted by the
    items each mean is over (num_examples less the missing ones), when every config states one;
    configs that are views of the same data give the same figure."""
    stated = [next((f for f in p["facts"] if f[0] == "labels_per_item"), None) for p in per]
    if not all(stated):
        if any(stated):
            ex.warn("/statistics: labels_per_item not stated in every config read; not stated")
        return
    weights = [p["density_weight"] for p in per]
    if None in weights or not sum(weights):
        if len({f[1] for f in stated}) == 1:
            ex.add("labels_per_item", stated[0][1], f"{stated[0][2]}; the same in all "
                   f"{len(per)} configs read", rank=RANK_API)
        return
    value = round(sum(f[1] * w for f, w in zip(stated, weights)) / sum(weights), 5)
    parts = ", ".join(f"{s['config'] or '?'}/{s['split'] or '?'}: {f[1]} over {round(w)}"
                      for s, f, w in zip(summaries, stated, weights))
    ex.add("labels_per_item", value, f"$.statistics[*] label columns of {len(per)} configs "
           f"({parts}): {value} labels per item, weighted by items", rank=RANK_API)


def _split_facts(summary: dict, config_labels: dict | None) -> dict:
    """Facts of one split as (field, value, evidence), and warnings."""
    known_lists = set((config_labels or {}).get("list", ()))
    where = _where(summary)
    classes = [c for c in summary["columns"] if c["type"] == "class_label"]
    lists = [c for c in summary["columns"] if c["type"] == "list"]
    label_lists = [c for c in lists if c["name"] in known_lists]
    facts, warnings = [], []
    count = _label_count(classes[0]) if len(classes) == 1 else None
    if count:
        facts.append(("class_count", count, f"$.statistics[{classes[0]['index']}] "
                      f"{classes[0]['name']} (class_label, {where}): {count} labels"))
    elif len(classes) > 1:
        warnings.append(f"{len(classes)} class_label columns; class count ambiguous")
    counts = _class_counts(classes[0]) if len(classes) == 1 and not summary["partial"] else None
    if counts:
        facts.append(("class_counts", counts, f"$.statistics[{classes[0]['index']}].column_statistics"
                      f".frequencies {classes[0]['name']} (class_label, {where}): "
                      f"{len(counts)} classes, {sum(counts.values())} labels"))
    density = _labels_per_item(classes, lists, label_lists, config_labels is not None, where)
    weight = None
    if density:
        facts.append(("labels_per_item", *density[:2]))
        weight = (summary["rows"] * (1 - _missing_share(density[2]))
                  if summary["rows"] is not None and _missing_share(density[2]) is not None else None)
    missing = _missing(classes + label_lists, summary, where)
    if missing:
        facts.append(("missing_values", *missing))
    return {"facts": facts, "warnings": warnings, "columns": classes + label_lists,
            "density_weight": weight}


def _where(summary: dict) -> str:
    split = f"{summary['split']} split" if summary["split"] else "split not named"
    config = summary["config"]
    where = f"{split}, config {config}" if config and config != "default" else split
    return where + (", partial: first rows only" if summary["partial"] else "")


def _label_count(column: dict) -> int | None:
    unique, frequencies = column["n_unique"], column["frequencies"]
    keys = len(frequencies) if frequencies is not None else None
    if unique is not None and keys is not None and unique != keys:
        return None
    count = unique if unique is not None else keys
    return count if count and count >= 2 else None


def _class_counts(column: dict) -> dict | None:
    frequencies = column["frequencies"]
    if not frequencies or not all(_count(v) is not None for v in frequencies.values()):
        return None
    return dict(frequencies)


def _labels_per_item(classes, lists, label_lists, features_known: bool, where: str):
    """1.0 with exactly one class_label column and no list of class labels (with the features
    unknown: no list column at all, since any may hold labels); the mean length of the ONE list
    of class labels when there is no class_label column beside it."""
    if len(classes) == 1 and not label_lists and (features_known or not lists):
        c = classes[0]
        return 1.0, (f"$.statistics[{c['index']}] {c['name']} (class_label, {where}): one label "
                     "per item, the only label column"), c
    if not classes and len(label_lists) == 1 and label_lists[0]["mean"] is not None:
        c = label_lists[0]
        return round(c["mean"], 5), (f"$.statistics[{c['index']}].column_statistics.mean "
                                     f"{c['name']} (list of class_label, {where}): "
                                     f"mean {c['mean']} labels per item"), c
    return None


def _missing(columns: list[dict], summary: dict, where: str):
    """The share of missing values in the label columns: the mean over them of the null share
    (nan_proportion) plus, for class_label columns, the share of values with no label (-1,
    no_label_proportion); a missing label either way."""
    shares = [_missing_share(c) for c in columns]
    if not shares or None in shares:
        return None
    pct = round(100 * sum(shares) / len(shares), 4)
    value = {"pct": pct, "columns": len(shares), "rows": summary["rows"],
             "split": summary["split"], "source": SOURCE}
    named = "; ".join(f"$.statistics[{c['index']}] {c['name']} ({c['type']}, {where}): nan_proportion "
                      f"{c['nan']}" + (f", no_label_proportion {c['no_label']}" if c["no_label"] else "")
                      for c in columns[:5])
    return value, f"{named}; {pct}% missing in {len(shares)} label column(s)"


def _missing_share(column: dict) -> float | None:
    if column["nan"] is None:
        return None
    return min(1.0, column["nan"] + (column["no_label"] or 0.0))


def _pooled_missing(ex: Extraction, summaries: list[dict], per: list[dict]) -> None:
    shares, rows, parts = [], 0, []
    for summary, facts in zip(summaries, per):
        column_shares = [_missing_share(c) for c in facts["columns"]]
        if not column_shares or None in column_shares:
            continue
        shares += column_shares
        rows = rows + summary["rows"] if summary["rows"] is not None and rows is not None else None
        parts.append(f"{summary['config'] or '?'}/{summary['split'] or '?'}: {len(column_shares)}")
    if not shares:
        return
    split_names = {s["split"] for s in summaries}
    pct = round(100 * sum(shares) / len(shares), 4)
    value = {"pct": pct, "columns": len(shares), "rows": rows,
             "split": split_names.pop() if len(split_names) == 1 else None, "source": SOURCE}
    ex.add("missing_values", value,
           f"$.statistics[*] label columns of {len(parts)} configs ({', '.join(parts)}): "
           f"{pct}% missing (mean of nan_proportion + no_label_proportion)", rank=RANK_API)


def _one_label_set(ex: Extraction, found: list[tuple[str, int]], evidence: str, what: str) -> None:
    """class_count when exactly one label feature or column states it; several are ambiguous."""
    if len(found) == 1:
        name, count = found[0]
        ex.add("class_count", count, evidence.format(name, count), rank=RANK_API)
    elif found:
        ex.warn(f"{len(found)} {what}; class count ambiguous")


# ------------------------------------------------------------------ features and combine

def note_label_columns(ex: Extraction, config: str, features) -> None:
    """Remember which columns of a config hold class labels (for join_statistics); a config
    whose features name no label column is remembered too: its list columns are no labels."""
    if not config or not isinstance(features, (dict, list)) or not features:
        return
    entry = ex.meta.setdefault(LABELS_META, {}).setdefault(config, {"class_label": [], "list": []})
    for name, kind in label_columns(features):
        if kind in entry and name not in entry[kind]:
            entry[kind].append(name)


def join_statistics(merged: Extraction, parts: list[Extraction]) -> None:
    """Replace the facts the /statistics pages stated alone with the facts of all of them
    together, read with the label columns the source's feature specifications name."""
    pages = [p for p in parts if isinstance(p.meta.get(STATISTICS_META), dict)]
    if not pages:
        return
    labels: dict[str, dict] = {}
    for part in parts:
        for config, entry in (part.meta.get(LABELS_META) or {}).items():
            mine = labels.setdefault(config, {"class_label": [], "list": []})
            for kind in mine:
                mine[kind] += [n for n in entry.get(kind, []) if n not in mine[kind]]
    dropped = {id(f) for p in pages for f in p.facts if f.field in STATISTICS_FIELDS}
    merged.facts = [f for f in merged.facts if id(f) not in dropped]
    joined = Extraction(merged.adapter, merged.version)
    label_facts(joined, [p.meta[STATISTICS_META] for p in pages], labels)
    merged.facts.extend(joined.facts)
    merged.warnings.extend(w for w in joined.warnings if w not in merged.warnings)
