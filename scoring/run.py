"""Scores datasets from the warehouse's current facts and writes lqs_scores / lqs_dimensions."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from scoring.lqs import Evidence, score

BASIS_SORT = "case basis when 'measured' then 0 when 'published' then 1 else 2 end"


def evidence_for(con, dataset_ids: list[str] | None = None) -> dict[str, Evidence]:
    """The current facts of each dataset, best first within each basis."""
    cond = "f.record is null"
    params: list = []
    if dataset_ids is not None:
        cond += " and f.dataset_id in (select unnest(?))"
        params.append(dataset_ids)
    rows = con.execute(f"""
        select f.dataset_id, f.field, f.value, f.basis, d.category
        from facts_current f join datasets d using (dataset_id)
        where {cond}
        order by f.dataset_id, {BASIS_SORT}, f.winner desc, f.rank desc
    """, params).fetchall()
    grouped: dict[str, list] = {}
    categories: dict[str, str] = {}
    for dataset_id, field, value, basis, category in rows:
        grouped.setdefault(dataset_id, []).append((field, json.loads(value) if value is not None else None, basis))
        categories[dataset_id] = category
    files = _files(con, list(grouped))
    return {d: Evidence.from_rows(rows_, categories[d], files.get(d, [])) for d, rows_ in grouped.items()}


def _files(con, dataset_ids: list[str]) -> dict[str, list[dict]]:
    if not dataset_ids:
        return {}
    rows = con.execute("""
        select f.dataset_id, f.name, f.size_bytes, f.format from files f
        join latest_source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id
        where f.kind = 'file' and f.dataset_id in (select unnest(?))""", [dataset_ids]).fetchall()
    out: dict[str, list[dict]] = {}
    for dataset_id, name, size, fmt in rows:
        out.setdefault(dataset_id, []).append({"name": name, "size_bytes": size, "format": fmt})
    return out


def score_datasets(writer, run_id: str, cfg: dict, dataset_ids: list[str] | None = None) -> dict[str, dict]:
    """Score and write in one transaction; returns {dataset_id: {composite, tier, coverage}}."""
    scored_at = datetime.now(timezone.utc).replace(tzinfo=None)
    evidence = evidence_for(writer.con, dataset_ids)
    scores, dims = [], []
    out = {}
    for dataset_id, ev in evidence.items():
        s = score(ev, cfg)
        out[dataset_id] = {"composite": s.composite, "tier": s.tier, "coverage": s.coverage}
        scores.append({"run_id": run_id, "dataset_id": dataset_id, "composite": s.composite, "tier": s.tier,
                       "coverage": s.coverage, "methodology_version": s.methodology_version,
                       "scored_at": scored_at})
        dims += [{"run_id": run_id, "dataset_id": dataset_id, "dimension": d.name, "score": d.score,
                  "basis": d.basis, "evidence": d.evidence, "scored_at": scored_at} for d in s.dimensions]
    with writer.transaction():
        writer.insert("lqs_scores", scores)
        writer.insert("lqs_dimensions", dims)
    return out
