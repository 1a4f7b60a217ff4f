"""Scores datasets in the warehouse and writes lqs_scores / lqs_dimensions, all inside DuckDB.

The formulas are scoring/sql.py's one query; this module names what it reads and where its rows
go. It reads:
- `evidence`: of each dataset's current facts (the facts_current view: its latest successful
  source run), own record only, the fields the formulas read, the value flagged basis_best per
  (field, basis) — extractors/resolve.py decided it when the harvest wrote the facts, so scoring
  decides nothing itself; a dataset whose current facts include none of those fields is scored
  too (from defaults);
- `listing`: the file listing of that run, in listing order.
The scores and dimensions go into their tables with insert ... select: no row passes through
Python.

The published views (lqs_latest, catalog, evidence_gaps: migration 007) show the scores of the
methodology version scored last. So a scoring run under a version other than the warehouse's
current one rescores every dataset, not only the ones asked for: a catalog never mixes versions,
and the earlier version's rows stay in lqs_scores, queryable by methodology_version.
"""
from __future__ import annotations

from datetime import datetime, timezone

from scoring import sql

# Current facts of the datasets to score; $ids filters (NULL: all). The id range next to the list
# lets DuckDB skip the row groups of other datasets (a batch's ids are neighbours).
_IDS = "($ids is null or (f.dataset_id between $low and $high and f.dataset_id in (select unnest($ids))))"
EVIDENCE = f"""(
    select f.dataset_id, d.category, f.field, f.basis, f.value
    from facts_current f join datasets d using (dataset_id)
    where f.record is null and f.basis_best and f.field in (select unnest($wanted)) and {_IDS}
    union all   -- every dataset with current facts of its own, also when none of them is read
    select c.dataset_id, d.category, null, null, null
    from (select distinct f.dataset_id from facts_current f where f.record is null and {_IDS}) c
    join datasets d using (dataset_id))"""
LISTING = f"""(
    select f.dataset_id, f.rowid as pos, f.size_bytes, f.format
    from files f join latest_source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id
    where f.kind = 'file' and {_IDS})"""


def params(cfg: dict, dataset_ids: list[str] | None) -> dict:
    ids = sorted(dataset_ids) if dataset_ids is not None else None
    return {"wanted": sorted(sql.fields(cfg)), "ids": ids,
            "low": ids[0] if ids else None, "high": ids[-1] if ids else None}


def current_version(con) -> str | None:
    """The methodology version the warehouse shows: that of the score written last."""
    rows = con.execute("""select methodology_version from lqs_scores
                          order by scored_at desc, run_id desc limit 1""").fetchall()
    return rows[0][0] if rows else None


def scores(con, cfg: dict, dataset_ids: list[str] | None = None):
    """The scores of the datasets (all when None) as an Arrow table: dataset_id, composite, tier,
    status, evidenced, coverage, methodology_version, dims (list of dimension, score, basis,
    evidence, gap). Read-only."""
    if dataset_ids is not None and not dataset_ids:
        dataset_ids = ["\x00none"]   # an empty batch scores nothing
    return con.sql(sql.query(cfg, EVIDENCE, LISTING), params=params(cfg, dataset_ids)).to_arrow_table()


def score_datasets(writer, run_id: str, cfg: dict, dataset_ids: list[str] | None = None) -> dict[str, dict]:
    """Score and write in one transaction; returns {dataset_id: {composite, tier, coverage, status,
    evidenced}}."""
    con = writer.con
    current = current_version(con)
    if dataset_ids is not None and current is not None and current != str(cfg["methodology_version"]):
        dataset_ids = None   # a new methodology: rescore the whole warehouse (module docstring)
    if dataset_ids is not None and not dataset_ids:
        with writer.transaction():
            pass
        return {}
    scored_at = datetime.now(timezone.utc).replace(tzinfo=None)
    with writer.transaction():
        # The scores come out as Arrow and both tables are filled from it (DuckDB scans it in
        # place): cheaper than materialising them in a temporary table first.
        table = con.sql(sql.query(cfg, EVIDENCE, LISTING), params=params(cfg, dataset_ids)).to_arrow_table()
        with writer.registered(table, "_lqs_scored"):
            con.execute("""
                insert into lqs_scores (run_id, dataset_id, composite, tier, coverage, methodology_version,
                                        scored_at, status, evidenced)
                select $run, dataset_id, composite, tier, coverage, methodology_version, $at, status, evidenced
                from _lqs_scored""", {"run": run_id, "at": scored_at})
            con.execute("""
                insert into lqs_dimensions (run_id, dataset_id, dimension, score, basis, evidence, scored_at, gap)
                select $run, dataset_id, d.dimension, d.score, d.basis, d.evidence, $at, d.gap
                from (select dataset_id, unnest(dims) as d from _lqs_scored)""", {"run": run_id, "at": scored_at})
    columns = table.select(["dataset_id", "composite", "tier", "coverage", "status", "evidenced"]).to_pydict()
    return {dataset_id: {"composite": c, "tier": t, "coverage": v, "status": s, "evidenced": e}
            for dataset_id, c, t, v, s, e in zip(columns["dataset_id"], columns["composite"], columns["tier"],
                                                 columns["coverage"], columns["status"], columns["evidenced"])}
