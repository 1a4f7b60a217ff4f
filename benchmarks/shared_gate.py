"""Cost per request of the shared (Prefect-held) per-host gate against the in-process one.

    PREFECT_API_URL=http://127.0.0.1:4200/api python -m benchmarks.shared_gate [--requests 200]

Without PREFECT_API_URL a temporary Prefect server is started (~25 s on a fresh home). Each
request here is only the gate (no HTTP): enter, leave. Reported: median and p95 milliseconds per
request for the local gate, the shared gate with min_delay 0 (in-flight + run cap: take and release
a lease, two API calls) and with a spacing limit (one more call; its decay set so fast that it
never makes us wait, so the figure is the calls, not min_delay)."""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
import uuid


def measure(state, host, policy, delay, n) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        with state.slot(host, policy, delay, 8):
            pass
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name, ms) -> None:
    ms = sorted(ms)
    print(f"{name:34s} median {statistics.median(ms):7.2f} ms   p95 {ms[int(len(ms) * 0.95) - 1]:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    harness = contextlib.nullcontext()
    if not os.environ.get("PREFECT_API_URL"):
        from prefect.testing.utilities import prefect_test_harness

        harness = prefect_test_harness(server_startup_timeout=120)
    from fetch.http import HostPolicy, RunState
    from fetch.shared_gate import SharedLimits, api_url, spacing_name, upsert

    with harness:
        policy = HostPolicy(concurrency=2, min_delay=0.0, obey_robots=False)
        report("in-process gate", measure(RunState(), "bench.example", policy, 0.0, args.requests))
        for label, delay in (("shared, min_delay 0", 0.0), ("shared, with spacing limit", 1e-4)):
            state = RunState()
            state.shared = SharedLimits(f"bench-{uuid.uuid4().hex[:8]}", 8, api_url(), 120.0)
            host = f"bench-{uuid.uuid4().hex[:8]}.example"
            measure(state, host, policy, delay, 3)      # create the limits first
            if delay:   # a decay so fast that the spacing slot never makes us wait: its call is measured
                upsert(state.shared.client, spacing_name(host), 1, 1000.0)
            report(label, measure(state, host, policy, delay, args.requests))
            state.shared.close()


if __name__ == "__main__":
    main()
