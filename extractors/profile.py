"""Annotation (label) file profiling with DuckDB: bytes in, measured facts out.

Reads a CSV/TSV label file (plain, gzip, zip, tar or tar.gz: unpacked in memory, in chunks, never
past the limits the caller passes for decompressed bytes, archive members and compression ratio;
member names that climb out of the archive and nested archives are refused), then computes in an
in-memory DuckDB: rows, unique and duplicate ids, subjects, per-column fill rate, classes and
their counts (multi-label cells split on the separator, the background class kept apart), labels
per item, the Gini coefficient over positive classes and the max/min class ratio. Every fact has
basis "measured".
No files, no network: the bytes come from the flow.
"""
from __future__ import annotations

import gzip
import io
import re
import tarfile
import zipfile
import zlib
from dataclasses import dataclass

from extractors.model import Extraction, ExtractionError, RANK_API
from extractors.normalize import formats as fmt
from extractors.normalize.stats import gini

NAME = "profile"
VERSION = "1.1.0"   # 1.1: tar label files, archive limits


@dataclass(frozen=True)
class LabelSpec:
    id_column: str | None = None
    label_column: str | None = None
    separator: str = "|"
    subject_column: str | None = None
    background: str | None = None
    empty_by_design: tuple[str, ...] = ()
    item_unit: str | None = None


# Defaults of the archive limits; the flow passes the values of settings.toml [http]
# (max_decompressed_bytes, max_archive_members, max_compression_ratio).
MAX_DECOMPRESSED_BYTES = 200_000_000
MAX_MEMBERS = 10_000
MAX_RATIO = 100.0
RATIO_FLOOR = 1_000_000     # small outputs may compress well (a CSV of empty cells); bombs do not stay small
CHUNK = 1 << 20
ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".zst", ".7z", ".rar")
LABEL_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class Limits:
    """What one label file may unpack to: decompressed bytes, archive members, compression ratio."""
    max_bytes: int = MAX_DECOMPRESSED_BYTES
    max_members: int = MAX_MEMBERS
    max_ratio: float = MAX_RATIO


def profile(name: str, body: bytes, spec: LabelSpec, url: str | None = None, *,
            max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES, max_members: int = MAX_MEMBERS,
            max_ratio: float = MAX_RATIO) -> Extraction:
    """Profile one label file. Bad input gives Extraction.error, never an exception."""
    ex = Extraction(NAME, VERSION, url=url)
    limits = Limits(max_decompressed_bytes, max_members, max_ratio)
    try:
        table, inner_name = _read_table(name, body, limits, ex.warnings)
        stats = _stats(table, spec)
    except ExtractionError as exc:
        ex.error = f"{name}: {exc}"
        return ex
    _facts(ex, inner_name, stats, spec)
    ex.meta["label_stats"] = stats
    return ex


# ------------------------------------------------------------------ archives, read with caps
def _unpack(name: str, body: bytes, limits: Limits, warnings: list[str]) -> tuple[bytes, str]:
    """The label file's bytes and name: the body itself, or what a gzip, zip or tar holds.
    Nothing is unpacked past the limits; nothing is written to disk."""
    if body[:2] == b"\x1f\x8b":
        data = _gunzip(body, limits)
        inner = name.removesuffix(".gz").removesuffix(".GZ")
        if inner.lower().endswith(".tgz"):
            inner = inner[:-4] + ".tar"
        if _is_tar(data):   # .tar.gz is one format, not a nested archive
            return _untar(data, limits, warnings)
        _refuse_nested(inner, data)
        return data, inner
    if body[:4] == b"PK\x03\x04":
        return _unzip(body, limits, warnings)
    if _is_tar(body):
        return _untar(body, limits, warnings)
    return body, name


def _gunzip(body: bytes, limits: Limits) -> bytes:
    source = io.BytesIO(body)
    try:
        with gzip.GzipFile(fileobj=source) as stream:
            return _read_capped(stream, source.tell, limits, "gzip")
    except (OSError, EOFError, zlib.error) as exc:
        raise ExtractionError(f"broken gzip: {exc}") from None


def _read_capped(stream, consumed, limits: Limits, what: str) -> bytes:
    """Read a decompressing stream in chunks; stop past the byte cap, or once the output outgrows
    max_ratio times the compressed bytes consumed so far (consumed() tells them). A bomb costs
    at most one chunk more than the cap."""
    chunks, produced = [], 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        produced += len(chunk)
        if produced > limits.max_bytes:
            raise ExtractionError(f"{what} unpacks to more than {limits.max_bytes} bytes "
                                  "(max_decompressed_bytes): refused as a decompression bomb")
        if produced > RATIO_FLOOR and produced > limits.max_ratio * max(consumed(), 1):
            raise ExtractionError(f"{what} unpacks to more than {limits.max_ratio:g} times its "
                                  "compressed size (max_compression_ratio): refused as a decompression bomb")
        chunks.append(chunk)


def _unsafe_name(member: str) -> str | None:
    """Why an archive member name is refused (zip-slip), or None. Nothing is extracted to disk,
    but such a name only comes from a crafted archive, so the whole archive is refused."""
    parts = member.replace("\\", "/").split("/")
    if member.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", member):
        return "an absolute path"
    if ".." in parts:
        return "a '..' path"
    if "\x00" in member:
        return "a NUL byte"
    return None


def _check_names(names: list[str]) -> None:
    for member in names:
        why = _unsafe_name(member)
        if why:
            raise ExtractionError(f"member {member[:200]!r} has {why} (zip-slip): archive refused")


def _pick(kind: str, names: list[str], warnings: list[str]) -> str:
    """The first CSV/TSV/TXT member; nested archives are never opened."""
    nested = [m for m in names if m.lower().endswith(ARCHIVE_SUFFIXES)]
    for member in nested:
        warnings.append(f"nested archive {member[:200]!r} in the {kind} not opened")
    labels = [m for m in names if m.lower().endswith(LABEL_SUFFIXES)]
    if labels:
        return labels[0]
    if nested:
        raise ExtractionError(f"{kind} holds only nested archives ({nested[0][:200]!r}): refused")
    raise ExtractionError(f"{kind} holds no CSV/TSV file")


def _refuse_nested(member: str, data: bytes) -> None:
    """A label member that is itself an archive (whatever its name) is refused, not opened."""
    if data[:2] == b"\x1f\x8b" or data[:4] == b"PK\x03\x04" or _is_tar(data) \
            or data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00" or data[:4] == b"\x28\xb5\x2f\xfd":
        raise ExtractionError(f"{member[:200]!r} is a nested archive: refused")


def _unzip(body: bytes, limits: Limits, warnings: list[str]) -> tuple[bytes, str]:
    try:
        _zip_member_count(body, limits)
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if len(infos) > limits.max_members:
                raise ExtractionError(f"zip has {len(infos)} members, more than {limits.max_members} "
                                      "(max_archive_members): refused")
            _check_names([i.filename for i in infos])
            member = zf.getinfo(_pick("zip", [i.filename for i in infos], warnings))
            with zf.open(member) as stream:
                data = _read_capped(stream, lambda: member.compress_size, limits,
                                    f"zip member {member.filename!r}")
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"broken zip: {exc}") from None
    except (RuntimeError, NotImplementedError, OSError, EOFError, zlib.error) as exc:  # encrypted, odd methods
        raise ExtractionError(f"unreadable zip: {exc}") from None
    _refuse_nested(member.filename, data)
    return data, member.filename


def _zip_member_count(body: bytes, limits: Limits) -> None:
    """Refuse a zip with too many members before zipfile builds an object per member.
    The end record states the count and the size of the central directory; zipfile reads the
    directory by its size, so the size is capped too, in case the stated count lies."""
    end = zipfile._EndRecData(io.BytesIO(body))   # zipfile's own reader of the end record
    if not end:
        return   # zipfile will say it is broken
    stated, directory = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if stated > limits.max_members:
        raise ExtractionError(f"zip has {stated} members, more than {limits.max_members} "
                              "(max_archive_members): refused")
    if directory > 1024 * limits.max_members:   # no real member record is over 1 KB on average
        raise ExtractionError(f"zip directory of {directory} bytes holds more than {limits.max_members} "
                              "members (max_archive_members): refused")


def _is_tar(data: bytes) -> bool:
    return data[257:262] == b"ustar"


def _untar(data: bytes, limits: Limits, warnings: list[str]) -> tuple[bytes, str]:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
            files = _tar_members(tf, limits, warnings)
            member = next(m for m in files if m.name == _pick("tar", [m.name for m in files], warnings))
            if member.issparse():
                raise ExtractionError(f"tar member {member.name!r} is a sparse file: refused")
            stream = tf.extractfile(member)
            # Stored in the tar: no ratio to speak of (a tar.gz was measured while gunzipping).
            data = _read_capped(stream, lambda: member.size, limits, f"tar member {member.name!r}")
    except tarfile.TarError as exc:
        raise ExtractionError(f"broken tar: {exc}") from None
    _refuse_nested(member.name, data)
    return data, member.name


def _tar_members(tf, limits: Limits, warnings: list[str]) -> list:
    """Regular-file members, read header by header up to the member cap."""
    files, count = [], 0
    while (member := tf.next()) is not None:
        count += 1
        if count > limits.max_members:
            raise ExtractionError(f"tar has more than {limits.max_members} members "
                                  "(max_archive_members): refused")
        _check_names([member.name] + ([member.linkname] if member.islnk() else []))
        if member.isfile():
            files.append(member)
        elif not member.isdir():
            warnings.append(f"tar member {member.name[:200]!r} is not a regular file: not read")
    return files


def _read_table(name: str, body: bytes, limits: Limits, warnings: list[str]):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    data, inner = _unpack(name, body, limits, warnings)
    if not data.strip():
        raise ExtractionError("label file is empty")
    delimiter = "\t" if inner.lower().endswith((".tsv", ".tab")) else ","
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            # Every column as text: fill rate is about the cells as written.
            convert_options=pacsv.ConvertOptions(column_types=_all_strings(data, delimiter),
                                                 strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ExtractionError(f"not a readable CSV: {str(exc).splitlines()[0][:200]}") from None
    if table.num_columns < 1 or table.num_rows < 1:
        raise ExtractionError("label file has no rows")
    return table, inner


def _all_strings(data: bytes, delimiter: str) -> dict:
    import csv

    import pyarrow as pa

    header = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip("\r\ufeff")
    names = next(csv.reader([header], delimiter=delimiter), [])
    return {n: pa.string() for n in names}


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _stats(table, spec: LabelSpec) -> dict:
    import duckdb

    columns = table.column_names
    for key in ("id_column", "label_column", "subject_column"):
        wanted = getattr(spec, key)
        if wanted and wanted not in columns:
            raise ExtractionError(f"{key} {wanted!r} not among the columns {columns[:20]}")
    con = duckdb.connect(":memory:")
    try:
        con.register("t", table)
        stats: dict = {"rows": table.num_rows, "columns": len(columns)}
        stats["column_fill"] = _fill(con, columns, spec.empty_by_design, table.num_rows)
        stats["fill_rate"] = round(100 * sum(stats["column_fill"].values()) / len(columns), 3)
        if spec.id_column:
            unique = con.execute(f"select count(distinct {_q(spec.id_column)}) from t").fetchone()[0]
            stats["unique_ids"], stats["duplicate_ids"] = unique, table.num_rows - unique
        if spec.subject_column:
            stats["subjects"] = con.execute(
                f"select count(distinct {_q(spec.subject_column)}) from t").fetchone()[0]
        if spec.label_column:
            stats.update(_labels(con, spec, table.num_rows))
    finally:
        con.close()
    return stats


def _fill(con, columns, empty_by_design, rows: int) -> dict[str, float]:
    parts = [f"count(*) filter (where nullif(trim({_q(c)}), '') is not null)" for c in columns]
    counts = con.execute("select " + ", ".join(parts) + " from t").fetchone()
    return {c: 1.0 if c in empty_by_design else round(n / rows, 6) for c, n in zip(columns, counts)}


def _labels(con, spec: LabelSpec, rows: int) -> dict:
    sep = spec.separator.replace("'", "''")
    counts = con.execute(f"""
        select label, count(*) as n from (
            select trim(unnest(string_split(coalesce({_q(spec.label_column)}, ''), '{sep}'))) as label from t
        ) where label <> '' group by label order by n desc, label
    """).fetchall()
    class_counts = {label: n for label, n in counts if label != spec.background}
    background = dict(counts).get(spec.background, 0) if spec.background else 0
    positives = sorted(class_counts.values())
    total_labels = sum(positives) + background
    out = {
        "class_counts": class_counts,
        "classes": len(class_counts),
        "background_count": background,
        "labels_per_item": round(total_labels / rows, 6),
        "labels_per_item_positive": round(sum(positives) / rows, 6),
    }
    if positives:
        out["gini"] = round(gini(positives), 6)
        out["max_min_ratio"] = round(positives[-1] / positives[0], 3)
    return out


def _facts(ex: Extraction, name: str, s: dict, spec: LabelSpec) -> None:
    def add(field, value, how, **kw):
        ex.add(field, value, f"{name}: {how}", basis="measured", rank=RANK_API, **kw)

    items = s.get("unique_ids", s["rows"])
    unit = spec.item_unit or "items"
    add("item_count", items, f"distinct {spec.id_column}" if spec.id_column else "rows", unit=unit)
    add("item_unit", unit, "annotations.item_unit in the source catalog")
    add("rows", s["rows"], "rows")
    add("columns", s["columns"], "columns")
    add("column_fill", s["column_fill"], "non-empty share per column")
    add("fill_rate", s["fill_rate"], "mean non-empty share over columns", unit="percent")
    add("annotation_format", fmt.from_filename(name) or "CSV", "label file extension")
    if "unique_ids" in s:
        add("unique_ids", s["unique_ids"], f"count(distinct {spec.id_column})")
        add("duplicate_ids", s["duplicate_ids"], f"rows minus distinct {spec.id_column}")
    if "subjects" in s:
        add("subject_count", s["subjects"], f"count(distinct {spec.subject_column})")
        add("items_per_subject", round(items / s["subjects"], 3) if s["subjects"] else None,
            "items per subject")
    if "class_counts" in s:
        how = f"{spec.label_column} split on {spec.separator!r}"
        add("class_count", s["classes"], f"distinct labels in {how}, background excluded")
        add("class_counts", s["class_counts"], how)
        if spec.background:
            add("background_class", spec.background, "annotations.background in the source catalog")
            add("background_count", s["background_count"], f"rows labelled {spec.background!r}")
        add("labels_per_item", s["labels_per_item"], f"labels incl. background per row ({how})")
        add("labels_per_item_positive", s["labels_per_item_positive"], "positive labels per row")
        if "gini" in s:
            add("gini", s["gini"], "Gini over positive class counts")
            add("max_min_ratio", s["max_min_ratio"], "largest / smallest positive class")
