"""Box shared-folder pages: plain and escaped keys, paging, subfolders, broken pages, totals."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import registry
from extractors.adapters.box import post_stream_data

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "pages" / "nihcc.app.box.com"
SHARE = "https://nihcc.app.box.com/v/ChestXray-NIHCC"
SHARED_NAME = "zx7xbtg7oj9ko9ghmgmsm5zd7tnhhscp"


def page(items, folder_id=1, name="Root", root_id=1, page_count=1, escaped=False) -> bytes:
    data = {"/app-api/enduserapp/shared-item": {"sharedName": SHARED_NAME, "itemID": root_id, "itemType": "folder"},
            "/app-api/enduserapp/shared-folder": {"currentFolderID": folder_id, "currentFolderName": name,
                                                  "pageCount": page_count, "items": items}}
    text = json.dumps(data)
    if escaped:
        text = text.replace("/", "\\/")
    return f"<html><body><script>Box.config = {{}};\nBox.postStreamData = {text};\n</script></body></html>".encode()


def file(fid, name, size, parent=1):
    return {"type": "file", "id": fid, "typedID": f"f_{fid}", "name": name, "itemSize": size, "parentFolderID": parent}


def folder(fid, name, size, count, parent=1):
    return {"type": "folder", "id": fid, "typedID": f"d_{fid}", "name": name, "itemSize": size,
            "filesCount": count, "parentFolderID": parent}


def facts(ex) -> dict:
    return {f.field: f.value for f in ex.facts}


def test_url_detection_and_sniffing():
    assert registry.detect(SHARE, b"") == "box"
    assert registry.detect("https://example.org/x", page([])) == "box"


@pytest.mark.parametrize("escaped", [False, True])
def test_plain_and_escaped_keys_give_the_same_listing(escaped):
    ex = registry.run("box", SHARE, page([file(10, "labels.csv", 100), file(11, "a.tar.gz", 900)], escaped=escaped))
    assert ex.error is None
    assert facts(ex) == {"title": "Root", "size_bytes": 1000, "file_count": 2, "formats": ["CSV", "TAR"]}
    csv = ex.files[0]
    assert csv.url == ("https://nihcc.app.box.com/index.php?rm=box_download_shared_file"
                       f"&shared_name={SHARED_NAME}&file_id=f_10")
    assert (csv.file_id, csv.size_bytes, csv.format) == ("10", 100, "CSV")


def test_nih_root_page_alone_counts_the_images_folder_by_its_stated_totals():
    ex = registry.run("box", SHARE, (DEMO / "root.html").read_bytes())
    assert facts(ex)["size_bytes"] == 45_088_866_280
    assert facts(ex)["file_count"] == 13
    assert facts(ex)["formats"] == ["CSV"]
    assert [f.url for f in ex.follow] == [f"{SHARE}/folder/37178474737"]


def test_nih_images_page_and_the_combined_share():
    images_url = f"{SHARE}/folder/37178474737"
    images = registry.run("box", images_url, (DEMO / "images.html").read_bytes())
    assert (facts(images)["size_bytes"], facts(images)["file_count"], facts(images)["formats"]) == \
        (45_079_862_784, 12, ["TAR"])
    assert "title" not in facts(images)  # a subfolder's name is not the dataset's title
    root = registry.run("box", SHARE, (DEMO / "root.html").read_bytes())
    merged = registry.combine("box", [root, images])
    assert facts(merged) == {"title": "ChestXray-NIHCC", "size_bytes": 45_088_866_280, "file_count": 13,
                             "formats": ["CSV", "TAR"]}
    assert merged.warnings == []  # the folder's itemSize equals the sum of its files
    assert len([f for f in merged.files if f.kind == "file"]) == 13


def test_paging_follows_every_page_once_and_combine_dedupes():
    first = registry.run("box", SHARE, page([file(1, "a.csv", 10)], page_count=3))
    assert [f.url for f in first.follow] == [f"{SHARE}?page=2", f"{SHARE}?page=3"]
    second = registry.run("box", f"{SHARE}?page=2", page([file(2, "b.csv", 20), file(1, "a.csv", 10)], page_count=3))
    assert second.follow == []  # only page 1 announces the other pages
    merged = registry.combine("box", [first, second])
    assert facts(merged)["size_bytes"] == 30 and facts(merged)["file_count"] == 2


def test_folder_total_mismatch_is_warned():
    root = registry.run("box", SHARE, page([folder(5, "imgs", 999, 1)]))
    sub = registry.run("box", f"{SHARE}/folder/5", page([file(7, "x.png", 10, parent=5)], folder_id=5, name="imgs"))
    merged = registry.combine("box", [root, sub])
    assert facts(merged)["size_bytes"] == 10
    assert any("itemSize 999" in w for w in merged.warnings)


def test_single_file_share():
    body = ("<script>Box.postStreamData = " + json.dumps({
        "/app-api/enduserapp/shared-item": {"sharedName": "tok", "itemID": 9, "itemType": "file"},
        "/app-api/enduserapp/item/f_9": {"id": 9, "name": "data.parquet", "itemSize": 5}}) + ";</script>").encode()
    ex = registry.run("box", "https://app.box.com/s/tok", body)
    assert facts(ex) == {"title": "data.parquet", "size_bytes": 5, "file_count": 1, "formats": ["PARQUET"]}


def test_item_without_size_keeps_totals_unstated():
    ex = registry.run("box", SHARE, page([file(1, "a.csv", None), file(2, "b.csv", 3)]))
    assert "size_bytes" not in facts(ex)
    assert any("lack itemSize" in w for w in ex.warnings)


@pytest.mark.parametrize("body, message", [
    (b"<html>hello</html>", "no Box.postStreamData"),
    (b"<script>Box.postStreamData = {\"a\": [1, 2;</script>", "not valid JSON"),
    (b"<script>Box.postStreamData = [1, 2];</script>", "not a JSON object"),
    (b"<script>Box.postStreamData = {\"x\": 1};</script>", "neither a shared-folder"),
    (b"<script>Box.postStreamData = " + b"[" * 100000 + b"</script>", "nested too deeply"),
])
def test_broken_pages_become_extraction_errors(body, message):
    ex = registry.run("box", SHARE, body)
    assert ex.error and message in ex.error


def test_hostile_items_are_skipped_with_warnings():
    items = [None, "x", {"type": "file", "id": "NaN", "name": 3}, file(4, "ok.csv", 1), {"type": "file", "id": True}]
    ex = registry.run("box", SHARE, page(items))
    assert ex.error is None
    assert [f.name for f in ex.files] == ["ok.csv"]
    assert len(ex.warnings) == 4


def test_post_stream_data_stops_at_the_end_of_the_object():
    text = 'Box.postStreamData = {"a": "};"};\nBox.other = {"b": 1};'
    assert post_stream_data(text) == {"a": "};"}
