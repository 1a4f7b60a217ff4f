"""The Hub's `format:` tags as formats (family: every Hub dataset API page, /api/datasets/ID).
The Hub sets them from the repository's data files; the file list itself (siblings) is the more
precise statement and wins when the page has it. Inputs written here in the Hub API's structure."""
from __future__ import annotations

from extractors import registry, resolve
from tests.extractors.adapter_support import as_body

URL = "https://huggingface.co/api/datasets/{}"


def formats(data: dict):
    ex = registry.run("huggingface", URL.format(data["id"]), as_body(data), "application/json")
    resolution = resolve.resolve(ex.facts)
    return next((f.value for f, won in zip(resolution.facts, resolution.winner)
                 if won and f.field == "formats" and f.record is None), None)


def hub_page(repo: str, tags: list[str], siblings=None) -> dict:
    page = {"id": repo, "author": repo.split("/")[0], "sha": "0" * 40, "private": False,
            "gated": False, "disabled": False, "tags": tags, "lastModified": "2024-01-04T16:29:52.000Z"}
    if siblings is not None:
        page["siblings"] = [{"rfilename": name} for name in siblings]
    return page


def test_a_parquet_tag_states_parquet():
    assert formats(hub_page("example-lab/qa-pairs", ["task_categories:question-answering",
                                                     "format:parquet", "modality:text"])) == ["PARQUET"]


def test_folder_layouts_are_not_formats_and_several_tags_are_all_read():
    assert formats(hub_page("example-lab/scans", ["format:imagefolder", "format:json",
                                                  "format:csv"])) == ["CSV", "JSON"]
    assert formats(hub_page("example-lab/photos", ["format:imagefolder"])) is None


def test_the_file_list_wins_over_the_tags():
    page = hub_page("example-lab/tabular", ["format:parquet"],
                    siblings=[".gitattributes", "README.md", "data/train.csv", "data/test.csv"])
    assert formats(page) == ["CSV"]
