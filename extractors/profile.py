"""Annotation (label) file profiling with DuckDB: bytes in, measured facts out.

Reads a CSV/TSV label file (plain, gzip or zip), then computes in an in-memory DuckDB: rows,
unique and duplicate ids, subjects, per-column fill rate, classes and their counts (multi-label
cells split on the separator, the background class kept apart), labels per item, the Gini
coefficient over positive classes and the max/min class ratio. Every fact has basis "measured".
No files, no network: the bytes come from the flow.
"""
from __future__ import annotations

import gzip
import io
import zipfile
from dataclasses import dataclass

from extractors.model import Extraction, ExtractionError, RANK_API
from extractors.normalize import formats as fmt

NAME = "profile"
VERSION = "1.0.0"


@dataclass(frozen=True)
class LabelSpec:
    id_column: str | None = None
    label_column: str | None = None
    separator: str = "|"
    subject_column: str | None = None
    background: str | None = None
    empty_by_design: tuple[str, ...] = ()
    item_unit: str | None = None


def profile(name: str, body: bytes, spec: LabelSpec, url: str | None = None) -> Extraction:
    """Profile one label file. Bad input gives Extraction.error, never an exception."""
    ex = Extraction(NAME, VERSION, url=url)
    try:
        table, inner_name = _read_table(name, body)
        stats = _stats(table, spec)
    except ExtractionError as exc:
        ex.error = f"{name}: {exc}"
        return ex
    _facts(ex, inner_name, stats, spec)
    ex.meta["label_stats"] = stats
    return ex


def _unpack(name: str, body: bytes) -> tuple[bytes, str]:
    if body[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(body), name.removesuffix(".gz")
        except (OSError, EOFError) as exc:
            raise ExtractionError(f"broken gzip: {exc}") from None
    if body[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as zf:
                members = [m for m in zf.namelist() if m.lower().endswith((".csv", ".tsv", ".txt"))]
                if not members:
                    raise ExtractionError("zip holds no CSV/TSV file")
                return zf.read(members[0]), members[0]
        except zipfile.BadZipFile as exc:
            raise ExtractionError(f"broken zip: {exc}") from None
    return body, name


def _read_table(name: str, body: bytes):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    data, inner = _unpack(name, body)
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


def gini(values: list[int]) -> float:
    """Gini coefficient of non-negative counts (0 = perfectly even)."""
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((2 * i - n + 1) * x for i, x in enumerate(ordered))
    return weighted / (n * total)


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
