"""Cost of the per-document extraction budget: each page extracted in a worker process
(flows/extract_budget.py) instead of the harvest thread.

Measures, for a small API record (1 KB), a landing page (~60 KB) and a 5 MB JSON body: the median
time of registry detect+run in-process and through a warm Budget worker (pickling the body and the
Extraction across a pipe), and the one-off cost of starting the forkserver and a worker."""
from __future__ import annotations

import argparse
import json
import time

from benchmarks import _common as C

PACKAGE = {"name": "r", "title": "Readings", "licenses": [{"name": "CC-BY-4.0"}],
           "resources": [{"path": "a.csv", "format": "csv"}]}


def _bodies() -> dict[str, tuple[bytes, str | None]]:
    page = ("<!doctype html><html><head><title>Readings</title></head><body>" +
            "<p>The dataset has 1,000 images under CC-BY-4.0. <a href='/x'>x</a></p>\n" * 800 + "</body></html>")
    files = [{"path": f"part-{i}.csv", "format": "csv", "bytes": i} for i in range(60_000)]
    return {"record_1kb": (json.dumps(PACKAGE).encode(), "application/json"),
            "page_60kb": (page.encode(), "text/html"),
            "json_5mb": (json.dumps(dict(PACKAGE, resources=files)).encode(), "application/json")}


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return C.median(times)


def run(repeat: int = 30) -> dict:
    from flows.extract_budget import Budget, detect_and_run

    result: dict = {"repeat": repeat}
    started = time.perf_counter()
    budget = Budget(10.0, workers=1)
    budget.call(detect_and_run, None, None, None, b"{}", None)   # forkserver + first worker
    result["first_worker_s"] = round(time.perf_counter() - started, 3)
    try:
        for name, (body, ctype) in _bodies().items():
            detect_and_run(None, None, None, body, ctype)   # warm caches
            local = _median_time(lambda: detect_and_run(None, None, None, body, ctype), repeat)
            remote = _median_time(lambda: budget.call(detect_and_run, None, None, None, body, ctype), repeat)
            result[name] = {"bytes": len(body), "in_process_ms": round(local * 1000, 3),
                            "in_worker_ms": round(remote * 1000, 3),
                            "overhead_ms": round((remote - local) * 1000, 3)}
    finally:
        budget.close()
    C.save("extract_budget", result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    r = run(args.repeat)
    print(f"forkserver and first worker: {r['first_worker_s']:.3f} s (once per batch)")
    for name in ("record_1kb", "page_60kb", "json_5mb"):
        m = r[name]
        print(C.result_line(f"extract budget overhead {name}", m["overhead_ms"], "ms",
                            f"in-process {m['in_process_ms']} ms, in worker {m['in_worker_ms']} ms, "
                            f"median of {args.repeat}"))


if __name__ == "__main__":
    main()
