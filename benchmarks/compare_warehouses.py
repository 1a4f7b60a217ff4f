"""Do two warehouses hold the same harvest? Compares facts, files, label statistics, scores and
dimensions, ignoring what differs between any two runs (run ids, timestamps, archive paths).

    python -m benchmarks.compare_warehouses A.duckdb B.duckdb [--ignore-extractor-versions]
    python -m benchmarks.compare_warehouses A.duckdb B.duckdb --views [--scores-by-change]

Used to prove a change of structure changed no behaviour: build the demo warehouse
(`lqs refresh --replay demo/demo.warc.gz`) before and after, then compare. Exit 0 when equal,
1 with the first differing rows of each table otherwise.

`--views` compares every table and view the two have in common (the columns they have in
common), with each run id replaced by the run's place in time order (1, 2, ...) so two builds of
the same history compare equal, and times, durations and paths left out. `--scores-by-change`
is for comparing a warehouse that rescored every unchanged source in every run (before issue 14)
with one that keeps their score rows: the lqs_scores/lqs_dimensions tables then differ by design,
so they are skipped, and so is which run wrote a dataset's latest score (the score itself, its
dimensions and every change are still compared). `--ignore-scores` leaves every score out (score
relations, the catalog's score columns, score changes): for builds scored under different
methodology versions. With `--views`, `--ignore-extractor-versions` compares extractor names
without versions and leaves the source runs' fingerprints (which include them) out.
"""
from __future__ import annotations

import argparse
import sys

import duckdb

# Columns that name the run or the moment, never what was harvested.
TABLES = {
    "facts": "dataset_id, field, value::varchar, unit, source_url, archive_sha256, {extractor}, "
             "evidence, basis, rank, winner, record",
    "files": "dataset_id, name, size_bytes, format, url, file_id, folder, sha256, kind, file_count",
    "label_stats": "* exclude (run_id)",
    "lqs_scores": "dataset_id, composite, tier, coverage, methodology_version",
    "lqs_dimensions": "dataset_id, dimension, score, basis, evidence",
}

# --views: what differs between two builds of one history and says nothing about it.
MOMENTS = {"started_at", "finished_at", "scored_at", "changed_at", "fetched_at", "applied_at", "updated_at",
           "last_checked_at", "published_at", "elapsed_ms", "archive_path", "summary", "flow_run_id",
           "replay", "rowid"}
RUN_IDS = {"run_id", "prev_run_id", "reused_run_id", "last_run_id", "last_ok_run_id", "facts_run_id"}
SCORE_RELATIONS = {"lqs_scores", "lqs_dimensions"}
ALL_SCORE_RELATIONS = SCORE_RELATIONS | {"lqs_latest", "lqs_dimensions_latest", "evidence_gaps",
                                         "lqs_current_methodology"}
SCORE_COLUMNS = {"lqs", "tier", "lqs_status", "lqs_evidenced", "lqs_methodology_version"}


def rows(path: str, table: str, columns: str) -> list[tuple]:
    con = duckdb.connect(path, read_only=True)
    try:
        return sorted(con.execute(f"select {columns} from {table}").fetchall(), key=repr)
    finally:
        con.close()


def compare(a: str, b: str, ignore_versions: bool = False) -> list[str]:
    extractor = "split_part(extractor, '@', 1)" if ignore_versions else "extractor"
    problems = []
    for table, columns in TABLES.items():
        cols = columns.format(extractor=extractor)
        left, right = rows(a, table, cols), rows(b, table, cols)
        if left != right:
            problems.append(_difference(table, left, right))
    return problems


def _difference(name: str, left: list, right: list) -> str:
    only_a = [r for r in left if r not in set(right)][:3]
    only_b = [r for r in right if r not in set(left)][:3]
    return f"{name}: {len(left)} rows vs {len(right)}; only in A {only_a}; only in B {only_b}"


def relations(con) -> dict[str, list[str]]:
    """name -> columns of every table and view in the main schema."""
    out: dict[str, list[str]] = {}
    for name, column in con.execute("""select table_name, column_name from information_schema.columns
                                       where table_schema = 'main' order by table_name, ordinal_position""").fetchall():
        out.setdefault(name, []).append(column)
    return out


def view_rows(con, name: str, columns: list[str], scores_by_change: bool, ignore_scores: bool = False,
              ignore_versions: bool = False) -> list[tuple]:
    """The relation's rows with run ids as their place in time order; moments left out."""
    exprs = []
    for column in columns:
        if column in MOMENTS or (ignore_scores and column in SCORE_COLUMNS):
            continue
        if ignore_versions and column in ("extractor", "extractor_a", "extractor_b"):
            exprs.append(f'split_part("{column}", \'@\', 1) as "{column}"')
            continue
        if ignore_versions and column == "fingerprint":
            continue
        if scores_by_change and column in ("run_id", "prev_run_id") and name in ("lqs_latest",):
            continue
        if column in RUN_IDS:
            exprs.append(f'(select n from _lqs_run_order o where o.run_id = t."{column}") as "{column}"')
        else:
            exprs.append(f'"{column}"::varchar as "{column}"')
    sql = f'select {", ".join(exprs)} from "{name}" t'
    if scores_by_change and name == "changes":
        # which earlier score a score change is compared with depends on which runs rescored
        sql = (f'select * replace (case when kind in (\'lqs\', \'dimension\') then null else prev_run_id end '
               f'as prev_run_id) from ({sql})')
    if ignore_scores and name == "changes":
        sql = f"select * from ({sql}) where kind not in ('lqs', 'dimension')"
    return sorted(con.execute(sql).fetchall(), key=repr)


def compare_views(a: str, b: str, scores_by_change: bool = False, ignore_scores: bool = False,
                  ignore_versions: bool = False, only: set[str] | None = None) -> tuple[list[str], list[str]]:
    """(problems, names compared) over every relation both warehouses have (or those in `only`)."""
    cons = [duckdb.connect(p, read_only=True) for p in (a, b)]
    try:
        for con in cons:
            con.execute("""create temp table _lqs_run_order as
                           select run_id, row_number() over (order by started_at, run_id) as n from runs""")
        left_rel, right_rel = relations(cons[0]), relations(cons[1])
        problems, names = [], []
        for name in sorted(set(left_rel) & set(right_rel)):
            if only is not None and name not in only:
                continue
            if name.startswith("_lqs") or name == "schema_migrations" or name.endswith("_stored") or \
                    (scores_by_change and name in SCORE_RELATIONS) or (ignore_scores and name in ALL_SCORE_RELATIONS):
                continue
            columns = [c for c in left_rel[name] if c in right_rel[name]]
            left, right = (view_rows(con, name, columns, scores_by_change, ignore_scores, ignore_versions)
                           for con in cons)
            names.append(name)
            if left != right:
                problems.append(_difference(name, left, right))
        return problems, names
    finally:
        for con in cons:
            con.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--ignore-extractor-versions", action="store_true",
                        help="compare 'adapter' instead of 'adapter@version' on facts")
    parser.add_argument("--views", action="store_true", help="compare every table and view both have")
    parser.add_argument("--scores-by-change", action="store_true",
                        help="with --views: B keeps unchanged sources' scores, A rescored them")
    parser.add_argument("--ignore-scores", action="store_true",
                        help="with --views: leave scores out (builds under different methodologies)")
    args = parser.parse_args(argv)
    if args.views:
        problems, names = compare_views(args.a, args.b, args.scores_by_change, args.ignore_scores,
                                        args.ignore_extractor_versions)
        print(f"compared {len(names)} tables and views: {', '.join(names)}")
    else:
        problems = compare(args.a, args.b, args.ignore_extractor_versions)
    for line in problems:
        print(line)
    print("same harvest" if not problems else f"{len(problems)} table(s) differ")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
