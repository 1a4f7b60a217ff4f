"""Transactional writes of runs and source results, and the reads the harvest needs."""
from __future__ import annotations

import json

from warehouse.rows import FILE_FIELDS, Previous, SourceResult, now


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
    """Record the run. Runs still `running` were left by a writer that died (the caller holds the
    writer lock, so no other writer is alive): they are closed as failed first."""
    with writer.transaction() as con:
        con.execute("""update runs set status = 'failed', finished_at = coalesce(finished_at, ?),
                       summary = ? where status = 'running'""",
                    [now(), json.dumps({"error": "interrupted: the writing process ended before the run closed"})])
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
    """A source that changed stores its facts, files and label statistics under this run. One that
    is `unchanged` stores none: its source run points (facts_run_id) at the run holding them, and
    the views show them under this run too (migration 008)."""
    holders = _holders(writer.con, [r for r in results if r.status == "unchanged"])
    changed = [r for r in results if r.status != "unchanged"]
    _insert_rows(writer, "fetches", run_id, [(r.dataset_id, r.fetches) for r in results], keep_dataset=True)
    _insert_rows(writer, "facts_stored", run_id, [(r.dataset_id, r.facts) for r in changed])
    _insert_files(writer, run_id, [(r.dataset_id, r.files) for r in changed])
    _insert_rows(writer, "label_stats_stored", run_id, [(r.dataset_id, r.label_stats) for r in changed])
    runs = []
    for r in results:
        facts_run_id, count = run_id, len(r.facts)
        if r.status == "unchanged":
            facts_run_id, count = holders.get(r.dataset_id, (run_id, 0))
            r.reused_facts = count
        runs.append({"run_id": run_id, "dataset_id": r.dataset_id, "status": r.status, "adapter": r.adapter,
                     "error": r.error, "facts": count, "pages": r.pages, "bytes": r.bytes,
                     "fingerprint": r.fingerprint, "reused_run_id": r.reused_run_id,
                     "started_at": r.started_at, "finished_at": r.finished_at, "facts_run_id": facts_run_id})
    writer.insert("source_runs", runs)


def _holders(con, unchanged: list[SourceResult]) -> dict[str, tuple[str, int]]:
    """dataset -> (the run holding its rows, their fact count) for unchanged sources: those of
    the run each reused (it may itself point further back)."""
    if not unchanged:
        return {}
    rows = con.execute("""
        select s.dataset_id, coalesce(s.facts_run_id, s.run_id), s.facts
        from source_runs s join (select unnest(?) as run_id, unnest(?) as dataset_id) u
          on s.run_id = u.run_id and s.dataset_id = u.dataset_id""",
                       [[r.reused_run_id for r in unchanged], [r.dataset_id for r in unchanged]]).fetchall()
    return {d: (holder, count or 0) for d, holder, count in rows}


def _insert_rows(writer, table: str, run_id: str, groups: list[tuple[str, list[dict]]],
                 keep_dataset: bool = False) -> None:
    """Rows of several sources as Arrow columns straight from their dicts (no dict per row):
    run_id set to this run, dataset_id to the source's (or, keep_dataset, the row's own: a fetch
    ledger row names its dataset, none for a shared robots.txt).
    JSON columns get their text: a fact's value always (json.dumps of the value), others when
    they are dicts or lists (Writer.insert's rule)."""
    rows = [row for _, group in groups for row in group]
    if not rows:
        return
    import pyarrow as pa

    datasets = [d for d, group in groups for _ in group]
    present = set().union(*rows)   # a column no row has is all null: no loop over the rows for it
    columns = {}
    for name, kind in writer.columns(table):
        if name not in present and name not in ("run_id", "dataset_id"):
            columns[name] = pa.nulls(len(rows))
        elif name == "run_id":
            columns[name] = [run_id] * len(rows)
        elif name == "dataset_id":
            columns[name] = [row.get(name) for row in rows] if keep_dataset else datasets
        elif table == "facts_stored" and name == "value":
            columns[name] = [json.dumps(row["value"], ensure_ascii=False) for row in rows]
        elif kind == "JSON":
            columns[name] = [_json_cell(row.get(name)) for row in rows]
        else:
            columns[name] = [row.get(name) for row in rows]
    writer.insert_columns(table, columns)


def _insert_files(writer, run_id: str, groups: list[tuple[str, list[tuple]]]) -> None:
    """File rows (rows.FILE_FIELDS tuples) of several sources: transposed into columns at once.
    A FileEntry field the table has no column for (record) is not stored."""
    rows = [row for _, group in groups for row in group]
    if not rows:
        return
    import pyarrow as pa

    types = dict(writer.columns("files_stored"))
    # Arrow reads the tuples positionally into a struct of the table's types in one pass (many
    # times faster than a list per column and type inference); a value of the wrong type fails
    # the write here, as a bad row should.
    arrow = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "INTEGER": pa.int32()}
    struct = pa.struct([(f, arrow[types.get(f, "VARCHAR")]) for f in FILE_FIELDS])
    given = {f.name: column for f, column in zip(struct, pa.array(rows, type=struct).flatten())}
    given["run_id"] = pa.repeat(run_id, len(rows))
    given["dataset_id"] = [d for d, group in groups for _ in group]
    writer.insert_columns("files_stored", {name: given.get(name, pa.nulls(len(rows)))
                                           for name in types})



def _json_cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


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
        from facts_stored f join latest_source_runs s
          on f.run_id = coalesce(s.facts_run_id, s.run_id) and f.dataset_id = s.dataset_id
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
