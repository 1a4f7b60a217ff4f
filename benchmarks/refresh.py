"""Refresh throughput: a full `lqs refresh` against a bare baseline, then an incremental refresh.

    python -m benchmarks.refresh --sources 2000 [--repeat 5]
    python -m benchmarks.refresh --sources 10000          # the memory figure (peak RSS)

Set-up (not timed):
- benchmarks.catalog_server in a separate process on 127.0.0.1 (so it does not compete for the
  measured process's GIL), every page rendered before it is ready: N sources, a third each in
  Zenodo, Box (a share and its subfolder page) and Hugging Face structures, pages of 5-200 KB with
  ETags, robots.txt allowing everything;
- a config folder: sources.toml from catalog_server.sources_toml, the bundled lqs.toml, and a
  settings.toml with [http] allow_private_addresses = true (the catalog is on loopback),
  [politeness] global_concurrency = 16 and per_host_concurrency = 16, [hosts."127.0.0.1"]
  min_delay = 0 and per_host_concurrency = 16 (the benchmark host only), [run] batch_size = 100
  (batch_workers stays 2); everything else as shipped (robots obeyed, retries, WARC archive and
  body store on);
- `prefect server start` on a free 127.0.0.1 port with a temporary PREFECT_HOME, started once:
  a scheduled refresh runs against a server, and its ~10-30 s start-up is no part of a refresh.

Measured, each as a child process under benchmarks/_rusage.py (wall, CPU user+sys, peak RSS via
getrusage(RUSAGE_CHILDREN)), in this order per repetition, all against the same servers:
1. baseline: `python -m benchmarks.baseline` (requests + ThreadPoolExecutor of 16 + the same
   extractors + one bulk DuckDB insert; no Prefect);
2. full: `lqs --config DIR refresh --json` on a fresh warehouse and archive folder;
3. incremental: the same command again, nothing changed on the server (every page answers 304).
Printed: each median, sources/s, lqs/baseline and incremental/full (medians of the per-repetition
ratios). Targets: full <= 1.3x baseline; incremental <= 15% of full; peak RSS < 1 GiB at 10,000.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

from benchmarks import _common as C

CONCURRENCY = 16
BATCH_SIZE = 100


def write_config(folder: Path, base: str, sources: int) -> Path:
    from benchmarks.catalog_server import sources_toml

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(C.ROOT / "config" / "lqs.toml", folder / "lqs.toml")
    (folder / "sources.toml").write_text(sources_toml(base, sources))
    (folder / "settings.toml").write_text(f"""# benchmarks.refresh: the loopback catalog, no politeness delay for its host
[http]
allow_private_addresses = true

[politeness]
global_concurrency = {CONCURRENCY}
per_host_concurrency = {CONCURRENCY}

[hosts."127.0.0.1"]
min_delay = 0.0
per_host_concurrency = {CONCURRENCY}

[run]
batch_size = {BATCH_SIZE}
""")
    return folder


def _summary(tail: str) -> dict:
    """The JSON summary a command printed last (lqs refresh --json, or the baseline)."""
    start, end = tail.rfind("\n{\n"), tail.rfind("\n}")
    text = tail[start + 1:end + 2] if 0 <= start < end else tail
    try:
        return json.loads(text)
    except ValueError:
        return {}


def lqs_refresh(config: Path, env: dict, log: Path, spy: Path | None = None) -> dict:
    cmd = [str(C.BIN / "lqs"), "--config", str(config), "refresh", "--json"]
    if spy is not None:   # sampled by py-spy (threads holding the GIL: where the CPU time goes); its figures are then not comparable
        mode = ["--gil"] if os.environ.get("LQS_BENCH_SPY_ALL") is None else ["--idle"]
        cmd = [str(C.BIN / "py-spy"), "record", *mode, "-f", "raw", "-r", "100", "-o", str(spy), "--", *cmd]
    data = C.measure(cmd, env=env, log=log)
    summary = _summary(Path(log).read_text())
    data.update({k: summary.get(k) for k in ("sources", "sources_ok", "sources_failed", "sources_unchanged", "facts",
                                              "bytes")})
    return data


def baseline(config: Path, out: Path, log: Path) -> dict:
    data = C.measure([C.PYTHON, "-m", "benchmarks.baseline", "--config", str(config), "--out", str(out),
                      "--concurrency", str(CONCURRENCY)], log=log)
    summary = json.loads(Path(log).read_text().strip().splitlines()[-1])
    data.update({k: summary.get(k) for k in ("sources", "sources_ok", "sources_failed", "facts", "pages", "bytes")})
    return data


def _check(name: str, data: dict, sources: int, unchanged: bool = False) -> None:
    ok = data.get("sources_ok")
    if ok != sources:
        raise RuntimeError(f"{name}: {ok} of {sources} sources ok:\n{data.get('tail', '')[-2000:]}")
    if unchanged and data.get("sources_unchanged") != sources:
        raise RuntimeError(f"{name}: {data.get('sources_unchanged')} of {sources} unchanged")


def _brief(data: dict, sources: int) -> str:
    return (f"{data['wall_s']:.1f} s wall, {data['cpu_s']:.1f} s CPU, {data['peak_rss_mib']:.0f} MiB peak RSS, "
            f"{sources / data['wall_s']:.0f} sources/s")


def run(sources: int = 2000, repeat: int = 1, with_baseline: bool = True, keep: bool = False,
        spy: Path | None = None) -> dict:
    work = C.tempdir(f"lqs-bench-refresh-{sources}-")
    rows: list[dict] = []
    try:
        with C.catalog_server(sources, work) as base, C.prefect_server(work) as prefect_env:
            config = write_config(work / "config", base, sources)
            for i in range(repeat):
                run_dir = work / f"run{i}"
                run_dir.mkdir()
                env = {**os.environ, **prefect_env, "LQS_WAREHOUSE": str(run_dir / "warehouse.duckdb"),
                       "LQS_ARCHIVE": str(run_dir / "archive"), "PYTHONUNBUFFERED": "1"}
                row: dict = {}
                if with_baseline:
                    row["baseline"] = baseline(config, run_dir / "baseline.duckdb", run_dir / "baseline.log")
                    _check("baseline", row["baseline"], sources)
                    print(f"  [{i + 1}/{repeat}] baseline     {_brief(row['baseline'], sources)}", flush=True)
                row["full"] = lqs_refresh(config, env, run_dir / "full.log",
                                          spy and spy.with_name(f"{spy.stem}-full{i}.raw"))
                _check("lqs refresh (full)", row["full"], sources)
                print(f"  [{i + 1}/{repeat}] lqs full     {_brief(row['full'], sources)}", flush=True)
                row["incremental"] = lqs_refresh(config, env, run_dir / "incremental.log",
                                                 spy and spy.with_name(f"{spy.stem}-incremental{i}.raw"))
                _check("lqs refresh (incremental)", row["incremental"], sources, unchanged=True)
                print(f"  [{i + 1}/{repeat}] incremental  {_brief(row['incremental'], sources)}", flush=True)
                row["archive_mib"] = round(sum(p.stat().st_size for p in (run_dir / "archive").rglob("*")
                                               if p.is_file()) / 2 ** 20, 1)
                rows.append(row)
                if not keep:
                    C.rmtree(run_dir)
    finally:
        if keep:
            print(f"kept {work}")
        else:
            C.rmtree(work)
    return summarise(sources, rows)


def summarise(sources: int, rows: list[dict]) -> dict:
    def med(kind, key):
        return C.median([r[kind][key] for r in rows if kind in r])

    out: dict = {"sources": sources, "repeat": len(rows), "concurrency": CONCURRENCY, "batch_size": BATCH_SIZE,
                 "runs": rows}
    for kind in ("baseline", "full", "incremental"):
        if any(kind in r for r in rows):
            out[kind] = {k: med(kind, k) for k in ("wall_s", "cpu_s", "user_s", "sys_s", "peak_rss_mib")}
            out[kind]["sources_per_s"] = sources / out[kind]["wall_s"]
    if "baseline" in out:
        out["ratio_full_to_baseline"] = C.median([r["full"]["wall_s"] / r["baseline"]["wall_s"] for r in rows])
        out["cpu_ratio_full_to_baseline"] = C.median([r["full"]["cpu_s"] / r["baseline"]["cpu_s"] for r in rows])
    out["ratio_incremental_to_full"] = C.median([r["incremental"]["wall_s"] / r["full"]["wall_s"] for r in rows])
    out["facts"] = rows[-1]["full"].get("facts") if rows else None
    out["bytes"] = rows[-1]["full"].get("bytes") if rows else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="only the lqs refreshes (e.g. for the memory figure)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, warehouses, archives)")
    parser.add_argument("--py-spy", type=Path, default=None, metavar="PREFIX",
                        help="sample the lqs refreshes with py-spy into PREFIX-full0.raw, ... (not a timing run)")
    args = parser.parse_args()
    r = run(args.sources, args.repeat, not args.no_baseline, args.keep,
            args.py_spy.resolve() if args.py_spy else None)
    C.save(f"refresh-{args.sources}", r)
    n = args.sources
    print(f"machine: {C.machine_line()}")
    if "baseline" in r:
        b = r["baseline"]
        print(f"baseline:    {b['wall_s']:.1f} s wall, {b['cpu_s']:.1f} s CPU, {b['peak_rss_mib']:.0f} MiB, "
              f"{b['sources_per_s']:.0f} sources/s")
    f, inc = r["full"], r["incremental"]
    print(f"lqs full:    {f['wall_s']:.1f} s wall, {f['cpu_s']:.1f} s CPU, {f['peak_rss_mib']:.0f} MiB, "
          f"{f['sources_per_s']:.0f} sources/s")
    print(f"incremental: {inc['wall_s']:.1f} s wall, {inc['cpu_s']:.1f} s CPU, {inc['peak_rss_mib']:.0f} MiB, "
          f"{inc['sources_per_s']:.0f} sources/s")
    extra = f"median of {r['repeat']}"
    if "baseline" in r:
        extra += (f"; lqs/baseline {r['ratio_full_to_baseline']:.2f}x wall (target <= 1.3x), "
                  f"{r['cpu_ratio_full_to_baseline']:.2f}x CPU")
    extra += (f"; incremental/full {r['ratio_incremental_to_full']:.0%} (target <= 15%); "
              f"peak RSS {f['peak_rss_mib']:.0f} MiB")
    print(C.result_line(f"refresh {n:,} sources", f["sources_per_s"], "sources/s", extra))


if __name__ == "__main__":
    main()
