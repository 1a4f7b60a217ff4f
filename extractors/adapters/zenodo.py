"""Zenodo records: REST JSON (legacy and InvenioRDM), file listings, searches and landing pages.

Shapes read here:
- legacy record (`/api/records/ID`, before Oct 2023): top-level `doi`, `conceptdoi`, `files[]`
  with key/size/type/checksum/links.self, `links.html`, `metadata.access_right`,
  `metadata.license.id`, `metadata.publication_date`, `stats` (download statistics).
- InvenioRDM record (current zenodo.org): `pids.doi.identifier`, `metadata.rights[]` or the
  legacy-compatible `metadata.license`, `files.entries` (a dict keyed by file name, or a list),
  `links.self_html`, `access.{record,files,embargo}`.
- file listing (`/api/records/ID/files`: `entries[]`; legacy deposition files: a bare list).
- search response (`hits.hits[]`): a listing; one fact set per hit, keyed by the record id.
- landing page HTML: schema.org JSON-LD, `citation_*`/`og:` meta tags and the files table.

Traps this module avoids on purpose: `conceptdoi`/`parent.pids` (the all-versions DOI) and
related identifiers are never the record's DOI; `revision`/`revision_id` is an edit counter, not
a version; `stats.volume` is download volume, not size; the landing page's "Versions" box and
"Data volume" widget describe other versions and downloads.
"""
from __future__ import annotations

import html
import re
from itertools import islice
from urllib.parse import unquote, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from extractors.claims import Claims, Confidence, Probe
from extractors.model import (
    RANK_API, RANK_EMBEDDED, RANK_TEXT, Extraction, ExtractionError, FileEntry, Follow,
)
from extractors.normalize import formats as fmt
from extractors.normalize.access import phrase_access
from extractors.normalize.dates import parse_date
from extractors.normalize.digests import prefixed_digest_fields
from extractors.normalize.ids import normalize_doi
from extractors.normalize.license import commercial_use, normalize_license
from extractors.normalize.prose import subject_counts
from extractors.normalize.sizes import parse_size
from extractors.normalize.text import as_dict, decode, load_json, starts_like_html
from extractors.normalize.urls import same_page

NAME = "zenodo"
VERSION = "1.1.2"

HOSTS = {"zenodo.org", "www.zenodo.org", "sandbox.zenodo.org"}
# Record API, file API, landing pages (/record/ID is the legacy alias of /records/ID), DOI redirect.
PATH = re.compile(r"^/(api/records(/|$)|api/files/|api/deposit/depositions/|records?/\d+|doi/10\.)")

MAX_TITLE = 2000          # longer "titles" are junk, not titles: warn and drop
MAX_DESCRIPTION = 20000   # descriptions are kept for people and text rules; cut, not dropped
MAX_KEYWORDS = 200
# Files read from one list: a record with more is cut (warned) and its file_count, size_bytes and
# formats are not stated, since sums over part of the list would be wrong. 150k entries took
# ~10 s; real records have at most a few thousand files.
MAX_FILES = 5_000
# Tags of a landing page read: a Zenodo record page has ~1,000 (a few more per file row), and
# BeautifulSoup costs ~50 µs a tag (100k nested divs took 8 s). A longer page is cut there; its
# head (meta tags, JSON-LD) is kept, its files table is not read (it would be partial).
MAX_TAGS = 15_000
MAX_EVIDENCE = 300

# Zenodo's access_right vocabulary. Only "open" is open; embargoed/restricted/closed files
# cannot be downloaded as published (restricted = only on the owner's approval, if at all).
ACCESS_RIGHT = {"open": "open", "embargoed": "restricted", "restricted": "restricted",
                "closed": "restricted"}


# ---------------------------------------------------------------- detection

def match_url(url: str) -> bool:
    parts = urlsplit(url)
    return (parts.hostname or "").lower() in HOSTS and bool(PATH.match(parts.path))


def accepts(body: bytes, content_type: str | None) -> bool:
    """Veto URL claims on bodies that are no Zenodo record (a Data Package or CSV served from
    /api/files/<bucket>/..., for instance)."""
    if _looks_like_html(body, content_type):
        return _zenodo_html(body)
    return _json_kind(_try_json(body)) is not None


def sniff(body: bytes, content_type: str | None) -> bool:
    """Claim by content only on marks of Zenodo itself: InvenioRDM shapes are shared by other
    repositories and a bare `hits.hits` is any Elasticsearch response."""
    if _looks_like_html(body, content_type):
        return _zenodo_html(body)
    data = _try_json(body)
    kind = _json_kind(data)
    if kind is None:
        return False
    if kind == "search":
        hits = data["hits"]["hits"]
        return bool(hits) and isinstance(hits[0], dict) and _zenodo_json(hits[0])
    if kind == "files" and isinstance(data, list):
        return False  # a bare list of files names no host
    return _zenodo_json(data)


CLAIMS = Claims(
    urls=tuple(f"{{{','.join(sorted(HOSTS))}}}/{path}"
               for path in ("{records,record,api/records,api/deposit/depositions}/<id>",
                            "api/records?q=<query>", "api/files/<bucket>/<key>", "doi/10.<doi>")),
    match_url=match_url,
    accepts=accepts,
    content_types=("application/json", "application/vnd.inveniordm.v1+json", "text/html"),
    probe=Probe(sniff, Confidence.SPECIFIC),
)


def _looks_like_html(body: bytes, content_type: str | None) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    return starts_like_html(body, also=(b"<head", b"<meta"))


ZENODO_HTML = re.compile(
    rb"<meta[^>]+(content=[\"']Zenodo[^\"']*[\"'][^>]*property=[\"']og:site_name"
    rb"|property=[\"']og:site_name[\"'][^>]*content=[\"']Zenodo[^\"']*[\"']"
    rb"|name=[\"']citation_doi[\"'][^>]*content=[\"'](?:doi:)?10\.5281/zenodo\.)", re.I)


def _zenodo_html(body: bytes) -> bool:
    return bool(ZENODO_HTML.search(body[:300_000]))


def _zenodo_json(data: dict) -> bool:
    links = data.get("links")
    link_text = " ".join(v for v in links.values() if isinstance(v, str)) if isinstance(links, dict) else ""
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    doi = data.get("doi") or meta.get("doi") or ""
    return ("zenodo.org/" in link_text or "conceptrecid" in data
            or (isinstance(doi, str) and "10.5281/zenodo." in doi.lower()))


def _try_json(body: bytes):
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith((b"{", b"[")):
        return None
    try:
        return load_json(body)
    except Exception:  # detection never raises; extract() reports the parse error
        return None


def _json_kind(data) -> str | None:
    """'record', 'search', 'files' or None (not a Zenodo shape)."""
    if isinstance(data, dict):
        hits = data.get("hits")
        if isinstance(hits, dict) and isinstance(hits.get("hits"), list):
            return "search"
        if _is_record(data):
            return "record"
        if isinstance(data.get("entries"), (list, dict)):
            return "files"
        return None
    if isinstance(data, list) and data and all(
            isinstance(item, dict) and ("filename" in item or "key" in item) for item in data[:100]):
        return "files"
    return None


RECORD_META_KEYS = ("title", "publication_date", "access_right", "resource_type", "upload_type")
RECORD_TOP_KEYS = ("id", "recid", "doi", "links", "files", "pids", "conceptrecid")


def _is_record(data: dict) -> bool:
    meta = data.get("metadata")
    return (isinstance(meta, dict) and any(k in meta for k in RECORD_META_KEYS)
            and any(k in data for k in RECORD_TOP_KEYS))


# ---------------------------------------------------------------- extraction

def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    if not body or not body.strip():
        raise ExtractionError("empty body")
    if _looks_like_html(body, content_type):
        read_landing(ex, url, decode(body, content_type))
        return ex
    data = load_json(body)
    kind = _json_kind(data)
    if kind == "record":
        read_record(ex, data, "$", None, url)
    elif kind == "search":
        read_search(ex, data, url)
    elif kind == "files":
        read_file_listing(ex, data)
    else:
        raise ExtractionError("JSON is not a Zenodo record, search response or file listing")
    return ex


def _add(ex: Extraction, key: str | None, field: str, value, evidence: str, rank: int = RANK_API,
         **kw) -> None:
    ex.add(field, value, evidence[:MAX_EVIDENCE], rank=rank, record=key, **kw)


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _int(value) -> int | None:
    """A non-negative integer from an int, an integral float or a digit string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value >= 0 else None


def _title(ex: Extraction, value, where: str) -> str | None:
    """A one-line title, or None (with a warning) for something that is no title."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        if value is not None:
            ex.warn(f"{where}: title is a {type(value).__name__}, not text")
        return None
    if len(value) > MAX_TITLE:
        ex.warn(f"{where}: title of {len(value)} characters ignored")
        return None
    return " ".join(value.split()) or None


def _version(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and 0 < len(value.strip()) <= 100:
        return value.strip()
    return None


TAGS = re.compile(r"<[^>]*>")


def _plain(html_text) -> str | None:
    """Description text without markup, cut to MAX_DESCRIPTION."""
    if not isinstance(html_text, str):
        return None
    text = " ".join(html.unescape(TAGS.sub(" ", html_text[: MAX_DESCRIPTION * 4])).split())
    return text[:MAX_DESCRIPTION] or None


def _keywords(values) -> list[str]:
    out = []
    for item in _list(values)[:MAX_KEYWORDS]:
        if isinstance(item, dict):  # InvenioRDM subjects: {"subject": "..."}
            item = item.get("subject")
        if isinstance(item, str) and 0 < len(item.strip()) <= 200:
            out.append(item.strip())
    return out


def _same_page(a: str | None, b: str | None) -> bool:
    """same_page, also across Zenodo's /record/ alias of /records/ (the old path redirects to
    the new one)."""
    return same_page(_current_path(a), _current_path(b))


def _current_path(url: str | None) -> str | None:
    if not url:
        return url
    parts = urlsplit(url.strip())
    return urlunsplit(parts._replace(path=re.sub(r"^/record/", "/records/", parts.path)))


# ---------------------------------------------------------------- JSON records

def read_record(ex: Extraction, rec: dict, path: str, key: str | None, url: str | None) -> None:
    meta = as_dict(rec.get("metadata"))
    mpath = f"{path}.metadata"

    _add(ex, key, "title", _title(ex, meta.get("title"), f"{mpath}.title"), f"{mpath}.title")
    _read_doi(ex, rec, meta, path, key)
    _read_dates(ex, rec, meta, path, key)
    version = _version(meta.get("version"))
    _add(ex, key, "version", version, f"{mpath}.version")
    _read_license(ex, meta, mpath, key)
    _read_access(ex, rec, meta, path, key)
    publisher = meta.get("publisher")
    if isinstance(publisher, str) and len(publisher) <= 300:
        _add(ex, key, "publisher", publisher.strip(), f"{mpath}.publisher")
    _read_homepage(ex, rec, path, key, url)

    description = _plain(meta.get("description"))
    _add(ex, key, "description", description, f"{mpath}.description")
    for name in ("keywords", "subjects"):  # legacy keywords[], InvenioRDM subjects[].subject
        if _keywords(meta.get(name)):
            _add(ex, key, "keywords", _keywords(meta.get(name)), f"{mpath}.{name}")
            break
    _subject_count(ex, key, description, f"{mpath}.description")

    _read_record_files(ex, rec, path, key)


def _read_doi(ex, rec, meta, path, key) -> None:
    """The version DOI: metadata.doi, doi, pids.doi.identifier, links.doi - never conceptdoi,
    parent.pids (all versions) or related_identifiers (papers, other versions)."""
    candidates = (
        (meta.get("doi"), f"{path}.metadata.doi"),
        (rec.get("doi"), f"{path}.doi"),
        (as_dict(as_dict(rec.get("pids")).get("doi")).get("identifier"), f"{path}.pids.doi.identifier"),
        (as_dict(rec.get("links")).get("doi"), f"{path}.links.doi"),
    )
    for value, where in candidates:
        doi = normalize_doi(value) if isinstance(value, str) else None
        if doi:
            _add(ex, key, "doi", doi, where)
            return


def _read_dates(ex, rec, meta, path, key) -> None:
    value = meta.get("publication_date")
    if value is not None:
        date = parse_date(value) if isinstance(value, str) else None
        if date:
            _add(ex, key, "release_date", date, f"{path}.metadata.publication_date")
        else:
            ex.warn(f"{path}.metadata.publication_date: unreadable date {str(value)[:50]!r}")
    # `updated` (legacy) / `modified` (InvenioRDM) is the record's last change, not its release.
    for name in ("updated", "modified"):
        value = rec.get(name)
        date = parse_date(value) if isinstance(value, str) else None
        if date:
            _add(ex, key, "modified_date", date, f"{path}.{name}")
            break


def _read_license(ex, meta, mpath, key) -> None:
    found: list[tuple[str, str]] = []
    lic = meta.get("license")
    if isinstance(lic, dict):
        for name in ("id", "url", "title"):
            if isinstance(lic.get(name), str):
                found.append((lic[name], f"{mpath}.license.{name}"))
                break
    elif isinstance(lic, str):
        found.append((lic, f"{mpath}.license"))
    for i, right in enumerate(_list(meta.get("rights"))):
        right = as_dict(right)
        title = right.get("title")
        if isinstance(title, dict):  # InvenioRDM i18n: {"en": "..."}
            title = title.get("en") or next(iter(title.values()), None)
        link = right.get("link") or as_dict(right.get("props")).get("url")
        for value, name in ((right.get("id"), "id"), (link, "link"), (title, "title")):
            if isinstance(value, str) and value.strip():
                found.append((value, f"{mpath}.rights[{i}].{name}"))
                break
    seen = set()
    for text, where in found:
        spdx = normalize_license(text[:500])
        if not spdx:
            ex.warn(f"{where}: licence {text[:80]!r} not recognised")
            continue
        if spdx in seen:
            continue
        seen.add(spdx)
        _add(ex, key, "license", spdx, where)
        _add(ex, key, "commercial_use", commercial_use(spdx), where)


def _read_access(ex, rec, meta, path, key) -> None:
    right = meta.get("access_right")
    if isinstance(right, str):
        access = ACCESS_RIGHT.get(right.strip().lower())
        if access:
            _add(ex, key, "access", access, f"{path}.metadata.access_right")
        else:
            ex.warn(f"{path}.metadata.access_right: unknown value {right[:40]!r}")
        return
    access = rec.get("access")
    if not isinstance(access, dict):
        return
    # InvenioRDM: record and files are "public" or "restricted"; an active embargo closes files.
    if as_dict(access.get("embargo")).get("active") is True:
        _add(ex, key, "access", "restricted", f"{path}.access.embargo.active")
    elif access.get("files") == "public" and access.get("record", "public") == "public":
        _add(ex, key, "access", "open", f"{path}.access.files")
    elif access.get("files") == "restricted" or access.get("record") == "restricted":
        _add(ex, key, "access", "restricted", f"{path}.access.files")


def _read_homepage(ex, rec, path, key, url) -> None:
    links = as_dict(rec.get("links"))
    # html (legacy) / self_html (InvenioRDM) is this version's landing page; latest_html may be
    # another version, so it is not used.
    for name in ("html", "self_html"):
        page = links.get(name)
        if isinstance(page, str) and page.startswith(("http://", "https://")):
            if not _same_page(page, url):
                _add(ex, key, "homepage", page, f"{path}.links.{name}")
            return


# ---------------------------------------------------------------- JSON files

def _read_record_files(ex, rec, path, key) -> None:
    files = rec.get("files")
    if files is None:
        return
    if isinstance(files, list):
        entries, where = files, f"{path}.files"
    elif isinstance(files, dict):
        entries, where = files.get("entries"), f"{path}.files.entries"
        if entries is None:
            _file_totals(ex, files, path, key)
            files_link = as_dict(rec.get("links")).get("files")
            if key is None and isinstance(files_link, str) and files.get("enabled") is not False:
                ex.follow.append(Follow(files_link, "page", "file listing of this record"))
            return
    else:
        ex.warn(f"{path}.files is a {type(files).__name__}, not a file list")
        return
    _emit_files(ex, key, parse_entries(ex, entries, where), where, RANK_API,
                whole=complete(entries))


def _file_totals(ex, files: dict, path: str, key) -> None:
    """InvenioRDM records without entries still state count and total_bytes."""
    count, total = _int(files.get("count")), _int(files.get("total_bytes"))
    if count is not None:
        _add(ex, key, "file_count", count, f"{path}.files.count")
    if total is not None and count:
        _add(ex, key, "size_bytes", total, f"{path}.files.total_bytes")


def read_file_listing(ex: Extraction, data) -> None:
    """`/api/records/ID/files` ({entries: [...]}) or a legacy deposition's file list."""
    if isinstance(data, dict):
        entries, where = data.get("entries"), "$.entries"
    else:
        entries, where = data, "$"
    _emit_files(ex, None, parse_entries(ex, entries, where), where, RANK_API,
                whole=complete(entries))


def complete(entries) -> bool:
    """Whether parse_entries reads the whole list (at most MAX_FILES entries)."""
    return not isinstance(entries, (dict, list)) or len(entries) <= MAX_FILES


def parse_entries(ex: Extraction, entries, where: str) -> list[FileEntry]:
    """The first MAX_FILES entries as files (a warning says when the list is longer)."""
    if isinstance(entries, (dict, list)) and len(entries) > MAX_FILES:
        ex.warn(f"{where} lists {len(entries)} files; read the first {MAX_FILES}, "
                f"file_count, size_bytes and formats not stated")
    if isinstance(entries, dict):  # InvenioRDM: keyed by file name
        items = [(f"{where}[{k!r}]", v, k) for k, v in islice(entries.items(), MAX_FILES)]
    elif isinstance(entries, list):
        items = [(f"{where}[{i}]", v, None) for i, v in enumerate(entries[:MAX_FILES])]
    else:
        ex.warn(f"{where} is a {type(entries).__name__}, not a file list")
        return []
    out = []
    for item_where, item, dict_key in items:
        entry = _file_entry(item, dict_key)
        if entry is None:
            ex.warn(f"{item_where}: not a file entry")
        else:
            out.append(entry)
    return out


def _file_entry(item, dict_key: str | None) -> FileEntry | None:
    if not isinstance(item, dict):
        return None
    name = item.get("key") or item.get("filename") or dict_key
    if not isinstance(name, str) or not name.strip() or len(name) > 1000:
        return None
    links = as_dict(item.get("links"))
    # The download: InvenioRDM `content` (its `self` is the file's metadata), a deposition's
    # `download`, legacy `self`.
    url = links.get("content") or links.get("download") or links.get("self")
    file_id = item.get("file_id") or item.get("id")
    return FileEntry(
        name=name,
        size_bytes=_int(item.get("size", item.get("filesize"))),
        format=_file_format(name, item),
        url=url if isinstance(url, str) else None,
        file_id=str(file_id) if isinstance(file_id, (str, int)) and not isinstance(file_id, bool) else None,
        **_digest(item.get("checksum")),
    )


def _digest(checksum) -> dict[str, str]:
    """files[].checksum: "md5:<hex>" in records; a bare MD5 hex in a deposition's file list."""
    return prefixed_digest_fields(checksum, default="md5")


def _file_format(name: str, item: dict) -> str | None:
    # The extension decides first: `type` is only the last suffix ("gz" for x.tar.gz = TAR).
    found = fmt.from_filename(name)
    if found:
        return found
    mime = item.get("mimetype")
    if isinstance(mime, str) and fmt.from_mime(mime):
        return fmt.from_mime(mime)
    kind = item.get("type") or item.get("ext")
    return fmt.from_encoding_format(kind) if isinstance(kind, str) else None


def _unique(files: list[FileEntry]) -> list[FileEntry]:
    """One entry per (name, size): the same file behind two URLs counts once."""
    seen, out = set(), []
    for entry in files:
        ident = (entry.name, entry.size_bytes)
        if ident not in seen:
            seen.add(ident)
            out.append(entry)
    return out


def _emit_files(ex, key, files: list[FileEntry], where: str, rank: int,
                size_rank: int | None = None, whole: bool = True) -> None:
    files = _unique(files)
    if not files:
        return
    if key is None:
        # FileEntry has no record key, so a listing's files stay facts only.
        ex.files.extend(files)
    if not whole:
        return   # part of a longer list: its count, sum and formats would understate the record
    _add(ex, key, "file_count", len(files), where, rank=rank)
    sizes = [f.size_bytes for f in files]
    if all(size is not None for size in sizes):
        _add(ex, key, "size_bytes", sum(sizes), f"{where}[*].size", rank=size_rank or rank)
    else:
        missing = sum(size is None for size in sizes)
        ex.warn(f"{where}: {missing} of {len(files)} files have no size; size_bytes not summed")
    _add(ex, key, "formats", fmt.sorted_set(f.format for f in files), f"{where}[*]", rank=rank)


# ---------------------------------------------------------------- search

def read_search(ex: Extraction, data: dict, url: str | None) -> None:
    ex.listing = True  # a page of hits describes no single dataset
    for i, hit in enumerate(data["hits"]["hits"]):
        path = f"$.hits.hits[{i}]"
        if not isinstance(hit, dict):
            ex.warn(f"{path}: not a record")
            continue
        key = _record_key(hit)
        if key is None:
            ex.warn(f"{path}: record without id or self link")
            continue
        read_record(ex, hit, path, key, url)
    nxt = as_dict(data.get("links")).get("next")
    if isinstance(nxt, str) and nxt.startswith(("http://", "https://")):
        ex.follow.append(Follow(nxt, "page", "next page of search hits"))


def _record_key(hit: dict) -> str | None:
    for value in (hit.get("id"), hit.get("recid")):
        if isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()[:200]
    link = as_dict(hit.get("links")).get("self")
    return link[:500] if isinstance(link, str) else None


# ---------------------------------------------------------------- text rules

def _subject_count(ex, key, text: str | None, where: str, rank: int = RANK_TEXT) -> None:
    """Emit subject_count only when the text states exactly one distinct number of people
    (the shared prose rules read the numbers)."""
    if not text:
        return
    found = subject_counts(text)
    if len(found) == 1:
        count, snippet = next(iter(found.items()))
        _add(ex, key, "subject_count", count, f"{where}: {snippet!r}", rank=rank)
    elif len(found) > 1:
        ex.warn(f"{where}: several subject counts stated ({sorted(found)[:5]}); none kept")


# ---------------------------------------------------------------- landing page

def _bounded_tags(ex: Extraction, text: str) -> tuple[str, bool]:
    """(the page up to its MAX_TAGS-th tag, whether it was cut)."""
    for count, m in enumerate(_TAG_START.finditer(text), 1):
        if count > MAX_TAGS:
            ex.warn(f"page has more than {MAX_TAGS} tags; read the first {m.start()} characters, "
                    "files table not read")
            return text[:m.start()], True
    return text, False


_TAG_START = re.compile(r"<")


def read_landing(ex: Extraction, url: str | None, text: str) -> None:
    text, cut = _bounded_tags(ex, text)
    soup = BeautifulSoup(text, "lxml")
    item = dataset_jsonld(ex, text, url)
    jsonld_files = _read_jsonld(ex, item, url)
    _read_meta(ex, soup)
    table_files = [] if cut else files_table(ex, soup, url)
    _emit_landing_files(ex, jsonld_files, table_files)
    _read_access_badge(ex, soup)
    description = _plain(item.get("description")) or _meta_content(soup, "name", "description")
    where = "JSON-LD description" if item.get("description") else "meta[name=description]"
    _subject_count(ex, None, description, where)
    if not any(f.field in ("title", "doi") for f in ex.facts):
        raise ExtractionError("HTML has no Zenodo record metadata (no JSON-LD or citation_* tags)")


def dataset_jsonld(ex: Extraction, text: str, url: str | None) -> dict:
    """The page's schema.org Dataset (or, failing that, the first named item)."""
    import extruct  # imported here: only landing pages need it

    try:
        items = extruct.extract(text, base_url=url, syntaxes=["json-ld"], uniform=False,
                                errors="ignore").get("json-ld", [])
    except Exception as exc:  # extruct trips on some malformed pages; the meta tags remain
        ex.warn(f"JSON-LD unreadable: {type(exc).__name__}")
        return {}
    flat = []
    for item in items:
        if isinstance(item, dict):
            flat.extend(g for g in _list(item.get("@graph")) if isinstance(g, dict))
            flat.append(item)
    for item in flat:
        types = item.get("@type")
        types = types if isinstance(types, list) else [types]
        # "Dataset", "schema:Dataset" or (InvenioRDM) "https://schema.org/Dataset"
        if any(isinstance(t, str) and re.split(r"[/:#]", t)[-1] == "Dataset" for t in types):
            return item
    return next((item for item in flat if isinstance(item.get("name"), str)), {})


def _jsonld_text(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id") or value.get("url") or value.get("value")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _read_jsonld(ex: Extraction, item: dict, url: str | None) -> list[FileEntry]:
    if not item:
        return []
    e = RANK_EMBEDDED
    _add(ex, None, "title", _title(ex, item.get("name"), "JSON-LD name"), "JSON-LD name", rank=e)
    for name in ("@id", "identifier"):
        value = _jsonld_text(item.get(name))
        doi = normalize_doi(value) if value else None
        if doi:
            _add(ex, None, "doi", doi, f"JSON-LD {name}: {value}", rank=e)
            break
    published = _jsonld_text(item.get("datePublished"))
    _add(ex, None, "release_date", parse_date(published) if published else None,
         f"JSON-LD datePublished: {published}", rank=e)
    modified = _jsonld_text(item.get("dateModified"))
    _add(ex, None, "modified_date", parse_date(modified) if modified else None,
         f"JSON-LD dateModified: {modified}", rank=e)
    _add(ex, None, "version", _version(item.get("version")), "JSON-LD version", rank=e)
    licence = _jsonld_text(item.get("license"))
    if licence:
        spdx = normalize_license(licence[:500])
        if spdx:
            _add(ex, None, "license", spdx, f"JSON-LD license: {licence}", rank=e)
            _add(ex, None, "commercial_use", commercial_use(spdx), f"JSON-LD license: {licence}", rank=e)
        else:
            ex.warn(f"JSON-LD license {licence[:80]!r} not recognised")
    publisher = _jsonld_text(item.get("publisher"))
    if publisher and len(publisher) <= 300:
        _add(ex, None, "publisher", publisher, "JSON-LD publisher", rank=e)
    page = _jsonld_text(item.get("url"))
    if page and page.startswith(("http://", "https://")) and not _same_page(page, url):
        _add(ex, None, "homepage", page, "JSON-LD url", rank=e)
    _add(ex, None, "description", _plain(item.get("description")), "JSON-LD description", rank=e)
    keywords = item.get("keywords")
    if isinstance(keywords, str):
        keywords = [k for k in keywords.split(",")]
    _add(ex, None, "keywords", _keywords(keywords), "JSON-LD keywords", rank=e)
    return _jsonld_distribution(item.get("distribution"))


def _jsonld_distribution(value) -> list[FileEntry]:
    out = []
    for item in (value if isinstance(value, list) else [value]):
        if not isinstance(item, dict):
            continue
        link = _jsonld_text(item.get("contentUrl"))
        name = _jsonld_text(item.get("name")) or (_basename(link) if link else None)
        if not name:
            continue
        size = item.get("contentSize")
        parsed = parse_size(size) if isinstance(size, (str, int)) and not isinstance(size, bool) else None
        encoding = item.get("encodingFormat")
        out.append(FileEntry(
            name=name, url=link, size_bytes=parsed[0] if parsed else None,
            format=fmt.from_filename(name) or fmt.from_encoding_format(
                encoding if isinstance(encoding, str) else None)))
    return out


def _basename(link: str) -> str | None:
    path = unquote(urlsplit(link).path).rstrip("/")
    path = path.removesuffix("/content")  # InvenioRDM: /api/records/ID/files/NAME/content
    return path.rsplit("/", 1)[-1] or None


def _meta_content(soup: BeautifulSoup, attr: str, value: str) -> str | None:
    tag = soup.find("meta", attrs={attr: value})
    content = tag.get("content") if tag else None
    return content.strip() if isinstance(content, str) and content.strip() else None


def _read_meta(ex: Extraction, soup: BeautifulSoup) -> None:
    """Highwire citation_* and Open Graph tags; after JSON-LD, so JSON-LD wins equal ranks."""
    e = RANK_EMBEDDED
    title = _meta_content(soup, "name", "citation_title")
    _add(ex, None, "title", _title(ex, title, "meta citation_title"), "meta[name=citation_title]", rank=e)
    value = _meta_content(soup, "name", "citation_doi")
    _add(ex, None, "doi", normalize_doi(value) if value else None, f"meta[name=citation_doi]: {value}", rank=e)
    for name in ("citation_publication_date", "citation_date"):
        value = _meta_content(soup, "name", name)
        if value and parse_date(value):
            _add(ex, None, "release_date", parse_date(value), f"meta[name={name}]: {value}", rank=e)
            break
    for attr, name in (("name", "citation_publisher"), ("name", "DC.publisher"),
                       ("property", "og:site_name")):
        value = _meta_content(soup, attr, name)
        if value and len(value) <= 300:
            _add(ex, None, "publisher", value, f"meta[{attr}={name}]", rank=e)


# Sizes as the files table prints them: "475.1 MB", "410 Bytes", "3.9 kB".
SIZE_CELL = re.compile(r"^\d[\d.,]*\s*(bytes?|[kmgtpe]i?b|b)$", re.I)


def files_table(ex: Extraction, soup: BeautifulSoup, url: str | None) -> list[FileEntry]:
    """Rows with a link into the record's /files/ and a size cell. Statistics tables and the
    Versions box have no such links, so their numbers never become sizes."""
    out = []
    for row in soup.find_all("tr"):
        link = row.find("a", href=re.compile(r"/files/"))
        if link is None:
            continue
        href = link.get("href") or ""
        name = unquote(urlsplit(href).path.split("/files/", 1)[-1]).removesuffix("/content")
        if not name:
            continue
        size = None
        for cell in row.find_all("td"):
            text = " ".join(cell.get_text(" ", strip=True).split())
            if SIZE_CELL.match(text):
                parsed = parse_size(text)
                size = parsed[0] if parsed else None
                break
        out.append(FileEntry(name=name, size_bytes=size, format=fmt.from_filename(name),
                             url=_absolute(href, url)))
    return out


def _absolute(href: str, base: str | None) -> str:
    if href.startswith(("http://", "https://")) or not base:
        return href
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}{href}" if href.startswith("/") else href


def _emit_landing_files(ex: Extraction, jsonld: list[FileEntry], table: list[FileEntry]) -> None:
    """One manifest from JSON-LD distribution (names, formats) and the table (sizes)."""
    merged: dict[str, FileEntry] = {}
    for entry in jsonld:
        merged.setdefault(entry.name, entry)
    for entry in table:
        known = merged.get(entry.name)
        if known is None:
            merged[entry.name] = entry
        elif known.size_bytes is None and entry.size_bytes is not None:
            merged[entry.name] = FileEntry(known.name, entry.size_bytes, known.format or entry.format,
                                           known.url or entry.url)
    files = list(merged.values())
    if not files:
        return
    rank = RANK_EMBEDDED if jsonld else RANK_TEXT
    # Table sizes are rounded human units ("475.1 MB"): text rank, unless every size came
    # from JSON-LD contentSize.
    from_jsonld = {e.name for e in jsonld if e.size_bytes is not None}
    size_rank = RANK_EMBEDDED if all(f.name in from_jsonld for f in files) else RANK_TEXT
    where = " + ".join(w for w, used in (("JSON-LD distribution", jsonld), ("files table", table)) if used)
    _emit_files(ex, None, files, where, rank, size_rank)


def _read_access_badge(ex: Extraction, soup: BeautifulSoup) -> None:
    """The record's access badge: legacy `<span class="label ...">Open Access</span>`, current
    `<span class="... access-status open">`."""
    for tag in soup.find_all(["span", "div"], class_=re.compile(r"^(label|access-status)$")):
        classes = tag.get("class") or []
        text = " ".join(tag.get_text(" ", strip=True).split()).lower()
        access = phrase_access(text)
        if access is None and "access-status" in classes:
            access = next((ACCESS_RIGHT[c] for c in classes if c in ACCESS_RIGHT), None)
        if access:
            _add(ex, None, "access", access, f"badge: {text[:60]}", rank=RANK_TEXT)
            return
