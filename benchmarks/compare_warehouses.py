"""Do two warehouses hold the same harvest? Compares facts, files, label statistics, scores and
dimensions, ignoring what differs between any two runs (run ids, timestamps, archive paths).

    python -m benchmarks.compare_warehouses A.duckdb B.duckdb [--ignore-extractor-versions]

Used to prove a change of structure changed no behaviour: build the demo warehouse
(`lqs refresh --replay demo/demo.warc.gz`) before and after, then compare. Exit 0 when equal,
1 with the first differing rows of each table otherwise.
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
            only_a = [r for r in left if r not in set(right)][:3]
            only_b = [r for r in right if r not in set(left)][:3]
            problems.append(f"{table}: {len(left)} rows vs {len(right)}; only in A {only_a}; "
                            f"only in B {only_b}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--ignore-extractor-versions", action="store_true",
                        help="compare 'adapter' instead of 'adapter@version' on facts")
    args = parser.parse_args(argv)
    problems = compare(args.a, args.b, args.ignore_extractor_versions)
    for line in problems:
        print(line)
    print("same harvest" if not problems else f"{len(problems)} table(s) differ")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
