"""Label files found in a listing: a source with no [source.annotations] whose record lists a
label-looking file (by name, then by shape after download) gets it downloaded within
max_annotation_bytes and the page budget (purpose "annotations"), profiled with the columns
inferred from its shape, and recorded in label_stats — over a real loopback server, with the
real Zenodo adapter reading the record."""
from __future__ import annotations

import json

from fetchkit import Reply, quick_settings

from config.load import Source
from flows.harvest import collect

SETTINGS = quick_settings(politeness={"obey_robots": False})
JSON = {"Content-Type": "application/json"}
CSV = {"Content-Type": "text/csv"}


def record(site, files: dict[str, int]) -> bytes:
    """A Zenodo record (REST API shape) listing files name -> stated size, each under /files/."""
    return json.dumps({
        "id": 4242, "doi": "10.5281/zenodo.4242", "links": {"self_html": site.url("/records/4242")},
        "metadata": {"title": "Made-up chest films", "resource_type": {"type": "dataset"}},
        "files": [{"key": name, "size": size, "links": {"self": site.url(f"/files/{name}")}}
                  for name, size in files.items()],
    }).encode()


def source(site) -> Source:
    return Source("films", "Films", site.url("/api/records/4242"), "Medical Imaging", adapter="zenodo")


LABELS = b"image_id,finding\na.png,Effusion\nb.png,No finding\nc.png,Effusion\nd.png,Mass\n"


def test_a_label_file_in_the_listing_is_downloaded_profiled_and_recorded(site, make_fetcher):
    site.route("/api/records/4242", Reply(200, record(site, {
        "README.md": 300, "images.zip": 10_000_000_000, "image_labels.csv": len(LABELS)}), JSON))
    site.route("/files/image_labels.csv", Reply(200, LABELS, CSV))

    result = collect(source(site), make_fetcher(SETTINGS), SETTINGS)

    assert result.status == "ok", result.error
    [stats] = result.label_stats
    assert stats["file_name"] == "image_labels.csv" and stats["source_url"] == site.url("/files/image_labels.csv")
    assert (stats["rows"], stats["unique_ids"], stats["classes"]) == (4, 4, 3)
    assert stats["class_counts"] == {"Effusion": 2, "Mass": 1, "No finding": 1}
    measured = {f["field"]: f["value"] for f in result.facts if f["basis"] == "measured"}
    assert measured["class_counts"] == {"Effusion": 2, "Mass": 1, "No finding": 1}
    assert any(w.startswith("annotations: profiled image_labels.csv (") and "'image_id'" in w
               and "'finding'" in w for w in result.warnings), result.warnings
    purposes = {r["url"]: r["purpose"] for r in result.fetches}
    assert purposes[site.url("/files/image_labels.csv")] == "annotations"
    assert result.pages == 2   # the record and the label file
    assert [s.path for s in site.seen("/files/images.zip")] == []   # never downloaded


def coco() -> bytes:
    return json.dumps({"images": [{"id": 1}, {"id": 2}],
                       "annotations": [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [0, 0, 2, 2]}],
                       "categories": [{"id": 3, "name": "nodule"}]}).encode()


def test_a_file_that_is_not_label_shaped_is_passed_over_with_a_reason(site, make_fetcher):
    wide = b"Path,Sex,Edema,Effusion\np1.jpg,F,1.0,\np2.jpg,M,,0.0\n"   # one column per class
    site.route("/api/records/4242", Reply(200, record(site, {
        "chexpert_labels.csv": len(wide), "instances_train.json": len(coco()), "train.csv": 30}), JSON))
    site.route("/files/chexpert_labels.csv", Reply(200, wide, CSV))
    site.route("/files/instances_train.json", Reply(200, coco(), JSON))

    result = collect(source(site), make_fetcher(SETTINGS), SETTINGS)

    assert any(w.startswith("annotations: detected chexpert_labels.csv: not label-shaped: no label column")
               and w.endswith("; nothing recorded") for w in result.warnings), result.warnings
    [stats] = result.label_stats
    assert stats["file_name"] == "instances_train.json"
    assert (stats["rows"], stats["labels_per_item"], stats["class_counts"]) == (2, 0.5, {"nodule": 1})
    assert site.seen("/files/train.csv") == []   # two candidates at most


def test_train_csv_needs_an_id_column(site, make_fetcher):
    body = b"text,label\nhello,1\nbye,0\n"
    site.route("/api/records/4242", Reply(200, record(site, {"train.csv": len(body)}), JSON))
    site.route("/files/train.csv", Reply(200, body, CSV))

    result = collect(source(site), make_fetcher(SETTINGS), SETTINGS)

    assert result.label_stats == []
    assert any("detected train.csv: not label-shaped: no id column" in w for w in result.warnings), result.warnings


def test_the_download_counts_in_the_page_budget(site, make_fetcher):
    settings = quick_settings(politeness={"obey_robots": False}, run={"max_pages_per_source": 1})
    site.route("/api/records/4242", Reply(200, record(site, {"image_labels.csv": len(LABELS)}), JSON))
    site.route("/files/image_labels.csv", Reply(200, LABELS, CSV))

    result = collect(source(site), make_fetcher(settings), settings)

    assert result.label_stats == [] and site.seen("/files/image_labels.csv") == []
    assert "annotations: page limit 1 reached; image_labels.csv not downloaded" in result.warnings


def test_the_suffix_test_turns_away_no_name_a_pattern_takes():
    """_candidates tries a DETECT pattern only on names with one of its endings (most of a
    listing is data files): each pattern must end in exactly those."""
    import re

    from flows.harvest import DETECT, DETECT_SUFFIXES

    endings = {r"\.csv(\.gz)?$": (".csv", ".csv.gz"), r"\.json(\.gz)?$": (".json", ".json.gz"),
               r"\.parquet$": (".parquet",)}
    for _, ends, pattern, _ in DETECT:
        ending = next(e for e in endings if pattern.pattern.endswith(e))
        assert ends == endings[ending] and set(ends) <= set(DETECT_SUFFIXES)
        assert pattern.flags & re.IGNORECASE   # the suffix test lower-cases the name


def test_candidates_come_by_rank_then_name_and_only_those_met_are_warned_about():
    """A listing of many parquet files (a Hub dataset) must not give a warning per file: entries
    are taken rank by rank until MAX_DETECTED usable ones are found."""
    from extractors.model import FileEntry
    from flows.harvest import MAX_DETECTED, _candidates
    from warehouse.rows import SourceResult, file_row

    def entry(name, url="https://example.org/f", size=10):
        return file_row(FileEntry(name, size, url=url))

    files = [entry(f"data/part-{i:05d}.parquet", size=10**12) for i in range(500)] + [
        entry("val/instances_val2017.json"), entry("b/labels.csv"), entry("a/labels.csv", url=None),
        entry("instances_train2017.json", size=10**12)]
    result = SourceResult("d", "ok")
    found = _candidates(files, 10**6, result)
    assert MAX_DETECTED == 2
    assert [(f[0], shape) for f, shape in found] == [("b/labels.csv", "labels"), ("val/instances_val2017.json", "coco")]
    assert len(result.warnings) == 2
    assert "a/labels.csv looks like a label file but the listing gives no URL" in result.warnings[0]
    assert "instances_train2017.json looks like a label file but is 1000000000000 bytes" in result.warnings[1]
