"""Tiny wrapper: run one command and write its wall time, CPU (user+sys) and peak RSS as JSON.

    python -m benchmarks._rusage OUT.json -- CMD ARGS...

RUSAGE_CHILDREN of this fresh process covers exactly CMD and its waited-for descendants.
ru_maxrss is the peak resident set of the largest of them (KiB on Linux)."""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    out, sep, *cmd = sys.argv[1:]
    assert sep == "--" and cmd, "usage: python -m benchmarks._rusage OUT.json -- CMD ..."
    started = time.perf_counter()
    code = subprocess.call(cmd)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "w") as fh:
        json.dump({"returncode": code, "wall_s": wall, "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
                   "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024}, fh)
    sys.exit(code)


if __name__ == "__main__":
    main()
