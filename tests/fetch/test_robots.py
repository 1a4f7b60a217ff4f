"""robots.txt: fetched once per origin per run, obeyed for every URL and redirect hop, Crawl-delay
honoured, unreadable robots treated as RFC 9309 says, and configured exceptions logged loudly."""
from __future__ import annotations

import logging

import pytest

from fetchkit import USER_AGENT, Reply, quick_settings

ROBOTS = b"User-agent: *\nDisallow: /private\n"


def test_a_disallowed_url_is_skipped_with_its_reason_and_never_requested(site, make_fetcher):
    site.route("/robots.txt", Reply(200, ROBOTS))
    site.route("/open", Reply(200, b"fine"))
    fetcher = make_fetcher()

    skipped = fetcher.get(site.url("/private/data"), "ds")
    allowed = fetcher.get(site.url("/open"), "ds")

    assert skipped.outcome == "skipped-robots" and "robots.txt" in skipped.error
    assert allowed.ok and allowed.body == b"fine"
    assert site.seen("/private/data") == []
    rows = {r["url"]: r for r in fetcher.take_ledger("ds")}
    assert rows[site.url("/private/data")]["outcome"] == "skipped-robots"
    assert "robots.txt" in rows[site.url("/private/data")]["error"]
    assert rows[site.url("/robots.txt")]["purpose"] == "robots"


def test_robots_is_fetched_once_per_origin_per_run_across_batches(site, make_fetcher):
    site.route("/robots.txt", Reply(200, ROBOTS))
    site.route("/a", Reply(200, b"a"))
    batch_1, batch_2 = make_fetcher(run_id="run-robots-1"), make_fetcher(run_id="run-robots-1")
    for fetcher in (batch_1, batch_2, batch_1):
        assert fetcher.get(site.url("/a"), "ds").ok
    assert len(site.seen("/robots.txt")) == 1

    make_fetcher(run_id="run-robots-2").get(site.url("/a"), "ds")   # the next run asks again
    assert len(site.seen("/robots.txt")) == 2


def test_crawl_delay_spaces_requests_when_larger_than_min_delay(site, make_fetcher):
    site.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 0.3\n"))
    site.route("/p", Reply(200, b"p"))
    fetcher = make_fetcher(quick_settings(politeness={"min_delay": 0.05}))
    for _ in range(4):
        assert fetcher.get(site.url("/p"), "ds").ok

    starts = [s.start for s in site.seen("/p")]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.25, gaps   # Crawl-delay 0.3 wins over min_delay 0.05


@pytest.mark.parametrize("how", ["ignore_robots_hosts", "host override"])
def test_ignored_robots_are_fetched_and_warned_once_per_host(site, make_fetcher, caplog, how):
    site.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /\n"))
    site.route("/p", Reply(200, b"p"))
    settings = quick_settings(politeness={"ignore_robots_hosts": ["127.0.0.1"]}) if how == "ignore_robots_hosts" \
        else quick_settings(hosts={"127.0.0.1": {"obey_robots": False}})
    fetcher = make_fetcher(settings)

    with caplog.at_level(logging.WARNING, logger="lqs.fetch"):
        results = [fetcher.get(site.url("/p"), "ds") for _ in range(3)]

    assert all(r.ok for r in results)
    assert site.seen("/robots.txt") == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "127.0.0.1" in r.getMessage()]
    assert len(warnings) == 1 and "IGNORING robots.txt" in warnings[0].getMessage()


@pytest.mark.parametrize("robots, outcome", [
    (Reply(404, b"none"), "ok"),                    # missing: no rules (RFC 9309 2.3.1.3)
    (Reply(503, b"down"), "skipped-robots"),        # unreachable: complete disallow (2.3.1.4)
    (Reply(stall=2.0), "skipped-robots"),           # times out: unreachable too
])
def test_missing_robots_allows_and_unreadable_robots_disallows(site, make_fetcher, robots, outcome):
    site.route("/robots.txt", robots)
    site.route("/p", Reply(200, b"p"))
    got = make_fetcher().get(site.url("/p"), "ds")
    assert got.outcome == outcome
    if outcome == "skipped-robots":
        assert "unreadable" in got.error and site.seen("/p") == []


def test_a_redirect_into_a_disallowed_path_on_another_host_is_not_followed(make_site, make_fetcher):
    origin, other = make_site(), make_site("localhost")
    origin.route("/go", Reply(302, headers={"Location": other.url("/private/x")}))
    other.route("/robots.txt", Reply(200, ROBOTS))

    got = make_fetcher().get(origin.url("/go"), "ds")

    assert got.outcome == "skipped-robots" and "redirect to" in got.error
    assert len(other.seen("/robots.txt")) == 1 and other.seen("/private/x") == []


def test_a_host_with_its_own_user_agent_gets_it_and_its_robots_group_applies(make_site, make_fetcher):
    own, other = make_site(), make_site("localhost")
    own.route("/robots.txt", Reply(200, b"User-agent: OtherBot\nDisallow: /x\n\nUser-agent: *\nDisallow: /y\n"))
    own.route("/y", Reply(302, headers={"Location": other.url("/z")}))
    other.route("/z", Reply(200, b"z"))
    fetcher = make_fetcher(quick_settings(hosts={"127.0.0.1": {"user_agent": "OtherBot/2.0 (+ops@example.org)"}}))

    assert fetcher.get(own.url("/x"), "ds").outcome == "skipped-robots"   # OtherBot's group
    assert fetcher.get(own.url("/y"), "ds").ok                             # not the * group

    assert {s.headers["user-agent"] for s in own.seen()} == {"OtherBot/2.0 (+ops@example.org)"}
    assert {s.headers["user-agent"] for s in other.seen()} == {USER_AGENT}  # the redirect target's own
