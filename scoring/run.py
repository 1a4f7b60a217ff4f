"""Scores datasets from the warehouse's current facts and writes lqs_scores / lqs_dimensions.

Data access only; the formulas are scoring/lqs.py's. The evidence is loaded in two queries that
do the work in DuckDB:
- only the facts the formulas read (scoring.lqs.fields(cfg)), of each dataset's latest successful
  run (the facts_current view's rows), own record only;
- the best fact per (dataset, field, basis) picked there: winner first, then the higher rank, then
  the order the facts were written (the order the adapter emitted them), which is what
  Evidence.from_rows keeps from rows sorted that way;
- each dataset's facts arrive as one JSON object {field: {basis: value}} built from the stored JSON
  texts, and all of them are decoded by ONE json.loads call (the same decoder, and so the same
  Python values, as decoding each value on its own, without a Python call per value);
- the file listings come the same way, as JSON lists of {size_bytes, format} (what the formulas
  read of a file).
Scores and dimensions are written as columns through Arrow.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from scoring.lqs import Evidence, fields, score

# The rows of facts_current (a dataset's latest successful source run), read from the table so
# that the write order (rowid) can break ties between equal facts.
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
    cond, params = "f.record is null", []
    if dataset_ids is not None:
        cond += " and f.dataset_id in (select unnest(?))"
        params.append(list(dataset_ids))
    wanted_cond = ""
    if wanted is not None:
        wanted_cond = "where field in (select unnest(?))"
        params.append(sorted(wanted))
    rows = con.execute(f"""
        with cur as (
            select f.dataset_id, f.field, f.basis, f.value, f.winner, f.rank, f.rowid as written
            {_CURRENT}
            where {cond}
        ), best as (
            select dataset_id, field, basis,
                   arg_max_null(value, (winner, rank is not null, coalesce(rank, 0), -written)) as value
            from cur {wanted_cond}
            group by dataset_id, field, basis
        ), per_field as (
            select dataset_id, field,
                   '{{' || string_agg(to_json(basis)::varchar || ':' || coalesce(value::varchar, 'null'), ',') || '}}'
                       as bases
            from best group by dataset_id, field
        ), per_dataset as (
            select dataset_id, '{{' || string_agg(to_json(field)::varchar || ':' || bases, ',') || '}}' as facts
            from per_field group by dataset_id
        ), scored as (   -- every dataset with current facts, also when none of them is read
            select distinct dataset_id from cur
        )
        select s.dataset_id, d.category, coalesce(p.facts, '{{}}')
        from scored s join datasets d using (dataset_id) left join per_dataset p using (dataset_id)
        order by s.dataset_id
    """, params).fetchall()
    if not rows:
        return {}
    facts = json.loads("[" + ",".join(r[2] for r in rows) + "]")
    files = _files(con, dataset_ids)
    loaded = frozenset(wanted) if wanted is not None else None
    return {dataset_id: Evidence(facts_, category, files.get(dataset_id, []), loaded)
            for (dataset_id, category, _), facts_ in zip(rows, facts)}


def _files(con, dataset_ids: list[str] | None) -> dict[str, list[dict]]:
    """The file listing of each dataset's latest successful run, as the formulas read it:
    [{size_bytes, format}] in listing order (names are not read, so not loaded)."""
    cond, params = "", []
    if dataset_ids is not None:
        cond, params = "and f.dataset_id in (select unnest(?))", [list(dataset_ids)]
    rows = con.execute(f"""
        select f.dataset_id,
               '[' || string_agg(json_object('size_bytes', f.size_bytes, 'format', f.format)::varchar,
                                 ',' order by f.rowid) || ']'
        from files f join latest_source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id
        where f.kind = 'file' {cond}
        group by f.dataset_id order by f.dataset_id""", params).fetchall()
    if not rows:
        return {}
    lists = json.loads("[" + ",".join(r[1] for r in rows) + "]")
    return {r[0]: items for r, items in zip(rows, lists)}


def score_datasets(writer, run_id: str, cfg: dict, dataset_ids: list[str] | None = None) -> dict[str, dict]:
    """Score and write in one transaction; returns {dataset_id: {composite, tier, coverage}}."""
    scored_at = datetime.now(timezone.utc).replace(tzinfo=None)
    evidence = evidence_for(writer.con, dataset_ids, cfg)
    out = {}
    ids, composites, tiers, coverages, versions = [], [], [], [], []
    dim_ids, dim_names, dim_scores, dim_bases, dim_texts = [], [], [], [], []
    for dataset_id, ev in evidence.items():
        s = score(ev, cfg)
        out[dataset_id] = {"composite": s.composite, "tier": s.tier, "coverage": s.coverage}
        ids.append(dataset_id)
        composites.append(s.composite)
        tiers.append(s.tier)
        coverages.append(s.coverage)
        versions.append(s.methodology_version)
        for d in s.dimensions:
            dim_ids.append(dataset_id)
            dim_names.append(d.name)
            dim_scores.append(d.score)
            dim_bases.append(d.basis)
            dim_texts.append(d.evidence)
    if not ids:
        with writer.transaction():
            pass
        return out
    with writer.transaction():
        _append(writer.con, "lqs_scores", {
            "run_id": [run_id] * len(ids), "dataset_id": ids, "composite": composites, "tier": tiers,
            "coverage": coverages, "methodology_version": versions, "scored_at": [scored_at] * len(ids)})
        _append(writer.con, "lqs_dimensions", {
            "run_id": [run_id] * len(dim_ids), "dataset_id": dim_ids, "dimension": dim_names,
            "score": dim_scores, "basis": dim_bases, "evidence": dim_texts,
            "scored_at": [scored_at] * len(dim_ids)})
    return out


def _append(con, table: str, columns: dict[str, list]) -> None:
    """Insert columns (name -> values) through one Arrow table."""
    import pyarrow as pa

    con.register("_lqs_scores", pa.table(columns))
    try:
        names = ", ".join(f'"{c}"' for c in columns)
        con.execute(f"insert into {table} ({names}) select {names} from _lqs_scores")
    finally:
        con.unregister("_lqs_scores")

