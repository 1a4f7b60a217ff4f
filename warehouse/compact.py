"""`lqs compact`: drop the bookkeeping of old runs that nothing needs any more, keep the change
history, and give the space back.

What goes, in runs older than the cut (`--keep-runs N`: all but the N latest runs; `--before
DATE`: runs started before it; both: runs older than both):
- fetch ledger rows, except those something still reads: 404/410 answers (the `withdrawn`
  status and the withdrawn/restored changes are computed from them), the rows of each dataset's
  latest successful source run (the next refresh's validators) and, per dataset and URL, the
  latest row that names the body's sha256 (what a 304 stands for);
- `unchanged` source runs that recorded no change: after a successful run of the same dataset
  and not its latest (or latest successful) run. Their facts were the previous run's, so every
  fact, file, label statistic and change stays; a change after one names the run before it as
  `prev_run_id`;
- run rows that nothing refers to any more (no source run, fetch, stored row or score).
Never touched: datasets, stored facts/files/label statistics, scores, publishes, runs after the
cut, and the runs a `running` run may still write.

Then the space: DuckDB does not shrink a file when rows are deleted, so the warehouse is copied
into a fresh file (`COPY FROM DATABASE`: tables, views, macros, constraints) which then replaces
it with one rename, under the writer lock. Readers that have the old file open keep reading it;
a kill at any point leaves either the old file or the new one (a stale `<name>.compact` is
removed by the next compaction).
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from warehouse.db import SANDBOX, WarehouseError, _fsync_dir, _remove

# The deletes, in order. Each names the rows to remove with a query over `_lqs_old` (the runs
# before the cut); the counts of the dry run come from the same queries.
_OLD_RUNS = """
create or replace temp table _lqs_old as
select run_id from runs
where status <> 'running' and ({cut})
"""

_FETCHES = """
from fetches f
where f.run_id in (select run_id from _lqs_old)
  and coalesce(f.outcome, '') not in ('http-404', 'http-410')
  and not exists (select 1 from latest_source_runs l where l.run_id = f.run_id and l.dataset_id = f.dataset_id)
  and (f.sha256 is null or not exists (
        select 1 from _lqs_sha_keep k where k.run_id = f.run_id and k.dataset_id = f.dataset_id
                                       and k.url = f.url and k.fetched_at = f.fetched_at))
"""

# Per (dataset, url): the latest fetch naming a body's sha256 in a successful source run (what
# warehouse/load.py _last_sha looks back for).
_SHA_KEEP = """
create or replace temp table _lqs_sha_keep as
select f.run_id, f.dataset_id, f.url, f.fetched_at from fetches f
join source_runs s on s.run_id = f.run_id and s.dataset_id = f.dataset_id
where s.status in ('ok', 'unchanged') and f.sha256 is not null
  and f.outcome in ('ok', 'unchanged', 'not-modified')
qualify row_number() over (partition by f.dataset_id, f.url order by f.fetched_at desc) = 1
"""

_SOURCE_RUNS = """
create or replace temp table _lqs_drop_source_runs as
with ordered as (
    select run_id, dataset_id, status,
           lag(status) over (partition by dataset_id order by finished_at, run_id) as prev_status,
           row_number() over (partition by dataset_id order by finished_at desc, run_id desc) as recency
    from source_runs
)
select o.run_id, o.dataset_id from ordered o
where o.status = 'unchanged' and o.prev_status in ('ok', 'unchanged') and o.recency > 1
  and o.run_id in (select run_id from _lqs_old)
  and not exists (select 1 from latest_source_runs l where l.run_id = o.run_id and l.dataset_id = o.dataset_id)
"""

_RUNS = """
from runs r
where r.run_id in (select run_id from _lqs_old)
  and not exists (select 1 from source_runs s where s.run_id = r.run_id
                  and not exists (select 1 from _lqs_drop_source_runs d
                                  where d.run_id = s.run_id and d.dataset_id = s.dataset_id))
  and not exists (select 1 from source_runs s where s.facts_run_id = r.run_id)
  and not exists (select 1 from facts_stored t where t.run_id = r.run_id)
  and not exists (select 1 from files_stored t where t.run_id = r.run_id)
  and not exists (select 1 from label_stats_stored t where t.run_id = r.run_id)
  and not exists (select 1 from lqs_scores t where t.run_id = r.run_id)
  and not exists (select 1 from lqs_dimensions t where t.run_id = r.run_id)
  and not exists (select 1 from fetches g where g.run_id = r.run_id
                  and g.rowid not in (select rid from _lqs_drop_fetches))
"""


@dataclass
class CompactReport:
    path: str
    dry_run: bool
    runs_before_cut: int
    fetches: int
    source_runs: int
    runs: int
    bytes_before: int
    bytes_after: int | None = None
    seconds: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def parse_before(text: str) -> datetime:
    """A --before date (YYYY-MM-DD or a date-time), as UTC without a zone like the warehouse."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise WarehouseError(f"--before {text!r}: not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def compact(warehouse, keep_runs: int | None = None, before: datetime | None = None,
            dry_run: bool = False) -> CompactReport:
    """Remove what the module docstring lists from runs before the cut, then (unless dry_run)
    rewrite the file. Under the writer lock throughout."""
    if keep_runs is None and before is None:
        raise WarehouseError("say which runs to compact: --keep-runs N and/or --before DATE")
    if keep_runs is not None and keep_runs < 1:
        raise WarehouseError(f"--keep-runs {keep_runs}: keep at least 1 run")
    if not warehouse.path.exists():
        raise WarehouseError(f"{warehouse.path}: no warehouse yet (run `lqs harvest` or `lqs refresh` first)")
    timings: dict[str, float] = {}
    size_before = _size(warehouse.path)
    with warehouse.writer("lqs compact") as w:
        started = time.perf_counter()
        counts = _delete(w, keep_runs, before, dry_run)
        timings["delete"] = round(time.perf_counter() - started, 3)
        report = CompactReport(str(warehouse.path), dry_run, *counts, bytes_before=size_before)
        if dry_run:
            return report
        w.publish()   # checkpoint and close: the copy reads a file nobody writes
        started = time.perf_counter()
        _rewrite(warehouse.path)
        timings["rewrite"] = round(time.perf_counter() - started, 3)
    report.bytes_after = _size(warehouse.path)
    report.seconds = timings
    return report


def _delete(w, keep_runs, before, dry_run) -> tuple[int, int, int, int]:
    """(runs before the cut, fetches, source runs, runs) removed, or that would be."""
    cuts, params = [], []
    if keep_runs is not None:
        cuts.append("run_id not in (select run_id from runs order by started_at desc, run_id desc limit ?)")
        params.append(keep_runs)
    if before is not None:
        cuts.append("started_at < ?")
        params.append(before)
    with w.transaction() as con:
        con.execute(_OLD_RUNS.format(cut=" and ".join(cuts)), params)
        old = con.execute("select count(*) from _lqs_old").fetchone()[0]
        con.execute(_SHA_KEEP)
        con.execute(_SOURCE_RUNS)
        con.execute(f"create or replace temp table _lqs_drop_fetches as select f.rowid as rid {_FETCHES}")
        fetches = con.execute("select count(*) from _lqs_drop_fetches").fetchone()[0]
        source_runs = con.execute("select count(*) from _lqs_drop_source_runs").fetchone()[0]
        run_ids = [r[0] for r in con.execute("select r.run_id " + _RUNS).fetchall()]
        runs = len(run_ids)
        if not dry_run:
            con.execute("delete from fetches where rowid in (select rid from _lqs_drop_fetches)")
            con.execute("""delete from source_runs s using _lqs_drop_source_runs d
                           where s.run_id = d.run_id and s.dataset_id = d.dataset_id""")
            con.execute("delete from runs where run_id in (select unnest(?))", [run_ids])
        for table in ("_lqs_old", "_lqs_sha_keep", "_lqs_drop_source_runs", "_lqs_drop_fetches"):
            con.execute(f"drop table {table}")
    return old, fetches, source_runs, runs


def _rewrite(path) -> None:
    """Copy the database into a fresh file and put it in place with one rename."""
    import duckdb

    fresh = path.with_name(path.name + ".compact")
    _remove(fresh)
    # This connection runs only the fixed statements below, no user SQL: it may attach the two
    # files (the sandbox of every other connection forbids ATTACH).
    config = {k: v for k, v in SANDBOX.items() if k != "enable_external_access"}
    con = duckdb.connect(":memory:", config=config)
    try:
        con.execute(f"attach '{_quoted(path)}' as src (read_only)")
        con.execute(f"attach '{_quoted(fresh)}' as dst")
        con.execute("copy from database src to dst")
        con.execute("detach dst")
        con.execute("detach src")
    finally:
        con.close()
    with open(fresh, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(fresh, path)
    _fsync_dir(path.parent)


def _quoted(path) -> str:
    return str(path).replace("'", "''")


def _size(path) -> int:
    wal = path.with_name(path.name + ".wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
