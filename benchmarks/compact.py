"""How `lqs compact` gives space back: DuckDB keeps a file's size when rows are deleted, so the
warehouse is rewritten into a fresh file. Two ways, timed on the same warehouse:

    python -m benchmarks.compact [--warehouse PATH] [--delete-share 0.5]

- `COPY FROM DATABASE src TO dst` (what warehouse/compact.py does): one pass, tables, views,
  macros and constraints copied;
- `EXPORT DATABASE dir (FORMAT parquet)` then `IMPORT DATABASE dir` into a fresh file.
By default on a copy of the 2 GB warehouse of benchmarks.readers (built there once) after
deleting --delete-share of its file rows, as a compaction would have: the size before, after the
delete (unchanged: DuckDB does not shrink the file) and after each rewrite, and the time of each.
"""
from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from benchmarks import _common as C


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def main() -> None:
    import duckdb

    from benchmarks.readers import cached

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--delete-share", type=float, default=0.5)
    args = parser.parse_args()
    source = args.warehouse or cached(2.0)
    work = C.tempdir("lqs-bench-compact-")
    out: dict = {}
    try:
        path = work / "w.duckdb"
        shutil.copyfile(source, path)
        out["bytes_before"] = _size(path)
        con = duckdb.connect(str(path))
        t0 = time.perf_counter()
        con.execute("delete from files_stored where hash(rowid) % 1000 < ?", [int(args.delete_share * 1000)])
        con.execute("checkpoint")
        con.close()
        out["delete_s"] = time.perf_counter() - t0
        out["bytes_after_delete"] = _size(path)

        for method in ("copy", "export"):
            fresh = work / f"{method}.duckdb"
            con = duckdb.connect(":memory:")
            t0 = time.perf_counter()
            if method == "copy":
                con.execute(f"attach '{path}' as src (read_only)")
                con.execute(f"attach '{fresh}' as dst")
                con.execute("copy from database src to dst")
                con.execute("detach dst")
            else:
                dump = work / "dump"
                src = duckdb.connect(str(path), read_only=True)
                src.execute(f"export database '{dump}' (format parquet)")
                src.close()
                dst = duckdb.connect(str(fresh))
                try:
                    dst.execute(f"import database '{dump}'")
                except duckdb.Error as exc:   # IMPORT recreates views in an order that may not work
                    out["export_error"] = str(exc).splitlines()[0]
                finally:
                    dst.close()
                shutil.rmtree(dump)
            con.close()
            out[f"{method}_s"] = time.perf_counter() - t0
            out[f"bytes_after_{method}"] = _size(fresh)
            fresh.unlink()
            failed = f" (failed: {out['export_error']})" if method == "export" and "export_error" in out else ""
            print(f"  {method:6}: {out[f'{method}_s']:.1f} s, {out[f'bytes_after_{method}'] / 1e9:.2f} GB{failed}",
                  flush=True)
    finally:
        C.rmtree(work)
    print(f"  before {out['bytes_before'] / 1e9:.2f} GB, after the delete {out['bytes_after_delete'] / 1e9:.2f} GB "
          f"({out['delete_s']:.1f} s)", flush=True)
    C.save("compact", out)
    print(f"machine: {C.machine_line()}")
    print(C.result_line("compact (rewrite) 2 GB warehouse", out["copy_s"], "s",
                        f"{out['bytes_before'] / 1e9:.2f} GB, after deleting {args.delete_share:.0%} of the file rows "
                        f"{out['bytes_after_delete'] / 1e9:.2f} GB, COPY FROM DATABASE -> "
                        f"{out['bytes_after_copy'] / 1e9:.2f} GB; EXPORT/IMPORT {out['export_s']:.1f} s -> "
                        + (f"failed: {out['export_error']}" if "export_error" in out
                           else f"{out['bytes_after_export'] / 1e9:.2f} GB")))


if __name__ == "__main__":
    main()
