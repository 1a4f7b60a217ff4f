"""OpenML datasets (REST API v1, XML or JSON).

Reads, purely from (url, body):
- the data description `/api/v1/xml/data/ID` (namespace http://openml.org/openml, `oml:` prefix)
  and its JSON twin `/api/v1/json/data/ID` ({"data_set_description": {...}});
- data qualities `/api/v1/(xml|json)/data/qualities/ID` (NumberOfInstances, NumberOfClasses, ...);
- data features `/api/v1/(xml|json)/data/features/ID` (the target's nominal values);
- the dataset list `/api/v1/(xml|json)/data/list/...` (a listing: facts per dataset id).

From a description the harvest follows the same dataset's qualities and features, in the
description's own format (`Follow(kind="evidence")`: /api/v1/json/data/qualities/ID and
/api/v1/json/data/features/ID for JSON, the /xml/ forms for XML). OpenML's Croissant documents
are not followed: no API response states their URL and OpenML documents none (they are files
its converter uploads to object storage, by its own account temporary and missing for newer
datasets).

Label statistics (published, RANK_API, the JSON/XML path as evidence):
- qualities: `missing_values` {pct = 100 x NumberOfMissingValues / (NumberOfInstances x
  NumberOfFeatures), columns, rows, split null, source "OpenML qualities"} and
  `class_share_estimate` {classes, majority_pct, minority_pct} from NumberOfClasses and
  Majority/MinorityClassPercentage (or the class sizes over NumberOfInstances);
- features: `labels_per_item` 1.0 for exactly one target that is nominal with two or more
  values (a single-label classification); combine() gives it from the qualities'
  NumberOfClasses >= 2 when the description names one default_target_attribute and no
  features page says otherwise. OpenML's features state each nominal feature's values, never
  their counts, so the API gives no per-class counts (class_counts): the estimate is all.

Precedence: qualities are computed by OpenML from the data file (RANK_API); the description
text is the uploader's prose (RANK_TEXT). Both stay facts; resolution lets the API win.
OpenML states no file sizes, so size_bytes is never emitted.
"""
from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from lxml import etree

from extractors.claims import Claims, Confidence, Probe
from extractors.model import RANK_API, RANK_TEXT, Extraction, ExtractionError, FileEntry, Follow, concat
from extractors.normalize.counts import parse_count
from extractors.normalize.dates import parse_date
from extractors.normalize.digests import digest_fields
from extractors.normalize.formats import from_encoding_format, from_filename, sorted_set
from extractors.normalize.license import commercial_use, normalize_license
from extractors.normalize.prose import (UCI_CLASSES_RE, UCI_FEATURES_RE, UCI_INSTANCES_RE,
                                        class_vote, paragraph_sentences, stated_totals)
from extractors.normalize.text import decode, load_json, starts_like_html

NAME = "openml"
VERSION = "1.2.0"

NS = "http://openml.org/openml"
HOSTS = {"openml.org", "www.openml.org", "api.openml.org", "test.openml.org"}
API_PATH_RE = re.compile(r"^/api/v1/(?:(?:xml|json)/)?data(?:/|$)", re.I)
# A data description's own URL: /api/v1/json/data/61, /api/v1/xml/data/61, /api/v1/data/61.
DESCRIPTION_PATH_RE = re.compile(r"^/api/v1/(?:(?:xml|json)/)?data/(?P<id>\d{1,10})/?$", re.I)
JSON_ROOTS = ("data_set_description", "data_qualities", "data_features")

EVIDENCE_MAX = 300
DESCRIPTION_MAX = 5000
MAX_XML_DEPTH = 30       # OpenML XML is 3-4 levels deep
MAX_ELEMENTS = 500_000   # features of very wide datasets run to tens of thousands
MAX_LIST = 100_000


# ---------------------------------------------------------------------------------- detection

def match_url(url: str) -> bool:
    parts = urlsplit(url)
    return (parts.hostname or "").lower() in HOSTS and bool(API_PATH_RE.match(parts.path))


def accepts(body: bytes, content_type: str | None) -> bool:
    """An OpenML URL serving HTML (an error page, the web UI) is not an API response."""
    return not starts_like_html(body)


def sniff(body: bytes, content_type: str | None) -> bool:
    """OpenML API XML (root element in the OpenML namespace) or JSON (one
    data_set_description, data_qualities, data_features, data list or error root)."""
    head = body[:4096].decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        # The root element is in the OpenML namespace (declared on it).
        root = re.search(r"<(?!\?|!)([\w.-]+:)?([\w.-]+)[^>]*>", head)
        return bool(root) and NS in root.group(0)
    if head.startswith("{"):
        try:
            data = load_json(body)
        except ExtractionError:
            return False
        return _json_kind(data) is not None
    return False


CLAIMS = Claims(
    urls=(f"{{{','.join(sorted(HOSTS))}}}/api/v1/{{json/,xml/,}}data/<id>",
          f"{{{','.join(sorted(HOSTS))}}}/api/v1/{{json/,xml/,}}data/list/<filter>"),
    match_url=match_url,
    accepts=accepts,
    content_types=("application/xml", "text/xml", "application/json"),
    probe=Probe(sniff, Confidence.SPECIFIC),
)


# ---------------------------------------------------------------------------------- entry

def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    if not isinstance(body, (bytes, bytearray)):
        raise ExtractionError("body is not bytes")
    body = bytes(body)
    ex = Extraction(NAME, VERSION, url=url)
    start = decode(body[:4096], content_type).lstrip("\ufeff \t\r\n")[:1]
    if start == "{":
        data, source = load_json(body), "json"
    elif start == "<":
        data, source = _xml_to_dict(body), "xml"
    else:
        raise ExtractionError("neither XML nor JSON: not an OpenML API response")
    kind = _json_kind(data)
    if kind is None:
        raise ExtractionError("not an OpenML data description, qualities, features or list")
    root = next(iter(data))
    at = _Path(source, root)
    node = data[root]
    if kind == "error":
        raise ExtractionError(f"OpenML error response: {_error_text(node)}")
    if not isinstance(node, dict):
        raise ExtractionError(f"{root} is not an object")
    if kind == "description":
        _description(ex, node, at)
        _follow(ex, node, source)
    elif kind == "qualities":
        quality = _qualities_map(node)
        _qualities(ex, quality, at, _adder(ex))
        classes = _whole(quality.get("NumberOfClasses"))
        if classes and classes >= 2:   # for combine(): with one named target, single-label
            ex.meta["classes"] = classes
            ex.meta["classes_at"] = f"{at('quality')}[name=NumberOfClasses] = {quality.get('NumberOfClasses')}"
    elif kind == "features":
        _features(ex, node, at)
    elif kind == "list":
        _listing(ex, node, at)
    return ex


class _Path:
    """Evidence paths in the input's own notation (oml:name or $.data_set_description.name)."""

    def __init__(self, source: str, root: str):
        self.source, self.root = source, root

    def __call__(self, *keys: str) -> str:
        if self.source == "xml":
            return "/".join(f"oml:{k}" for k in (self.root, *keys))
        return "$." + ".".join((self.root, *keys))


def _adder(ex: Extraction, record: str | None = None):
    def add(field: str, value, evidence: str, rank: int = RANK_API, unit: str | None = None):
        ex.add(field, value, " ".join(str(evidence).split())[:EVIDENCE_MAX], rank=rank,
               unit=unit, record=record)
    return add


def _json_kind(data) -> str | None:
    if not isinstance(data, dict) or len(data) != 1:
        return None
    key, value = next(iter(data.items()))
    if key == "data_set_description":
        return "description"
    if key == "data_qualities":
        return "qualities"
    if key == "data_features":
        return "features"
    if key == "data" and isinstance(value, dict) and "dataset" in value:
        return "list"
    if key == "error" and isinstance(value, (dict, str)):
        return "error"
    return None


def _error_text(node) -> str:
    if isinstance(node, dict):
        return " ".join(str(node.get(k, "")) for k in ("code", "message", "additional_information")
                        ).strip()[:200] or "no message"
    return str(node)[:200]


# ---------------------------------------------------------------------------------- XML

def _xml_parser() -> etree.XMLParser:
    # No entity expansion, no DTD, no network: an API response never needs them.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def _xml_to_dict(body: bytes) -> dict:
    """{root localname: element dict}, in the shape the JSON API gives: repeated children
    become lists, leaves become stripped text."""
    if re.search(rb"<!(?:DOCTYPE|ENTITY)", body[:65536], re.I):
        raise ExtractionError("XML with a DTD or entity declarations is refused")
    try:
        root = etree.fromstring(body, _xml_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(f"invalid XML: {str(exc)[:150]}") from None
    if root is None:
        raise ExtractionError("empty XML document")
    if etree.QName(root).namespace != NS:
        raise ExtractionError(f"XML root {root.tag[:80]} is not in the OpenML namespace")
    budget = [MAX_ELEMENTS]
    return {etree.QName(root).localname: _element(root, 0, budget)}


def _element(el, depth: int, budget: list[int]):
    if depth > MAX_XML_DEPTH:
        raise ExtractionError("XML nested too deeply")
    children = [c for c in el if isinstance(c.tag, str)]
    budget[0] -= len(children)
    if budget[0] < 0:
        raise ExtractionError("XML has too many elements")
    if not children:
        return (el.text or "").strip()
    out: dict = {}
    for child in children:
        key = etree.QName(child).localname
        out.setdefault(key, []).append(_element(child, depth + 1, budget))
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def _as_list(value) -> list:
    """The API gives one child as a scalar and several as a list."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _text(node: dict, key: str) -> str | None:
    value = node.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


# ------------------------------------------------------------------------ data description

def _description(ex: Extraction, d: dict, at: _Path) -> None:
    add = _adder(ex)
    add("title", _text(d, "name"), at("name"))
    add("version", _text(d, "version"), at("version"))
    uploaded = _text(d, "upload_date")
    # upload_date is the publication of this dataset version on OpenML; collection_date and
    # processing_date are not release dates.
    add("release_date", parse_date(uploaded), f"{at('upload_date')} = {uploaded}")
    _licence(ex, add, _text(d, "licence"), at("licence"))
    visibility = (_text(d, "visibility") or "").lower()
    if visibility == "public":
        add("access", "open", f"{at('visibility')} = public")
    elif visibility == "private":
        add("access", "restricted", f"{at('visibility')} = private")
    status = _text(d, "status")
    if status and status.lower() != "active":
        ex.warn(f"OpenML status is {status!r} (not active)")
    target = _text(d, "default_target_attribute")
    if target:
        # "a,b" names several targets (multi-target); combine() reads this
        ex.meta["targets"] = [t.strip() for t in target.split(",") if t.strip()]
        ex.meta["targets_at"] = f"{at('default_target_attribute')} = {target[:80]}"
    tags = [t for t in _as_list(d.get("tag")) if isinstance(t, str) and t.strip()]
    add("keywords", sorted(set(tags))[:500], at("tag"))
    _files(ex, add, d, at)
    text = d.get("description")
    if isinstance(text, str) and text.strip():
        add("description", text.strip()[:DESCRIPTION_MAX], at("description"))
        _text_facts(add, text[:1_000_000], at("description"))


def _follow(ex: Extraction, d: dict, source: str) -> None:
    """The qualities and features of the described dataset, in the description's format, on
    the host the description came from. Only for a description read from its own API URL whose
    id the body does not contradict."""
    parts = urlsplit(ex.url or "")
    m = DESCRIPTION_PATH_RE.match(parts.path)
    if not m or (parts.hostname or "").lower() not in HOSTS or parts.scheme not in ("http", "https"):
        return
    data_id = m.group("id")
    stated = _text(d, "id")
    if stated and stated != data_id:
        ex.warn(f"description id {stated[:20]} is not the id {data_id} of its URL; not followed")
        return
    base = f"{parts.scheme}://{parts.netloc}/api/v1/{source}/data"
    for what in ("qualities", "features"):
        ex.follow.append(Follow(f"{base}/{what}/{data_id}", "evidence", f"OpenML data {what} of dataset {data_id}"))


def _licence(ex, add, value: str | None, where: str) -> None:
    if not value:
        return
    spdx = normalize_license(value)
    if not spdx:
        ex.warn(f"unrecognised licence {value[:80]!r}")
        return
    add("license", spdx, f"{where} = {value[:80]}")
    allowed = commercial_use(spdx)
    if allowed is not None:
        add("commercial_use", allowed, f"licence {spdx}")


def _files(ex, add, d: dict, at: _Path) -> None:
    """The download URL in oml:format, and the parquet copy (parquet_url; minio_url is the same
    object). Each distinct URL is a file. A file whose format is ARFF is ARFF, whatever content
    type it is served with."""
    stated = _text(d, "format")
    main_format = _stated_format(stated)
    files: dict[str, tuple[str | None, str]] = {}
    url = _text(d, "url")
    if url:
        files[url] = (main_format or from_filename(url), "url")
    for key in ("parquet_url", "minio_url"):
        link = _text(d, key)
        if link and link not in files:
            files[link] = ("PARQUET", key)
    for link, (fmt, key) in files.items():
        # file_id and md5_checksum describe the main download only, not the parquet copy.
        main = key == "url"
        digest = digest_fields("md5", _text(d, "md5_checksum")) if main else {}
        ex.files.append(FileEntry(name=link.rstrip("/").rsplit("/", 1)[-1][:300], format=fmt,
                                  url=link, file_id=_text(d, "file_id") if main else None,
                                  **digest))
    if not files:
        return
    keys = ", ".join(at(k) for _, k in files.values())
    add("file_count", len(files), f"{len(files)} download URL(s): {keys}")
    add("formats", sorted_set(f for f, _ in files.values()),
        f"{at('format')} = {stated}; {keys}")


def _stated_format(value: str | None) -> str | None:
    if not value:
        return None
    # OpenML formats: ARFF, Sparse_ARFF (an ARFF variant), and newer upload formats.
    return from_encoding_format(value) or ("ARFF" if "arff" in value.lower() else None)


# ---------------------------------------------------------------------------- qualities

def _qualities_map(node: dict) -> dict[str, str]:
    out = {}
    for q in _as_list(node.get("quality"))[:MAX_LIST]:
        if isinstance(q, dict) and isinstance(q.get("name"), str):
            out.setdefault(q["name"], q.get("value"))
    return out


def _finite(value) -> float | None:
    """A quality's number ("898", "898.0", 33.3, ...); None unless finite."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _whole(value) -> int | None:
    """Qualities come as "898", "898.0" or numbers; only whole non-negative values count."""
    number = _finite(value)
    if number is None or number < 0 or number != int(number):
        return None
    return int(number)


def _qualities(ex, quality: dict, at: _Path, add) -> None:
    def where(name: str) -> str:
        return f"{at('quality')}[name={name}] = {quality.get(name)}"

    def stated(*names: str) -> str:
        return f"{at('quality')}: " + ", ".join(f"{n} = {quality.get(n)}" for n in names)

    instances = _whole(quality.get("NumberOfInstances"))
    majority = _whole(quality.get("MajorityClassSize"))
    if instances is not None and majority is not None and majority > instances:
        # Qualities that contradict themselves (a class bigger than the whole data: edited
        # test fixtures of truncated files) do not state the dataset's size.
        ex.warn(f"NumberOfInstances {instances} < MajorityClassSize {majority}: not read")
        instances = None
    if instances is not None:
        add("item_count", instances, where("NumberOfInstances"), unit="instances")
        add("item_unit", "instances", where("NumberOfInstances"))
    add("feature_count", _whole(quality.get("NumberOfFeatures")), where("NumberOfFeatures"))
    classes = _whole(quality.get("NumberOfClasses"))
    # OpenML computes NumberOfClasses only for a nominal target; 0 means a numeric target.
    if classes:
        add("class_count", classes, where("NumberOfClasses"))
    if not any(k in quality for k in ("NumberOfInstances", "NumberOfFeatures", "NumberOfClasses")):
        ex.warn("qualities without NumberOfInstances/NumberOfFeatures/NumberOfClasses")
    _missing_values(ex, add, quality, stated, instances)
    if classes and classes >= 2:
        _class_shares(ex, add, quality, stated, classes, instances)


PCT_DIGITS = 4


def _missing_values(ex, add, quality: dict, stated, instances: int | None) -> None:
    """Share of missing cells over the whole data file (OpenML computes qualities on all of it:
    no split)."""
    missing = _whole(quality.get("NumberOfMissingValues"))
    features = _whole(quality.get("NumberOfFeatures"))
    if missing is None or not instances or not features:
        return
    cells = instances * features
    if missing > cells:
        ex.warn(f"NumberOfMissingValues {missing} exceeds {instances} x {features} cells: not read")
        return
    pct = round(100.0 * missing / cells, PCT_DIGITS)
    add("missing_values", {"pct": pct, "columns": features, "rows": instances, "split": None,
                           "source": "OpenML qualities"},
        f"{stated('NumberOfMissingValues', 'NumberOfInstances', 'NumberOfFeatures')} "
        f"(whole dataset): {pct:g}% of cells missing")


def _share(value) -> float | None:
    """A percentage quality ("33.33333333333333"); None unless finite and within 0-100."""
    number = _finite(value)
    return number if number is not None and 0 <= number <= 100 else None


def _class_shares(ex, add, quality: dict, stated, classes: int, instances: int | None) -> None:
    """class_share_estimate from the stated percentages, else from the class sizes over the
    instances. Shares that cannot hold together (a minority above the majority, classes that
    do not fit in 100%) are not read."""
    majority = _share(quality.get("MajorityClassPercentage"))
    minority = _share(quality.get("MinorityClassPercentage"))
    evidence = stated("NumberOfClasses", "MajorityClassPercentage", "MinorityClassPercentage")
    if majority is None or minority is None:
        big = _whole(quality.get("MajorityClassSize"))
        small = _whole(quality.get("MinorityClassSize"))
        if big is None or small is None or not instances:
            return
        majority, minority = 100.0 * big / instances, 100.0 * small / instances
        evidence = stated("NumberOfClasses", "MajorityClassSize", "MinorityClassSize",
                          "NumberOfInstances")
    tolerance = 0.01 * classes   # percentages are rounded
    if minority > majority or majority + minority * (classes - 1) > 100 + tolerance \
            or majority + minority > 100 + tolerance or majority * classes < 100 - tolerance:
        ex.warn(f"class shares {majority:g}% / {minority:g}% do not fit {classes} classes: not read")
        return
    add("class_share_estimate", {"classes": classes, "majority_pct": round(majority, PCT_DIGITS),
                                 "minority_pct": round(minority, PCT_DIGITS)},
        evidence)


# ---------------------------------------------------------------------------- features

def _features(ex, node: dict, at: _Path) -> None:
    add = _adder(ex)
    features = [f for f in _as_list(node.get("feature"))[:MAX_LIST] if isinstance(f, dict)]
    if not features:
        ex.warn("feature list is empty")
        return
    add("feature_count", len(features), f"{at('feature')}: {len(features)} features")
    targets = [f for f in features if str(f.get("is_target", "")).lower() == "true"]
    ex.meta["feature_targets"] = len(targets)
    if len(targets) != 1:
        return
    target = targets[0]
    values = [v for v in _as_list(target.get("nominal_value")) if isinstance(v, str)]
    if str(target.get("data_type", "")).lower() == "nominal" and len(values) >= 2:
        where = f"{at('feature')}[name={str(target.get('name'))[:80]}]"
        add("class_count", len(set(values)), f"{where} nominal target with {len(values)} values")
        # one nominal target: each instance has exactly one class (a single-label schema)
        add("labels_per_item", 1.0,
            f"{where} is the only target (is_target true), nominal with {len(set(values))} values")


# ---------------------------------------------------------------------------- listing

def _listing(ex, node: dict, at: _Path) -> None:
    """/data/list: many datasets. Facts go to each dataset's record (its id)."""
    ex.listing = True
    for i, row in enumerate(_as_list(node.get("dataset"))[:MAX_LIST]):
        if not isinstance(row, dict) or not _text(row, "did"):
            continue
        add = _adder(ex, record=_text(row, "did"))
        add("title", _text(row, "name"), at("dataset", f"{i}", "name"))
        add("version", _text(row, "version"), at("dataset", f"{i}", "version"))
        _qualities(ex, _qualities_map(row), _Path(at.source, f"{at.root}.dataset.{i}"), add)


# ------------------------------------------------------------- counts in description prose

# UCI ".names" style lines, common in OpenML descriptions ("5. Number of Instances: 798"): the
# patterns are the shared ones the readme adapter reads .names files with (normalize/prose.py).
_UCI_INSTANCES_RE, _UCI_FEATURES_RE, _UCI_CLASSES_RE = UCI_INSTANCES_RE, UCI_FEATURES_RE, UCI_CLASSES_RE
# "classes: 1,2,3,4,5,U" or "5. class:" followed by "-- value" lines.
_CLASS_LINE_RE = re.compile(r"^\s*(?:\d+\.\s*)?class(?:es)?\s*:\s*(.*)$", re.I)


def _text_facts(add, text: str, where: str) -> None:
    """item_count / feature_count / class_count written in the description (RANK_TEXT): UCI
    ".names" lines first, then the shared stated-total rules (normalize/prose.py)."""
    sentences = paragraph_sentences(text)
    m = _UCI_INSTANCES_RE.search(text)
    if m:
        _text_count(add, "item_count", m, where, unit="instances")
    else:
        total = next((t for s in sentences for t in stated_totals(s)), None)
        if total:
            count, unit, phrase = total
            add("item_count", count, f"{where}: {phrase}", RANK_TEXT, unit=unit)
            add("item_unit", unit, f"{where}: {phrase}", RANK_TEXT)
    m = _UCI_FEATURES_RE.search(text)
    if m:
        _text_count(add, "feature_count", m, where)
    m = _UCI_CLASSES_RE.search(text)
    if m:
        _text_count(add, "class_count", m, where)
        return
    listed = _listed_classes(text)
    if listed:
        add("class_count", listed[0], f"{where}: {listed[1]}", RANK_TEXT)
        return
    voted = class_vote(sentences)
    if voted:
        add("class_count", voted[0], f"{where}: {voted[1]}", RANK_TEXT)


def _text_count(add, field: str, m: re.Match, where: str, unit: str | None = None) -> None:
    value = parse_count(m.group(1))
    if value is None:
        return
    add(field, value, f"{where}: {m.group(0)}", RANK_TEXT, unit=unit)
    if unit:
        add("item_unit", unit, f"{where}: {m.group(0)}", RANK_TEXT)


def _listed_classes(text: str) -> tuple[int, str] | None:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = _CLASS_LINE_RE.match(line)
        if not m:
            continue
        rest = m.group(1).strip()
        if rest:
            values = [v.strip() for v in rest.split(",") if v.strip()]
        else:   # the values follow as "-- value" lines
            values = []
            for follow in lines[i + 1:i + 1000]:
                item = re.match(r"^\s*--\s*(.+?)\s*$", follow)
                if not item:
                    break
                values.append(item.group(1))
        if len(values) >= 2 and all(len(v) <= 60 for v in values) and len(set(values)) == len(values):
            return len(values), line.strip()[:120]
    return None


# ---------------------------------------------------------------------------------- combine

def combine(parts: list[Extraction]) -> Extraction:
    """The pages of one dataset (description, qualities, features) together; adds what only
    two pages say together: labels_per_item 1.0 when the qualities count two or more classes
    and the description names exactly one default target, unless a page already stated it or
    the features list a target count other than one."""
    merged = concat(NAME, VERSION, parts)
    if merged.listing or any(f.field == "labels_per_item" and f.record is None for f in merged.facts):
        return merged
    meta = {k: v for part in parts for k, v in part.meta.items()}
    targets, classes = meta.get("targets"), meta.get("classes")
    if not targets or len(targets) != 1 or not classes or meta.get("feature_targets", 1) != 1:
        return merged
    merged.add("labels_per_item", 1.0,
               f"{meta['classes_at']}; {meta['targets_at']} (one target): single-label",
               rank=RANK_API)
    return merged
