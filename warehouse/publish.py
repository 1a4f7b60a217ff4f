"""`lqs publish`: the publishing tables, one card and one Croissant document per dataset, and a
manifest, written into a folder.

- Tables (catalog, lqs_latest, lqs_dimensions_latest, changes) as Parquet, JSON and CSV;
  `changes` holds the changes since the last publish to the same folder.
- cards/<id>.json: warehouse.cards.card (facts with provenance, the seven dimensions with basis
  and evidence, tier, status and evidenced dimensions, evidence gaps, conflicting fields,
  withdrawn flag). The tables carry the status too (lqs_latest: status, evidenced; catalog:
  lqs_status, lqs_evidenced).
- croissant/<id>.jsonld: schema.org/Croissant 1.0 metadata that mlcroissant validates. Croissant
  requires a checksum on every FileObject, so only files with a known sha256 are listed; the
  others are counted in an additionalProperty instead of being given a made-up checksum.
- index.html and cards/<id>.html: the static catalog site (warehouse/site.py).
- manifest.json: every file with its sha256 and size, written last.

Every file is built in memory and replaced (temp file, fsync, rename) only when its sha256
differs from the file on disk, so a publish with nothing new rewrites nothing. Files an earlier
manifest listed that are no longer produced are removed. Each publish is recorded in the
`publishes` table (migration 003), which defines "since the last publish".
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from warehouse import history, site
from warehouse.cards import cards, headline, score_line
from warehouse.db import WarehouseError, fetch_one

TABLES = {
    "catalog": "select * from catalog order by dataset_id",
    "lqs_latest": "select * from lqs_latest order by dataset_id",
    "lqs_dimensions_latest": "select * from lqs_dimensions_latest order by dataset_id, dimension",
}
MANIFEST = "manifest.json"
CROISSANT_1_0 = "http://mlcommons.org/croissant/1.0"
# The standard Croissant 1.0 @context (mlcroissant warns on any other).
CROISSANT_CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/", "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty", "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject", "fileSet": "cr:fileSet", "format": "cr:format",
    "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath",
    "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex",
    "repeated": "cr:repeated", "replace": "cr:replace", "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/", "separator": "cr:separator", "source": "cr:source",
    "subField": "cr:subField", "transform": "cr:transform",
}
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
SPDX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass
class Report:
    out_dir: str
    publish_id: str
    files: list[str]
    written: list[str]
    removed: list[str]
    changes: int
    changes_since: str | None
    changes_until: str | None


def publish(warehouse, out_dir: str | os.PathLike) -> Report:
    """Publish into out_dir under the writer lock (the publish is recorded in the warehouse)."""
    out = Path(out_dir).resolve()
    if not warehouse.path.exists():
        raise WarehouseError(f"{warehouse.path}: no warehouse yet (run `lqs harvest` or `lqs refresh` first)")
    with warehouse.writer(f"lqs publish {out}") as w:
        since, until = _window(w.con, out)
        changes_sql, params = _changes_query(since, until)
        changes = fetch_one(w.con, f"select count(*) from ({changes_sql})", params)[0]
        outputs = _outputs(w.con, changes_sql, params)
        manifest = _manifest(outputs, since, until)
        written = [name for name, data in outputs.items() if write_if_changed(out / name, data)]
        previous = _manifest_files(out / MANIFEST)
        if write_if_changed(out / MANIFEST, manifest):
            written.append(MANIFEST)
        removed = _remove_stale(out, previous, outputs)
        _fsync_tree(out, written)
        report = Report(str(out), _publish_id(), sorted(outputs) + [MANIFEST], written, removed,
                        changes, _iso(since), _iso(until))
        # One row: a plain insert (Writer.insert's Arrow path would import pandas, a second).
        with w.transaction() as con:
            con.execute("insert into publishes values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                report.publish_id, _now(), str(out), since, until, len(report.files), len(written),
                len(removed), hashlib.sha256(manifest).hexdigest()])
    return report


def report_dict(report: Report) -> dict:
    return asdict(report)


# ---------------------------------------------------------------------------- the window
def _window(con, out: Path) -> tuple[datetime | None, datetime | None]:
    """(since, until] of the changes this publish carries. New changes since the last publish to
    this folder: from its end to the newest change. None new: the last publish's window again,
    so the changes files come out byte-identical and are not rewritten."""
    newest = fetch_one(con, "select max(changed_at) from changes")[0]
    last = fetch_one(con, """select changes_since, changes_until from publishes where out_dir = ?
                             order by published_at desc limit 1""", [str(out)])
    if last is None:
        return None, newest
    last_since, last_until = last
    if newest is not None and (last_until is None or newest > last_until):
        return last_until, newest
    return last_since, last_until


def _changes_query(since, until) -> tuple[str, list]:
    if until is None:
        return history.select_sql("false"), []
    if since is None:
        return history.select_sql("changed_at <= ?"), [until]
    return history.select_sql("changed_at > ? and changed_at <= ?"), [since, until]


# ---------------------------------------------------------------------------- building files
def _outputs(con, changes_sql: str, params: list) -> dict[str, bytes]:
    """Every published file (but the manifest) by relative path, built in memory."""
    outputs: dict[str, bytes] = {}
    for name, sql in TABLES.items():
        outputs.update(table_files(con, name, sql, []))
    outputs.update(table_files(con, "changes", changes_sql, params))
    descriptions, files = _descriptions(con), _files(con)
    all_cards = cards(con)
    stems = {dataset_id: UNSAFE.sub("_", dataset_id) for dataset_id in all_cards}
    for dataset_id, data in sorted(all_cards.items()):
        stem = stems[dataset_id]
        outputs[f"cards/{stem}.json"] = _json_bytes(data)
        doc = croissant(data, descriptions.get(dataset_id), files.get(dataset_id, []))
        outputs[f"croissant/{stem}.jsonld"] = _json_bytes(doc)
    # The static site (index.html, cards/<id>.html): listed in the manifest like every output.
    outputs.update(site.pages(con, all_cards, stems))
    return outputs


def table_files(con, name: str, sql: str, params: list) -> dict[str, bytes]:
    """One query as <name>.parquet, <name>.json and <name>.csv (rows in the query's order)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # A cursor has its own result state: DuckDB refuses relation work on a connection whose last
    # execute() result was only partly fetched.
    cursor = con.cursor()
    try:
        relation = cursor.sql(sql, params=params) if params else cursor.sql(sql)
        json_columns = {c for c, t in zip(relation.columns, relation.types) if str(t) == "JSON"}
        table = relation.to_arrow_table()
    finally:
        cursor.close()
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    rows = table.to_pylist()
    return {f"{name}.parquet": sink.getvalue().to_pybytes(),
            f"{name}.json": _json_bytes([_parse_json(row, json_columns) for row in rows]),
            f"{name}.csv": _csv_bytes(table.column_names, rows)}


def _parse_json(row: dict, columns: set[str]) -> dict:
    return {k: json.loads(v) if k in columns and v is not None else v for k, v in row.items()}


def _csv_bytes(columns: list[str], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else _plain(row[c]) for c in columns])
    return buffer.getvalue().encode("utf-8")


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _json_bytes(value) -> bytes:
    # Key order as built (columns, card, Croissant): deterministic, so equal data, equal bytes.
    text = json.dumps(value, indent=2, ensure_ascii=False, default=_json_default)
    return (text + "\n").encode("utf-8")


def _json_default(value):
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _descriptions(con) -> dict[str, str]:
    return dict(con.execute("""select dataset_id, value ->> '$' from facts_current
                               where field = 'description' and winner and record is null""").fetchall())


def _files(con) -> dict[str, list[dict]]:
    """Each dataset's files from its current (latest successful) run."""
    rows = con.execute("""
        select f.dataset_id, f.name, f.url, f.size_bytes, f.format, f.sha256 from files f
        join latest_source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id
        where f.kind = 'file'
        order by f.dataset_id, f.name, f.url""").fetchall()
    out: dict[str, list[dict]] = {}
    for dataset_id, *rest in rows:
        out.setdefault(dataset_id, []).append(dict(zip(("name", "url", "size_bytes", "format", "sha256"), rest)))
    return out


# ---------------------------------------------------------------------------- Croissant
def croissant(data: dict, description: str | None, files: list[dict]) -> dict:
    """A Croissant 1.0 JSON-LD document for one dataset card."""

    facts = data["facts"]
    name = facts.get("title") or data["name"]
    doc = {
        "@context": CROISSANT_CONTEXT, "@type": "sc:Dataset", "conformsTo": CROISSANT_1_0,
        "name": name,
        "description": description or f"{name}: {headline(data) or 'no facts harvested yet'}.",
        "url": facts.get("homepage") or data["source_url"],
        "keywords": [data["category"]],
    }
    if doc["url"] != data["source_url"]:
        doc["sameAs"] = [data["source_url"]]
    if facts.get("license"):
        doc["license"] = _license(facts["license"])
    if ISO_DATE.match(str(facts.get("release_date") or "")):
        doc["datePublished"] = str(facts["release_date"])
    if facts.get("version") is not None:
        doc["version"] = str(facts["version"])
    if facts.get("doi"):
        doc["identifier"] = f"https://doi.org/{facts['doi']}"
    doc["citeAs"] = _citation(name, facts, doc["url"])
    if facts.get("publisher"):
        doc["publisher"] = {"@type": "sc:Organization", "name": facts["publisher"]}
    listed = [f for f in files if f["sha256"] and f["url"]]
    if listed:
        doc["distribution"] = _file_objects(listed)
    doc["additionalProperty"] = _properties(data, len(files) - len(listed))
    return doc


def _citation(name: str, facts: dict, url: str) -> str:
    """A plain citation from the facts we have: "Publisher (year). Name. DOI link, else URL"."""
    parts = [facts.get("publisher"), f"({str(facts['release_date'])[:4]})" if facts.get("release_date") else None]
    head = " ".join(p for p in parts if p)
    link = f"https://doi.org/{facts['doi']}" if facts.get("doi") else url
    return f"{head}. {name}. {link}" if head else f"{name}. {link}"


def _license(value: str) -> str:
    """SPDX ids as their spdx.org URL; expressions and LicenseRef-* stay text."""
    if SPDX_ID.match(value) and not value.startswith("LicenseRef-"):
        return f"https://spdx.org/licenses/{value}.html"
    return value


def _file_objects(files: list[dict]) -> list[dict]:
    """FileObjects with unique @ids (two files may share a name in different folders)."""
    out, seen = [], set()
    for f in files:
        base = f["name"] or f["url"].rsplit("/", 1)[-1]
        ident, n = base, 1
        while ident in seen:
            n += 1
            ident = f"{base}-{n}"
        seen.add(ident)
        item = {"@type": "cr:FileObject", "@id": ident, "name": base,
                "contentUrl": f["url"], "encodingFormat": _mime(f["format"]), "sha256": f["sha256"]}
        if f["size_bytes"] is not None:
            item["contentSize"] = f"{f['size_bytes']} B"
        out.append(item)
    return out


def _mime(file_format: str | None) -> str:
    """A MIME type for one of our format names (the first the normaliser maps to it)."""
    from extractors.normalize.formats import MIME_TYPES

    for mime, name in MIME_TYPES.items():
        if name is not None and name == file_format:
            return mime
    return "application/octet-stream"


def _properties(data: dict, unlisted: int) -> list[dict]:
    """The LQS, its dimensions and our flags as schema.org PropertyValues."""
    out = []
    lqs = data["lqs"]
    if lqs:
        out.append(_prop("LQS", lqs["composite"],
                         f"Label-set Quality Score (0-100): {score_line(lqs)}; {lqs['status']}, evidence coverage "
                         f"{lqs['coverage']:.0%}, methodology v{lqs['methodology_version']}, "
                         f"scored {lqs['scored_at'][:19]}"))
        out.append(_prop("LQS tier", lqs["tier"]))
        out.append(_prop("LQS status", lqs["status"],
                         "rated, or provisional (tier unrated) when too few dimensions have evidence"))
        out.append({**_prop("LQS evidenced dimensions", lqs["evidenced"],
                            f"dimensions of {lqs['dimensions_total']} whose score rests on evidence "
                            "(basis not default)"), "maxValue": lqs["dimensions_total"]})
        for d in data["dimensions"]:
            out.append({**_prop(f"LQS {d['dimension']}", d["score"], d["evidence"]),
                        "measurementTechnique": d["basis"]})
    if data.get("withdrawn"):
        out.append(_prop("withdrawn", True, "the source answered 404/410 in the last two harvests"))
    if data.get("conflicts"):
        out.append(_prop("conflicting fields", ", ".join(data["conflicts"]),
                         "sources of this dataset disagree on these fields"))
    if unlisted:
        out.append(_prop("files without checksum", unlisted,
                         "files the source lists without a sha256; Croissant requires a checksum, "
                         "so they are not in distribution"))
    return out


def _prop(name: str, value, description: str | None = None) -> dict:
    item = {"@type": "sc:PropertyValue", "name": name, "value": value}
    if description:
        item["description"] = description
    return item


# ---------------------------------------------------------------------------- writing
def write_if_changed(path: Path, data: bytes) -> bool:
    """Replace path atomically with data unless it already holds exactly these bytes."""
    if path.is_file() and _sha256_file(path) == hashlib.sha256(data).hexdigest():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(outputs: dict[str, bytes], since, until) -> bytes:
    files = [{"path": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
             for name, data in sorted(outputs.items())]
    return _json_bytes({"generator": "lqs-harvester", "changes_since": _iso(since),
                        "changes_until": _iso(until), "files": files})


def _manifest_files(path: Path) -> list[str]:
    try:
        return [f["path"] for f in json.loads(path.read_text("utf-8"))["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _remove_stale(out: Path, previous: list[str], outputs: dict[str, bytes]) -> list[str]:
    """Remove files the last manifest listed that this publish no longer produces (only those:
    anything else in the folder is not ours)."""
    removed = []
    for name in previous:
        target = (out / name).resolve()
        if name in outputs or not target.is_relative_to(out) or not target.is_file():
            continue
        target.unlink()
        removed.append(name)
    return removed


def _fsync_tree(out: Path, written: list[str]) -> None:
    """Make the renames durable: fsync each folder that got a new file."""
    from warehouse.db import _fsync_dir

    for folder in sorted({(out / name).parent for name in written}):
        _fsync_dir(folder)


def _publish_id() -> str:
    return "publish-" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:6]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
