"""Frictionless Data Package descriptors: `datapackage.json`, `datapackage.yaml` / `.yml`.

Spec: https://datapackage.org (v1 and v2). What is read:
- `title` (the package `name` is an identifier, never a title), `description`, `keywords`;
- `licenses[]` (`name` an SPDX-like id such as "ODC-PDDL-1.0", `path` a URL, `title`); the old
  single `license` too;
- `version` only. `datapackage_version` is the version of the Data Package spec the descriptor
  follows (a trap, never read);
- `homepage`; `id` when it is a DOI; contributors whose role is publisher;
- `resources[]` -> files: `path` (a string, or a list when one resource is split into several
  files) or the old `url`; `format`, `mediatype`, `bytes`, `hash` (an MD5 unless written
  "<algorithm>:<hex>"). Inline `data` is not a file.

Early descriptors (before April 2013, e.g. old DataHub `datapackage.json` files) list their
files under the legacy key `files` instead of `resources`; they are read the same way.

Sizes and row counts stated for the package (DataHub writes package-level `bytes` and
`count_of_rows`) are stated totals and win. Otherwise per-resource `bytes` are summed only when
every file-bearing resource states them, and per-resource row counts (`count_of_rows`,
frictionless-py `stats.rows`) only when every data resource states one. A resource named by a
plural noun ("bioregions") whose count the descriptions state ("All 185 One Earth bioregions")
states its rows. Counts in the package description go through the shared prose reader.

Not read, on purpose: `created` is when the descriptor was written, not when the data were
published (release_date stays empty); `sources[]` are upstream providers; `related[]` (DataHub)
describes other datasets; `last_modified` is a modification date (-> modified_date only).
"""
from __future__ import annotations

import re
import reprlib
from urllib.parse import urljoin, urlsplit

import yaml

from extractors.claims import Claims, Confidence, Probe
from extractors.model import RANK_API, RANK_TEXT, Extraction, ExtractionError, FileEntry
from extractors.normalize import formats as fmt
from extractors.normalize.dates import parse_date
from extractors.normalize.digests import prefixed_digest_fields
from extractors.normalize.ids import normalize_doi
from extractors.normalize.license import commercial_use, normalize_license
from extractors.normalize.prose import add_prose_facts
from extractors.normalize.text import MAX_YAML_DEPTH, decode, load_json, yaml_too_deep
from extractors.normalize.urls import basename, same_page

# Bounded renderings for warnings: a few items, two levels (YAML aliases can make a small
# file a huge shared structure).
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring = 2, 4, 4, 60

NAME = "frictionless"
VERSION = "1.2.1"

DESCRIPTOR_PATH = re.compile(r"(?:^|/)datapackage\.(?:json|ya?ml)$", re.I)
SNIFF_LIMIT = 20_000_000
MAX_RESOURCES = 10_000
MAX_YAML_ALIASES = 200      # anchors/aliases are rare in descriptors; many of them is a bomb
EVIDENCE_MAX = 300
YAML_ALIAS = re.compile(r"(?<![\w*&])\*[A-Za-z0-9_-]+")
YAML_RESOURCES = re.compile(r"^resources\s*:", re.M)


# ---------------------------------------------------------------------------------------------
# detection

def match_url(url: str) -> bool:
    return bool(DESCRIPTOR_PATH.search(urlsplit(url).path))


def accepts(body: bytes, content_type: str | None) -> bool:
    """A URL named datapackage.* is ours when the body is an object listing resources (or, in
    pre-2013 descriptors, `files`)."""
    data = _parse_quietly(body)
    return isinstance(data, dict) and _resource_list(data) is not None


def sniff(body: bytes, content_type: str | None) -> bool:
    """A Data Package descriptor (JSON or YAML): resources with paths next to a package key
    or a Data Package profile, or a pre-2013 descriptor's `files`."""
    data = _parse_quietly(body)
    return isinstance(data, dict) and _looks_like_package(data)


CLAIMS = Claims(
    urls=("<any host>/<any path>/datapackage.{json,yaml,yml}",),
    match_url=match_url,
    accepts=accepts,
    content_types=("application/json", "application/yaml", "text/yaml"),
    probe=Probe(sniff, Confidence.DESCRIPTOR),
)


# Keys only the Data Package spec (v1, v2 and the pre-v1 drafts) gives a package, next to its
# name/title; `datapackage_version` and `profile` name the spec itself.
PACKAGE_KEYS = ("licenses", "license", "sources", "contributors", "maintainers", "profile",
                "datapackage_version", "$schema")


def _looks_like_package(data: dict) -> bool:
    profile = " ".join(v for v in (data.get("profile"), data.get("$schema")) if isinstance(v, str)).lower()
    resources = data.get("resources")
    if isinstance(resources, list):
        if "data-package" in profile or "datapackage" in profile:
            return True
        # A catalogue record (CKAN) also has "resources", with "url"/"package_id"; a
        # descriptor's resources have "path" (or inline "data") and the package has one of its
        # own keys.
        has_path = any(isinstance(r, dict) and ("path" in r or "data" in r) for r in resources[:100])
        has_key = any(k in data for k in ("name", "licenses", "title", "id", "profile"))
        return has_path and has_key
    if resources is not None:
        return False
    # Pre-2013 descriptors: the files under the legacy key "files", as objects with a "path"
    # (npm's package.json also has "files", "name" and "license", but its files are strings).
    files = data.get("files")
    if not isinstance(files, list) or not _has_path_objects(files):
        return False
    named = any(isinstance(data.get(k), str) and data.get(k).strip() for k in ("name", "title"))
    return named and any(k in data for k in PACKAGE_KEYS)


def _has_path_objects(entries: list) -> bool:
    return any(isinstance(e, dict) and isinstance(e.get("path"), str) for e in entries[:100])


def _resource_list(data: dict) -> tuple[str, list] | None:
    """("resources", list), or ("files", list) for a legacy descriptor, or None."""
    if isinstance(data.get("resources"), list):
        return "resources", data["resources"]
    if "resources" not in data and isinstance(data.get("files"), list) and _has_path_objects(data["files"]):
        return "files", data["files"]
    return None


def _parse_quietly(body: bytes):
    if len(body) > SNIFF_LIMIT:
        return None
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] not in (b"{", b"[") and not re.search(rb"^resources\s*:", body, re.M):
        return None   # cheap: a YAML descriptor has a top-level "resources:" key
    try:
        return _parse(body, None)
    except Exception:
        return None


# ---------------------------------------------------------------------------------------------
# parsing

class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps floats and timestamps as written: `version: 1.10` must stay "1.10",
    not become 1.1, and dates are parsed by the shared date normaliser."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers
          if tag not in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse(body: bytes, content_type: str | None):
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return load_json(body)
    text = decode(body, content_type)
    if not YAML_RESOURCES.search(text) and not re.match(r"^\s*(?:---\s*)?[\w\"'$-]+\s*:", text):
        raise ExtractionError("neither a JSON nor a YAML mapping")
    if len(YAML_ALIAS.findall(text)) > MAX_YAML_ALIASES:
        raise ExtractionError("YAML with too many aliases refused")
    if yaml_too_deep(text):
        raise ExtractionError(f"YAML nested too deeply (more than {MAX_YAML_DEPTH} levels)")
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExtractionError(f"invalid YAML: {first}"[:200]) from None
    except RecursionError:
        raise ExtractionError("YAML nested too deeply") from None


# ---------------------------------------------------------------------------------------------
# extraction

def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    data = _parse(body, content_type)
    if not isinstance(data, dict):
        raise ExtractionError(f"a Data Package descriptor is an object, not {type(data).__name__}")
    found = _resource_list(data)
    if found is None:
        raise ExtractionError("not a Data Package: no resources list")
    key, resources = found
    _read_descriptive(ex, url, data)
    _read_licenses(ex, data)
    _read_publisher(ex, data)
    _read_package_totals(ex, data)
    _read_resources(ex, url, resources, key)
    _read_row_counts(ex, data, resources, key)
    return ex


def _short(value) -> str:
    """A bounded rendering for warnings: YAML aliases can make a small file a huge structure."""
    return _SHORT.repr(value)[:100]


def _text(value) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return " ".join(value.split()) or None
    return None


def _clip(text: str, limit: int = EVIDENCE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_descriptive(ex: Extraction, url: str | None, data: dict) -> None:
    title = _text(data.get("title"))
    if title:
        ex.add("title", _clip(title, 1000), "$.title", rank=RANK_API)
    description = data.get("description")
    if isinstance(description, str) and description.strip():
        ex.add("description", description.strip()[:5000], "$.description", rank=RANK_API)
    keywords = [k.strip()[:200] for k in data.get("keywords") or [] if isinstance(k, str) and k.strip()] \
        if isinstance(data.get("keywords"), list) else []
    ex.add("keywords", keywords[:200], "$.keywords", rank=RANK_API)
    version = _text(data.get("version"))
    if version and len(version) <= 64:
        ex.add("version", version, "$.version", rank=RANK_API)
    homepage = _text(data.get("homepage"))
    if homepage and homepage.startswith(("http://", "https://")) and not same_page(homepage, url):
        ex.add("homepage", homepage, "$.homepage", rank=RANK_API)
    doi = normalize_doi(data.get("id")) if isinstance(data.get("id"), str) else None
    if doi:
        ex.add("doi", doi, "$.id", rank=RANK_API)
    for key in ("last_modified", "lastModified", "modified"):
        modified = parse_date(data.get(key)) if data.get(key) is not None else None
        if modified:
            ex.add("modified_date", modified, f"$.{key}", rank=RANK_API)
            break


def _read_licenses(ex: Extraction, data: dict) -> None:
    entries = data.get("licenses")
    key = "licenses"
    if entries is None and data.get("license") is not None:
        entries, key = data.get("license"), "license"   # pre-v1 descriptors: a single licence
    if isinstance(entries, (dict, str)):
        entries = [entries]
    if not isinstance(entries, list):
        if entries is not None:
            ex.warn(f"$.{key} is not a list")
        return
    found: list[str] = []
    for i, entry in enumerate(entries[:50]):
        spdx, evidence = _license(entry)
        if spdx is None:
            ex.warn(f"$.{key}[{i}] not recognised: {_short(entry)}")
        elif spdx not in found:
            found.append(spdx)
            ex.add("license", spdx, _clip(f"$.{key}[{i}]: {evidence}"), rank=RANK_API)
    if len(found) > 1:
        ex.warn(f"several licences listed: {', '.join(found)}")
    if found:
        allowed = commercial_use(found[0])
        if allowed is not None:
            ex.add("commercial_use", allowed, f"license {found[0]}", rank=RANK_API)


def _license(entry) -> tuple[str | None, str]:
    """An id ("ODC-PDDL-1.0") names the licence exactly; then its URL, then its title."""
    if isinstance(entry, str):
        return normalize_license(entry), entry[:100]
    if not isinstance(entry, dict):
        return None, ""
    for field in ("name", "type", "path", "url", "title"):
        value = _text(entry.get(field))
        spdx = normalize_license(value) if value else None
        if spdx:
            return spdx, f"{field} {value[:100]}"
    return None, ""


def _read_publisher(ex: Extraction, data: dict) -> None:
    """Contributors with the role publisher (v1 `role`, v2 `roles`); persons named only as
    authors or maintainers are not publishers. A top-level `publisher` string also counts."""
    contributors = data.get("contributors")
    for i, person in enumerate(contributors[:200] if isinstance(contributors, list) else []):
        if not isinstance(person, dict):
            continue
        roles = person.get("roles") if isinstance(person.get("roles"), list) else [person.get("role")]
        if any(isinstance(r, str) and r.lower() == "publisher" for r in roles):
            name = _text(person.get("title")) or _text(person.get("organization")) or _text(person.get("name"))
            if name:
                ex.add("publisher", _clip(name), f"$.contributors[{i}] (role publisher)", rank=RANK_API)
                return
    publisher = data.get("publisher")
    if isinstance(publisher, dict):
        publisher = publisher.get("title") or publisher.get("name")
    name = _text(publisher)
    if name:
        ex.add("publisher", _clip(name), "$.publisher", rank=RANK_API)


def _read_resources(ex: Extraction, url: str | None, resources: list, key: str = "resources") -> None:
    if len(resources) > MAX_RESOURCES:
        ex.warn(f"{len(resources)} {key}; read the first {MAX_RESOURCES}")
        resources = resources[:MAX_RESOURCES]
    files: list[FileEntry] = []
    sizes: list[int | None] = []      # one per resource that adds files
    seen: set[str] = set()
    for i, resource in enumerate(resources):
        if not isinstance(resource, dict):
            ex.warn(f"{key}[{i}] is not an object")
            continue
        paths = _paths(resource)
        if not paths and "data" not in resource:
            ex.warn(f"{key}[{i}] has neither path nor data")
        new = [p for p in paths if p not in seen]   # inline data adds no file; repeats count once
        if not new:
            continue
        seen.update(new)
        size = _bytes(resource.get("bytes"))
        sizes.append(size)
        if size is not None and len(paths) > 1:
            ex.warn(f"{key}[{i}].bytes covers {len(paths)} files")
        for path in new:
            files.append(FileEntry(
                name=basename(path)[:500] or f"{key}[{i}]",
                # `bytes` is the size of the whole resource: it belongs to a file only when the
                # resource is one file.
                size_bytes=size if len(paths) == 1 else None,
                format=_format(resource, path),
                url=_absolute(url, path),
                file_id=_text(resource.get("name")),
                folder=_folder(path),
                # `hash` is an MD5 unless written "<algorithm>:<hex>" (Data Package spec).
                **prefixed_digest_fields(resource.get("hash"), default="md5"),
            ))
    ex.files.extend(files)
    ex.add("formats", fmt.sorted_set(f.format for f in files), f"$.{key}[*].format|path|mediatype",
           rank=RANK_API)
    if not files:
        return
    ex.add("file_count", len(files), f"$.{key}[*].path", rank=RANK_API)
    if all(s is not None for s in sizes):
        ex.add("size_bytes", sum(sizes), f"sum of $.{key}[*].bytes", rank=RANK_API)
    elif any(s is not None for s in sizes):
        ex.warn("some resources state no bytes: size_bytes not summed")


# Row counts as descriptors state them: DataHub `count_of_rows` (package and resource),
# frictionless-py `stats.rows` (resource).
ROW_COUNT_KEYS = ("count_of_rows", "rowCount", "row_count")


def _read_package_totals(ex: Extraction, data: dict) -> None:
    """Package-level `bytes` and `count_of_rows` (DataHub) are stated totals: emitted before the
    sums of the resources, so they win where a resource states nothing."""
    size = _bytes(data.get("bytes"))
    if size:
        ex.add("size_bytes", size, "$.bytes (package)", rank=RANK_API)
    for name in ROW_COUNT_KEYS:
        rows = _bytes(data.get(name))
        if rows:
            ex.add("item_count", rows, f"$.{name} (package)", rank=RANK_API, unit="rows")
            ex.add("item_unit", "rows", f"$.{name} (package)", rank=RANK_API)
            return


def _read_row_counts(ex: Extraction, data: dict, resources: list, key: str) -> None:
    """Rows of the data resources, summed only when every one of them states its count; then
    counts in the package description (the shared prose reader, weakest evidence)."""
    data_resources = [r for r in resources[:MAX_RESOURCES] if isinstance(r, dict) and _paths(r)]
    single = len(data_resources) == 1
    counts = [_resource_rows(r, data if single else None) for r in data_resources]
    if counts and all(c is not None for c in counts):
        units = {unit for _, unit, _ in counts}
        unit = units.pop() if len(units) == 1 else "rows"
        stated = all(how.startswith("$") for _, _, how in counts)
        evidence = counts[0][2] if single else f"sum of $.{key}[*] row counts"
        rank = RANK_API if stated else RANK_TEXT
        ex.add("item_count", sum(c for c, _, _ in counts), _clip(evidence), rank=rank, unit=unit)
        ex.add("item_unit", unit, _clip(evidence), rank=rank)
    description = data.get("description")
    if isinstance(description, str) and description.strip():
        add_prose_facts(ex, description[:100_000], "$.description: ")


def _resource_rows(resource: dict, package: dict | None) -> tuple[int, str, str] | None:
    """(rows, unit, evidence) of one resource: a stated row count, else the count of the thing
    it is named after in its own description (and the package's, when it is the only one)."""
    for name in ROW_COUNT_KEYS:
        rows = _bytes(resource.get(name))
        if rows:
            return rows, "rows", f"$.resources[name={_text(resource.get('name'))}].{name}"
    stats = resource.get("stats")
    rows = _bytes(stats.get("rows")) if isinstance(stats, dict) else None
    if rows:
        return rows, "rows", f"$.resources[name={_text(resource.get('name'))}].stats.rows"
    texts = [resource.get("description")] + ([package.get("description")] if package else [])
    return _named_count(_text(resource.get("name")), [t for t in texts if isinstance(t, str)])


# "All 185 One Earth bioregions", "185 discrete bioregions": a number, up to three modifier
# words, then the noun the resource is named after. A bound or a part before the number
# ("more than 180", "8 of the") makes it no count.
_HEDGE = re.compile(r"(?:more than|over|at least|up to|nearly|almost|about|approximately|around|"
                    r"less than|fewer than|under|some|~|>|<)\s*$", re.I)
_NOT_MODIFIER = {"of", "in", "from", "per", "each", "and", "or", "with", "to", "the", "a", "an",
                 "for", "by", "on", "at", "are", "were", "is", "was", "more", "other", "new"}


def _named_count(name: str | None, texts: list[str]) -> tuple[int, str, str] | None:
    noun = (name or "").strip().lower().replace("_", " ").replace("-", " ")
    # Only a plural noun of letters names the things in the rows ("bioregions", "airports").
    if not re.fullmatch(r"[a-z]{4,40}s", noun) or noun.endswith("ss"):
        return None
    number = r"(?<![\w.,$€£#/-])(?P<num>\d{1,3}(?:,\d{3})+|\d{1,9})(?![\w.,%-]|\.\d)"
    pattern = re.compile(number + r"\s+(?P<mods>(?:[A-Za-z][\w'’-]*\s+){0,3}?)" + noun + r"\b", re.I)
    found: dict[int, str] = {}
    for text in texts:
        for m in pattern.finditer(text[:100_000]):
            mods = m.group("mods").lower().split()
            if any(w in _NOT_MODIFIER for w in mods) or _HEDGE.search(text[max(0, m.start() - 20):m.start()]):
                continue
            found.setdefault(int(m.group("num").replace(",", "")), m.group(0))
    if len(found) != 1:
        return None     # no count, or several different ones: nothing is stated for sure
    value, phrase = next(iter(found.items()))
    return (value, noun, f"text: {phrase}") if value > 0 else None


def _paths(resource: dict) -> list[str]:
    raw = resource.get("path", resource.get("url"))
    values = raw if isinstance(raw, list) else [raw]
    return [v.strip()[:2000] for v in values if isinstance(v, str) and v.strip()]


def _format(resource: dict, path: str) -> str | None:
    """`format` as stated, else the path's extension, else `mediatype` (spec order)."""
    stated = _text(resource.get("format"))
    found = fmt.from_encoding_format(stated) if stated else None
    return (found or fmt.from_filename(path)
            or fmt.from_mime(_text(resource.get("mediatype") or resource.get("mediaType"))))


def _bytes(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _folder(path: str) -> str | None:
    if "://" in path:
        return None
    return path.rsplit("/", 1)[0] if "/" in path else None


def _absolute(base: str | None, path: str) -> str | None:
    """Resource paths are relative to the descriptor's own location."""
    if "://" in path:
        return path
    if base and base.startswith(("http://", "https://")) and not path.startswith(("/", "..")):
        return urljoin(base, path)
    return None
