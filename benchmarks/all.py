"""Every benchmark, each repeated (5 by default where feasible), medians written to
var/bench/all.json and to the results table of benchmarks/README.md.

    python -m benchmarks.all [--repeat 5] [--quick]

Order: startup, profile, score (100,000 datasets), fetch vs Scrapy (2,000 sources), refresh
(2,000 sources: baseline, full, incremental, --repeat times), refresh (10,000 sources, once, no
baseline: the memory figure). About 35-45 minutes on 2 cores. --quick: fewer sources and
datasets, 2 repetitions (a smoke run; the table is not written).
"""
from __future__ import annotations

import argparse
import re
import time

from benchmarks import _common as C

README = C.ROOT / "benchmarks" / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _target(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(r: dict) -> str:
    """The results table (markdown) from the medians."""
    from benchmarks import score

    lines = [f"Machine: {C.machine_line()}. Measured {time.strftime('%Y-%m-%d')}, "
             f"median of {r['repeat']} runs unless noted.", "",
             "| benchmark | figure | ratio / detail | target |", "|---|---|---|---|"]
    s = r["startup"]
    lines.append(f"| `lqs --help` | {s['help_median_s']:.2f} s | `lqs query \"select 1\"` {s['query_median_s']:.2f} s "
                 f"| < 0.5 s: {_target(s['help_median_s'] < 0.5)} |")
    p = r["profile"]
    lines.append(f"| NIH label profile (112,120 rows) | {p['lqs_median_s']:.2f} s | pandas {p['pandas_median_s']:.2f} s "
                 f"(lqs/pandas {p['ratio']:.2f}×) | < 1 s: {_target(p['lqs_median_s'] < 1)} |")
    sc = r["score"]
    lines.append(f"| LQS scoring, {sc['datasets']:,} datasets | {sc['median_s']:.1f} s | the query (evidence and "
                 f"formulas) {sc['formulas_s']:.1f} s, write ≈ {sc['write_s']:.1f} s; the scoring of {score.LEGACY_COMMIT} "
                 f"{sc['legacy_s'] or float('nan'):.1f} s (once, same run) "
                 f"| < 2 s: {_target(sc['median_s'] < 2)} |")
    f = r["fetch"]
    if "scrapy" in f:
        lines.append(f"| fetch stage, {f['urls']:,} URLs | Fetcher {f['fetcher']['pages_per_s']:.0f} pages/s, "
                     f"with WARC {f['fetcher+warc']['pages_per_s']:.0f} | Scrapy {f['scrapy']['pages_per_s']:.0f} pages/s "
                     f"(Fetcher/Scrapy {f['ratio_fetcher_to_scrapy']:.2f}×, with WARC "
                     f"{f['ratio_fetcher+warc_to_scrapy']:.2f}×) | — |")
    else:
        lines.append(f"| fetch stage, {f['urls']:,} URLs | Fetcher {f['fetcher']['pages_per_s']:.0f} pages/s | "
                     "Scrapy not installed | — |")
    rf = r["refresh"]
    full, inc = rf["full"], rf["incremental"]
    if "baseline" in rf:
        b = rf["baseline"]
        lines.append(f"| baseline, {rf['sources']:,} sources | {b['wall_s']:.1f} s ({b['sources_per_s']:.0f} sources/s) "
                     f"| CPU {b['cpu_s']:.0f} s, peak RSS {b['peak_rss_mib']:.0f} MiB | — |")
        ratio = (f"{rf['ratio_full_to_baseline']:.2f}× baseline wall, {rf['cpu_ratio_full_to_baseline']:.2f}× CPU; ",
                 f"≤ 1.3×: {_target(rf['ratio_full_to_baseline'] <= 1.3)}")
    else:
        ratio = ("", "—")
    lines.append(f"| full `lqs refresh`, {rf['sources']:,} sources | {full['wall_s']:.1f} s "
                 f"({full['sources_per_s']:.0f} sources/s) | {ratio[0]}CPU {full['cpu_s']:.0f} s, "
                 f"peak RSS {full['peak_rss_mib']:.0f} MiB | {ratio[1]} |")
    lines.append(f"| incremental `lqs refresh` (all 304) | {inc['wall_s']:.1f} s | "
                 f"{rf['ratio_incremental_to_full']:.0%} of full | ≤ 15%: "
                 f"{_target(rf['ratio_incremental_to_full'] <= 0.15)} |")
    big = r.get("refresh_big")
    if big:
        lines.append(f"| full `lqs refresh`, {big['sources']:,} sources (1 run) | {big['full']['wall_s']:.0f} s "
                     f"({big['full']['sources_per_s']:.0f} sources/s) | peak RSS {big['full']['peak_rss_mib']:.0f} MiB; "
                     f"incremental {big['incremental']['wall_s']:.0f} s, {big['incremental']['peak_rss_mib']:.0f} MiB "
                     f"| < 1 GiB: {_target(big['full']['peak_rss_mib'] < 1024)} |")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    README.write_text(pattern.sub(START + "\n" + text + "\n" + END, readme))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from benchmarks import fetch_vs_scrapy, profile, refresh, score, startup

    repeat = 2 if args.quick else args.repeat
    sources, big, datasets = (200, 1000, 10_000) if args.quick else (2000, 10_000, 100_000)
    started = time.monotonic()
    r: dict = {"repeat": repeat, "machine": C.machine()}

    def step(name, fn):
        print(f"== {name}", flush=True)
        t = time.monotonic()
        r[name] = fn()
        print(f"   ({time.monotonic() - t:.0f} s)", flush=True)

    step("startup", lambda: startup.run(repeat))
    step("profile", lambda: profile.run(repeat))
    step("score", lambda: score.run(datasets, repeat))
    step("fetch", lambda: fetch_vs_scrapy.run(sources, repeat))
    step("refresh", lambda: refresh.run(sources, repeat))
    step("refresh_big", lambda: refresh.run(big, 1, with_baseline=False))
    r["seconds"] = round(time.monotonic() - started)
    C.save("all", r)
    text = table(r)
    print(text)
    if not args.quick:
        write_readme(text)
        print(f"results table written to {README.relative_to(C.ROOT)}")
    rf = r["refresh"]
    print(C.result_line("all", r["seconds"], "s",
                        f"refresh lqs/baseline {rf.get('ratio_full_to_baseline', float('nan')):.2f}x, incremental/full "
                        f"{rf['ratio_incremental_to_full']:.0%}, score {r['score']['median_s']:.1f} s, "
                        f"profile {r['profile']['lqs_median_s']:.2f} s, --help {r['startup']['help_median_s']:.2f} s"))


if __name__ == "__main__":
    main()
