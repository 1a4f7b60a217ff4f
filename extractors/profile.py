"""Annotation (label) file profiling with DuckDB: bytes in, measured facts out.

Reads a label file — CSV/TSV, Parquet (class_label columns known from the Hugging Face schema
metadata), JSON Lines or COCO annotation JSON (extractors.profile_formats) — plain, gzip, zip,
tar or tar.gz: unpacked in memory, in chunks, never past the limits the caller passes for
decompressed bytes, archive members and compression ratio; member names that climb out of the
archive and nested archives are refused. Several files of one set (train + valid, Parquet shards)
are profiled as their union. Then computes in an in-memory DuckDB: rows, unique and duplicate ids,
subjects, per-column fill rate, classes and their counts (multi-label cells split on the
separator or read as lists, the background class kept apart), labels per item, the Gini
coefficient over positive classes and the max/min class ratio. Every fact has basis "measured".
Without a spec (a label file detected in a listing) the id and label columns are inferred from
the file's shape, and a file with no label column is refused as not label-shaped.
No files, no network: the bytes come from the flow.
"""
from __future__ import annotations

import gzip
import io
import re
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, replace

from extractors import profile_formats as pf
from extractors.model import RANK_API, Extraction, ExtractionError
from extractors.normalize import formats as fmt
from extractors.normalize.stats import gini
from extractors.profile_formats import COCO, CSV, JSONL, PARQUET, Loaded

NAME = "profile"
VERSION = "1.2.0"   # 1.1: tar label files, archive limits; 1.2: Parquet/JSONL/COCO, label sets, shape inference


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
LABEL_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".jsonl", ".ndjson", ".json")


@dataclass(frozen=True)
class Limits:
    """What one label file may unpack to: decompressed bytes, archive members, compression ratio."""
    max_bytes: int = MAX_DECOMPRESSED_BYTES
    max_members: int = MAX_MEMBERS
    max_ratio: float = MAX_RATIO


FORMATS = ("csv", "parquet", "jsonl", "coco")


def profile(name: str, body: bytes, spec: LabelSpec | None = None, url: str | None = None, *,
            format: str | None = None, require_id: bool = False,
            max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES, max_members: int = MAX_MEMBERS,
            max_ratio: float = MAX_RATIO) -> Extraction:
    """Profile one label file. Bad input gives Extraction.error, never an exception.
    spec None: the id and label columns are inferred from the file (require_id: an id column
    must be found too)."""
    return profile_set([(name, body)], spec, url, format=format, require_id=require_id,
                       max_decompressed_bytes=max_decompressed_bytes, max_members=max_members,
                       max_ratio=max_ratio)


def profile_set(files: list[tuple[str, bytes]], spec: LabelSpec | None = None, url: str | None = None, *,
                format: str | None = None, require_id: bool = False,
                max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES, max_members: int = MAX_MEMBERS,
                max_ratio: float = MAX_RATIO) -> Extraction:
    """Profile the files of one label set (train + valid, Parquet shards) as one: every figure is
    of their union, and ids repeated across files count as duplicates. Each file is read within
    the limits on its own. meta["label_stats"] holds the figures, meta["label_spec"] the spec used."""
    ex = Extraction(NAME, VERSION, url=url)
    limits = Limits(max_decompressed_bytes, max_members, max_ratio)
    label = files[0][0] if len(files) == 1 else " + ".join(n for n, _ in files)[:300]
    try:
        if not files:
            raise ExtractionError("no label file given")
        loaded = _union([_load(n, b, format, limits, ex.warnings) for n, b in files])
        stats, spec = _stats(loaded, spec, require_id, ex.warnings)
    except ExtractionError as exc:
        ex.error = f"{label}: {exc}"
        return ex
    _facts(ex, loaded, stats, spec)
    ex.meta["label_stats"] = stats
    ex.meta["label_spec"] = spec
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
    """The first label-file member (CSV/TSV/TXT/Parquet/JSON); nested archives are never opened."""
    nested = [m for m in names if m.lower().endswith(ARCHIVE_SUFFIXES)]
    for member in nested:
        warnings.append(f"nested archive {member[:200]!r} in the {kind} not opened")
    labels = [m for m in names if m.lower().endswith(LABEL_SUFFIXES)]
    if labels:
        return labels[0]
    if nested:
        raise ExtractionError(f"{kind} holds only nested archives ({nested[0][:200]!r}): refused")
    raise ExtractionError(f"{kind} holds no label file (CSV/TSV/Parquet/JSON)")


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


def _load(name: str, body: bytes, format: str | None, limits: Limits, warnings: list[str]) -> Loaded:
    data, inner = _unpack(name, body, limits, warnings)
    if not data or data.isspace():   # isspace stops at the first other byte; strip() would copy
        raise ExtractionError("label file is empty")
    kind = pf.format_of(inner, data, format)
    if kind == PARQUET:
        loaded = pf.read_parquet(inner, data, limits.max_bytes, warnings)
    elif kind == JSONL:
        loaded = pf.read_jsonl(inner, data)
    elif kind == COCO:
        loaded = pf.read_coco(inner, data, warnings)
    else:
        loaded = Loaded(_read_csv(inner, data, warnings), inner, CSV)
    if loaded.table.num_rows < 1 or loaded.table.num_columns < 1:
        raise ExtractionError("label file has no rows")
    return loaded


def _union(parts: list[Loaded]) -> Loaded:
    """The files of one set as one Loaded: rows appended (a column missing from a file is empty
    in its rows), COCO pairs appended and field fill added up."""
    if len(parts) == 1:
        return parts[0]
    import pyarrow as pa

    kinds = sorted({p.format for p in parts})
    if len(kinds) > 1:
        raise ExtractionError(f"the files of one label set have different formats ({', '.join(kinds)})")
    try:
        table = pa.concat_tables([p.table for p in parts], promote_options="permissive")
        pairs = (pa.concat_tables([p.pairs for p in parts]) if parts[0].pairs is not None else None)
    except (pa.ArrowException, TypeError) as exc:
        raise ExtractionError(f"the files of the set do not fit together: {str(exc)[:200]}") from None
    fill = None
    if parts[0].fill_counts is not None:
        fill = {}
        for p in parts:
            for k, n in p.fill_counts.items():
                fill[k] = fill.get(k, 0) + n
    labels = tuple(c for c in parts[0].class_labels if all(c in p.class_labels for p in parts))
    notes = {}
    for p in parts:
        for k, n in p.notes.items():
            notes[k] = notes.get(k, 0) + n
    return Loaded(table, " + ".join(p.name for p in parts), parts[0].format, pairs, fill,
                  sum(p.fill_rows for p in parts), labels, notes)


def _read_csv(inner: str, data: bytes, warnings: list[str]):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    delimiter = "\t" if inner.lower().endswith((".tsv", ".tab")) else ","
    names = _csv_names(data, delimiter, warnings)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            # Every column as text: fill rate is about the cells as written.
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ExtractionError(f"not a readable CSV: {str(exc).splitlines()[0][:200]}") from None
    return table


def _line(data: bytes, number: int) -> bytes:
    """Line `number` (0 = the header) without copying the rest of the file."""
    start = 0
    for _ in range(number):
        start = data.find(b"\n", start) + 1
        if start == 0:
            return b""
    end = data.find(b"\n", start)
    return data[start:] if end < 0 else data[start:end]


def _fields(line: bytes, delimiter: str) -> list[str]:
    import csv

    text = line.decode("utf-8", "replace").strip("\r").lstrip("\ufeff")
    return next(csv.reader([text], delimiter=delimiter), [])


def _csv_names(data: bytes, delimiter: str, warnings: list[str]) -> list[str]:
    """The header's column names. Spreadsheet exports sometimes end the header with empty names
    past the width of the rows ("a,b,c,,,"): those are dropped (else no row would fit)."""
    names = _fields(_line(data, 0), delimiter)
    width = len(_fields(_line(data, 1), delimiter))
    extra = names[width:] if width else []
    if extra and not any(n.strip() for n in extra):
        warnings.append(f"header has {len(extra)} empty column name(s) past the rows' {width} fields: dropped")
        names = names[:width]
    seen: dict[str, int] = {}
    out = []
    for n in names:   # a name given twice would merge two columns: the second gets a suffix
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}.{seen[n]}")
    return out


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _stats(loaded: Loaded, spec: LabelSpec | None, require_id: bool, warnings: list[str]) -> tuple[dict, LabelSpec]:
    import duckdb

    table = loaded.table
    con = duckdb.connect(":memory:")
    try:
        con.register("t", table)
        if loaded.pairs is not None:
            con.register("p", loaded.pairs)
        spec = _settle(con, loaded, spec, require_id, warnings)
        columns = table.column_names
        for key in ("id_column", "label_column", "subject_column"):
            wanted = getattr(spec, key)
            if wanted and wanted not in columns and not (loaded.pairs is not None and key == "label_column"):
                raise ExtractionError(f"{key} {wanted!r} not among the columns {columns[:20]}")
        rows = table.num_rows
        stats: dict = {"format": loaded.format, "rows": rows}
        if loaded.fill_counts is not None:   # COCO: completeness of the annotations' fields
            stats["column_fill"] = {k: 1.0 if k in spec.empty_by_design else round(n / loaded.fill_rows, 6)
                                    for k, n in sorted(loaded.fill_counts.items())}
        else:
            stats["column_fill"] = _fill(con, table.schema, spec.empty_by_design, rows)
        stats["columns"] = len(stats["column_fill"])
        fills = stats["column_fill"].values()
        stats["fill_rate"] = round(100 * sum(fills) / len(fills), 3) if fills else None
        stats.update(loaded.notes)
        if spec.id_column:
            unique = con.execute(f"select count(distinct {_q(spec.id_column)}) from t").fetchone()[0]
            stats["unique_ids"], stats["duplicate_ids"] = unique, rows - unique
        if spec.subject_column:
            stats["subjects"] = con.execute(
                f"select count(distinct {_q(spec.subject_column)}) from t").fetchone()[0]
        if loaded.pairs is not None or spec.label_column:
            stats.update(_labels(con, spec, rows, _label_values(con, loaded, spec)))
    except duckdb.Error as exc:   # e.g. a column type DuckDB cannot compare
        raise ExtractionError(f"label file not measurable: {str(exc).splitlines()[0][:200]}") from None
    finally:
        con.close()
    return stats, spec


# ------------------------------------------------------------------ the spec from the file's shape
LABEL_NAMES = ("label", "labels", "class", "target")
ID_TOKENS = {"id", "uid", "uuid", "guid", "index", "idx", "image", "img", "images"}


def _tokens(column: str) -> list[str]:
    """'patientId' -> ['patient', 'id']; 'Finding Labels' -> ['finding', 'labels']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", column)
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


def _settle(con, loaded: Loaded, spec: LabelSpec | None, require_id: bool, warnings: list[str]) -> LabelSpec:
    """The spec to measure with: COCO's own; the configured one (its label column, else the one
    ClassLabel column of a Parquet schema); or, with none configured, one inferred from the shape."""
    if loaded.format == COCO:
        base = spec or LabelSpec()
        return replace(base, id_column="image_id", label_column="category_id", subject_column=None,
                       item_unit=base.item_unit or "images")
    if spec is not None:
        if not spec.label_column and len(loaded.class_labels) == 1:
            return replace(spec, label_column=loaded.class_labels[0])
        return spec
    columns = loaded.table.column_names
    if loaded.format == PARQUET:
        if not loaded.class_labels:
            raise ExtractionError("not label-shaped: the Parquet schema metadata types no column as ClassLabel")
        label = loaded.class_labels[0]
        if len(loaded.class_labels) > 1:
            warnings.append(f"several ClassLabel columns {list(loaded.class_labels)}: {label!r} profiled")
    else:
        label = _label_column(columns)
        if label is None:
            raise ExtractionError("not label-shaped: no label column (label, labels, class, target, "
                                  f"finding…) among {columns[:20]}")
    id_column = _id_column(con, loaded.table, label)
    if id_column is None and require_id:
        raise ExtractionError("not label-shaped: no id column (a mostly distinct column named "
                              f"…id…, …index… or …image…) among {columns[:20]}")
    return LabelSpec(id_column=id_column, label_column=label)


def _label_column(columns: list[str]) -> str | None:
    """By name: label/labels/class/target exactly, else finding…, else a name starting with one
    of those (class_name) that is not an id (class_id)."""
    ranked = []
    for i, column in enumerate(columns):
        tokens = _tokens(column)
        if not tokens:
            continue
        if "".join(tokens) in LABEL_NAMES:
            ranked.append((0, i, column))
        elif tokens[0].startswith("finding"):
            ranked.append((1, i, column))
        elif tokens[0] in LABEL_NAMES and "id" not in tokens:
            ranked.append((2, i, column))
    return min(ranked)[2] if ranked else None


def _id_column(con, table, label: str) -> str | None:
    """A column named …id…/…index…/…image… with scalar values, the one with the most distinct
    values, and only if they are at least a tenth of the rows (a reader id or a class id repeats)."""
    import pyarrow as pa

    best, most = None, 0
    for f in table.schema:
        if f.name == label or not set(_tokens(f.name)) & ID_TOKENS:
            continue
        if not (pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_integer(f.type)):
            continue
        distinct = con.execute(f"select count(distinct {_q(f.name)}) from t").fetchone()[0]
        if distinct > most:
            best, most = f.name, distinct
    return best if best and most >= max(1, table.num_rows / 10) else None


# ------------------------------------------------------------------ measures
def _fill(con, schema, empty_by_design, rows: int) -> dict[str, float]:
    """Share of non-empty cells per column: text blank after trimming is empty; other types
    (numbers, lists, images) are empty when null."""
    import pyarrow as pa

    parts = []
    for f in schema:
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            parts.append(f"count(*) filter (where nullif(trim({_q(f.name)}), '') is not null)")
        else:
            parts.append(f"count({_q(f.name)})")
    counts = con.execute("select " + ", ".join(parts) + " from t").fetchone()
    return {f.name: 1.0 if f.name in empty_by_design else round(n / rows, 6) for f, n in zip(schema, counts)}


def _label_values(con, loaded: Loaded, spec: LabelSpec) -> str:
    """SQL giving one row per label (column `label`): COCO's annotation pairs; a list column
    unnested; a text column split on the separator; any other type as text."""
    import pyarrow as pa

    if loaded.pairs is not None:
        return "select label from p"
    column = _q(spec.label_column)
    kind = loaded.table.schema.field(spec.label_column).type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return f"select trim(cast(unnest({column}) as varchar)) as label from t"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        sep = spec.separator.replace("'", "''")
        return f"select trim(unnest(string_split(coalesce({column}, ''), '{sep}'))) as label from t"
    return f"select cast({column} as varchar) as label from t"


def _labels(con, spec: LabelSpec, rows: int, values: str) -> dict:
    counts = con.execute(f"""
        select label, count(*) as n from ({values})
        where label is not null and label <> '' group by label order by n desc, label
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


FORMAT_WORDS = {CSV: "delimited text", PARQUET: "Parquet", JSONL: "JSON Lines", COCO: "COCO annotation JSON"}


def _label_how(loaded: Loaded, spec: LabelSpec) -> str:
    if loaded.format == COCO:
        return "category_id of each annotation, named by the categories"
    kind = loaded.table.schema.field(spec.label_column).type
    typed = " (ClassLabel in the Parquet schema metadata)" if spec.label_column in loaded.class_labels else ""
    if "list" in str(kind):
        return f"{spec.label_column} list values{typed}"
    return f"{spec.label_column} split on {spec.separator!r}{typed}"


def _facts(ex: Extraction, loaded: Loaded, s: dict, spec: LabelSpec) -> None:
    name = loaded.name

    def add(field, value, how, **kw):
        ex.add(field, value, f"{name}: {how}", basis="measured", rank=RANK_API, **kw)

    items = s.get("unique_ids", s["rows"])
    unit = spec.item_unit or "items"
    add("item_count", items, f"distinct {spec.id_column}" if spec.id_column else "rows", unit=unit)
    if spec.item_unit:   # stated by the catalog, or by the format (COCO lists images)
        add("item_unit", unit, "the images of the COCO file" if loaded.format == COCO
            else "annotations.item_unit in the source catalog")
    add("rows", s["rows"], "images listed" if loaded.format == COCO else "rows")
    add("columns", s["columns"], "annotation fields" if loaded.format == COCO else "columns")
    add("column_fill", s["column_fill"],
        "share of annotations with each field non-empty" if loaded.format == COCO else "non-empty share per column")
    if s["fill_rate"] is not None:
        add("fill_rate", s["fill_rate"], "mean non-empty share over "
            + ("annotation fields" if loaded.format == COCO else "columns"), unit="percent")
    file_format = fmt.from_filename(name.split(" + ")[0]) if loaded.format == CSV else None
    add("annotation_format", file_format or {CSV: "CSV", COCO: "JSON"}.get(loaded.format, loaded.format),
        f"label file read as {FORMAT_WORDS[loaded.format]}")
    if "unique_ids" in s:
        add("unique_ids", s["unique_ids"], f"count(distinct {spec.id_column})")
        add("duplicate_ids", s["duplicate_ids"], f"rows minus distinct {spec.id_column}")
    if "subjects" in s:
        add("subject_count", s["subjects"], f"count(distinct {spec.subject_column})")
        add("items_per_subject", round(items / s["subjects"], 3) if s["subjects"] else None,
            "items per subject")
    if "class_counts" in s:
        how = _label_how(loaded, spec)
        add("class_count", s["classes"], f"distinct labels in {how}, background excluded")
        add("class_counts", s["class_counts"], how)
        if spec.background:
            add("background_class", spec.background, "annotations.background in the source catalog")
            add("background_count", s["background_count"], f"rows labelled {spec.background!r}")
        per = ("annotations per listed image (images without annotations count 0)" if loaded.format == COCO
               else f"labels incl. background per row ({how})")
        add("labels_per_item", s["labels_per_item"], per)
        add("labels_per_item_positive", s["labels_per_item_positive"], "positive labels per row")
        if "gini" in s:
            add("gini", s["gini"], "Gini over positive class counts")
            add("max_min_ratio", s["max_min_ratio"], "largest / smallest positive class")
