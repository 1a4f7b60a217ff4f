"""The static catalog site `lqs publish` writes (index.html, cards/<id>.html), checked in a real
browser: headless Chromium (the Debian package) driven by Playwright, axe-core from a local npm
copy. Built once per session from the demo catalog replayed offline."""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import re
import threading
from pathlib import Path

import pytest

from tests.support import refresh_demo

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "var" / "test-artifacts" / "site"
DIMENSIONS = ["Completeness", "Uniqueness", "Validation", "Size adequacy", "Format compliance",
              "Label density", "Class balance"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo warehouse after one offline refresh, and the folder one publish wrote."""
    from warehouse.db import Warehouse
    from warehouse.publish import publish, report_dict

    folder = tmp_path_factory.mktemp("site-demo")
    _, _, warehouse_path = refresh_demo(folder)
    warehouse = Warehouse(warehouse_path, 30.0)
    out = folder / "public"
    report = report_dict(publish(warehouse, out))
    return warehouse, out, report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install it with `apt-get install -y chromium` (browser tests skipped)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright not installed: `pip install -e '.[test]'` (browser tests skipped)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and uncaught exceptions; a test that loads a
    page with either fails at teardown."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda m: m.type == "error" and tab.errors.append(f"console: {m.text} ({m.location})"))
    tab.on("pageerror", lambda e: tab.errors.append(f"pageerror: {e}"))
    # No request may leave the folder: any http(s) request is an external asset.
    tab.on("request", lambda r: r.url.startswith(("http:", "https:")) and not r.url.startswith("http://127.0.0.1")
           and tab.errors.append(f"external request: {r.url}"))
    yield tab
    context.close()
    assert tab.errors == []


@pytest.fixture
def axe():
    if not AXE.is_file():
        pytest.skip(f"{AXE} not found: run `npm ci --prefix tests/site` (accessibility test skipped)")
    return AXE


def url(out: Path, name: str) -> str:
    return (out / name).as_uri()


def visible_titles(page) -> list[str]:
    return page.eval_on_selector_all("#catalog tbody tr:not([hidden]) th", "cells => cells.map(c => c.innerText)")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


# ---------------------------------------------------------------------------- the files
def test_publish_writes_the_index_and_one_card_page_per_dataset_listed_in_the_manifest(demo):
    warehouse, out, report = demo
    with warehouse.reader() as con:
        ids = [r[0] for r in con.execute("select dataset_id from datasets order by 1").fetchall()]
    pages = {"index.html"} | {f"cards/{i}.html" for i in ids}
    assert pages <= set(report["files"]) and pages <= set(report["written"])
    manifest = {f["path"]: f for f in json.loads((out / "manifest.json").read_text())["files"]}
    for name in pages:
        data = (out / name).read_bytes()
        assert manifest[name]["sha256"] == hashlib.sha256(data).hexdigest()
        text = data.decode("utf-8")
        assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
        # No external assets: no linked script, stylesheet, font or image.
        assert not re.search(r"<script[^>]+src=|<link[^>]+stylesheet|@import|url\(|<img|@font-face", text), name


def test_a_second_publish_without_changes_rewrites_no_file(demo):
    from warehouse.publish import publish

    warehouse, out, _ = demo
    before = {str(p.relative_to(out)): (p.stat().st_mtime_ns, p.stat().st_ino, p.read_bytes())
              for p in sorted(out.rglob("*")) if p.is_file()}
    again = publish(warehouse, out)
    assert again.written == [] and again.removed == []
    after = {str(p.relative_to(out)): (p.stat().st_mtime_ns, p.stat().st_ino, p.read_bytes())
             for p in sorted(out.rglob("*")) if p.is_file()}
    assert after == before


def test_scraped_text_is_escaped_and_only_web_links_become_links():
    from warehouse.site import web_url

    assert web_url("javascript:alert(1)") is None and web_url("data:text/html,x") is None
    assert web_url("https://example.org/a?b=1") == "https://example.org/a?b=1" and web_url(None) is None
    from warehouse.site import _environment

    html = _environment().from_string("{{ v }}").render(v='<script>alert("x")</script>')
    assert html == "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


# ---------------------------------------------------------------------------- in the browser
def test_every_page_loads_without_console_errors(demo, page):
    _, out, _ = demo
    names = ["index.html"] + sorted(str(p.relative_to(out)) for p in (out / "cards").glob("*.html"))
    assert len(names) > 20
    for name in names:
        page.goto(url(out, name))
        assert page.locator("main h2, main table").count() > 0, name
        assert page.errors == [], name


def test_the_nih_card_shows_its_score_tier_dimensions_and_licence(demo, page):
    _, out, _ = demo
    page.goto(url(out, "cards/nih-chestxray14.html"))
    assert page.title().startswith("NIH ChestX-ray14")
    score = page.locator("section[aria-labelledby=score]")
    assert score.locator(".score").inner_text() == "81"
    assert score.locator(".tier").first.inner_text() == "gold"
    assert page.locator(".dim-name").all_inner_texts() == DIMENSIONS
    assert len(page.locator(".dimensions .evidence").all_inner_texts()) == 7
    about = page.locator("section[aria-labelledby=about]").inner_text()
    assert "CC0-1.0 (commercial use OK)" in about and "112,120 images" in about and "30,805" in about
    facts = page.locator("section[aria-labelledby=facts]").inner_text()
    assert "box@1.0.0" in facts and "18bbbf36ad65a66c" in facts       # extractor, archived body
    screenshot(page, "card-nih-chestxray14.png")


def test_sorting_and_filtering_change_the_visible_rows_of_the_index(demo, page):
    warehouse, out, _ = demo
    with warehouse.reader() as con:
        catalog = con.execute("select dataset_id, category, lqs from catalog").fetchall()
        best = con.execute("select title from catalog order by lqs desc, title limit 1").fetchall()[0][0]
    page.goto(url(out, "index.html"))
    screenshot(page, "index.png")
    rows = page.locator("#catalog tbody tr")
    assert rows.count() == len(catalog)
    first = visible_titles(page)
    assert first[0] == best                              # opens sorted by LQS, best first
    nih = page.locator("#catalog tbody tr", has_text="NIH ChestX-ray14").inner_text()
    for text in ("Medical Imaging", "81", "gold", "7 of 7 evidenced", "CC0-1.0", "commercial use OK", "45 GB",
                 "112,120 images"):
        assert text in nih
    lqs_header = page.locator("#catalog thead th", has_text="LQS")
    assert lqs_header.get_attribute("aria-sort") == "descending"

    lqs_header.locator("button").click()                 # reversed: lowest LQS first
    assert lqs_header.get_attribute("aria-sort") == "ascending"
    scores = [int(s) for s in page.eval_on_selector_all(
        "#catalog tbody tr td:nth-of-type(2)", "cells => cells.map(c => c.dataset.sort)")]
    assert scores == sorted(r[2] for r in catalog)
    assert visible_titles(page) != first and visible_titles(page)[-1] == best

    title_header = page.locator("#catalog thead th", has_text="Dataset")
    title_header.locator("button").click()
    assert title_header.get_attribute("aria-sort") == "ascending" and lqs_header.get_attribute("aria-sort") is None
    assert visible_titles(page) == sorted(first, key=str.casefold)

    page.get_by_label("Search").fill("chest")
    assert visible_titles(page) == sorted([t for t in first if "chest" in t.lower()], key=str.casefold)
    page.get_by_label("Search").fill("")
    page.get_by_label("Category").select_option("Tabular")
    tabular = sum(1 for r in catalog if r[1] == "Tabular")
    assert 0 < len(visible_titles(page)) == tabular < len(catalog)
    assert page.locator("#filter-status").inner_text() == f"{tabular} of {len(catalog)} datasets shown"
    page.get_by_label("Search").fill("no dataset is called this")
    assert visible_titles(page) == []


def test_the_index_links_every_dataset_and_every_link_resolves(demo, page):
    warehouse, out, _ = demo
    with warehouse.reader() as con:
        ids = {r[0] for r in con.execute("select dataset_id from datasets").fetchall()}
    page.goto(url(out, "index.html"))
    hrefs = page.eval_on_selector_all("#catalog tbody a", "links => links.map(a => a.href)")
    assert {h.rsplit("/", 1)[-1].removesuffix(".html") for h in hrefs} == ids
    local = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    for href in [h for h in local if h.startswith("file:")]:
        assert Path(href.removeprefix("file://").split("#")[0]).is_file(), href
    page.locator("#catalog tbody a", has_text="NIH ChestX-ray14").click()
    assert page.url.endswith("/cards/nih-chestxray14.html")
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
        if href.startswith("file:"):
            assert Path(href.removeprefix("file://").split("#")[0]).is_file(), href


def test_axe_reports_no_serious_or_critical_violations(demo, page, axe):
    _, out, _ = demo
    for name in ("index.html", "cards/nih-chestxray14.html"):
        page.goto(url(out, name))
        page.add_script_tag(path=str(axe))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == [], name


def test_the_site_works_from_a_static_http_server(demo, page):
    _, out, _ = demo
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
        page.get_by_label("Category").select_option("Medical Imaging")
        page.locator("#catalog tbody a", has_text="NIH ChestX-ray14").click()
        page.wait_for_url("**/cards/nih-chestxray14.html")
        assert page.locator(".score").inner_text() == "81"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# ---------------------------------------------------------------------------- history, conflicts, gaps
@pytest.fixture(scope="session")
def small(tmp_path_factory):
    """The two-source test site of tests/warehouse after all four refreshes (birds: conflicting
    sources; soil: licence changed, then withdrawn), plus a dataset never harvested whose name
    and URL are hostile markup. Published once."""
    import shutil

    from tests.warehouse.conftest import SETTINGS_TOML, SOURCES_TOML, Env, site, write_warc
    from warehouse.publish import publish

    base = tmp_path_factory.mktemp("site-small")
    (base / "config").mkdir()
    shutil.copy(ROOT / "config" / "lqs.toml", base / "config" / "lqs.toml")
    (base / "config" / "sources.toml").write_text(SOURCES_TOML)
    (base / "config" / "settings.toml").write_text(SETTINGS_TOML)
    (base / "archives").mkdir()
    env = Env(base, base / "var")
    for version in (1, 2, 3, 4):
        write_warc(base / "archives" / f"v{version}.warc.gz", site(version))
        env.refresh(version)
    with env.warehouse().writer("test") as w, w.transaction() as con:
        con.execute("insert into datasets (dataset_id, name, category, source_url) values (?, ?, ?, ?)",
                    ["hostile", '<script>window.hacked = 1</script>Hostile', "Tabular", "javascript:window.hacked=1"])
    out = base / "public"
    publish(env.warehouse(), out)
    return out


def test_a_card_shows_conflicts_licence_history_withdrawal_and_gaps(small, page):
    page.goto(url(small, "cards/birds.html"))
    conflicts = page.locator("section[aria-labelledby=conflicts]").inner_text()
    assert "CC-BY-4.0" in conflicts and "CC-BY-NC-4.0" in conflicts and "api.datacite.org" in conflicts
    page.goto(url(small, "cards/soil.html"))
    assert "Withdrawn" in page.locator("header").inner_text()
    history = page.locator("section[aria-labelledby=history]").inner_text()
    assert "CC-BY-4.0 → CC-BY-NC-4.0" in history and "⚠ licence" in history and "withdrawn" in history
    assert "commercial use OK → non-commercial" in history and "2.0 MB (2,049,500 bytes) → 2.6 MB" in history
    gaps = page.locator("section[aria-labelledby=gaps] li").all_inner_texts()
    defaults = [d for d in page.locator(".dim-head").all_inner_texts() if "default (no evidence)" in d]
    assert len(gaps) == len(defaults) > 0


def test_a_dataset_without_a_score_is_unrated_and_hostile_text_stays_text(small, page):
    page.goto(url(small, "index.html"))
    row = page.locator("#catalog tbody tr", has_text="Hostile")
    assert "unrated" in row.inner_text() and "never" in row.inner_text()
    assert page.locator("#catalog tbody tr").last.inner_text() == row.inner_text()   # unrated sort last
    row.locator("a").click()
    assert page.locator("h1").inner_text() == "<script>window.hacked = 1</script>Hostile"
    assert "unrated" in page.locator("section[aria-labelledby=score]").inner_text()
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.evaluate("() => window.hacked") is None


def test_axe_reports_no_serious_violations_on_cards_with_history_conflicts_and_gaps(small, page, axe):
    for name in ("cards/birds.html", "cards/soil.html", "cards/hostile.html"):
        page.goto(url(small, name))
        page.add_script_tag(path=str(axe))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == [], name


def test_axe_finds_what_it_should(tmp_path, page, axe):
    """The check itself works: an unlabelled input and grey-on-grey text are reported."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>x</title><link rel="icon" href="data:,"></head>'
                   '<body><main><input type="text"><p style="color:#aaa;background:#bbb">faint</p></main></body></html>')
    page.goto(bad.as_uri())
    page.add_script_tag(path=str(axe))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert {"label", "color-contrast"} <= {v["id"] for v in result["violations"]}


def test_printed_pages_hide_the_controls_and_keep_the_content(demo, page):
    _, out, _ = demo
    page.goto(url(out, "index.html"))
    page.emulate_media(media="print")
    assert not page.locator(".controls").is_visible() and page.locator("#catalog").is_visible()
    page.goto(url(out, "cards/nih-chestxray14.html"))
    page.emulate_media(media="print")
    assert page.locator(".dimensions").is_visible() and not page.locator("nav").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "card-nih-chestxray14.pdf"), format="A4")
    assert (ARTIFACTS / "card-nih-chestxray14.pdf").read_bytes().startswith(b"%PDF")
