"""Per-host politeness under a real run: each host sees at most its per_host_concurrency requests
at once and starts no closer than its min_delay (hosts."x" overrides the defaults), while the
run's thread pool (politeness.global_concurrency) works on several hosts at the same time and
never exceeds its own bound. Servers record arrivals; tolerances are generous on purpose."""
from __future__ import annotations

from fetchkit import Reply, box_page, html_type, quick_settings
from flows.pipeline import run_locally

STALL = 0.2   # each page takes this long to answer, so requests overlap unless held back


def serve_pages(site, prefix: str, count: int, stall: float = STALL) -> list[dict]:
    for n in range(count):
        site.route(f"/v/{prefix}{n}", Reply(200, box_page(f"{prefix} {n}").encode(), html_type(), stall=stall))
    return [{"id": f"{prefix}{n}", "url": site.url(f"/v/{prefix}{n}")} for n in range(count)]


def page_gaps(site) -> list[float]:
    """Seconds between arrivals of page requests (robots.txt opens the connection: noisier)."""
    starts = sorted(s.start for s in site.seen() if s.path.startswith("/v/"))
    return [b - a for a, b in zip(starts, starts[1:])]


def most_at_once(*sites) -> int:
    """The most requests in flight at one moment, over all these servers."""
    events = sorted((t, step) for site in sites for s in site.seen() for t, step in ((s.start, 1), (s.end, -1)))
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return peak


def test_each_host_gets_its_own_concurrency_and_delay_while_hosts_run_in_parallel(make_site, make_config):
    a, b = make_site(), make_site("localhost")
    settings = quick_settings(
        politeness={"per_host_concurrency": 2, "min_delay": 0.05, "global_concurrency": 6},
        hosts={"localhost": {"per_host_concurrency": 1, "min_delay": 0.15}})
    config = make_config(serve_pages(a, "a", 8) + serve_pages(b, "b", 8), settings)

    summary = run_locally(config, config.sources, "refresh")

    assert summary["sources_ok"] == 16
    assert a.max_in_flight == 2 and b.max_in_flight == 1
    assert min(page_gaps(a)) >= 0.05 / 2 and min(page_gaps(b)) >= 0.15 / 2   # arrival jitter, not the client
    assert most_at_once(a, b) == 3   # both hosts were being fetched at the same moment


def test_the_global_pool_bounds_requests_across_hosts(make_site, make_config):
    a, b = make_site(), make_site("localhost")
    settings = quick_settings(politeness={"per_host_concurrency": 4, "min_delay": 0.0, "global_concurrency": 2})
    config = make_config(serve_pages(a, "a", 8, stall=0.1) + serve_pages(b, "b", 8, stall=0.1), settings)

    assert run_locally(config, config.sources, "refresh")["sources_ok"] == 16
    assert most_at_once(a, b) == 2
