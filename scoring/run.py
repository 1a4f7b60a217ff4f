"""Scores datasets from the warehouse's current facts and writes lqs_scores / lqs_dimensions.

Data access only; the formulas are scoring/lqs.py's. The evidence is loaded in two queries that
do the work in DuckDB:
- only the facts the formulas read (scoring.lqs.fields(cfg)), of each dataset's latest successful
  run (the facts_current view's rows), own record only;
- the value per (dataset, field, basis) is the fact flagged basis_best: extractors/resolve.py
  decided it when the harvest wrote the facts (the winner when it has that basis, else the
  basis's strongest by the same precedence); scoring decides nothing itself;
- one row per (dataset, field) comes back as Arrow, its bases as one JSON object {basis: value}
  built from the stored JSON texts; all of them are decoded by ONE json.loads call (the same
  decoder, and so the same Python values, as decoding each value on its own, without a Python
  call per value), and each dataset's dict is zipped from its run of rows;
- the file listings come as Arrow columns (size_bytes, format: what the formulas read of a file).
Scores and dimensions are written as columns through Arrow.

The published views (lqs_latest, catalog, evidence_gaps: migration 007) show the scores of the
methodology version scored last. So a scoring run under a version other than the warehouse's
current one rescores every dataset, not only the ones asked for: a catalog never mixes versions,
and the earlier version's rows stay in lqs_scores, queryable by methodology_version.
"""
from __future__ import annotations

import gc
import json
from contextlib import contextmanager
from datetime import datetime, timezone

from scoring.lqs import Evidence, fields, gap, score

# The rows of facts_current (a dataset's latest successful source run).
_CURRENT = """
    from facts f join latest_source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id
"""


def evidence_for(con, dataset_ids: list[str] | None = None, cfg: dict | None = None,
                 wanted: frozenset[str] | None = None) -> dict[str, Evidence]:
    """The current facts of each dataset that has any: the best value per (field, basis).

    Only the fields the formulas read are loaded: `wanted`, else scoring.lqs.fields(cfg); with
    neither, every field. An Evidence asked for a field it did not load raises KeyError."""
    if wanted is None and cfg is not None:
        wanted = fields(cfg)
    if dataset_ids is not None and not dataset_ids:
        return {}
    cond, params = "f.record is null" + _only(dataset_ids), _only_params(dataset_ids)
    wanted_cond = ""
    if wanted is not None:
        wanted_cond = "and field in (select unnest(?))"
        params.append(sorted(wanted))
    table = con.sql(f"""
        with cur as (
            select f.dataset_id, f.field, f.basis, f.value, f.basis_best
            {_CURRENT}
            where {cond}
        ), best as (   -- resolve's choice per (field, basis)
            select dataset_id, field, basis, value from cur
            where basis_best {wanted_cond}
        ), per_field as (
            select dataset_id, field,
                   '{{' || string_agg(to_json(basis)::varchar || ':' || coalesce(value::varchar, 'null'), ',') || '}}'
                       as bases
            from best group by dataset_id, field
        ), scored as (   -- every dataset with current facts, also when none of them is read
            select distinct dataset_id from cur
        )
        select s.dataset_id, d.category, p.field, p.bases
        from scored s join datasets d using (dataset_id) left join per_field p using (dataset_id)
        order by s.dataset_id, p.field
    """, params=params).to_arrow_table()
    if not table.num_rows:
        return {}
    runs = _runs(table.column(0))
    categories = table.column(1).take([start for _, start, _ in runs]).to_pylist()
    names = table.column(2).to_pylist()
    values = json.loads("[" + ",".join(b or "null" for b in table.column(3).to_pylist()) + "]")
    files = _files(con, dataset_ids)
    loaded = frozenset(wanted) if wanted is not None else None
    out = {}
    for (dataset_id, start, end), category in zip(runs, categories):
        facts = dict(zip(names[start:end], values[start:end])) if names[start] is not None else {}
        out[dataset_id] = Evidence(facts, category, files.get(dataset_id, []), loaded)
    return out


def _only(dataset_ids: list[str] | None) -> str:
    """The filter on f.dataset_id for a list of ids. The range next to the list lets DuckDB skip
    the row groups of other datasets (a batch's ids are neighbours), which the list alone does not."""
    if dataset_ids is None:
        return ""
    return " and f.dataset_id between ? and ? and f.dataset_id in (select unnest(?))"


def _only_params(dataset_ids: list[str] | None) -> list:
    if dataset_ids is None:
        return []
    ids = list(dataset_ids)
    return [min(ids), max(ids), ids]


def _runs(column) -> list[tuple[object, int, int]]:
    """(value, start, end) of each run of equal values in a sorted Arrow column."""
    import pyarrow.compute as pc

    encoded = pc.run_end_encode(column.combine_chunks())
    ends = encoded.run_ends.to_pylist()
    return list(zip(encoded.values.to_pylist(), [0] + ends[:-1], ends))


def _files(con, dataset_ids: list[str] | None) -> dict[str, list[dict]]:
    """The file listing of each dataset's latest successful run, as the formulas read it:
    [{size_bytes, format}] in listing order (names are not read, so not loaded)."""
    cond, params = _only(dataset_ids), _only_params(dataset_ids)
    table = con.sql(f"""
        select f.dataset_id, f.size_bytes, f.format
        from files f join latest_source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id
        where f.kind = 'file' {cond}
        order by f.dataset_id, f.rowid""", params=params).to_arrow_table()
    if not table.num_rows:
        return {}
    items = [{"size_bytes": size, "format": fmt}
             for size, fmt in zip(table.column(1).to_pylist(), table.column(2).to_pylist())]
    return {dataset_id: items[start:end] for dataset_id, start, end in _runs(table.column(0))}


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while millions of small acyclic objects (facts, evidence,
    dimensions) are made: each full collection would walk all of them again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def score_datasets(writer, run_id: str, cfg: dict, dataset_ids: list[str] | None = None) -> dict[str, dict]:
    """Score and write in one transaction; returns {dataset_id: {composite, tier, coverage, status,
    evidenced}}."""
    with _gc_paused():
        return _score_datasets(writer, run_id, cfg, dataset_ids)


def current_version(con) -> str | None:
    """The methodology version the warehouse shows: that of the score written last."""
    rows = con.execute("""select methodology_version from lqs_scores
                          order by scored_at desc, run_id desc limit 1""").fetchall()
    return rows[0][0] if rows else None


def _score_datasets(writer, run_id: str, cfg: dict, dataset_ids: list[str] | None) -> dict[str, dict]:
    scored_at = datetime.now(timezone.utc).replace(tzinfo=None)
    current = current_version(writer.con)
    if dataset_ids is not None and current is not None and current != str(cfg["methodology_version"]):
        dataset_ids = None   # a new methodology: rescore the whole warehouse (module docstring)
    evidence = evidence_for(writer.con, dataset_ids, cfg)
    out = {}
    ids, composites, tiers, coverages, versions, statuses, evidenced = [], [], [], [], [], [], []
    dim_ids, dim_names, dim_scores, dim_bases, dim_texts, dim_gaps = [], [], [], [], [], []
    for dataset_id, ev in evidence.items():
        s = score(ev, cfg)
        out[dataset_id] = {"composite": s.composite, "tier": s.tier, "coverage": s.coverage,
                           "status": s.status, "evidenced": s.evidenced}
        ids.append(dataset_id)
        composites.append(s.composite)
        tiers.append(s.tier)
        coverages.append(s.coverage)
        versions.append(s.methodology_version)
        statuses.append(s.status)
        evidenced.append(s.evidenced)
        for d in s.dimensions:
            dim_ids.append(dataset_id)
            dim_names.append(d.name)
            dim_scores.append(d.score)
            dim_bases.append(d.basis)
            dim_texts.append(d.evidence)
            dim_gaps.append(gap(d, cfg))
    if not ids:
        with writer.transaction():
            pass
        return out
    with writer.transaction():
        writer.insert_columns("lqs_scores", {
            "run_id": [run_id] * len(ids), "dataset_id": ids, "composite": composites, "tier": tiers,
            "coverage": coverages, "methodology_version": versions, "scored_at": [scored_at] * len(ids),
            "status": statuses, "evidenced": evidenced})
        writer.insert_columns("lqs_dimensions", {
            "run_id": [run_id] * len(dim_ids), "dataset_id": dim_ids, "dimension": dim_names,
            "score": dim_scores, "basis": dim_bases, "evidence": dim_texts,
            "scored_at": [scored_at] * len(dim_ids), "gap": dim_gaps})
    return out
