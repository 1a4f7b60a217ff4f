"""Transactional writes of runs and source results, and the reads the harvest needs."""
from __future__ import annotations

import json

from warehouse.rows import Previous, SourceResult, now


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


def write_results(writer, run_id: str, results: list[SourceResult]) -> None:
    """Write a batch of sources in one transaction. If that fails, each source is written in a
    transaction of its own, and a source whose rows still fail is recorded as failed with none
    of its rows: a failing source never leaves partial rows and never takes others with it."""
    try:
        with writer.transaction():
            _write_rows(writer, run_id, results)
        return
    except Exception:
        if len(results) == 1:
            _record_failure(writer, run_id, results[0])
            return
    for result in results:
        try:
            with writer.transaction():
                _write_rows(writer, run_id, [result])
        except Exception:
            _record_failure(writer, run_id, result)


def write_source(writer, run_id: str, result: SourceResult) -> None:
    """All of one source's rows in one transaction: a failure leaves none of them."""
    write_results(writer, run_id, [result])


def _record_failure(writer, run_id: str, result: SourceResult) -> None:
    import sys

    error = sys.exc_info()[1]
    result.status, result.error = "failed", f"write failed: {type(error).__name__}: {error}"[:500]
    result.facts, result.files, result.label_stats = [], [], []
    with writer.transaction():
        _write_rows(writer, run_id, [result])


def _write_rows(writer, run_id: str, results: list[SourceResult]) -> None:
    fetches, facts, files, stats, runs, reused = [], [], [], [], [], []
    for r in results:
        base = {"run_id": run_id, "dataset_id": r.dataset_id}
        fetches += [{**row, "run_id": run_id} for row in r.fetches]
        if r.status == "unchanged":
            reused.append({"dataset_id": r.dataset_id, "reused_run_id": r.reused_run_id})
        else:
            facts += [{**base, **f, "value": json.dumps(f["value"], ensure_ascii=False)} for f in r.facts]
            files += [{**base, **f} for f in r.files]
            stats += [{**base, **s} for s in r.label_stats]
        runs.append({**base, "status": r.status, "adapter": r.adapter, "error": r.error,
                     "facts": len(r.facts), "pages": r.pages, "bytes": r.bytes,
                     "fingerprint": r.fingerprint, "reused_run_id": r.reused_run_id,
                     "started_at": r.started_at, "finished_at": r.finished_at})
    for table, rows in (("fetches", fetches), ("facts", facts), ("files", files), ("label_stats", stats)):
        writer.insert(table, rows)
    if reused:
        _copy_previous(writer, run_id, reused, runs, results)
    writer.insert("source_runs", runs)


def _copy_previous(writer, run_id: str, reused: list[dict], runs: list[dict],
                   results: list[SourceResult]) -> None:
    """Unchanged sources keep their facts: copy them into this run (history stays per run)."""
    import pyarrow as pa

    con = writer.con
    with writer.registered(pa.Table.from_pylist(reused), "_lqs_reused"):
        for table in ("facts", "files", "label_stats"):
            con.execute(f"""insert into {table} select t.* replace (? as run_id) from {table} t
                            join _lqs_reused r on t.dataset_id = r.dataset_id and t.run_id = r.reused_run_id""",
                        [run_id])
        counts = dict(con.execute("""select f.dataset_id, count(*) from facts f
                                     where f.run_id = ? and f.dataset_id in (select dataset_id from _lqs_reused)
                                     group by f.dataset_id""", [run_id]).fetchall())
    for row in runs:
        if row["dataset_id"] in counts and row["status"] == "unchanged":
            row["facts"] = counts[row["dataset_id"]]
    for result in results:
        if result.status == "unchanged":
            result.reused_facts = counts.get(result.dataset_id, 0)


def previous_state(con, dataset_ids: list[str]) -> dict[str, Previous]:
    """Per dataset: the last successful run, its fingerprint, the validators of each URL read and
    the extractors (`adapter@version`) its facts name."""
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
              and f.dataset_id in (select unnest(?))
        ) where rn = 1""", [dataset_ids]).fetchall()
    for dataset_id, url, purpose, etag, last_modified, sha in rows:
        prev = out.get(dataset_id)
        if prev is not None:
            prev.urls[url] = {"purpose": purpose, "etag": etag, "last_modified": last_modified, "sha256": sha}
    used = con.execute("""
        select f.dataset_id, list(distinct f.extractor)
        from facts f join latest_source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id
        where f.extractor is not null and f.dataset_id in (select unnest(?))
        group by f.dataset_id""", [dataset_ids]).fetchall()
    for dataset_id, extractors in used:
        if dataset_id in out:
            out[dataset_id].extractors = frozenset(extractors)
    # 304 rows carry the sha256 of the body they stood for; older warehouses' do not: look back.
    for dataset_id, prev in out.items():
        for url, meta in prev.urls.items():
            if not meta["sha256"]:
                meta["sha256"] = _last_sha(con, dataset_id, url)
    return out


def _last_sha(con, dataset_id: str, url: str) -> str | None:
    """The body this dataset last read at url in a successful run (never a failed run's)."""
    row = con.execute("""select f.sha256 from fetches f
                         join source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id
                         where s.status in ('ok', 'unchanged') and f.dataset_id = ? and f.url = ?
                           and f.sha256 is not null and f.outcome in ('ok', 'unchanged', 'not-modified')
                         order by f.fetched_at desc limit 1""", [dataset_id, url]).fetchone()
    return row[0] if row else None
