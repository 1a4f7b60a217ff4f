"""The fetch stage alone: the project's Fetcher against Scrapy on the same URLs.

    python -m benchmarks.fetch_vs_scrapy --sources 2000 [--repeat 3]

The loopback catalog (benchmarks.catalog_server, its own process, pages pre-rendered) serves N
sources; the URL list is every page a harvest reads: each source's page plus each Box share's
subfolder page (about 1.33 N URLs, 5-200 KB each). Each contender runs as its own process under
benchmarks/_rusage.py and GETs every URL once, 16 at a time:
- scrapy: a Spider over the URLs, CONCURRENT_REQUESTS = CONCURRENT_REQUESTS_PER_DOMAIN = 16, no
  robots.txt, no download delay, no AutoThrottle, no cookies, no retries, the body only counted;
- fetcher: fetch.http.Fetcher.get from a ThreadPoolExecutor of 16 threads, with the refresh
  benchmark's settings (global and per-host concurrency 16, no delay for 127.0.0.1, private
  addresses allowed), robots.txt obeyed (one fetch), ledger kept, no WARC archive;
- fetcher+warc: the same with the run's WARC archive on, as a refresh writes it.
Reported: pages/s of each (median over --repeat, contenders alternating), and fetcher/scrapy.
Scrapy is an optional extra: `.venv/bin/pip install -e '.[bench]'`; without it the scrapy row is
skipped and said so.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

from benchmarks import _common as C

CONCURRENCY = 16


def urls(base: str, sources: int) -> list[str]:
    from benchmarks.catalog_server import KINDS, source_url

    out = []
    for n in range(sources):
        out.append(source_url(base, n))
        if KINDS[n % len(KINDS)] == "box":
            out.append(source_url(base, n) + f"/folder/{6_000_000 + n}")
    return out


# ------------------------------------------------------------------ the contenders (child processes)
def scrapy_worker(url_file: str) -> dict:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    todo = Path(url_file).read_text().split()
    seen = {"pages": 0, "bytes": 0, "errors": 0}

    class Pages(scrapy.Spider):
        name = "pages"

        async def start(self):
            for url in todo:
                yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

        def start_requests(self):   # Scrapy < 2.13
            for url in todo:
                yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

        def parse(self, response):
            seen["pages"] += 1
            seen["bytes"] += len(response.body)

        def failed(self, failure):
            seen["errors"] += 1

    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": CONCURRENCY, "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
        "CONCURRENT_REQUESTS_PER_IP": 0, "DOWNLOAD_DELAY": 0, "RANDOMIZE_DOWNLOAD_DELAY": False,
        "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "COOKIES_ENABLED": False, "RETRY_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "WARNING", "HTTPCACHE_ENABLED": False,
        "DOWNLOAD_MAXSIZE": 0, "DOWNLOAD_WARNSIZE": 0, "USER_AGENT": "lqs-bench",
    })
    started = time.perf_counter()
    process.crawl(Pages)
    process.start()
    return {**seen, "seconds": time.perf_counter() - started}


def fetcher_worker(url_file: str, warc: str | None) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    from fetch.archive import WarcArchive
    from config.load import DEFAULT_SETTINGS
    from fetch.http import Fetcher

    todo = Path(url_file).read_text().split()
    settings = {k: dict(v) for k, v in DEFAULT_SETTINGS.items()}
    settings["http"]["allow_private_addresses"] = True
    settings["politeness"].update(global_concurrency=CONCURRENCY, per_host_concurrency=CONCURRENCY)
    settings["hosts"] = {"127.0.0.1": {"min_delay": 0.0, "per_host_concurrency": CONCURRENCY}}
    archive = WarcArchive(warc) if warc else None
    fetcher = Fetcher(settings, "bench-fetch", archive=archive)
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        results = list(pool.map(lambda u: fetcher.get(u, "bench"), todo))
    seconds = time.perf_counter() - started
    fetcher.close()
    if archive is not None:
        archive.close()
    ok = [r for r in results if r.ok]
    return {"pages": len(ok), "bytes": sum(len(r.body) for r in ok), "errors": len(results) - len(ok),
            "seconds": seconds}


# ------------------------------------------------------------------ the benchmark
def have_scrapy() -> bool:
    return importlib.util.find_spec("scrapy") is not None


def run(sources: int = 2000, repeat: int = 1) -> dict:
    work = C.tempdir("lqs-bench-fetch-")
    contenders = (["scrapy"] if have_scrapy() else []) + ["fetcher", "fetcher+warc"]
    rows: dict[str, list[dict]] = {c: [] for c in contenders}
    try:
        with C.catalog_server(sources, work) as base:
            url_file = work / "urls.txt"
            todo = urls(base, sources)
            url_file.write_text("\n".join(todo))
            for i in range(repeat):
                order = contenders if i % 2 == 0 else contenders[::-1]
                for name in order:
                    out = work / f"{name}-{i}.json"
                    cmd = [C.PYTHON, "-m", "benchmarks.fetch_vs_scrapy", "--worker", name, "--urls", str(url_file),
                           "--out", str(out)]
                    if name == "fetcher+warc":
                        cmd += ["--warc", str(work / f"fetch-{i}.warc.gz")]
                    data = C.measure(cmd, log=work / f"{name}-{i}.log")
                    data.update(json.loads(out.read_text()))
                    if data["pages"] != len(todo):
                        raise RuntimeError(f"{name}: {data['pages']} of {len(todo)} pages ({data['errors']} errors)")
                    data["pages_per_s"] = data["pages"] / data["seconds"]
                    rows[name].append(data)
                    print(f"  [{i + 1}/{repeat}] {name:13s} {data['pages_per_s']:.0f} pages/s, "
                          f"{data['bytes'] / data['seconds'] / 2 ** 20:.0f} MiB/s, {data['cpu_s']:.1f} s CPU, "
                          f"{data['peak_rss_mib']:.0f} MiB", flush=True)
    finally:
        C.rmtree(work)
    result = {"sources": sources, "urls": len(todo), "concurrency": CONCURRENCY, "repeat": repeat,
              "scrapy_installed": have_scrapy(), "runs": rows}
    for name, data in rows.items():
        result[name] = {"pages_per_s": C.median([d["pages_per_s"] for d in data]),
                        "cpu_s": C.median([d["cpu_s"] for d in data]),
                        "peak_rss_mib": C.median([d["peak_rss_mib"] for d in data])}
    if "scrapy" in rows:
        for name in ("fetcher", "fetcher+warc"):
            result[f"ratio_{name}_to_scrapy"] = C.median(
                [f["pages_per_s"] / s["pages_per_s"] for f, s in zip(rows[name], rows["scrapy"])])
    C.save("fetch_vs_scrapy", result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--worker", choices=["scrapy", "fetcher", "fetcher+warc"], help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--warc", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        data = scrapy_worker(args.urls) if args.worker == "scrapy" else fetcher_worker(args.urls, args.warc)
        Path(args.out).write_text(json.dumps(data))
        return
    r = run(args.sources, args.repeat)
    if not r["scrapy_installed"]:
        print("scrapy is not installed (`.venv/bin/pip install -e '.[bench]'`): the scrapy row is skipped",
              file=sys.stderr)
    for name in ("scrapy", "fetcher", "fetcher+warc"):
        if name in r:
            print(f"{name:13s} {r[name]['pages_per_s']:.0f} pages/s, {r[name]['cpu_s']:.1f} s CPU, "
                  f"{r[name]['peak_rss_mib']:.0f} MiB")
    extra = f"median of {r['repeat']}; {r['urls']:,} URLs, concurrency {CONCURRENCY}"
    if "scrapy" in r:
        extra += (f"; scrapy {r['scrapy']['pages_per_s']:.0f} pages/s; fetcher/scrapy "
                  f"{r['ratio_fetcher_to_scrapy']:.2f}x, with WARC {r['ratio_fetcher+warc_to_scrapy']:.2f}x")
    else:
        extra += "; scrapy not installed"
    print(C.result_line("fetch stage (Fetcher)", r["fetcher"]["pages_per_s"], "pages/s", extra))


if __name__ == "__main__":
    main()
