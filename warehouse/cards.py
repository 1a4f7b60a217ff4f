"""The catalog card of one dataset, read from the published views (what `lqs show` and the
publish step print): facts, the seven dimensions with basis and evidence, tier, provenance."""
from __future__ import annotations

import json

CARD_FIELDS = ("title", "item_count", "item_unit", "subject_count", "class_count", "size_bytes",
               "formats", "license", "commercial_use", "release_date", "publisher", "doi", "version",
               "homepage", "access", "file_count")


def card(con, dataset_id: str) -> dict | None:
    row = con.execute("select dataset_id, name, category, source_url from datasets where dataset_id = ?",
                      [dataset_id]).fetchone()
    if row is None:
        return None
    out = {"dataset_id": row[0], "name": row[1], "category": row[2], "source_url": row[3],
           "facts": {}, "provenance": {}, "dimensions": [], "lqs": None}
    facts = con.execute("""select field, value, basis, extractor, evidence, source_url, archive_sha256
                           from facts_current where dataset_id = ? and winner and record is null""",
                        [dataset_id]).fetchall()
    for field, value, basis, extractor, evidence, source_url, sha in facts:
        if field in CARD_FIELDS:
            out["facts"][field] = json.loads(value)
            out["provenance"][field] = {"basis": basis, "extractor": extractor, "evidence": evidence,
                                        "source_url": source_url, "archive_sha256": sha}
    out["conflicts"] = sorted({r[0] for r in con.execute(
        "select field from conflicts where dataset_id = ?", [dataset_id]).fetchall()}) if _has(con, "conflicts") else []
    # Source gone (404/410 twice in a row): still catalogued, marked (migration 003).
    out["withdrawn"] = _has(con, "withdrawn") and bool(con.execute(
        "select count(*) from withdrawn where dataset_id = ?", [dataset_id]).fetchall()[0][0])
    score = con.execute("""select composite, tier, coverage, methodology_version, scored_at
                           from lqs_latest where dataset_id = ?""", [dataset_id]).fetchone()
    if score:
        out["lqs"] = {"composite": score[0], "tier": score[1], "coverage": score[2],
                      "methodology_version": score[3], "scored_at": str(score[4])}
        dims = con.execute("""select dimension, score, basis, evidence from lqs_dimensions_latest
                              where dataset_id = ?""", [dataset_id]).fetchall()
        order = ("completeness", "uniqueness", "validation", "size_adequacy", "format_compliance",
                 "label_density", "class_balance")
        dims.sort(key=lambda d: order.index(d[0]) if d[0] in order else 99)
        out["dimensions"] = [{"dimension": d, "score": s, "basis": b, "evidence": e} for d, s, b, e in dims]
    return out


def _has(con, name: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_name = ?",
                            [name]).fetchone()[0])
