"""Warehouse growth: one full refresh, then refresh after refresh with nothing changed on the
server; the warehouse file's size and each refresh's wall time.

    python -m benchmarks.growth --sources 2000 --refreshes 30

Same set-up as benchmarks.refresh (the loopback catalog in its own process, the same config, one
Prefect server started once and not timed); every refresh is `lqs --config DIR refresh --json`
on the same warehouse and archive folder, measured as a child process (wall, CPU, peak RSS).
Printed per refresh: wall, CPU, the warehouse file's size (with its write-ahead log, if any) and
the rows of facts/files the views show and the tables store.

Targets (issue 14): the unchanged refreshes grow the file by <= 5% in total over the first 5, and
the last refresh takes <= 1.1x the first unchanged one.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from benchmarks import _common as C
from benchmarks.refresh import _check, lqs_refresh, write_config


def file_size(path: Path) -> int:
    wal = path.with_name(path.name + ".wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def rows(path: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        out = {}
        for name in ("facts", "files", "facts_stored", "files_stored", "fetches", "source_runs", "lqs_scores"):
            if name in tables:
                out[name] = con.execute(f"select count(*) from {name}").fetchone()[0]
        return out
    finally:
        con.close()


def run(sources: int, refreshes: int, keep: bool = False) -> dict:
    work = C.tempdir(f"lqs-bench-growth-{sources}-")
    out: list[dict] = []
    try:
        with C.catalog_server(sources, work) as base, C.prefect_server(work) as prefect_env:
            config = write_config(work / "config", base, sources)
            warehouse = work / "warehouse.duckdb"
            env = {**os.environ, **prefect_env, "LQS_WAREHOUSE": str(warehouse),
                   "LQS_ARCHIVE": str(work / "archive"), "PYTHONUNBUFFERED": "1"}
            for i in range(refreshes):
                data = lqs_refresh(config, env, work / f"refresh{i}.log")
                _check(f"refresh {i + 1}", data, sources, unchanged=i > 0)
                row = {"refresh": i + 1, "wall_s": data["wall_s"], "cpu_s": data["cpu_s"],
                       "peak_rss_mib": data["peak_rss_mib"], "bytes": file_size(warehouse), **rows(warehouse)}
                out.append(row)
                print(f"  refresh {i + 1:>3}: {row['wall_s']:6.1f} s wall, {row['cpu_s']:6.1f} s CPU, "
                      f"{row['bytes'] / 1e6:7.1f} MB, facts {row.get('facts', 0):>9,} shown "
                      f"{row.get('facts_stored', row.get('facts', 0)):>7,} stored, files "
                      f"{row.get('files', 0):>10,} shown {row.get('files_stored', row.get('files', 0)):>9,} stored",
                      flush=True)
    finally:
        if keep:
            print(f"kept {work}")
        else:
            C.rmtree(work)
    return summarise(sources, out)


def summarise(sources: int, out: list[dict]) -> dict:
    result: dict = {"sources": sources, "refreshes": out}
    if len(out) >= 2:
        first = out[1]
        upto = out[min(len(out) - 1, 5)]
        result["growth_first_5_unchanged"] = upto["bytes"] / out[0]["bytes"] - 1
        result["last_to_first_unchanged"] = out[-1]["wall_s"] / first["wall_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--refreshes", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    r = run(args.sources, args.refreshes, args.keep)
    C.save(f"growth-{args.sources}", r)
    print(f"machine: {C.machine_line()}")
    if "growth_first_5_unchanged" in r:
        print(C.result_line(
            f"growth {args.sources:,} sources x {args.refreshes}", r["refreshes"][-1]["bytes"] / 1e6, "MB",
            f"first 5 unchanged refreshes +{r['growth_first_5_unchanged']:.1%} (target <= 5%); "
            f"refresh {len(r['refreshes'])} / first unchanged {r['last_to_first_unchanged']:.2f}x wall "
            f"(target <= 1.1x)"))


if __name__ == "__main__":
    main()
