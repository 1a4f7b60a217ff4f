"""Hugging Face Hub datasets.

Reads, purely from (url, body):
- Hub API JSON: `/api/datasets/ID` (cardData, siblings, gated, dates, tags), the search listing
  `/api/datasets?search=...` and the parquet map `/api/datasets/ID/parquet`;
- dataset cards (README.md: YAML front matter + markdown body), wherever they are served from
  (huggingface.co, raw.githubusercontent.com, ...);
- `dataset_infos.json` / `dataset_info.json` (a DatasetInfo per config);
- dataset-viewer endpoints `/info`, `/size`, `/parquet`, `/splits`, `/first-rows` and
  `/statistics` (these two and the follows in viewer.py). Croissant bodies (`/croissant`,
  `/api/datasets/ID/croissant`) are handed to the croissant adapter.

Follows (Follow(kind="evidence"), fetched by the harvest with this adapter): the Hub API page of a
public dataset -> viewer `/splits`, `/size`, `/info`; `/splits` -> `/statistics` of one split of
each config (viewer.py says which). combine() joins the `/statistics` pages with the label
columns the features name (viewer.join_statistics): per-split figures (missing values, class
counts, labels per item) are published facts naming their split, never an item count.

Size rule (corpus README): the original downloadable files count. `download_checksums`,
`download_size` and `num_bytes_original_files` describe them; `dataset_size`, `size_in_bytes`,
`num_bytes_parquet_files` and `num_bytes_memory` are derived (Arrow/parquet conversions) and are
never a size. Parquet files count only where they are the only files listed (`/parquet`).
`size_categories` is a bucket of example counts ("1K<n<10K"): neither a size nor a count.
`downloads`/`likes` are statistics.
"""
from __future__ import annotations

import importlib
import json
import re
from urllib.parse import quote, unquote, urlsplit

import yaml

from extractors.adapters.huggingface import viewer
from extractors.adapters.huggingface.features import label_columns, label_features
from extractors.claims import Claims, Confidence, Probe
from extractors.model import (
    RANK_API, RANK_EMBEDDED, RANK_TEXT, Extraction, ExtractionError, FileEntry, concat,
)
from extractors.normalize.counts import parse_count
from extractors.normalize.dates import parse_date
from extractors.normalize.digests import hex_digest
from extractors.normalize.formats import from_filename, sorted_set
from extractors.normalize.ids import normalize_doi
from extractors.normalize.license import OTHER as LICENSE_OTHER
from extractors.normalize.license import commercial_use, normalize_license
from extractors.normalize.annotations import from_values as annotation_terms
from extractors.normalize.prose import (CARD_SPLITS, TOTAL_UNITS, add_review_facts, class_vote,
                                        noncommercial_terms,
                                        paragraph_sentences, people_subject_counts,
                                        prose_counts,
                                        single_subject_phrase, split_total, stated_totals)
from extractors.normalize.text import MAX_YAML_DEPTH, decode, load_json, starts_like_html, yaml_too_deep
from extractors.normalize.urls import basename
from extractors.parse.markdown import parse as parse_markdown

NAME = "huggingface"
VERSION = "1.5.0"   # 1.5: annotation_review from card prose; 1.4: format: tags, /size rows carry no unit

EVIDENCE_MAX = 300
DESCRIPTION_MAX = 5000
MAX_TEXT = 2_000_000        # characters of a card we read; the rest is cut with a warning
MAX_FRONT_MATTER = 500_000  # a card's YAML header is a few KB; more is not a card
# Markdown after the front matter read for prose: real card bodies are < 100 KB; the prose rules
# cost ~2 µs a character, so 2 MB of one line took ~2 s.
MAX_BODY_TEXT = 300_000
MAX_ITEMS = 100_000         # files, configs, listing rows
MAX_CONFIGS = 2_000

HUB_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
VIEWER_HOSTS = {"datasets-server.huggingface.co"}
VIEWER_PATHS = {"/info", "/size", "/parquet", "/croissant", "/splits", "/first-rows",
                "/statistics"}

# Every canonical (un-namespaced) dataset got this createdAt when the Hub moved datasets into
# git repos; it is the migration time, not when the dataset was published.
HUB_MIGRATION_CREATED_AT = "2022-03-02T23:29:22"

# YAML keys only a dataset card has (a bare `license:` is also in model cards and blog posts).
CARD_KEYS = {
    "pretty_name", "dataset_info", "task_categories", "task_ids", "size_categories",
    "annotations_creators", "language_creators", "source_datasets", "paperswithcode_id",
    "extra_gated_prompt", "multilinguality", "configs",
}
GATED_KEYS = ("extra_gated_prompt", "extra_gated_fields", "extra_gated_heading",
              "extra_gated_button_content", "extra_gated_description")
PLACEHOLDERS = {"", "n/a", "na", "none", "tbd", "todo", "-", "more information needed",
                "[more information needed]", "needs more information"}


# ---------------------------------------------------------------------------------- detection

def match_url(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = unquote(parts.path)
    if host in VIEWER_HOSTS:
        return path.rstrip("/") in VIEWER_PATHS
    if host not in HUB_HOSTS:
        return False
    if path == "/api/datasets" or path.startswith("/api/datasets/"):
        return True
    if not path.startswith("/datasets/"):
        return False
    segments = [s for s in path.split("/") if s]
    # /datasets/NAME or /datasets/OWNER/NAME (card page), or a card / infos file in the repo.
    return len(segments) <= 3 or segments[-1] in ("README.md", "dataset_infos.json",
                                                  "dataset_info.json")


def accepts(body: bytes, content_type: str | None) -> bool:
    """A Hub URL can serve an HTML page (the dataset's landing page): that is not ours."""
    return not _looks_html(body, content_type)


def sniff(body: bytes, content_type: str | None) -> bool:
    """A dataset card (YAML front matter with dataset-card keys) or a Hub / dataset-viewer
    JSON response shape (info, size, parquet, splits, first rows, statistics, dataset infos,
    Hub dataset)."""
    text = _head_text(body)
    if text.startswith("---"):
        meta = _front_matter(text)[0]
        return isinstance(meta, dict) and bool(CARD_KEYS & set(map(str, meta)))
    if text[:1] in "{[":
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return False
        # Listings, trees and Croissant are claimed only by URL: their shapes are not specific.
        return _json_kind(data) in {"info", "size", "parquet", "splits", "infos", "info_one", "hub",
                                    "first_rows", "statistics"}
    return False


CLAIMS = Claims(
    urls=(*(f"{{{','.join(sorted(HUB_HOSTS))}}}/{path}"
            for path in ("api/datasets", "api/datasets/<owner>/<name>", "datasets/<name>",
                         "datasets/<owner>/<name>",
                         "datasets/<owner>/<name>/<any>/{README.md,dataset_infos.json,dataset_info.json}")),
          *(f"{host}/{{{','.join(sorted(p.strip('/') for p in VIEWER_PATHS))}}}?dataset=<owner>/<name>"
            for host in sorted(VIEWER_HOSTS))),
    match_url=match_url,
    accepts=accepts,
    content_types=("application/json", "text/markdown", "text/plain"),
    probe=Probe(sniff, Confidence.SPECIFIC),
)


def _head_text(body: bytes) -> str:
    return body[:MAX_FRONT_MATTER].decode("utf-8", "replace").lstrip("\ufeff \t\r\n")


def _looks_html(body: bytes, content_type: str | None) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    return starts_like_html(body)


# ---------------------------------------------------------------------------------- entry

def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    if not isinstance(body, (bytes, bytearray)):
        raise ExtractionError("body is not bytes")
    text = decode(bytes(body), content_type)
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start in ("{", "["):
        return _from_json(ex, url, bytes(body), content_type, load_json(bytes(body)))
    if _looks_html(bytes(body), content_type):
        raise ExtractionError("an HTML page, not a dataset card or Hub/viewer API response")
    _from_card(ex, text)
    return ex


def _adder(ex: Extraction, record: str | None = None):
    """add(field, value, evidence, rank, unit=None) bound to one record of the extraction."""
    def add(field: str, value, evidence: str, rank: int, unit: str | None = None) -> None:
        ex.add(field, value, _ev(evidence), rank=rank, unit=unit, record=record)
    return add


def _ev(text) -> str:
    return " ".join(str(text).split())[:EVIDENCE_MAX]


# ---------------------------------------------------------------------------------- JSON

def _json_kind(data) -> str | None:
    """Which Hub / viewer response this JSON is, by shape (URLs lie less often than they
    are missing: raw copies, mirrors, cassettes)."""
    if isinstance(data, list):
        rows = [x for x in data[:50] if isinstance(x, dict)]
        if rows and len(rows) == len(data[:50]) and all(isinstance(x.get("id"), str) for x in rows) \
                and any(k in rows[0] for k in ("lastModified", "downloads", "tags", "sha", "likes")):
            return "listing"
        return None
    if not isinstance(data, dict):
        return None
    if "@context" in data or "conformsTo" in data:
        return "croissant"
    if isinstance(data.get("parquet_files"), list):
        return "parquet"
    if isinstance(data.get("size"), dict):
        return "size"
    if isinstance(data.get("dataset_info"), dict):
        return "info"
    if viewer.is_first_rows(data):
        return "first_rows"
    if viewer.is_statistics(data):
        return "statistics"
    if isinstance(data.get("splits"), list) and any(
            isinstance(s, dict) and "split" in s for s in data["splits"][:20]):
        return "splits"
    if isinstance(data.get("siblings"), list) or isinstance(data.get("cardData"), dict) or (
            isinstance(data.get("id"), str) and "lastModified" in data):
        return "hub"
    if _is_info(data):
        return "info_one"
    values = list(data.values())[:50]
    if values and all(isinstance(v, dict) for v in values) and any(_is_info(v) for v in values):
        return "infos"
    if values and all(isinstance(v, dict) for v in values) and all(
            isinstance(urls, list) for v in values for urls in v.values()):
        return "parquet_map"
    return None


def _is_info(d) -> bool:
    return isinstance(d, dict) and (
        "download_checksums" in d or "builder_name" in d
        or ("splits" in d and ("features" in d or "download_size" in d or "dataset_size" in d)))


def _from_json(ex: Extraction, url, body: bytes, content_type, data) -> Extraction:
    if isinstance(data, dict) and isinstance(data.get("error"), str) and len(data) <= 3:
        raise ExtractionError(f"error response: {data['error'][:200]}")
    kind = _json_kind(data)
    if kind is None:
        raise ExtractionError("JSON is not a Hugging Face Hub or dataset-viewer dataset response")
    if kind == "croissant":
        return _delegate_croissant(url, body, content_type)
    if kind == "info":
        _info_response(ex, data)
    elif kind == "info_one":
        _infos(ex, [("", data, "$")], RANK_API)
    elif kind == "infos":
        configs = [(str(k), v, f"$[{json.dumps(str(k))}]") for k, v in data.items()]
        _infos(ex, configs, RANK_API)
    elif kind == "size":
        _size_response(ex, data)
    elif kind == "parquet":
        _parquet_response(ex, data)
    elif kind == "parquet_map":
        _parquet_map(ex, data)
    elif kind == "first_rows":
        viewer.first_rows(ex, data)
    elif kind == "statistics":
        viewer.statistics(ex, data, url)
    elif kind == "splits":
        viewer.splits(ex, data, url)
    elif kind == "hub":
        _hub_dataset(ex, data)
    elif kind == "listing":
        _hub_listing(ex, data)
    return ex


def _delegate_croissant(url, body: bytes, content_type) -> Extraction:
    """The Hub and the viewer serve Croissant JSON-LD; the croissant adapter reads that."""
    try:
        croissant = importlib.import_module("extractors.adapters.croissant")
    except Exception as exc:  # not written yet, or broken: say so instead of guessing
        raise ExtractionError(f"Croissant body but the croissant adapter is unavailable "
                              f"({type(exc).__name__})") from None
    result = croissant.extract(url, body, content_type)
    result.warnings.append("Croissant body read by the croissant adapter")
    # The delegation convention (registry.py): the registry keeps this reader on the result.
    result.meta["read_by"] = f"{croissant.NAME}@{croissant.VERSION}"
    return result


# ----------------------------------------------------------------- DatasetInfo (per config)

def _info_response(ex: Extraction, data: dict) -> None:
    """Viewer /info: {"dataset_info": {config: DatasetInfo}} or, with ?config=, one DatasetInfo."""
    info = data["dataset_info"]
    if data.get("partial") is True:
        ex.warn("viewer reports partial=true: some configs are missing from /info")
    if _is_info(info):
        _infos(ex, [("", info, "$.dataset_info")], RANK_API)
        return
    configs = [(str(k), v, f"$.dataset_info[{json.dumps(str(k))}]")
               for k, v in info.items() if isinstance(v, dict)]
    if not configs:
        raise ExtractionError("/info response without any config")
    _infos(ex, configs, RANK_API)


def _infos(ex: Extraction, configs: list[tuple[str, dict, str]], rank: int,
           add=None, with_files: bool = True) -> None:
    """Facts from DatasetInfo objects, one per config (dataset_infos.json, viewer /info, card
    YAML `dataset_info`). Configs are subsets of one dataset: values shared by all are stated
    once; counts of different configs add up (they are disjoint by the corpus convention);
    configs listing the same files share them."""
    add = add or _adder(ex)
    if len(configs) > MAX_CONFIGS:
        ex.warn(f"{len(configs)} configs; only the first {MAX_CONFIGS} read")
        configs = configs[:MAX_CONFIGS]
    configs = [(n, c, p) for n, c, p in configs if isinstance(c, dict)]
    _shared_string(ex, add, configs, "homepage", "homepage", rank, _clean_url)
    _shared_string(ex, add, configs, "version", "version", rank, _version_str)
    _info_license(ex, add, configs, rank)
    _info_description(add, configs, rank)
    _info_classes(ex, add, configs, rank)
    _info_label_density(add, configs, rank)
    for name, conf, _ in configs:
        # A card's dataset_info list names its configs by config_name; a bare entry (its index
        # here) is the default config.
        own = conf.get("config_name") if isinstance(conf.get("config_name"), str) else None
        for config in {own, None if name.isdigit() else name} - {"", None} or {"default"}:
            viewer.note_label_columns(ex, config, conf.get("features"))
    _info_items(ex, add, configs, rank)
    if with_files:
        _info_files(ex, add, configs, rank)
    else:
        _info_download_size(ex, add, configs, rank)


def _shared_string(ex, add, configs, key, field, rank, clean) -> None:
    values = {}
    for _, conf, path in configs:
        value = clean(conf.get(key))
        if value:
            values.setdefault(value, f"{path}.{key}")
    if len(values) == 1:
        value, where = next(iter(values.items()))
        add(field, value, f"{where} = {value}", rank)
    elif len(values) > 1:
        ex.warn(f"configs disagree on {key}: {sorted(values)[:5]}")


def _version_str(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("version_str")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip()[:100] if isinstance(value, str) and value.strip() else None


def _clean_url(value) -> str | None:
    if not isinstance(value, str):
        return None
    m = re.search(r"https?://[^\s<>\"')\]]+", value)
    return m.group(0).rstrip(".,;") if m else None


def _info_license(ex, add, configs, rank) -> None:
    # "" is what the datasets library writes when no licence was given: not a value.
    texts = {}
    for _, conf, path in configs:
        value = conf.get("license")
        if isinstance(value, str) and value.strip():
            texts.setdefault(value.strip(), f"{path}.license")
    ids = {}
    for text, where in texts.items():
        spdx = normalize_license(text)
        if spdx:
            ids.setdefault(spdx, f"{where} = {text[:80]}")
            continue
        terms = noncommercial_terms(text[:5000])
        if terms:   # free-text terms instead of a licence id: no id, but the use they allow
            add("commercial_use", False, f"{where}: {terms}", rank)
        else:
            ex.warn(f"unrecognised licence at {where}: {text[:80]!r}")
    if len(ids) == 1:
        spdx, where = next(iter(ids.items()))
        _add_license(add, spdx, where, rank)
    elif len(ids) > 1:
        ex.warn(f"configs state different licences: {sorted(ids)}")


def _add_license(add, spdx: str, evidence: str, rank: int) -> None:
    add("license", spdx, evidence, rank)
    allowed = commercial_use(spdx)
    if allowed is not None:
        add("commercial_use", allowed, f"licence {spdx}", rank)


def _info_description(add, configs, rank) -> None:
    seen = []
    for _, conf, path in configs:
        text = conf.get("description")
        if isinstance(text, str) and text.strip() and text.strip() not in seen:
            seen.append(text.strip())
            if len(seen) == 1:
                add("description", text.strip()[:DESCRIPTION_MAX], f"{path}.description", rank)
            _prose_facts(add, text[:MAX_TEXT], f"{path}.description")
            _subject_facts(add, text, f"{path}.description")
        if len(seen) >= 3:
            break


def _info_classes(ex, add, configs, rank) -> None:
    """class_count from a ClassLabel feature, when a config has exactly one label feature."""
    found = {}
    for _, conf, path in configs:
        labels = label_features(conf.get("features"))
        if len(labels) == 1:
            name, count = labels[0]
            found.setdefault(count, f"{path}.features.{name} ClassLabel with {count} names")
        elif len(labels) > 1:
            ex.warn(f"{path}: {len(labels)} label features; class count ambiguous")
    if len(found) == 1:
        count, where = next(iter(found.items()))
        add("class_count", count, where, rank)
    elif len(found) > 1:
        ex.warn(f"configs have different class counts: {sorted(found)}")


def _info_label_density(add, configs, rank) -> None:
    """labels_per_item 1.0 for a single-label schema: every config with label features has
    exactly one, a plain ClassLabel (no sequence of class labels, no label inside a struct)."""
    found = []
    for _, conf, path in configs:
        columns = label_columns(conf.get("features"))
        if not columns:
            continue
        if len(columns) != 1 or columns[0][1] != "class_label":
            return
        found.append(f"{path}.features.{columns[0][0]}")
    if found:
        add("labels_per_item", 1.0, f"{found[0]}: the only label feature, one ClassLabel per item"
            + (f" (likewise in {len(found)} configs)" if len(found) > 1 else ""), rank)


def _info_items(ex, add, configs, rank) -> None:
    """item_count = sum of split sizes; configs with identical split sizes are the same data in
    another form (e.g. 'raw' and 'processed') and count once."""
    totals = {}
    unit = None
    for _, conf, path in configs:
        splits = _split_counts(conf.get("splits"))
        if not splits:
            continue
        signature = tuple(sorted(splits))
        totals.setdefault(signature, (sum(n for _, n in splits), f"{path}.splits"))
        unit = unit or _feature_unit(conf.get("features"))
    if not totals:
        return
    total = sum(n for n, _ in totals.values())
    where = " + ".join(w for _, w in list(totals.values())[:5])
    if len(totals) > 1:
        ex.warn(f"item_count sums {len(totals)} configs (taken as disjoint subsets)")
    _add_count(add, total, unit or "examples", f"sum of num_examples: {where}", rank)


def _add_count(add, count: int, unit: str, evidence: str, rank: int) -> None:
    add("item_count", count, evidence, rank, unit=unit)
    add("item_unit", unit, evidence, rank)


def _split_counts(splits) -> list[tuple[str, int]]:
    """[(split name, num_examples)] from the dict form (JSON) or the list form (YAML)."""
    if isinstance(splits, dict):
        items = [(str(k), v) for k, v in splits.items()]
    elif isinstance(splits, list):
        items = [(str(s.get("name", i)), s) for i, s in enumerate(splits) if isinstance(s, dict)]
    else:
        return []
    out = []
    for name, split in items:
        n = split.get("num_examples") if isinstance(split, dict) else None
        if isinstance(n, int) and not isinstance(n, bool) and n >= 0:
            out.append((name, n))
    return out


def _positive_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _feature_unit(features) -> str | None:
    """The item noun when a top-level feature says what an item is (an image, an audio clip)."""
    specs = []
    if isinstance(features, dict):
        specs = [v for v in list(features.values())[:1000] if isinstance(v, dict)]
    elif isinstance(features, list):
        specs = [f for f in features[:1000] if isinstance(f, dict)]
    kinds = set()
    for spec in specs:
        kind = spec.get("_type") or spec.get("dtype")
        if isinstance(kind, str):
            kinds.add(kind.lower())
    for kind, unit in (("image", "images"), ("video", "videos"), ("audio", "recordings")):
        if kind in kinds:
            return unit
    return None


def _info_files(ex, add, configs, rank) -> None:
    """download_checksums are the source files the builder downloads: the dataset's own files.
    Configs often list the same URLs: each file counts once."""
    files: dict[str, tuple[int | None, str]] = {}
    digests: dict[str, str | None] = {}
    for _, conf, path in configs:
        checksums = conf.get("download_checksums")
        if not isinstance(checksums, dict):
            continue
        for file_url, meta in list(checksums.items())[:MAX_ITEMS]:
            size = meta.get("num_bytes") if isinstance(meta, dict) else None
            size = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None
            files.setdefault(str(file_url), (size, f"{path}.download_checksums"))
            # The `datasets` library records SHA-256 digests.
            digests.setdefault(str(file_url), hex_digest(meta.get("checksum") if isinstance(
                meta, dict) else None, "sha256"))
    if not files:
        _info_download_size(ex, add, configs, rank)
        return
    for file_url, (size, _) in files.items():
        ex.files.append(FileEntry(name=_basename(file_url), size_bytes=size,
                                  format=from_filename(file_url), url=file_url,
                                  sha256=digests.get(file_url)))
    where = next(iter(files.values()))[1]
    _add_file_totals(ex, add, [(u, s) for u, (s, _) in files.items()], where, rank)


def _info_download_size(ex, add, configs, rank) -> None:
    """No file list: `download_size` of each config. Equal sizes in several configs are taken
    as the same files; different ones as each config's own files."""
    sizes = {}
    for _, conf, path in configs:
        size = conf.get("download_size")
        if isinstance(size, int) and not isinstance(size, bool) and size > 0:
            sizes.setdefault(size, f"{path}.download_size")
    if not sizes:
        return
    if len(sizes) > 1:
        ex.warn(f"size_bytes sums download_size of {len(sizes)} configs")
    total = sum(sizes)
    add("size_bytes", total, " + ".join(list(sizes.values())[:5]) + f" = {total}", rank)


def _add_file_totals(ex, add, files: list[tuple[str, int | None]], where: str, rank: int) -> None:
    """size_bytes (only when every file has a size), file_count and formats of a file list."""
    add("file_count", len(files), f"{where}: {len(files)} files", rank)
    formats = sorted_set(from_filename(name) for name, _ in files)
    add("formats", formats, f"{where}: file extensions", rank)
    sizes = [s for _, s in files]
    if all(s is not None for s in sizes):
        add("size_bytes", sum(sizes), f"{where}: sum of {len(sizes)} file sizes", rank)
    else:
        ex.warn(f"{sizes.count(None)} of {len(sizes)} files have no size; size_bytes not summed")


def _basename(url: str) -> str:
    return unquote(basename(url)) or url[:200]


# ---------------------------------------------------------------------------- viewer /size

def _size_response(ex: Extraction, data: dict) -> None:
    size = data["size"]
    dataset = size.get("dataset")
    if not isinstance(dataset, dict):
        raise ExtractionError("/size response without size.dataset")
    if data.get("partial") is True:
        # Totals of a partial response cover only some configs/splits: not the dataset's.
        ex.warn("viewer reports partial=true: totals cover part of the dataset; not used")
        return
    if data.get("pending") or data.get("failed"):
        ex.warn("viewer lists pending or failed configs: totals cover part of the dataset; not used")
        return
    original = dataset.get("num_bytes_original_files")
    if isinstance(original, int) and not isinstance(original, bool) and original >= 0:
        ex.add("size_bytes", original, f"$.size.dataset.num_bytes_original_files = {original}",
               rank=RANK_API)
    rows = dataset.get("num_rows")
    if isinstance(rows, int) and not isinstance(rows, bool) and rows >= 0:
        # A row is one item, but /size does not say what an item is (images, examples, ...):
        # the count carries no unit, so the unit the card or the features state stays.
        ex.add("item_count", rows, f"$.size.dataset.num_rows = {rows}", rank=RANK_API)
    configs = size.get("configs")
    if isinstance(configs, list) and len(configs) == 1 and isinstance(configs[0], dict):
        columns = _positive_int(configs[0].get("num_columns"))
        ex.add("feature_count", columns, f"$.size.configs[0].num_columns = {columns}",
               rank=RANK_API)


# ------------------------------------------------------------------------ viewer /parquet

def _parquet_response(ex: Extraction, data: dict) -> None:
    """The Hub's parquet conversion: these files are the only ones the body lists. Each URL is
    a file (file names repeat across configs)."""
    if data.get("partial") is True:
        ex.warn("viewer reports partial=true: the parquet conversion is partial")
    files: dict[str, int | None] = {}
    for entry in data["parquet_files"][:MAX_ITEMS]:
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        size = entry.get("size")
        size = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None
        if entry["url"] not in files:
            files[entry["url"]] = size
            ex.files.append(FileEntry(
                name=str(entry.get("filename") or _basename(entry["url"]))[:300],
                size_bytes=size, format="PARQUET", url=entry["url"],
                folder="/".join(str(entry[k]) for k in ("config", "split") if entry.get(k))
                or None))
    if not files:
        ex.warn("/parquet lists no files")
        return
    _add_file_totals(ex, _adder(ex), list(files.items()), "$.parquet_files[*].size", RANK_API)


def _parquet_map(ex: Extraction, data: dict) -> None:
    """Hub /api/datasets/ID/parquet: {config: {split: [url, ...]}} (no sizes)."""
    urls = []
    for config, splits in data.items():
        for split, links in splits.items():
            urls += [(u, f"{config}/{split}") for u in links if isinstance(u, str)]
    urls = list(dict.fromkeys(urls))[:MAX_ITEMS]
    if not urls:
        raise ExtractionError("parquet map without URLs")
    for u, folder in urls:
        ex.files.append(FileEntry(name=_basename(u), format=from_filename(u) or "PARQUET",
                                  url=u, folder=folder))
    add = _adder(ex)
    add("file_count", len(urls), f"$[*][*]: {len(urls)} parquet URLs", RANK_API)
    add("formats", sorted_set(f.format for f in ex.files), "$[*][*]: parquet URLs", RANK_API)


# ------------------------------------------------------------------------------- Hub API

def _hub_dataset(ex: Extraction, data: dict) -> None:
    add = _adder(ex)
    card = data.get("cardData")
    if isinstance(card, dict):
        # cardData is the card's YAML relayed by the API: the same statement as the front
        # matter, so the same rank. The file list (siblings) is the API's own and wins on size.
        _api_card_meta(ex, add, card, "$.cardData")
    _hub_common(ex, add, data, "$", has_card=isinstance(card, dict))
    description = data.get("description")
    if isinstance(description, str) and description.strip():
        add("description", description.strip()[:DESCRIPTION_MAX], "$.description", RANK_API)
    if isinstance(data.get("siblings"), list):
        _siblings(ex, add, data)
    if data.get("disabled") is True:
        ex.warn("the Hub reports this dataset as disabled")
    _viewer_follows(ex, data, card)


def _viewer_follows(ex: Extraction, data: dict, card) -> None:
    """The dataset-viewer pages of a public dataset. Not for gated, private or disabled ones
    (the viewer answers those only to an account with access) nor when the card turns the
    viewer off (`viewer: false`)."""
    repo = data.get("id")
    if not isinstance(repo, str) or not re.fullmatch(r"[\w.\-]+(?:/[\w.\-]+)?", repo):
        return
    gated = data.get("gated")
    if data.get("private") is True or data.get("disabled") is True or gated is True \
            or gated in ("auto", "manual") or (isinstance(card, dict) and card.get("viewer") is False):
        ex.warn("dataset-viewer pages not followed: the dataset is gated, private, disabled "
                "or has the viewer turned off")
        return
    viewer.dataset_follows(ex, repo)


def _hub_common(ex, add, data: dict, path: str, has_card: bool) -> None:
    """Fields every Hub dataset object has, in the single view and in listings."""
    gated, private = data.get("gated"), data.get("private")
    if private is True:
        add("access", "restricted", f"{path}.private = true", RANK_API)
    elif gated is True or gated in ("auto", "manual"):
        add("access", "gated", f"{path}.gated = {gated}", RANK_API)
    elif gated is False and private is False:
        # Both stated: a public repository anyone can download without a request.
        add("access", "open", f"{path}.gated = false, private = false", RANK_API)
    modified = parse_date(data.get("lastModified"))
    add("modified_date", modified, f"{path}.lastModified = {data.get('lastModified')}", RANK_API)
    created = data.get("createdAt")
    if isinstance(created, str) and not created.startswith(HUB_MIGRATION_CREATED_AT):
        add("release_date", parse_date(created), f"{path}.createdAt = {created}", RANK_API)
    tags = [t for t in data.get("tags") or [] if isinstance(t, str)] \
        if isinstance(data.get("tags"), list) else []
    for tag in tags[:1000]:
        key, _, value = tag.partition(":")
        if key == "doi":
            add("doi", normalize_doi(value), f"{path}.tags: {tag}", RANK_API)
        elif key == "license" and not has_card:
            _license_value(ex, add, value, {}, f"{path}.tags: {tag}", RANK_API, final=True)
    _format_tags(add, tags, path)


# The Hub's `format:` tags, which it sets from the repository's data files. Folder formats
# (imagefolder, audiofolder) name a layout, not a file format, and are not read.
FORMAT_TAGS = {"parquet": "PARQUET", "json": "JSON", "csv": "CSV", "arrow": "ARROW",
               "webdataset": "WEBDATASET", "text": "TXT"}


def _format_tags(add, tags: list[str], path: str) -> None:
    """formats from `format:*` tags (any Hub dataset page). Ranked below the repository's own
    file list (siblings), which says the same more precisely when it is there."""
    found = [(tag, FORMAT_TAGS[tag[7:]]) for tag in tags[:1000]
             if tag.startswith("format:") and tag[7:] in FORMAT_TAGS]
    if found:
        add("formats", sorted_set(name for _, name in found),
            f"{path}.tags: {', '.join(tag for tag, _ in found)}", RANK_EMBEDDED)


def _siblings(ex, add, data: dict) -> None:
    """Repository files. Sizes are there with ?blobs=true (or in lfs.size). Git plumbing
    (dotfiles such as .gitattributes) and the card itself (root README.md) are not data files.
    A repository with a loading script (a root-level .py) fetches its data from elsewhere: its
    files are listed but they are not the dataset's files, so no totals are stated."""
    repo = data.get("id") if isinstance(data.get("id"), str) else None
    revision = data.get("sha") if isinstance(data.get("sha"), str) else "main"
    files: dict[str, int | None] = {}
    for entry in data["siblings"][:MAX_ITEMS]:
        name = entry.get("rfilename") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name or _is_plumbing(name) or name in files \
                or name == "README.md":
            continue
        lfs = entry.get("lfs") if isinstance(entry.get("lfs"), dict) else {}
        size = entry.get("size")
        if not isinstance(size, int):
            size = lfs.get("size")
        size = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None
        files[name] = size
        file_url = (f"https://huggingface.co/datasets/{repo}/resolve/{revision}/{quote(name)}"
                    if repo else None)
        ex.files.append(FileEntry(name=name.rsplit("/", 1)[-1], size_bytes=size,
                                  format=from_filename(name), url=file_url,
                                  folder=name.rsplit("/", 1)[0] if "/" in name else None,
                                  sha256=hex_digest(lfs.get("sha256"), "sha256")))
    if len(data["siblings"]) > MAX_ITEMS:
        ex.warn(f"{len(data['siblings'])} files; only the first {MAX_ITEMS} read")
    if any("/" not in name and name.endswith(".py") for name in files):
        ex.warn("repository has a loading script: its data files are not in the file list")
        return
    if files:
        _add_file_totals(ex, add, list(files.items()), "$.siblings", RANK_API)


def _is_plumbing(name: str) -> bool:
    return any(part.startswith(".") for part in name.split("/"))


def _hub_listing(ex: Extraction, rows: list) -> None:
    """/api/datasets?search=...: many datasets; facts go to each record, none to the input."""
    ex.listing = True
    for i, row in enumerate(rows[:MAX_ITEMS]):
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            continue
        add = _adder(ex, record=row["id"])
        card = row.get("cardData")
        if isinstance(card, dict):
            _api_card_meta(ex, add, card, f"$[{i}].cardData")
        _hub_common(ex, add, row, f"$[{i}]", has_card=isinstance(card, dict))


def _api_card_meta(ex, add, card: dict, where: str) -> None:
    """cardData without the card body: a bare 'other' licence cannot be looked up further."""
    if _card_meta(ex, add, card, RANK_EMBEDDED, where):
        _add_license(add, LICENSE_OTHER, f"{where}.license: other (terms not named)",
                     RANK_EMBEDDED)


# ---------------------------------------------------------------------------- dataset card

def _from_card(ex: Extraction, text: str) -> None:
    if len(text) > MAX_TEXT:
        ex.warn(f"card is {len(text)} characters; only the first {MAX_TEXT} read")
        text = text[:MAX_TEXT]
    meta, body, problem = _front_matter(text.lstrip("\ufeff \t\r\n"))
    if problem:
        ex.warn(problem)
    add = _adder(ex)
    license_open = False
    if isinstance(meta, dict):
        license_open = _card_meta(ex, add, meta, RANK_EMBEDDED, "YAML")
    elif meta is not None:
        ex.warn(f"front matter is a {type(meta).__name__}, not a mapping; ignored")
    _card_body(ex, add, body, license_open)
    if not ex.facts:
        ex.warn("no dataset facts found in this card")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases: an alias bomb ('billion laughs') grows exponentially when
    walked, and a dataset card has no use for them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("YAML aliases are not accepted")
        return super().compose_node(parent, index)


def _front_matter(text: str):
    """(meta or None, markdown body, problem or None) for a text starting with '---'."""
    if not text.startswith("---"):
        return None, text, None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, text, None
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")), None)
    if end is None:
        return None, text, "front matter is not closed by '---'; read as markdown"
    header = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1:])
    if len(header) > MAX_FRONT_MATTER:
        return None, body, "front matter too large; ignored"
    if yaml_too_deep(header):
        return None, body, f"front matter nested more than {MAX_YAML_DEPTH} levels deep; ignored"
    try:
        return yaml.load(header, Loader=_StrictLoader), body, None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        return None, body, f"invalid YAML front matter: {_ev(exc)[:150]}"


def _card_meta(ex, add, meta: dict, rank: int, where: str) -> bool:
    """Facts from card metadata (YAML front matter, or cardData in the API). Returns True when
    the licence is 'other' without details, so the card body may name the terms."""
    title = meta.get("pretty_name")
    if isinstance(title, str) and title.strip():
        add("title", " ".join(title.split())[:500], f"{where}.pretty_name", rank)
    gated_by = next((k for k in GATED_KEYS if meta.get(k)), None)
    if gated_by is None and (meta.get("gated") is True or meta.get("gated") in ("auto", "manual")):
        gated_by = "gated"
    if gated_by:
        add("access", "gated", f"{where}.{gated_by}: {meta.get(gated_by)}", rank)
    keywords = []
    for key in ("task_categories", "task_ids", "tags"):
        value = meta.get(key)
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        keywords += [v for v in values[:200] if isinstance(v, str) and v.strip()]
    add("keywords", sorted(set(keywords)), f"{where}.task_categories/task_ids/tags", rank)
    annotators = annotation_terms(meta.get("annotations_creators"))
    if annotators:
        add("annotations_creators", annotators,
            f"{where}.annotations_creators: {meta.get('annotations_creators')}", rank)
    info = meta.get("dataset_info")
    if isinstance(info, (dict, list)):
        infos = info if isinstance(info, list) else [info]
        configs = [(str(c.get("config_name", i)), c, f"{where}.dataset_info[{i}]")
                   for i, c in enumerate(infos[:MAX_CONFIGS]) if isinstance(c, dict)]
        # A card's dataset_info has no file list; download_size is the data files' size.
        _infos(ex, configs, rank, add=add, with_files=False)
    return _card_license(ex, add, meta, rank, where)


def _card_license(ex, add, meta: dict, rank: int, where: str) -> bool:
    raw = meta.get("license")
    values = [raw] if isinstance(raw, str) else [v for v in raw if isinstance(v, str)] \
        if isinstance(raw, list) else []
    if not values:
        return False
    if len(values) > 1:
        ids = {normalize_license(v) for v in values} - {None}
        if len(ids) > 1:
            ex.warn(f"card lists several licences {values[:5]}; none chosen")
            return False
    return _license_value(ex, add, values[0], meta, f"{where}.license: {values[0]}", rank,
                          final=False)


def _license_value(ex, add, value: str, meta: dict, evidence: str, rank: int,
                   final: bool) -> bool:
    """Emit one licence id. 'other' defers to license_name/license_details; without those it
    is 'LicenseRef-Other' unless the caller can still look at the card body (final=False:
    returns True and the body decides)."""
    spdx = normalize_license(value)
    if spdx == LICENSE_OTHER:
        for key in ("license_name", "license_details"):
            detail = normalize_license(meta.get(key))
            if detail and detail != LICENSE_OTHER:
                _add_license(add, detail, f"{evidence}; {key}: {meta.get(key)}", rank)
                return False
        if not final:
            return True
    if spdx:
        _add_license(add, spdx, evidence, rank)
    elif value.strip().lower() not in ("unknown", ""):
        ex.warn(f"unrecognised licence {value[:80]!r}")
    return False


# ---------------------------------------------------------------------- card markdown body

# Linear: each optional marker takes its own trailing spaces, so no two "\s*" meet (three adjacent
# ones backtracked cubically over a long line of spaces that was no field line).
_FIELD_RE = re.compile(
    r"^\s*(?:[-*+]\s*)?(?:(?:\*\*|__)\s*)?(homepage|repository|paper|leaderboard|point of contact)"
    r"\s*:?\s*(?:\*\*|__)?\s*:?\s*(.*)$", re.I)
_LINK_TARGET_RE = re.compile(r"\]\(\s*<?\s*([^)\s>]+)\s*>?\s*\)")
_URL_RE = re.compile(r"https?://[^\s<>\"'`)\]]+")


def _card_body(ex, add, body: str, license_open: bool) -> None:
    body = _drop_html_comments(body)
    if len(body) > MAX_BODY_TEXT:
        ex.warn(f"card body is {len(body)} characters; read the first {MAX_BODY_TEXT}")
        body = body[:MAX_BODY_TEXT]
    prose, blocks = _split_code(body)
    doc = parse_markdown(body)
    _card_title(add, doc)
    _card_fields(add, prose)
    summary = _section_text(doc, "Dataset Summary")
    if summary:
        add("description", summary[:DESCRIPTION_MAX], "card section 'Dataset Summary'", RANK_TEXT)
    _card_body_license(ex, add, _section_text(doc, "Licensing Information"), license_open)
    classes = _mapping_block_classes(blocks)
    if classes:
        add("class_count", classes[0], classes[1], RANK_TEXT)
    classes = _field_value_classes(_section_text(doc, "Data Fields"))
    if classes:
        add("class_count", classes[0], classes[1], RANK_TEXT)
    tables = _split_table_counts(prose)
    splits = _split_sentence_total(_section_text(doc, "Data Splits"))
    _prose_facts(add, prose, "card text", extra_items=tables + splits)
    _subject_facts(add, _fact_prose(doc), "card text")
    add_review_facts(ex, _fact_prose(doc), "card text: ")
    _card_publisher(add, doc)


def _section_text(doc, name: str) -> str | None:
    """A section's plain text with its subsections, unless it is the template placeholder."""
    section = doc.section(name)
    text = doc.under(section).strip() if section else ""
    return text if text and not _is_placeholder(text) else None


def _fact_prose(doc) -> str:
    """The card's prose without its citation section: a citation describes a paper (its year,
    its authors), never the dataset's own facts."""
    return "\n".join(s.prose for s in doc.sections
                     if s.prose and not any("citation" in h.casefold() for h in s.path))


def _drop_html_comments(text: str) -> str:
    """Card templates are full of <!-- ... --> guidance; it is not about the dataset."""
    out, pos = [], 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:start])
        end = text.find("-->", start + 4)
        if end < 0:
            return "".join(out)
        pos = end + 3


def _split_code(body: str) -> tuple[str, list[tuple[str, str]]]:
    """(markdown without fenced code, [(text just before a block, block content)])."""
    prose, blocks, code, fence, before = [], [], [], None, ""
    for line in body.split("\n"):
        stripped = line.strip()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence, code = stripped[:3], []
            before = "\n".join(x for x in prose[-4:] if x.strip())
            continue
        if fence is not None:
            if stripped.startswith(fence):
                blocks.append((before, "\n".join(code)))
                fence = None
            else:
                code.append(line)
            continue
        prose.append(line)
    return "\n".join(prose), blocks


def _card_title(add, doc) -> None:
    top = next((sec for sec in doc.sections if sec.level == 1), None)
    if top is not None:
        title = re.sub(r"^dataset card for\s*:?\s*", "", top.heading, flags=re.I).strip()
        # "[Dataset Name]" is the unfilled template, not a title.
        if title and "[" not in title and title.lower() != "dataset card":
            add("title", title[:500], f"H1: {top.heading}", RANK_TEXT)


def _card_fields(add, prose: str) -> None:
    """The template's '- **Homepage:** ...' lines."""
    for line in prose.split("\n"):
        m = _FIELD_RE.match(line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if _is_placeholder(value):
            continue
        if key == "homepage":
            link = _LINK_TARGET_RE.search(value)
            url = link.group(1) if link else None
            if not url or not url.startswith("http"):
                bare = _URL_RE.search(value)
                url = bare.group(0) if bare else None
            if url:
                add("homepage", url.rstrip(".,;"), f"card: {line.strip()}", RANK_TEXT)
        elif key == "point of contact":
            contact = _contact(value)
            if contact:
                add("maintainer", contact, f"card: {line.strip()}", RANK_TEXT)


def _contact(value: str) -> str | None:
    link = re.match(r"\[([^\]]+)\]\(\s*(?:mailto:)?\s*([^)\s]+)\s*\)", value)
    if link:
        text, target = link.group(1).strip(), link.group(2).strip()
        return text if target in text else f"{text} <{target}>"
    value = re.sub(r"^mailto:\s*", "", value.strip(), flags=re.I).strip()
    return value[:200] or None


def _is_placeholder(value: str) -> bool:
    return value.strip().strip("*_").strip().lower() in PLACEHOLDERS


def _card_body_license(ex, add, text: str | None, license_open: bool) -> None:
    """The 'Licensing Information' section, read by the licence normaliser. When the YAML says
    only 'other', this is where the terms are named; otherwise it is one more (text) fact."""
    spdx = normalize_license(text[:5000]) if text else None
    if spdx and spdx != LICENSE_OTHER:
        _add_license(add, spdx, f"card section 'Licensing Information': {text[:120]}", RANK_TEXT)
    elif license_open:
        _add_license(add, LICENSE_OTHER, "YAML license: other (terms not named)", RANK_EMBEDDED)
    terms = noncommercial_terms(text[:5000]) if text and not spdx else None
    if terms:
        add("commercial_use", False, f"card section 'Licensing Information': {terms}", RANK_TEXT)


def _mapping_block_classes(blocks) -> tuple[int, str] | None:
    """A code block after a line about labels/classes that maps names to 0..n-1 (the card
    template's 'Class Label Mappings')."""
    for before, code in blocks:
        if not re.search(r"label|class", before, re.I) or len(code) > 200_000:
            continue
        pairs = re.findall(r"[\"']([^\"'\n]{1,200})[\"']\s*:\s*(\d{1,7})\b", code) or [
            (name, num) for num, name in
            re.findall(r"\b(\d{1,7})\s*:\s*[\"']([^\"'\n]{1,200})[\"']", code)]
        values = sorted(int(n) for _, n in pairs)
        names = {name for name, _ in pairs}
        if len(values) >= 2 and values == list(range(len(values))) and len(names) == len(values):
            return len(values), f"label mapping block after '{before[-80:]}': {len(values)} names"
    return None


# A class label's value listed with its index: "`Coverall` (0), `Face_Shield` (1)" or "neg (0)".
_INDEXED_VALUE = re.compile(
    r"[`'\"]?(?P<name>[\w][\w .\-/]{0,60}?)[`'\"]?\s*\((?P<index>\d{1,4})\)")


def _field_value_classes(text: str | None) -> tuple[int, str] | None:
    """class_count from the card's 'Data Fields' section, where a ClassLabel field lists its
    values with their indices ("`category`: ... possible values including `Coverall` (0), ...
    and `Mask` (4)"). The indices must run 0..n-1 over distinct names on one line; several such
    fields with different sizes state no single class count."""
    found = {}
    for line in (text or "").split("\n")[:2000]:
        pairs = [(m.group("name").strip().casefold(), int(m.group("index")))
                 for m in _INDEXED_VALUE.finditer(line[:5000])]
        indices = [i for _, i in pairs]
        if len(pairs) >= 2 and indices == list(range(len(pairs))) \
                and len({n for n, _ in pairs}) == len(pairs):
            found.setdefault(len(pairs), f"card section 'Data Fields': {_ev(line)[:200]}")
    if len(found) == 1:
        return next(iter(found.items()))
    return None


# "The training set contains 1000 images and test set 29 images."
_SPLIT_SET_COUNT = re.compile(
    rf"\b(?P<split>{'|'.join(CARD_SPLITS)})(?:ing)?\s+(?:set|split|subset)\s+(?:contains|has|"
    rf"consists\s+of|comprises|includes|of|with)?\s*(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+)\s+"
    rf"(?P<unit>{TOTAL_UNITS})\b", re.I)


def _split_sentence_total(text: str | None) -> list[tuple[int, str, str]]:
    """The 'Data Splits' section naming each split's size in one sentence ("The training set
    contains 1000 images and test set 29 images"): the total is their sum when every split is
    named once, in one unit, and the sentence is not per class."""
    out = []
    for sentence in paragraph_sentences(text or "")[:200]:
        parts, units = {}, set()
        for m in _SPLIT_SET_COUNT.finditer(sentence):
            split = CARD_SPLITS.get(m.group("split").lower())
            if split is None or split in parts or re.match(r"\s*(?:per|each|for each)\b",
                                                            sentence[m.end():]):
                parts = {}
                break
            parts[split] = parse_count(m.group("num"))
            units.add(m.group("unit").lower())
        if len(parts) >= 2 and len(units) == 1 and None not in parts.values():
            out.append((sum(parts.values()), units.pop(), f"'Data Splits': {sentence[:200]}"))
    return out


# Who curates or maintains the dataset, when it is an organisation: "It's curated and maintained
# by the Semantic Scholar team at the Allen Institute for AI".
_CURATED_BY = re.compile(r"\b(?:curated|maintained|published|hosted)\s+(?:and\s+\w+\s+)?by\s+",
                         re.I)
_ORG_NAME = re.compile(r"[A-Z][\w&.'-]*(?:\s+(?:(?:for|of|and|de|the)\s+)?[A-Z][\w&.'-]*)*")
_ORG_WORD = re.compile(r"\b(?:Institute|University|Universit\w+|Laboratory|Laboratories|Lab|Labs|"
                       r"Center|Centre|Foundation|Corporation|Inc|Ltd|LLC|GmbH|Company|"
                       r"Consortium|Agency|Organi[sz]ation|Council|Society|Association|Academy|"
                       r"Hospital|College)\b")
_TEAM_AT = re.compile(r"\s+(?:team|group|lab)\s+(?:at|of)\s+(?:the\s+)?", re.I)


def _card_publisher(add, doc) -> None:
    """publisher: an organisation the card's summary or curators section says curates,
    maintains or publishes the dataset. People (a curators list of names) are not publishers:
    the name must contain an organisation word."""
    for name in ("Dataset Summary", "Dataset Curators"):
        text = _section_text(doc, name)
        org = _curating_org(text) if text else None
        if org:
            add("publisher", org[0], f"card section '{name}': {org[1]}", RANK_TEXT)
            return


def _curating_org(text: str) -> tuple[str, str] | None:
    for sentence in paragraph_sentences(text[:20_000]):
        for m in _CURATED_BY.finditer(sentence):
            rest = re.sub(r"^the\s+", "", sentence[m.end():m.end() + 200], flags=re.I)
            for _ in range(2):   # "X team at the ORG": the organisation is after the team
                name = _ORG_NAME.match(rest)
                if name and _ORG_WORD.search(name.group(0)):
                    return name.group(0).strip().rstrip(".,'"), _ev(sentence)[:200]
                team = _TEAM_AT.search(rest[:80])
                if not team:
                    break
                rest = rest[team.end():]
    return None


# ------------------------------------------------------------------ counts stated in prose

def _prose_facts(add, text: str, where: str, extra_items=()) -> None:
    """item_count and class_count stated in prose (RANK_TEXT), by the shared stated-total rules:
    a stated total first, then a sentence listing disjoint split counts (summed), then a split
    table."""
    sentences = paragraph_sentences(text)
    items = []
    for sentence in sentences:
        items += stated_totals(sentence)
    for sentence in sentences:
        items += split_total(sentence)
    items += list(extra_items)
    seen = set()
    for count, unit, snippet in items:
        if count not in seen:
            seen.add(count)
            _add_count(add, count, unit, f"{where}: {snippet}", RANK_TEXT)
    classes = class_vote(sentences)
    if classes:
        add("class_count", classes[0], f"{where}: {classes[1]}", RANK_TEXT)


def _subject_facts(add, text: str, where: str) -> None:
    """subject_count when the prose states exactly one number of subjects (the first count of
    each sentence: "20 participants, 6 of them female" states 20; "images of 20 people"), else
    the one-subject phrase ("a single speaker"). Dataset cards and DatasetInfo descriptions."""
    found = {}
    for count in prose_counts(text[:MAX_TEXT]):
        if count.field == "subject_count" and count.split is None:
            found.setdefault(count.value, count.evidence)
    for value, phrase in people_subject_counts(text[:MAX_TEXT]).items():
        found.setdefault(value, phrase)
    if len(found) == 1:
        value, evidence = next(iter(found.items()))
        add("subject_count", value, f"{where}: {evidence}", RANK_TEXT)
    elif not found:
        phrase = single_subject_phrase(text[:MAX_TEXT])
        if phrase:
            add("subject_count", 1, f"{where}: {phrase}", RANK_TEXT)


# --------------------------------------------------------------------- split tables (cards)

_COUNT_WORD_RE = re.compile(rf"#|\bnumber\b|\bnum\b|\bcount\b|\b(?:{TOTAL_UNITS})\b", re.I)
_BYTES_WORD_RE = re.compile(r"\bbytes?\b|\bsize\b|\b[kmgt]i?b\b", re.I)


def _split_table_counts(prose: str) -> list[tuple[int, str, str]]:
    out = []
    for table in _tables(prose):
        found = _table_total(table)
        if found:
            out.append(found)
    return out


def _tables(prose: str) -> list[list[list[str]]]:
    tables, current = [], []
    for line in prose.split("\n") + [""]:
        stripped = line.strip()
        if stripped.startswith("|") and len(stripped) < 5000:
            current.append([c.strip() for c in stripped.strip("|").split("|")])
            continue
        if len(current) >= 3 and all(re.fullmatch(r":?-{2,}:?", c) for c in current[1] if c):
            tables.append([current[0]] + current[2:])
        current = []
    return tables


def _is_split_cell(cell: str) -> bool:
    word = re.split(r"[\s_\-]", cell.strip().strip("*`").lower(), maxsplit=1)[0]
    return word in CARD_SPLITS


def _table_total(table: list[list[str]]) -> tuple[int, str, str] | None:
    """A 'Data Splits' table: split names across the header with one row of counts, or split
    names down the first column with one column of counts."""
    header, rows = table[0], table[1:]
    if len(header) >= 3 and all(_is_split_cell(c) for c in header[1:]):
        counted = [r for r in rows if len(r) == len(header) and not _BYTES_WORD_RE.search(r[0])
                   and all(parse_count(c) is not None for c in r[1:])]
        labelled = [r for r in counted if _COUNT_WORD_RE.search(r[0])]
        row = labelled[0] if labelled else counted[0] if len(counted) == 1 else None
        if row:
            total = sum(parse_count(c) for c in row[1:])
            return total, _unit_in(row[0]), "split table: " + " | ".join(header + row)[:200]
    if len(header) >= 2 and rows and all(_is_split_cell(r[0]) for r in rows if r):
        numeric = [j for j in range(1, len(header)) if not _BYTES_WORD_RE.search(header[j])
                   and all(len(r) > j and parse_count(r[j]) is not None for r in rows)]
        chosen = [j for j in numeric if _COUNT_WORD_RE.search(header[j])] or (
            numeric if len(numeric) == 1 else [])
        if chosen:
            j = chosen[0]
            total = sum(parse_count(r[j]) for r in rows)
            return total, _unit_in(header[j]), f"split table column '{header[j]}'"
    return _config_table_total(header, rows)


def _config_table_total(header: list[str], rows: list[list[str]]):
    """Split names across the header and one row per config ("The sizes of each configuration
    are: | metadata | 368618 |"). Configs with identical split sizes are views of the same data
    (as in DatasetInfo, _info_items): the total is one row's. Different rows: no total."""
    if len(header) < 2 or len(rows) < 2 or not all(_is_split_cell(c) for c in header[1:]):
        return None
    counted = [tuple(parse_count(c) for c in r[1:]) for r in rows
               if len(r) == len(header) and not _BYTES_WORD_RE.search(r[0])]
    if len(counted) != len(rows) or len(set(counted)) != 1 or None in counted[0]:
        return None
    total = sum(counted[0])
    return total, "examples", f"split table: {len(rows)} configs of identical split sizes " \
        f"({' | '.join(header[1:])}: {' | '.join(rows[0][1:])})"


def _unit_in(label: str) -> str:
    m = re.search(rf"\b({TOTAL_UNITS})\b", label, re.I)
    return m.group(1).lower() if m else "examples"


# ---------------------------------------------------------------------------- combine

def combine(parts: list[Extraction]) -> Extraction:
    """The pages of one source (Hub API, card, viewer responses) as one extraction: their facts,
    files and warnings in page order (as the registry's plain concatenation), then the
    /statistics pages read together with the label columns the features name."""
    merged = concat(NAME, VERSION, parts)
    viewer.join_statistics(merged, parts)
    return merged
