"""Paging loops: the real Box adapter follows pages (pageCount) and subfolders; a page URL met a
second time (listed again, or reached by a redirect) ends that branch of the walk with a warning
instead of going round again."""
from __future__ import annotations

from fetchkit import Reply, box_page, html_type, quick_settings
from config.load import Source
from flows.harvest import collect

SETTINGS = quick_settings(politeness={"obey_robots": False})


def box_source(site) -> Source:
    return Source("looping", "Looping share", site.url("/v/share"), "Medical Imaging", adapter="box")


def page(text: str) -> Reply:
    return Reply(200, text.encode(), html_type())


def test_a_folder_listing_itself_ends_the_walk_with_a_warning(site, make_fetcher):
    # Root page 1 of 2 -> page 2 lists folder 2000 -> folder 2000 lists itself.
    site.route("/v/share", page(box_page("Share", page_count=2)))
    site.route("/v/share?page=2", page(box_page("Share", files=1, folders=(2000,))))
    site.route("/v/share/folder/2000", page(box_page("Sub", folder_id=2000, root_id=1000, folders=(2000,))))

    result = collect(box_source(site), make_fetcher(SETTINGS), SETTINGS)

    assert result.status == "ok", result.error
    assert result.pages == 3
    assert any(w.startswith("paging loop: " + site.url("/v/share/folder/2000")) for w in result.warnings)
    assert sorted(s.path for s in site.seen()) == ["/v/share", "/v/share/folder/2000", "/v/share?page=2"]
    assert {f["field"] for f in result.facts} >= {"title", "size_bytes", "file_count"}


def test_a_page_redirecting_to_one_already_read_ends_the_walk(site, make_fetcher):
    site.route("/v/share", page(box_page("Share", page_count=2)))
    site.route("/v/share?page=2", Reply(302, headers={"Location": "/v/share"}))

    result = collect(box_source(site), make_fetcher(SETTINGS), SETTINGS)

    assert result.status == "ok", result.error
    assert result.pages == 1
    assert any("redirects to" in w and "already read" in w for w in result.warnings)
