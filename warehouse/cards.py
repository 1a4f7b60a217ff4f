"""The catalog card of one dataset, read from the published views (what `lqs show` and the
publish step print): facts, the seven dimensions with basis and evidence, tier and status (rated
or provisional, with the count of evidenced dimensions: LQS v1.1), the evidence gaps, provenance."""
from __future__ import annotations

import json

from scoring.lqs import DIMENSIONS

CARD_FIELDS = ("title", "item_count", "item_unit", "subject_count", "class_count", "size_bytes",
               "formats", "license", "commercial_use", "release_date", "publisher", "doi", "version",
               "homepage", "access", "file_count")


def card(con, dataset_id: str) -> dict | None:
    return cards(con, [dataset_id]).get(dataset_id)


def cards(con, dataset_ids: list[str] | None = None) -> dict[str, dict]:
    """The cards of these datasets (None: all), one query per part rather than per dataset:
    publishing builds thousands."""
    where, params = ("where dataset_id in (select unnest(?))", [dataset_ids]) if dataset_ids is not None \
        else ("", [])
    out = {}
    for dataset_id, name, category, source_url in con.execute(
            f"select dataset_id, name, category, source_url from datasets {where}", params).fetchall():
        out[dataset_id] = {"dataset_id": dataset_id, "name": name, "category": category,
                           "source_url": source_url, "facts": {}, "provenance": {}, "dimensions": [],
                           "lqs": None, "conflicts": [], "withdrawn": False, "evidence_gaps": []}
    facts = con.execute(f"""select dataset_id, field, value, basis, extractor, evidence, source_url, archive_sha256
                            from facts_current {where or 'where true'} and winner and record is null
                            order by dataset_id, field""", params).fetchall()
    for dataset_id, field, value, basis, extractor, evidence, source_url, sha in facts:
        if field in CARD_FIELDS and dataset_id in out:
            out[dataset_id]["facts"][field] = json.loads(value)
            out[dataset_id]["provenance"][field] = {"basis": basis, "extractor": extractor, "evidence": evidence,
                                                    "source_url": source_url, "archive_sha256": sha}
    # The formats as the catalog shows them, inner formats of archives included (migration 006).
    if _has(con, "catalog_formats"):
        for dataset_id, text in con.execute(
                f"select dataset_id, formats from catalog_formats {where}", params).fetchall():
            if dataset_id in out and text:
                out[dataset_id]["formats_text"] = text
    if _has(con, "conflicts"):
        for dataset_id, fields in con.execute(
                f"select dataset_id, list(distinct field order by field) from conflicts {where} group by all",
                params).fetchall():
            out[dataset_id]["conflicts"] = fields
    # Source gone (404/410 twice in a row): still catalogued, marked (migration 003).
    if _has(con, "withdrawn"):
        for (dataset_id,) in con.execute(f"select dataset_id from withdrawn {where}", params).fetchall():
            out[dataset_id]["withdrawn"] = True
    # status/evidenced: migration 007; a file read before it was migrated shows v1's (all rated).
    v11 = _has_column(con, "lqs_latest", "status")
    extra = "status, evidenced" if v11 else "'rated', null"
    for dataset_id, composite, tier, coverage, version, scored_at, status, evidenced in con.execute(
            f"""select dataset_id, composite, tier, coverage, methodology_version, scored_at, {extra}
                from lqs_latest {where}""", params).fetchall():
        out[dataset_id]["lqs"] = {"composite": composite, "tier": tier, "coverage": coverage,
                                  "methodology_version": version, "scored_at": str(scored_at),
                                  "status": status,
                                  "evidenced": evidenced if evidenced is not None else round(coverage * len(DIMENSIONS)),
                                  "dimensions_total": len(DIMENSIONS)}
    dims = con.execute(f"select dataset_id, dimension, score, basis, evidence from lqs_dimensions_latest {where}",
                       params).fetchall()
    dims.sort(key=lambda d: _order(d[1]))
    for dataset_id, dimension, score, basis, evidence in dims:
        out[dataset_id]["dimensions"].append({"dimension": dimension, "score": score, "basis": basis,
                                              "evidence": evidence})
    if _has(con, "evidence_gaps"):
        gaps = con.execute(f"select dataset_id, dimension, gap from evidence_gaps {where}", params).fetchall()
        for dataset_id, dimension, gap in sorted(gaps, key=lambda g: (g[0], _order(g[1]))):
            out[dataset_id]["evidence_gaps"].append({"dimension": dimension, "gap": gap})
    return out


def _order(dimension: str) -> int:
    return DIMENSIONS.index(dimension) if dimension in DIMENSIONS else 99


def _has_column(con, table: str, column: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.columns where table_name = ? "
                            "and column_name = ?", [table, column]).fetchall()[0][0])


def score_line(lqs: dict) -> str:
    """"LQS 55 · unrated (3 of 7 dimensions have evidence)": the one way a score is written, in
    `lqs show`, the site, card JSON descriptions and Croissant (LQS v1.1)."""
    return (f"LQS {lqs['composite']} · {lqs['tier']} ({lqs['evidenced']} of {lqs['dimensions_total']} "
            f"dimensions have evidence)")


def _has(con, name: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_name = ?",
                            [name]).fetchall()[0][0])


# The one-line summary of a card, shown by `lqs show` and used by publish for descriptions.
def human_bytes(n: int | None) -> str:
    if n is None:
        return "size unknown"
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.0f} {unit}" if n / scale >= 10 else f"{n / scale:.1f} {unit}"
    return f"{n} B"


def headline(card: dict) -> str:
    f = card["facts"]
    parts = []
    if f.get("item_count") is not None:
        text = f"{f['item_count']:,} {f.get('item_unit') or 'items'}"
        if f.get("subject_count"):
            text += f" from {f['subject_count']:,} subjects"
        parts.append(text)
    if f.get("class_count"):
        parts.append(f"{f['class_count']} classes")
    if f.get("size_bytes") is not None:
        parts.append(human_bytes(f["size_bytes"]))
    if card.get("formats_text") or f.get("formats"):
        parts.append(formats_text(card))
    if f.get("license"):
        commercial = {True: " (commercial OK)", False: " (non-commercial)"}.get(f.get("commercial_use"), "")
        parts.append(f"{f['license']}{commercial}")
    if f.get("release_date"):
        parts.append(f"released {str(f['release_date'])[:4]}")
    if f.get("publisher"):
        parts.append(f"maintainer {f['publisher']}")
    return ", ".join(parts)


# ---------------------------------------------------------------------------- for the site
# Read helpers for the static site (warehouse/site.py): what the card JSON does not carry.
HISTORY_ITEMS = (("fact", "license"), ("fact", "commercial_use"), ("fact", "size_bytes"),
                 ("lqs", "composite"), ("lqs", "tier"), ("dataset", "status"))


def last_checked(con) -> dict[str, str]:
    """When each dataset's source was last harvested (any outcome), as 'YYYY-MM-DD HH:MM' UTC."""
    rows = con.execute("""select dataset_id, strftime(max(finished_at), '%Y-%m-%d %H:%M')
                          from source_runs where finished_at is not null group by dataset_id""").fetchall()
    return dict(rows)


def card_history(con) -> dict[str, list[dict]]:
    """Each dataset's changes of licence, commercial use, size, LQS and status, oldest first."""
    from warehouse.history import rows_as_dicts, select_sql

    wanted = " or ".join(f"(kind = '{kind}' and item = '{item}')" for kind, item in HISTORY_ITEMS)
    out: dict[str, list[dict]] = {}
    rows = rows_as_dicts(con.execute(select_sql(wanted)).fetchall())
    for row in sorted(rows, key=lambda r: (r["changed_at"], r["kind"], r["item"], r["run_id"])):
        out.setdefault(row["dataset_id"], []).append(row)
    return out


def conflict_details(con) -> dict[str, list[dict]]:
    """Each dataset's current conflicts: field, the two values and where each was read."""
    if not _has(con, "conflicts"):
        return {}
    rows = con.execute("""select dataset_id, field, value_a, source_a, extractor_a, value_b, source_b, extractor_b
                          from conflicts order by all""").fetchall()
    out: dict[str, list[dict]] = {}
    for dataset_id, field, value_a, source_a, extractor_a, value_b, source_b, extractor_b in rows:
        out.setdefault(dataset_id, []).append({
            "field": field,
            "sides": [{"value": json.loads(value_a), "source_url": source_a, "extractor": extractor_a},
                      {"value": json.loads(value_b), "source_url": source_b, "extractor": extractor_b}]})
    return out


def formats_text(card: dict) -> str | None:
    """"PNG (in TAR) · CSV": the catalog view's text (catalog_formats), else the formats fact."""
    formats = card["facts"].get("formats")
    return card.get("formats_text") or (" · ".join(formats) if formats else None)
