"""CLI start-up: `lqs --help` and `lqs query "select 1"`, wall time of the whole process.

    python -m benchmarks.startup [--repeat 5]

Each command runs --repeat times as a fresh process (after one untimed warm-up that fills the OS
file cache and __pycache__); the median is reported. `lqs query` reads a small warehouse made
once for the purpose (the demo NIH harvest replayed from demo/demo.warc.gz). Target: --help
< 0.5 s. Also printed: `python -X importtime` of both, the modules with the largest cumulative
import time (where start-up goes).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import time
from pathlib import Path

from benchmarks import _common as C

LQS = str(C.BIN / "lqs")


def _time(cmd: list[str], env: dict) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-1500:]}")
    return seconds


def demo_warehouse(folder: Path) -> dict:
    """A small warehouse to query (the NIH source replayed from the demo archive)."""
    env = {**os.environ, "LQS_WAREHOUSE": str(folder / "warehouse.duckdb"), "LQS_ARCHIVE": str(folder / "archive")}
    code = ("from config.load import load; from flows.pipeline import run_locally; c = load(); "
            "run_locally(c, [c.source('nih-chestxray14')], 'refresh', replay=['demo/demo.warc.gz'])")
    subprocess.run([C.PYTHON, "-c", code], env=env, cwd=str(C.ROOT), check=True, capture_output=True, timeout=300)
    return env


def import_profile(env: dict, args: list[str], top: int = 8) -> list[tuple[str, float]]:
    """(module, cumulative seconds) of the slowest imports of `lqs ARGS`, at most two levels
    deep (a package and what it pulls in directly)."""
    proc = subprocess.run([C.PYTHON, "-X", "importtime", "-c", f"import sys; sys.argv=['lqs', *{args!r}];"
                           " from cli import main; main()"], env=env, cwd=str(C.ROOT),
                          capture_output=True, text=True, timeout=120)
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if m and len(m.group(2)) <= 3:
            rows.append((m.group(3), int(m.group(1)) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:top]


def run(repeat: int = 5) -> dict:
    work = C.tempdir("lqs-bench-startup-")
    try:
        env = demo_warehouse(work)
        commands = {"help": [LQS, "--help"], "query": [LQS, "query", "select 1"]}
        for cmd in commands.values():   # warm-up, untimed
            _time(cmd, env)
        times: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(repeat):
            for name, cmd in commands.items():
                times[name].append(_time(cmd, env))
        result = {"repeat": repeat, **{f"{k}_s": v for k, v in times.items()},
                  **{f"{k}_median_s": C.median(v) for k, v in times.items()},
                  "imports_help": import_profile(env, ["--help"]),
                  "imports_query": import_profile(env, ["query", "select 1"]), "target_help_s": 0.5}
        C.save("startup", result)
        return result
    finally:
        C.rmtree(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    r = run(args.repeat)
    for name in ("help", "query"):
        print(f"slowest imports of `lqs {name}` (cumulative s): " +
              ", ".join(f"{m} {s:.2f}" for m, s in r[f"imports_{name}"]))
    print(f"lqs query \"select 1\": {r['query_median_s']:.3f} s (median of {args.repeat})")
    met = "met" if r["help_median_s"] < r["target_help_s"] else "missed"
    print(C.result_line("lqs --help", r["help_median_s"], "s",
                        f"median of {args.repeat}; lqs query {r['query_median_s']:.3f} s; target < 0.5 s {met}"))


if __name__ == "__main__":
    main()
