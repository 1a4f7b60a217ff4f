"""Checksum manifests: one downloadable file per line with its digest.

Shapes read (tab- or space-separated, one file per line, optional header row):
  <url> <size> <sha256> [<name>]        TensorFlow Datasets checksums.tsv
  <name> <sha256> [<size>]              a maintainer's digest table (with a `name sha256` header)
  <sha256>  <name> / <sha256> *<name>   sha256sum / md5sum output
  SHA256 (<name>) = <sha256>            BSD-style tag lines
A manifest names files, not dataset items: it yields files, file_count, formats and, only when
every file has a byte size, size_bytes. Never titles, counts of items or licences.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

from extractors.claims import Claims, Confidence, Probe
from extractors.model import RANK_API, Extraction, ExtractionError, FileEntry
from extractors.normalize import formats
from extractors.normalize.digests import ALGORITHM_OF_LENGTH, digest_fields
from extractors.normalize.text import decode
from extractors.normalize.urls import basename

NAME = "checksums"
VERSION = "1.0.1"

MAX_LINES = 200_000       # a manifest longer than this is truncated (with a warning)
MAX_LINE_CHARS = 4096     # longer lines are not manifest rows
MAX_BODY = 50_000_000     # bytes read: MAX_LINES rows of a long URL, a size and a digest fit
# When none of the first lines is a row, the body is no manifest (a JSON document, prose):
# refused without reading the rest of a large body.
FIRST_LINES = 1_000
SNIFF_BYTES = 65_536
SNIFF_SHARE = 0.8         # share of non-empty lines that must be rows for sniff to claim the body

_HEX = re.compile(r"^[0-9a-fA-F]+$")
_SIZE = re.compile(r"^\d{1,16}$")
_BSD_TAG = re.compile(r"^(MD5|SHA1|SHA256|SHA512)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)$", re.I)

# Header words, by the column they name. A header is only taken as such when it names a digest.
HEADER_WORDS = {
    "name": {"name", "file", "filename", "file_name", "path", "key", "object", "member"},
    "url": {"url", "uri", "link", "href", "download_url", "source"},
    "digest": {"sha256", "sha256sum", "sha_256", "checksum", "hash", "digest", "md5", "md5sum",
               "sha1", "sha512"},
    "size": {"size", "bytes", "size_bytes", "num_bytes", "filesize", "file_size", "length",
             "content_length", "content-length"},
}


def sniff(body: bytes, content_type: str | None) -> bool:
    """Claim a body whose non-empty lines are (almost) all digest rows."""
    head = body[:SNIFF_BYTES]
    if b"\x00" in head:
        return False
    text = head.decode("utf-8", errors="replace")
    lines = [ln for ln in _content_lines(text)]
    if len(head) == SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    if not lines:
        return False
    header = _header_columns(lines[0])
    rows = lines[1:] if header else lines
    if not rows:
        return False
    matched = sum(1 for ln in rows if _parse_row(ln, header) is not None)
    return matched >= 1 and matched >= SNIFF_SHARE * len(rows)


CLAIMS = Claims(
    content_types=("text/plain", "text/tab-separated-values"),
    probe=Probe(sniff, Confidence.MANIFEST),
)


def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    if b"\x00" in body[:SNIFF_BYTES]:
        raise ExtractionError("binary content, not a checksum list")
    if len(body) > MAX_BODY:
        ex.warn(f"body is {len(body)} bytes; read the first {MAX_BODY}")
        body = body[:MAX_BODY]
    lines = []
    for line in _content_lines(decode(body, content_type)):
        if len(lines) == MAX_LINES:
            ex.warn(f"manifest has more than {MAX_LINES} lines; read the first {MAX_LINES}")
            break
        lines.append(line)
    header = _header_columns(lines[0]) if lines else None
    rows = lines[1:] if header else lines
    if not _read_rows(rows[:FIRST_LINES], header)[0]:
        raise ExtractionError(f"no checksum lines found (in the first {FIRST_LINES} lines)")
    entries, skipped = _read_rows(rows, header)
    if not entries:
        raise ExtractionError("no checksum lines found")
    if skipped:
        ex.warn(f"{skipped} line(s) are not <name/url, size, digest> rows and were skipped")
    _add_files(ex, entries, header)
    return ex


# --------------------------------------------------------------------------- lines and rows

def _content_lines(text: str):
    """Non-empty, non-comment lines, stripped; a line longer than any manifest row (a 10 MB
    line of prose or JSON) is yielded as "" (not a row, and never split into cells)."""
    for line in text.splitlines():
        if len(line) > MAX_LINE_CHARS:
            yield ""
            continue
        line = line.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            yield line


def _split(line: str) -> list[str]:
    if "\t" in line:
        return [cell.strip() for cell in line.split("\t")]
    return line.split()


def _header_columns(line: str) -> list[str] | None:
    """Column roles of a header row (`name\tsha256`), or None when the line is data."""
    cells = [c.strip().lower() for c in _split(line)]
    if not line or not cells or any(_digest_kind(c) or "://" in c for c in cells):
        return None
    roles = []
    for cell in cells:
        role = next((r for r, words in HEADER_WORDS.items() if cell in words), "other")
        roles.append(role)
    # Only a row that names a digest column is a header; anything else is an unreadable line.
    return roles if "digest" in roles else None


def _digest_kind(token: str) -> str | None:
    token = token.lstrip("*")
    if len(token) in ALGORITHM_OF_LENGTH and _HEX.match(token):
        return ALGORITHM_OF_LENGTH[len(token)]
    return None


def _parse_row(line: str, header: list[str] | None) -> dict | None:
    """One manifest row as {name, url, size, digest, algo}, or None if the line is not one."""
    if len(line) > MAX_LINE_CHARS:
        return None
    tag = _BSD_TAG.match(line)
    if tag:
        digest = tag.group(3)
        if _digest_kind(digest) != tag.group(1).lower():
            return None
        return {"name": tag.group(2).strip(), "url": None, "size": None,
                "digest": digest.lower(), "algo": tag.group(1).lower()}
    cells = _split(line)
    if header and len(cells) == len(header):
        return _row_by_header(cells, header)
    return _row_by_shape(line, cells)


def _row_by_header(cells: list[str], header: list[str]) -> dict | None:
    row = {"name": None, "url": None, "size": None, "digest": None, "algo": None}
    for role, cell in zip(header, cells):
        if role == "digest":
            algo = _digest_kind(cell)
            if not algo:
                return None
            row["digest"], row["algo"] = cell.lstrip("*").lower(), algo
        elif role == "size":
            if _SIZE.match(cell):
                row["size"] = int(cell)
        elif role == "url" and "://" in cell:
            row["url"] = cell
        elif role == "name" and cell:
            row["name"] = cell
    return row if row["digest"] and (row["name"] or row["url"]) else None


def _row_by_shape(line: str, cells: list[str]) -> dict | None:
    """Recognise the columns of a headerless row by what each cell looks like."""
    row = {"name": None, "url": None, "size": None, "digest": None, "algo": None}
    # sha256sum output: `<digest>  <name>`; the name may contain spaces.
    parts = line.split(None, 1)
    if "\t" not in line and len(parts) == 2 and _digest_kind(parts[0]):
        name = parts[1].strip()
        if name.startswith("*"):  # binary-mode marker
            name = name[1:]
        if _digest_kind(name.split()[0]) or not name:
            return None
        row.update(name=name, digest=parts[0].lower(), algo=_digest_kind(parts[0]))
        return row
    if not 2 <= len(cells) <= 6:
        return None
    names = []
    for cell in cells:
        algo = _digest_kind(cell)
        if algo and row["digest"] is None:
            row["digest"], row["algo"] = cell.lstrip("*").lower(), algo
        elif "://" in cell and row["url"] is None:
            row["url"] = cell
        elif _SIZE.match(cell) and row["size"] is None:
            row["size"] = int(cell)
        elif cell:
            names.append(cell)
    if len(names) > 1 or not row["digest"]:
        return None
    row["name"] = names[0] if names else None
    return row if (row["name"] or row["url"]) else None


def _read_rows(lines: list[str], header: list[str] | None) -> tuple[list[dict], int]:
    entries, skipped = [], 0
    for line in lines:
        row = _parse_row(line, header)
        if row is None:
            skipped += 1
        else:
            entries.append(row)
    return entries, skipped


# --------------------------------------------------------------------------- files and facts

def _file_name(row: dict) -> str:
    if row["name"]:
        return row["name"]
    return unquote(basename(row["url"])) or row["url"]


def _unique(entries: list[dict]) -> list[dict]:
    """One entry per file: the same name with the same digest behind two URLs is one file."""
    seen: dict[tuple, dict] = {}
    for row in entries:
        key = (_file_name(row), row["digest"])
        seen.setdefault(key, row)
    return list(seen.values())


def _add_files(ex: Extraction, entries: list[dict], header: list[str] | None) -> None:
    unique = _unique(entries)
    where = "header " + "\t".join(header) if header else "manifest rows"
    for row in unique:
        name = _file_name(row)
        fmt = formats.from_filename(name) or formats.from_filename(row["url"])
        ex.files.append(FileEntry(name=name, size_bytes=row["size"], format=fmt, url=row["url"],
                                  **digest_fields(row["algo"], row["digest"])))
    ex.add("file_count", len(unique), f"{len(unique)} distinct files in {len(entries)} {where}",
           rank=RANK_API)
    fmts = formats.sorted_set(f.format for f in ex.files)
    ex.add("formats", fmts, "file name extensions", rank=RANK_API)
    # A total is only a total when every file has a size; a partial sum would understate it.
    if all(row["size"] is not None for row in unique):
        total = sum(row["size"] for row in unique)
        ex.add("size_bytes", total, f"sum of the size column over {len(unique)} files",
               rank=RANK_API)
    elif any(row["size"] is not None for row in unique):
        ex.warn("some files have no size; size_bytes not stated")
