"""Box shared folders (e.g. https://nihcc.app.box.com/v/ChestXray-NIHCC).

A Box shared-folder page carries its listing in one inline script that assigns a JSON object to
`Box.postStreamData`. Its top-level keys are API route strings ("/app-api/enduserapp/shared-item",
"/app-api/enduserapp/shared-folder", or "/app-api/enduserapp/item/f_<id>" on single-file pages),
sometimes emitted with `\\/`-escaped slashes. Items carry integer ids and `itemSize` in bytes; a
folder's itemSize is the recursive total of its contents. Pages hold ~20 items: further pages are
`?page=N`, and subfolders must be read from their own `/folder/<id>` pages (the XHR endpoint
ignores folder_id). This module reads one page; combine() merges the pages of one share.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from extractors.claims import Claims, Confidence, Probe
from extractors.model import Extraction, ExtractionError, FileEntry, Follow, RANK_API
from extractors.normalize import formats as fmt
from extractors.normalize.dates import from_epoch
from extractors.normalize.text import as_dict, decode

NAME = "box"
VERSION = "1.0.0"

MARKER = re.compile(r"Box\.postStreamData\s*=\s*")
SHARED_ITEM = "/app-api/enduserapp/shared-item"
SHARED_FOLDER = "/app-api/enduserapp/shared-folder"
SINGLE_ITEM = re.compile(r"^/app-api/enduserapp/item/f_(\d+)$")
HOST = re.compile(r"(^|\.)box\.com$")


def match_url(url: str) -> bool:
    parts = urlsplit(url)
    return bool(HOST.search(parts.hostname or "")) and bool(re.match(r"^/(v|s)/[^/]+", parts.path))


def sniff(body: bytes, content_type: str | None) -> bool:
    """A Box shared page: its listing script assigns Box.postStreamData."""
    return b"Box.postStreamData" in body[:2_000_000]


CLAIMS = Claims(
    urls=("*.box.com/{v,s}/<share>",),
    match_url=match_url,
    content_types=("text/html",),
    probe=Probe(sniff, Confidence.SPECIFIC),
)


def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    data = post_stream_data(decode(body, content_type))
    shared = as_dict(data.get(SHARED_ITEM))
    folder = data.get(SHARED_FOLDER)
    single = next((k for k in data if SINGLE_ITEM.match(k)), None)
    if isinstance(folder, dict):
        _read_folder(ex, url, shared, folder)
    elif single is not None:
        _read_single(ex, url, shared, as_dict(data[single]))
    else:
        raise ExtractionError("Box page has neither a shared-folder nor a shared-file listing")
    return ex


def post_stream_data(text: str) -> dict:
    """Decode the JSON object assigned to Box.postStreamData (a streaming decode stops at its end)."""
    match = MARKER.search(text)
    if not match:
        raise ExtractionError("not a Box shared page: no Box.postStreamData assignment")
    try:
        value, _ = json.JSONDecoder().raw_decode(text, match.end())
    except json.JSONDecodeError as exc:
        raise ExtractionError(f"Box.postStreamData is not valid JSON: {exc.msg} at char {exc.pos}") from None
    except RecursionError:
        raise ExtractionError("Box.postStreamData nested too deeply") from None
    if not isinstance(value, dict):
        raise ExtractionError("Box.postStreamData is not a JSON object")
    return value


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _read_folder(ex: Extraction, url: str | None, shared: dict, folder: dict) -> None:
    folder_id = _int(folder.get("currentFolderID"))
    shared_name = shared.get("sharedName") if isinstance(shared.get("sharedName"), str) else None
    root_id = _int(shared.get("itemID"))
    items = folder.get("items")
    if not isinstance(items, list):
        raise ExtractionError("Box shared-folder listing has no items[] array")
    page, page_count = _page_of(url), _int(folder.get("pageCount")) or 1
    ex.meta.update(folder_id=folder_id, root_id=root_id, page=page, page_count=page_count)
    for index, item in enumerate(items):
        entry = _entry(url, shared_name, folder_id, item, index, ex)
        if entry is not None:
            ex.files.append(entry)
    if folder_id is not None and folder_id == root_id and isinstance(folder.get("currentFolderName"), str):
        ex.add("title", folder["currentFolderName"].strip(),
               f'$["{SHARED_FOLDER}"].currentFolderName', rank=RANK_API)
    if url and page == 1:
        ex.follow.extend(Follow(_with_page(url, n), "page", f"page {n} of {page_count}")
                         for n in range(2, page_count + 1))
    if url:
        ex.follow.extend(Follow(_folder_url(url, f.file_id), "folder", f"subfolder {f.name}")
                         for f in ex.files if f.kind == "folder" and f.file_id)
    _totals(ex, ex.files, f"page {page} of folder {folder_id}")
    _modified(ex, items)


def _read_single(ex: Extraction, url: str | None, shared: dict, item: dict) -> None:
    entry = _entry(url, shared.get("sharedName"), _int(item.get("parentFolderID")), {**item, "type": "file"}, 0, ex)
    if entry is None:
        raise ExtractionError("Box shared-file page has no readable file entry")
    ex.files.append(entry)
    ex.add("title", entry.name, "$.item.name", rank=RANK_API)
    _totals(ex, ex.files, "shared file")


def _entry(url, shared_name, folder_id, item, index, ex: Extraction) -> FileEntry | None:
    if not isinstance(item, dict):
        ex.warn(f"items[{index}] is not an object; skipped")
        return None
    kind, item_id, name = item.get("type"), _int(item.get("id")), item.get("name")
    if kind not in ("file", "folder") or item_id is None or not isinstance(name, str):
        ex.warn(f"items[{index}] lacks type/id/name; skipped")
        return None
    size = _int(item.get("itemSize"))
    if size is None:
        ex.warn(f"items[{index}] ({name[:80]}) has no integer itemSize")
    if kind == "folder":
        return FileEntry(name=name, size_bytes=size, url=_folder_url(url, item_id) if url else None,
                         file_id=str(item_id), folder=_str(folder_id), kind="folder",
                         file_count=_int(item.get("filesCount")))
    return FileEntry(name=name, size_bytes=size, format=fmt.from_filename(name),
                     url=download_url(url, shared_name, item_id), file_id=str(item_id),
                     folder=_str(folder_id))


def _str(value) -> str | None:
    return None if value is None else str(value)


def download_url(page_url: str | None, shared_name: str | None, file_id: int) -> str | None:
    """Box's shared-file download URL (it answers with a redirect to dl.boxcloud.com)."""
    if not page_url or not shared_name:
        return None
    parts = urlsplit(page_url)
    query = urlencode({"rm": "box_download_shared_file", "shared_name": shared_name,
                       "file_id": f"f_{file_id}"})
    return urlunsplit((parts.scheme, parts.netloc, "/index.php", query, ""))


def _share_root(page_url: str) -> str:
    parts = urlsplit(page_url)
    match = re.match(r"^/(v|s)/[^/]+", parts.path)
    root = match.group(0) if match else parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, root, "", ""))


def _folder_url(page_url: str, folder_id) -> str:
    return f"{_share_root(page_url)}/folder/{folder_id}"


def _page_of(url: str | None) -> int:
    if not url:
        return 1
    values = parse_qs(urlsplit(url).query).get("page", ["1"])
    return int(values[0]) if values[0].isdigit() and int(values[0]) > 0 else 1


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = {k: v for k, v in parse_qs(parts.query).items() if k != "page"}
    query["page"] = [str(page)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, doseq=True), ""))


def _totals(ex: Extraction, entries: list[FileEntry], where: str) -> None:
    """size_bytes, file_count and formats of the entries; a folder counts by its stated totals."""
    size, count, known = 0, 0, True
    for entry in entries:
        if entry.size_bytes is None:
            known = False
        else:
            size += entry.size_bytes
        if entry.kind == "folder":
            if entry.file_count is None:
                known = False
            count += entry.file_count or 0
        else:
            count += 1
    evidence = f"sum of itemSize over {len(entries)} items ({where})"
    if known and entries:
        ex.add("size_bytes", size, evidence, unit="bytes", rank=RANK_API)
        ex.add("file_count", count, f"files listed plus folders' filesCount ({where})", rank=RANK_API)
    elif entries:
        ex.warn(f"some items lack itemSize or filesCount ({where}); totals not stated")
    formats = fmt.sorted_set(e.format for e in entries if e.kind == "file")
    ex.add("formats", formats, f"extensions of the files listed ({where})", rank=RANK_API)


def _modified(ex: Extraction, items: list) -> None:
    stamps = [_int(i.get("contentUpdated")) for i in items if isinstance(i, dict)]
    stamps = [s for s in stamps if s]
    if stamps:
        ex.add("modified_date", from_epoch(max(stamps)), "max(items[].contentUpdated)", rank=RANK_API)


def combine(parts: list[Extraction]) -> Extraction:
    """Merge the pages of one share: every file once, folders counted by their own pages when
    those were read, else by their stated recursive totals."""
    merged = Extraction(NAME, VERSION, url=parts[0].url)
    expanded = {p.meta.get("folder_id") for p in parts if p.meta.get("folder_id") is not None}
    seen: set[str] = set()
    entries: list[FileEntry] = []
    for part in parts:
        merged.warnings.extend(part.warnings)
        merged.error = merged.error or part.error
        merged.facts.extend(f for f in part.facts if f.field in ("title",))
        for entry in part.files:
            key = f"{entry.kind}:{entry.file_id or entry.name}"
            if key in seen:
                continue
            seen.add(key)
            merged.files.append(entry)
            if entry.kind == "file" or _int(entry.file_id) not in expanded:
                entries.append(entry)
    _check_folder_totals(merged, expanded)
    _totals(merged, entries, f"{len(parts)} page(s) of the share")
    dates = [f.value for p in parts for f in p.facts if f.field == "modified_date"]
    if dates:
        merged.add("modified_date", max(dates), "max(items[].contentUpdated) over all pages", rank=RANK_API)
    return merged


def _check_folder_totals(ex: Extraction, expanded: set) -> None:
    """A read folder's stated recursive itemSize should equal the sum of what its pages listed."""
    for folder in (f for f in ex.files if f.kind == "folder" and _int(f.file_id) in expanded):
        inside = [f for f in ex.files if f.folder == folder.file_id]
        if any(f.size_bytes is None for f in inside) or folder.size_bytes is None:
            continue
        listed = sum(f.size_bytes for f in inside if f.kind == "file" or _int(f.file_id) not in expanded)
        if inside and not any(f.kind == "folder" for f in inside) and listed != folder.size_bytes:
            ex.warn(f"folder {folder.name}: itemSize {folder.size_bytes} but its pages list {listed} bytes")
