"""Transactional writes of runs and source results, and the reads the harvest needs."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from flows.harvest import Previous, SourceResult


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def upsert_datasets(writer, sources) -> None:
    with writer.transaction() as con:
        con.execute("create temp table if not exists _ds as select * from datasets limit 0")
        con.execute("delete from _ds")
        writer.insert("_ds", [{"dataset_id": s.id, "name": s.name, "category": s.category,
                               "source_url": s.url, "adapter": s.adapter, "updated_at": now()}
                              for s in sources])
        con.execute("insert or replace into datasets select * from _ds")


def start_run(writer, run_id: str, kind: str, replay: str | None, archive_path: str | None,
              flow_run_id: str | None = None) -> None:
    with writer.transaction():
        writer.insert("runs", [{"run_id": run_id, "kind": kind, "started_at": now(), "status": "running",
                                "replay": replay, "archive_path": archive_path, "flow_run_id": flow_run_id}])


def finish_run(writer, run_id: str, status: str, summary: dict) -> None:
    with writer.transaction() as con:
        con.execute("""update runs set finished_at = ?, status = ?, sources_ok = ?, sources_failed = ?,
                       facts = ?, bytes = ?, summary = ? where run_id = ?""",
                    [now(), status, summary.get("sources_ok", 0), summary.get("sources_failed", 0),
                     summary.get("facts", 0), summary.get("bytes", 0), json.dumps(summary, default=str), run_id])


def write_source(writer, run_id: str, result: SourceResult) -> None:
    """All of one source's rows in one transaction: a failure leaves none of them."""
    base = {"run_id": run_id, "dataset_id": result.dataset_id}
    with writer.transaction() as con:
        writer.insert("fetches", [{**r, "run_id": run_id} for r in result.fetches])
        if result.status == "unchanged":
            _copy_previous(con, run_id, result)
            facts = con.execute("select count(*) from facts where run_id = ? and dataset_id = ?",
                                [run_id, result.dataset_id]).fetchone()[0]
        else:
            writer.insert("facts", [{**base, **f, "value": json.dumps(f["value"], ensure_ascii=False)}
                                    for f in result.facts])
            writer.insert("files", [{**base, **f} for f in result.files])
            writer.insert("label_stats", [{**base, **s} for s in result.label_stats])
            facts = len(result.facts)
        writer.insert("source_runs", [{
            **base, "status": result.status, "adapter": result.adapter, "error": result.error,
            "facts": facts, "pages": result.pages, "bytes": result.bytes,
            "fingerprint": result.fingerprint, "reused_run_id": result.reused_run_id,
            "started_at": result.started_at, "finished_at": result.finished_at}])


def _copy_previous(con, run_id: str, result: SourceResult) -> None:
    """An unchanged source keeps its facts: copy them into this run (history stays per run)."""
    for table in ("facts", "files", "label_stats"):
        con.execute(f"insert into {table} select * replace (? as run_id) from {table} "
                    f"where run_id = ? and dataset_id = ?",
                    [run_id, result.reused_run_id, result.dataset_id])


def previous_state(con, dataset_ids: list[str]) -> dict[str, Previous]:
    """Per dataset: the last successful run, its fingerprint and the validators of each URL read."""
    if not dataset_ids:
        return {}
    runs = con.execute("""select dataset_id, run_id, fingerprint from latest_source_runs
                          where dataset_id in (select unnest(?))""", [dataset_ids]).fetchall()
    out = {d: Previous(r, fp, {}) for d, r, fp in runs}
    if not out:
        return out
    rows = con.execute("""
        select dataset_id, url, purpose, etag, last_modified, sha256 from (
            select f.*, row_number() over (partition by f.dataset_id, f.url order by f.fetched_at desc) rn
            from fetches f join latest_source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id
            where f.outcome in ('ok', 'not-modified', 'unchanged') and f.purpose in ('page', 'annotations')
        ) where rn = 1""").fetchall()
    for dataset_id, url, purpose, etag, last_modified, sha in rows:
        prev = out.get(dataset_id)
        if prev is not None:
            prev.urls[url] = {"purpose": purpose, "etag": etag, "last_modified": last_modified, "sha256": sha}
    # A 304 row has no sha256: carry the sha of the body it stood for.
    for prev in out.values():
        for url, meta in prev.urls.items():
            if not meta["sha256"]:
                meta["sha256"] = _last_sha(con, prev.run_id, url)
    return out


def _last_sha(con, run_id: str, url: str) -> str | None:
    row = con.execute("""select archive_sha256 from facts where source_url = ? and archive_sha256 is not null
                         order by run_id desc limit 1""", [url]).fetchone()
    if row:
        return row[0]
    row = con.execute("""select sha256 from fetches where url = ? and sha256 is not null and outcome in ('ok','unchanged')
                         order by fetched_at desc limit 1""", [url]).fetchone()
    return row[0] if row else None
