"""LQS (../shared/docs/LQS.md): seven dimensions, composite, tier, coverage, status.

The formulas are ONE implementation, scoring/sql.py's query, which scores every dataset of a
warehouse at once. This module is its interface for one dataset's evidence (tests, tools): the
evidence goes into an in-memory DuckDB and the same query scores it. Every weight, threshold and
sentence comes from the methodology config (config/lqs.toml, v1.1; config/lqs-1.toml keeps v1).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from extractors.model import BASES
from scoring import sql
from scoring.sql import DIMENSIONS, FIELDS, fields   # noqa: F401  (the names scoring exposes)

BASIS_ORDER = BASES   # strongest evidence first


@dataclass(frozen=True)
class Dimension:
    name: str
    score: int
    basis: str
    evidence: str
    gap: str | None = None   # what would fill it, when its basis is "default" ([gaps] in lqs.toml)


@dataclass
class Score:
    composite: int
    tier: str
    coverage: float
    methodology_version: str
    dimensions: list[Dimension] = field(default_factory=list)
    status: str = "rated"     # "rated" | "provisional" (fewer than min_rated_dimensions evidenced)
    evidenced: int = 0        # dimensions whose basis is not "default"


@dataclass
class Evidence:
    """The facts of one dataset, best fact per (field, basis)."""
    facts: dict[str, dict[str, Any]]   # field -> basis -> value
    category: str
    files: list[dict] = field(default_factory=list)   # name, size_bytes, format

    @classmethod
    def from_rows(cls, rows, category: str, files=()) -> "Evidence":
        """rows: (field, value, basis) in precedence order within a basis (first wins)."""
        facts: dict[str, dict[str, Any]] = {}
        for field_, value, basis in rows:
            facts.setdefault(field_, {}).setdefault(basis, value)
        return cls(facts, category, list(files))


def score(ev: Evidence, cfg: dict) -> Score:
    """One dataset's score, by the warehouse's query."""
    return score_all({"dataset": ev}, cfg)["dataset"]


def score_all(evidence: dict[str, Evidence], cfg: dict) -> dict[str, Score]:
    """{key: Score} of several datasets' evidence, scored together by the one query."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("create table evidence (dataset_id varchar, category varchar, field varchar, "
                    "basis varchar, value json)")
        con.execute("create table listing (dataset_id varchar, pos integer, size_bytes bigint, format varchar)")
        rows, files = [], []
        for key, ev in evidence.items():
            rows += [(key, ev.category, name, basis, json.dumps(value))
                     for name, by_basis in ev.facts.items() for basis, value in by_basis.items()
                     if basis in BASES]
            rows.append((key, ev.category, None, None, None))
            files += [(key, i, f.get("size_bytes"), f.get("format")) for i, f in enumerate(ev.files)]
        con.executemany("insert into evidence values (?, ?, ?, ?, ?)", rows)
        if files:
            con.executemany("insert into listing values (?, ?, ?, ?)", files)
        table = con.sql(sql.query(cfg)).fetchall()
    finally:
        con.close()
    return {key: Score(composite, tier, coverage, version,
                       [Dimension(d["dimension"], d["score"], d["basis"], d["evidence"], d["gap"]) for d in dims],
                       status, evidenced)
            for key, composite, tier, status, evidenced, coverage, version, dims in table}


def composite(scores: dict[str, float], cfg: dict) -> int:
    """The composite of seven dimension scores, by the query's expression."""
    import duckdb

    columns = ", ".join(f"{float(scores[name])!r} as d_{name}" for name in DIMENSIONS)
    return duckdb.sql(f"select {sql.composite_sql(cfg)} from (select {columns})").fetchall()[0][0]


def tier(value: int, cfg: dict) -> str:
    """The tier of a composite, by the query's expression."""
    import duckdb

    return duckdb.sql(f"select {sql.tier_sql(str(int(value)), cfg)}").fetchall()[0][0]


def round_half_up(x: float) -> int:
    """The query's rounding (to 9 decimals first, then half up)."""
    import duckdb

    return duckdb.sql(f"select {sql.round_half_up(repr(float(x)))}").fetchall()[0][0]
