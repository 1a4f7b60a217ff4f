"""Readers during a refresh, on a large warehouse: what a publish costs, how long a reader waits,
whether any read fails, and what a kill -9 of the writer leaves.

    python -m benchmarks.readers [--gb 2] [--batches 20] [--old-ref cd71a6c] [--kills 5]

Set-up (not timed): a warehouse of about --gb GB (cached in var/bench/cache): the migrations,
then file rows of synthetic sources (names and URLs from md5, so they do not compress away),
each source with its source run.

Measured, each writer and reader a process of its own:
- the writer: a refresh-shaped loop of --batches batches, each one transaction of 100 sources'
  rows (70,000 file rows, 100 source runs), then a publish, as flows/pipeline.py does after every
  batch; timed apart: opening the writer (the session, or the staging copy), writing, publishing;
- two readers at the same time, each opening the warehouse read-only (Warehouse.reader, as `lqs
  query` does) and counting the source runs, every 50 ms, for the whole refresh: latency of each
  read (open + query), failures, and whether every read saw a published state (a whole number of
  batches);
- the same writer and readers with the warehouse code of --old-ref (the staging copy at open
  and on every publish), run from `git archive` of that commit, on the same file;
- kill -9: --kills times, a writer killed at a random moment inside a batch; then the file opens
  read-only, holds exactly the batches whose commit returned, and the next writer opens it (the
  write-ahead log replayed): that time is reported.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import _common as C

BATCH_SOURCES = 100
FILES_PER_SOURCE = 700
CACHE = C.RESULTS / "cache"


# ---------------------------------------------------------------------------- the warehouse
def build(path: Path, gb: float) -> None:
    """Migrations, then synthetic file rows in chunks until the file is about `gb` GB."""
    from warehouse.db import Warehouse

    if path.exists():
        path.unlink()
    chunk = 2_000_000
    with Warehouse(path).writer("benchmark build") as w:
        n = 0
        while True:
            with w.transaction() as con:
                con.execute(f"""insert into files_stored (run_id, dataset_id, name, size_bytes, format, url, kind)
                    select 'build', 'big-' || (i // {FILES_PER_SOURCE}), md5(i::varchar) || '.csv', i, 'CSV',
                           'https://files.example.org/' || md5((i * 7)::varchar) || '/' || md5((i * 13)::varchar), 'file'
                    from range({n}, {n + chunk}) t(i)""")
                con.execute(f"""insert into source_runs (run_id, dataset_id, status, facts, finished_at, facts_run_id)
                    select 'build', 'big-' || i, 'ok', 0, timestamp '2026-01-01', 'build'
                    from range({n // FILES_PER_SOURCE}, {(n + chunk) // FILES_PER_SOURCE}) t(i)""")
            n += chunk
            w.con.execute("checkpoint")
            if path.stat().st_size >= gb * 1e9:
                break
        w.con.execute("insert into runs (run_id, kind, started_at, status) values ('build', 'refresh', now(), 'ok')")


def cached(gb: float) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"readers-{gb:g}gb.duckdb"
    if not path.exists():
        print(f"building a {gb:g} GB warehouse (once) ...", flush=True)
        build(path, gb)
    return path


# ---------------------------------------------------------------------------- children
WRITER = r'''
import json, os, sys, time
import pyarrow as pa
from warehouse.db import Warehouse

path, batches, run_id, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
n = {batch_sources} * {files_per_source}
names = [f"f{{i}}.csv" for i in range(n)]
files = pa.table({{"name": names, "size_bytes": list(range(n)), "format": ["CSV"] * n,
                   "url": ["https://files.example.org/x/" + s for s in names], "kind": ["file"] * n}})
out = open(log, "a")
started = time.perf_counter()
with Warehouse(path, 600).writer("benchmark writer") as w:
    opened = time.perf_counter() - started
    for b in range(batches):
        t0 = time.perf_counter()
        con = w.con                                   # a session (new) or the open staging copy (old)
        t1 = time.perf_counter()
        ids = [f"{{run_id}}-{{b}}-{{i}}" for i in range({batch_sources})]
        with w.transaction() as con:
            con.register("_files", files)
            con.execute(f"""insert into files_stored (run_id, dataset_id, name, size_bytes, format, url, kind)
                            select ?, ? || (row_number() over () // {files_per_source}), name, size_bytes, format,
                                   url, kind from _files""", [run_id, f"{{run_id}}-{{b}}-"])
            con.unregister("_files")
            con.execute("""insert into source_runs (run_id, dataset_id, status, facts, finished_at, facts_run_id)
                           select ?, unnest(?), 'ok', 0, now(), ?""", [run_id, ids, run_id])
        t2 = time.perf_counter()
        out.write(json.dumps({{"committed": b + 1}}) + "\n"); out.flush(); os.fsync(out.fileno())
        w.publish()
        t3 = time.perf_counter()
        out.write(json.dumps({{"batch": b + 1, "open_s": t1 - t0, "write_s": t2 - t1, "publish_s": t3 - t2}}) + "\n")
        out.flush()
out.write(json.dumps({{"writer_open_s": opened, "total_s": time.perf_counter() - started}}) + "\n")
'''.format(batch_sources=BATCH_SOURCES, files_per_source=FILES_PER_SOURCE)

READER = r'''
import json, sys, time
from pathlib import Path
from warehouse.db import Warehouse

path, stop, base = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
w = Warehouse(path)
while not stop.exists():
    t0 = time.perf_counter()
    try:
        with w.reader() as con:
            n = con.execute("select count(*) from source_runs").fetchall()[0][0]
        print(json.dumps({"ok": True, "s": time.perf_counter() - t0, "batches": (n - base) / 100}), flush=True)
    except Exception as exc:
        print(json.dumps({"ok": False, "s": time.perf_counter() - t0, "error": str(exc)[:200]}), flush=True)
    time.sleep(0.05)
'''


def _tree(ref: str | None) -> Path:
    """The project's code, or that of an older commit (git archive into a temporary folder)."""
    if ref is None:
        return C.ROOT
    tree = C.tempdir(f"lqs-bench-readers-{ref}-")
    data = subprocess.run(["git", "-C", str(C.ROOT), "archive", ref], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=data, check=True)
    return tree


def _env(tree: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(tree)}


def refresh_with_readers(path: Path, batches: int, tree: Path, work: Path, label: str) -> dict:
    base = _count(path)
    log = work / f"{label}-writer.jsonl"
    stop = work / f"{label}-stop"
    readers = [subprocess.Popen([C.PYTHON, "-c", READER, str(path), str(stop), str(base)], cwd=str(tree),
                                env=_env(tree), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    time.sleep(2.0)   # readers started (imports done) before the writer
    started = time.perf_counter()
    writer = subprocess.run([C.PYTHON, "-c", WRITER, str(path), str(batches), f"{label}-run", str(log)],
                            cwd=str(tree), env=_env(tree), capture_output=True, text=True)
    wall = time.perf_counter() - started
    stop.touch()
    reads = []
    for proc in readers:
        out, err = proc.communicate(timeout=120)
        reads += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if writer.returncode != 0:
        raise RuntimeError(f"{label} writer failed:\n{writer.stderr[-3000:]}")
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    per_batch = [l for l in lines if "batch" in l]
    end = [l for l in lines if "writer_open_s" in l][0]
    ok = [r for r in reads if r["ok"]]
    latencies = sorted(r["s"] for r in ok)
    return {
        "label": label, "wall_s": wall, "writer_open_s": end["writer_open_s"],
        "session_open_s_median": C.median([b["open_s"] for b in per_batch]),
        "write_s_median": C.median([b["write_s"] for b in per_batch]),
        "publish_s_median": C.median([b["publish_s"] for b in per_batch]),
        "publish_s_max": max(b["publish_s"] for b in per_batch),
        "reads": len(reads), "failed": len(reads) - len(ok),
        "failures": [r["error"] for r in reads if not r["ok"]][:3],
        "read_s_median": C.median(latencies), "read_s_p95": latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
        "read_s_max": latencies[-1] if latencies else None,
        "only_published_states": all(float(r["batches"]).is_integer() for r in ok),
        "bytes": path.stat().st_size,
    }


def _count(path: Path) -> int:
    from warehouse.db import Warehouse

    with Warehouse(path).reader() as con:
        return con.execute("select count(*) from source_runs").fetchone()[0]


def kill_test(path: Path, kills: int, work: Path) -> list[dict]:
    """Kill the writer at a random moment of a 10-batch refresh; check what the file holds."""
    from warehouse.db import Warehouse

    rng = random.Random(1)
    out = []
    for k in range(kills):
        base = _count(path)
        log = work / f"kill{k}.jsonl"
        proc = subprocess.Popen([C.PYTHON, "-c", WRITER, str(path), "10", f"kill{k}", str(log)], cwd=str(C.ROOT),
                                env=_env(C.ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        time.sleep(rng.uniform(1.0, 5.0))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        committed = max([json.loads(l).get("committed", 0) for l in log.read_text().splitlines()] or [0]) \
            if log.exists() else 0
        wal = path.with_name(path.name + ".wal")
        wal_bytes = wal.stat().st_size if wal.exists() else 0
        t0 = time.perf_counter()
        held = (_count(path) - base) / BATCH_SOURCES          # read-only open, replaying the log
        read_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with Warehouse(path, 60).writer("after the kill") as w:
            w.con.execute("select 1")
        reopen_s = time.perf_counter() - t0
        out.append({"kill": k + 1, "committed": committed, "held": held, "wal_bytes": wal_bytes,
                    "first_read_s": read_s, "next_writer_s": reopen_s,
                    "exact": held == committed or held == committed + 1})
        print(f"  kill {k + 1}: {committed} batch(es) committed before the kill, the file holds {held:g}; "
              f"WAL {wal_bytes / 1e6:.1f} MB; first read {read_s:.2f} s, next writer {reopen_s:.2f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gb", type=float, default=2.0)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--old-ref", default="cd71a6c", help="the commit with the staging-copy writer ('' to skip)")
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()
    source = cached(args.gb)
    work = C.tempdir("lqs-bench-readers-")
    results: dict = {"gb": args.gb, "batches": args.batches}
    try:
        rows = []
        for label, ref in (("sessions", None), ("staging-copy", args.old_ref or None)):
            if label == "staging-copy" and not ref:
                continue
            path = work / f"{label}.duckdb"
            shutil.copyfile(source, path)
            tree = _tree(ref)
            row = refresh_with_readers(path, args.batches, tree, work, label)
            rows.append(row)
            print(f"  {label:12}: file {row['bytes'] / 1e9:.2f} GB; writer open {row['writer_open_s']:.2f} s; "
                  f"per batch: open {row['session_open_s_median']:.3f} s, write {row['write_s_median']:.2f} s, "
                  f"publish {row['publish_s_median']:.2f} s (max {row['publish_s_max']:.2f}); "
                  f"{row['reads']} reads, {row['failed']} failed, latency median {row['read_s_median']:.3f} s, "
                  f"p95 {row['read_s_p95']:.3f} s, max {row['read_s_max']:.3f} s; "
                  f"only published states: {row['only_published_states']}; wall {row['wall_s']:.1f} s", flush=True)
            path.unlink()
            if ref:
                C.rmtree(tree)
        results["runs"] = rows
        if args.kills:
            path = work / "kill.duckdb"
            shutil.copyfile(source, path)
            results["kills"] = kill_test(path, args.kills, work)
    finally:
        C.rmtree(work)
    C.save(f"readers-{args.gb:g}gb", results)
    print(f"machine: {C.machine_line()}")
    new = results["runs"][0]
    extra = f"reads {new['reads']}, failed {new['failed']}, read latency p95 {new['read_s_p95']:.3f} s"
    if len(results["runs"]) > 1:
        old = results["runs"][1]
        extra += f"; staging copy: publish {old['publish_s_median']:.2f} s, writer open {old['writer_open_s']:.2f} s"
    if "kills" in results:
        extra += f"; kill -9 x{len(results['kills'])}: exact {sum(k['exact'] for k in results['kills'])}"
    print(C.result_line(f"publish, {args.gb:g} GB warehouse", new["publish_s_median"], "s", extra))


if __name__ == "__main__":
    main()
